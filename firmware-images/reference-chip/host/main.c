/*
 * hilrig-chip: the reference chip on Linux, started by the rig for a chip whose wiring entry has a
 * `command:` (see wiring/sim-chain-c.yaml). Usage:
 *
 *   hilrig-chip --model-id 0x13 --upstream /dev/pts/5 [--downstream /dev/pts/7 ...] --flash chip3.bin
 *               [--baud 115200] [--sector-size 4096] [--slot-size 65536] [--operating] [--name chip3]
 *               [--log-flash-ops] [--cut-at-flash-op N --seed S]
 *
 * Without --slot-size the slot size comes from an existing flash file (its size is 2S + 2L,
 * docs/protocol.md §10.1), so a bench that enlarges the slots needs no extra argument; else 65 536.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "board_host.h"
#include "hr_board.h"
#include "hr_chip.h"

static void usage(const char *why)
{
    fprintf(stderr,
            "hilrig-chip: %s\n"
            "usage: hilrig-chip --model-id ID --upstream PATH [--downstream PATH ...] --flash FILE\n"
            "                   [--baud N] [--sector-size BYTES] [--slot-size BYTES] [--operating] [--name NAME]\n"
            "                   [--protocol 1.2|1.1]\n"
            "                   [--log-flash-ops] [--cut-at-flash-op N --seed S]   (the rig's power-cut sweep)\n",
            why);
    exit(2);
}

static unsigned long number(const char *option, const char *text)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 0);
    if (errno != 0 || end == text || *end != '\0') {
        char why[160];
        snprintf(why, sizeof why, "%s expects a number (decimal or 0x hex), got '%s'", option, text);
        usage(why);
    }
    return v;
}

int main(int argc, char **argv)
{
    const char *paths[HR_MAX_PORTS] = {0};
    unsigned downstream = 0;
    const char *flash = NULL;
    const char *name = NULL;
    unsigned long model = 0, baud = 115200, sector = 4096, slot = 0;
    int operating = 0, log_flash_ops = 0, protocol_1_1 = 0;
    unsigned long cut_at_flash_op = 0, seed = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--operating") == 0) { operating = 1; continue; }
        if (strcmp(a, "--log-flash-ops") == 0) { log_flash_ops = 1; continue; }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) usage("the reference chip of the HilRig chain protocol v1");
        if (v == NULL) {
            char why[160];
            snprintf(why, sizeof why, "option '%s' needs a value or is unknown", a);
            usage(why);
        }
        i++;
        if (strcmp(a, "--model-id") == 0) model = number(a, v);
        else if (strcmp(a, "--upstream") == 0) paths[0] = v;
        else if (strcmp(a, "--downstream") == 0) {
            if (downstream + 1u >= HR_MAX_PORTS) usage("too many --downstream ports for this build (HR_MAX_PORTS)");
            paths[++downstream] = v;
        }
        else if (strcmp(a, "--flash") == 0) flash = v;
        else if (strcmp(a, "--baud") == 0) baud = number(a, v);
        else if (strcmp(a, "--sector-size") == 0) sector = number(a, v);
        else if (strcmp(a, "--slot-size") == 0) slot = number(a, v);
        else if (strcmp(a, "--name") == 0) name = v;
        else if (strcmp(a, "--cut-at-flash-op") == 0) cut_at_flash_op = number(a, v);
        else if (strcmp(a, "--protocol") == 0) protocol_1_1 = strcmp(v, "1.1") == 0 ? 1 : strcmp(v, "1.2") == 0 ? 0 : -1;
        else if (strcmp(a, "--seed") == 0) seed = number(a, v);
        else {
            char why[160];
            snprintf(why, sizeof why, "unknown option '%s'", a);
            usage(why);
        }
    }
    if (protocol_1_1 < 0) usage("--protocol must be 1.1 or 1.2");
    if (model < 0x01 || model > 0xFD) usage("--model-id must be 0x01..0xFD");
    if (paths[0] == NULL) usage("--upstream is required");
    if (flash == NULL) usage("--flash is required");
    if (baud < 300 || baud > 4000000) usage("--baud must be 300..4000000");
    if (sector < 256 || (sector & (sector - 1)) != 0 || sector > 0x10000000ul) usage("--sector-size must be a power of two >= 256");

    if (slot == 0) {
        struct stat st;
        unsigned long long rest = 0;
        if (stat(flash, &st) == 0 && (unsigned long long)st.st_size > 2ull * sector) rest = (unsigned long long)st.st_size - 2ull * sector;
        slot = (rest > 0 && rest % (2ull * sector) == 0 && rest / 2 <= 0x7FFFFFFFull) ? (unsigned long)(rest / 2) : 65536ul;
    }
    if (slot == 0 || slot % sector != 0 || 2ull * sector + 2ull * slot > 0xFFFFFFFFull) {
        usage("--slot-size must be a positive multiple of the sector size, and the flash must fit 4 GiB");
    }

    if (board_host_open(paths, downstream + 1u, (unsigned)baud, flash, (uint32_t)(2 * sector + 2 * slot), (uint32_t)sector) != 0) {
        return 1;
    }
    board_host_flash_faults(log_flash_ops, cut_at_flash_op, seed);
    fprintf(stderr, "hilrig-chip %s: model 0x%02lX, %u downstream port(s), %lu baud, sector %lu, slot %lu, flash %s\n",
            name ? name : "", model, downstream, baud, sector, slot, flash);

    hr_chip_config cfg = {
        .model_id = (uint8_t)model,
        .downstream_ports = downstream,
        .sector_size = (uint32_t)sector,
        .slot_size = (uint32_t)slot,
        .operating = operating,
        .protocol_1_1 = protocol_1_1,
    };
    hr_chip_run(&cfg);
    return 1; /* hr_chip_run returns only on a bad configuration */
}
