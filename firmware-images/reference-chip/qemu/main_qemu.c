/*
 * The reference chip on QEMU mps2-an385. The launcher (run-chip-qemu.sh) passes the chip's options
 * through semihosting (SYS_GET_CMDLINE):
 *
 *   hilrig-chip --model-id 0x13 --ports 2 --flash chip3.bin [--baud 115200] [--sector-size 4096]
 *               [--slot-size 65536] [--operating] [--name chip3] [--log-flash-ops] [--cut-at-flash-op N --seed S]
 *
 * --ports counts UARTs: UART0 upstream, then the downstream ones. Without --slot-size the slot size
 * comes from an existing flash file (2S + 2L, docs/protocol.md §10.1), else 65 536.
 */
#include <string.h>
#include "board_qemu.h"
#include "hr_board.h"
#include "hr_chip.h"
#include "semihosting.h"

static char cmdline[512];

static void die(const char *why)
{
    hr_board_log(why);
    sh_exit(2);
    for (;;) {
    }
}

/* Decimal or 0x hex. (Not strtoul/strtok: newlib-nano's want a heap for their reentrancy data, and there is none.) */
static unsigned long number(const char *text)
{
    unsigned long v = 0;
    unsigned base = 10;
    if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text += 2;
    }
    if (*text == '\0') die("a numeric option got something that is not a number");
    for (; *text != '\0'; text++) {
        unsigned d = *text >= '0' && *text <= '9' ? (unsigned)(*text - '0')
            : base == 16 && *text >= 'a' && *text <= 'f' ? (unsigned)(*text - 'a' + 10)
            : base == 16 && *text >= 'A' && *text <= 'F' ? (unsigned)(*text - 'A' + 10) : 99u;
        if (d >= base) die("a numeric option got something that is not a number");
        v = v * base + d;
    }
    return v;
}

int main(void)
{
    if (sh_cmdline(cmdline, sizeof cmdline) != 0) die("no command line from the host (semihosting disabled?)");
    char *argv[24];
    int argc = 0;
    for (char *p = cmdline; *p != '\0' && argc < 24;) {
        while (*p == ' ') *p++ = '\0';
        if (*p == '\0') break;
        argv[argc++] = p;
        while (*p != '\0' && *p != ' ') p++;
    }
    unsigned long model = 0, ports = 1, baud = 115200, sector = 4096, slot = 0;
    const char *flash = NULL;
    const char *name = "chip";
    int operating = 0, log_flash_ops = 0, protocol_1_1 = 0;
    unsigned long cut_at_flash_op = 0, seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--operating") == 0) { operating = 1; continue; }
        if (strcmp(a, "--log-flash-ops") == 0) { log_flash_ops = 1; continue; }
        if (i + 1 >= argc) die("an option is missing its value");
        const char *v = argv[++i];
        if (strcmp(a, "--model-id") == 0) model = number(v);
        else if (strcmp(a, "--ports") == 0) ports = number(v);
        else if (strcmp(a, "--flash") == 0) flash = v;
        else if (strcmp(a, "--baud") == 0) baud = number(v);
        else if (strcmp(a, "--sector-size") == 0) sector = number(v);
        else if (strcmp(a, "--slot-size") == 0) slot = number(v);
        else if (strcmp(a, "--name") == 0) name = v;
        else if (strcmp(a, "--cut-at-flash-op") == 0) cut_at_flash_op = number(v);
        else if (strcmp(a, "--protocol") == 0) protocol_1_1 = strcmp(v, "1.1") == 0 ? 1 : strcmp(v, "1.2") == 0 ? 0 : -1;
        else if (strcmp(a, "--seed") == 0) seed = number(v);
        else die("unknown option");
    }
    board_qemu_set_name(name);
    if (protocol_1_1 < 0) die("--protocol must be 1.1 or 1.2");
    if (model < 0x01 || model > 0xFD) die("--model-id must be 0x01..0xFD");
    if (flash == NULL) die("--flash is required");
    if (ports < 1 || ports > QEMU_MAX_PORTS) die("--ports must be 1..3");
    if (baud < 300 || baud > 4000000) die("--baud must be 300..4000000");
    if (sector < 256 || (sector & (sector - 1)) != 0) die("--sector-size must be a power of two >= 256");
    if (slot == 0) {
        long size = board_qemu_flash_file_size(flash);
        unsigned long rest = size > (long)(2 * sector) ? (unsigned long)size - 2 * sector : 0;
        slot = (rest > 0 && rest % (2 * sector) == 0) ? rest / 2 : 65536ul;
    }
    if (slot % sector != 0) die("--slot-size must be a multiple of the sector size");
    if (board_qemu_open((unsigned)ports, (unsigned)baud, flash, (uint32_t)(2 * sector + 2 * slot), (uint32_t)sector) != 0) {
        die("board setup failed");
    }
    board_qemu_flash_faults(log_flash_ops, cut_at_flash_op, seed);
    hr_board_log("booted on QEMU mps2-an385 (Cortex-M3)");
    hr_chip_config cfg = {
        .model_id = (uint8_t)model,
        .downstream_ports = (unsigned)ports - 1u,
        .sector_size = (uint32_t)sector,
        .slot_size = (uint32_t)slot,
        .operating = operating,
        .protocol_1_1 = protocol_1_1,
    };
    hr_chip_run(&cfg);
    die("bad configuration");
    return 1;
}

/* No heap: newlib's allocator, if anything reached it, would get nothing. */
void *_sbrk(int incr);
void *_sbrk(int incr)
{
    (void)incr;
    return (void *)-1;
}
