/*
 * hr_board.h on QEMU mps2-an385 (Cortex-M3, 25 MHz). UARTs are the CMSDK APB UARTs (UART0 at
 * 0x40004000 upstream, UART1 at 0x40005000 and UART2 at 0x40006000 downstream); received bytes are
 * taken by the RX interrupt into a ring per port, output is queued and paced at the line rate (QEMU's
 * UARTs send as fast as the host takes bytes), time is SysTick at 1 kHz plus its counter for
 * sub-millisecond pacing, and hr_board_wait sleeps on WFI (a polling loop would burn a host core per
 * chip). Flash is a host file reached through ARM semihosting, written in place with NOR semantics
 * (program ANDs bits, erase writes 0xFF), never truncated.
 */
#include "board_qemu.h"
#include <string.h>
#include "hr_board.h"
#include "hr_config.h"
#include "hr_flash_tear.h"
#include "semihosting.h"

typedef struct {
    volatile uint32_t data;
    volatile uint32_t state;
    volatile uint32_t ctrl;
    volatile uint32_t intstatus; /* write 1s to clear */
    volatile uint32_t bauddiv;
} cmsdk_uart;

#define STATE_TX_FULL 0x1u
#define STATE_RX_FULL 0x2u
#define CTRL_TX_EN 0x1u
#define CTRL_RX_EN 0x2u
#define CTRL_RX_INT_EN 0x8u
#define INT_RX 0x2u

#define NVIC_ISER0 (*(volatile uint32_t *)0xE000E100u)
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define CPU_HZ 25000000u
#define TICKS_PER_MS (CPU_HZ / 1000u)

/* A window plus frames; when it is full the UART is left full, so QEMU holds further bytes back (no loss). */
#define RX_RING 32768u
/* One window plus two frames (docs/protocol.md §2 SHOULD), as on the host build. */
#define TX_QUEUE (16384u + 2u * HR_MAX_FRAME)

static cmsdk_uart *const uarts[QEMU_MAX_PORTS] = {
    (cmsdk_uart *)0x40004000u, (cmsdk_uart *)0x40005000u, (cmsdk_uart *)0x40006000u,
};
static const unsigned rx_irq[QEMU_MAX_PORTS] = {0u, 2u, 4u};

typedef struct {
    uint8_t rx[RX_RING];
    volatile uint32_t rx_head; /* written by the interrupt */
    uint32_t rx_tail;
    uint8_t tx[TX_QUEUE];
    uint32_t tx_head;
    uint32_t tx_count;
    uint64_t next_byte_ns;
} qemu_port;

static qemu_port ports[QEMU_MAX_PORTS];
static unsigned port_total;
static uint64_t byte_ns;
static volatile uint32_t ms_ticks;
static int flash_fd = -1;
static int log_fd = -1;
static uint32_t flash_size;
static const char *log_name = "";
static uint8_t scratch[256];

void hr_qemu_systick(void) { ms_ticks++; }

static void take_rx(unsigned p)
{
    cmsdk_uart *u = uarts[p];
    /* Clear first, then drain: a byte that lands after the last look raises the interrupt again. (Clearing
     * after the loop lost that byte's interrupt, and with RX full QEMU delivers nothing more: the port went
     * deaf in the middle of a transfer.) */
    u->intstatus = INT_RX;
    while (u->state & STATE_RX_FULL) {
        uint32_t head = ports[p].rx_head;
        if (head - ports[p].rx_tail >= RX_RING) {
            /* Ring full: leave the byte in the UART and stop listening until the core has read some.
             * (After a power cut a pty hands over everything sent while the chip was off at once.) */
            u->ctrl &= ~CTRL_RX_INT_EN;
            return;
        }
        ports[p].rx[head % RX_RING] = (uint8_t)u->data;
        ports[p].rx_head = head + 1u;
    }
}

void hr_qemu_uart0_rx(void) { take_rx(0); }
void hr_qemu_uart1_rx(void) { take_rx(1); }
void hr_qemu_uart2_rx(void) { take_rx(2); }

static uint64_t now_ns(void)
{
    uint32_t ms, cvr;
    do {
        ms = ms_ticks;
        cvr = SYST_CVR;
    } while (ms != ms_ticks);
    return (uint64_t)ms * 1000000u + (uint64_t)(TICKS_PER_MS - 1u - cvr) * 40u; /* 40 ns per tick at 25 MHz */
}

static void pump_tx(void)
{
    uint64_t now = now_ns();
    for (unsigned p = 0; p < port_total; p++) {
        qemu_port *q = &ports[p];
        while (q->tx_count > 0 && q->next_byte_ns <= now && !(uarts[p]->state & STATE_TX_FULL)) {
            uarts[p]->data = q->tx[q->tx_head];
            q->tx_head = (q->tx_head + 1u) % TX_QUEUE;
            q->tx_count--;
            q->next_byte_ns += byte_ns;
        }
    }
}

size_t hr_board_uart_read(unsigned port, uint8_t *buf, size_t cap)
{
    if (port >= port_total) return 0;
    qemu_port *q = &ports[port];
    size_t n = 0;
    while (n < cap && q->rx_tail != q->rx_head) {
        buf[n++] = q->rx[q->rx_tail % RX_RING];
        q->rx_tail++;
    }
    if (n > 0 && !(uarts[port]->ctrl & CTRL_RX_INT_EN)) {
        /* Room again: listen again, and take what waited in the UART. */
        __asm volatile("cpsid i" ::: "memory");
        uarts[port]->ctrl |= CTRL_RX_INT_EN;
        take_rx(port);
        __asm volatile("cpsie i" ::: "memory");
    }
    return n;
}

size_t hr_board_uart_tx_space(unsigned port)
{
    return port < port_total ? TX_QUEUE - ports[port].tx_count : 0;
}

void hr_board_uart_write(unsigned port, const uint8_t *buf, size_t n)
{
    if (port >= port_total) return;
    qemu_port *q = &ports[port];
    if (q->tx_count == 0) {
        /* An idle line starts now; a busy one keeps its absolute schedule. */
        uint64_t now = now_ns();
        if (q->next_byte_ns < now) q->next_byte_ns = now;
    }
    for (size_t i = 0; i < n && q->tx_count < TX_QUEUE; i++) {
        q->tx[(q->tx_head + q->tx_count) % TX_QUEUE] = buf[i];
        q->tx_count++;
    }
    pump_tx();
}

static int flash_io_ok(uint32_t addr, size_t n) { return flash_fd >= 0 && addr <= flash_size && n <= flash_size - addr; }

int hr_board_flash_read(uint32_t addr, uint8_t *buf, size_t n)
{
    if (!flash_io_ok(addr, n)) return -1;
    if (sh_seek(flash_fd, addr) != 0) return -1;
    return sh_read(flash_fd, buf, n) == 0 ? 0 : -1;
}

static int fill_erased(uint32_t addr, uint32_t n)
{
    memset(scratch, 0xFF, sizeof scratch);
    if (sh_seek(flash_fd, addr) != 0) return -1;
    for (uint32_t done = 0; done < n;) {
        uint32_t take = n - done < sizeof scratch ? n - done : (uint32_t)sizeof scratch;
        if (sh_write(flash_fd, scratch, take) != 0) return -1;
        done += take;
    }
    return 0;
}

/* The power-cut sweep's hooks (include/hr_flash_tear.h), as the host build's; QEMU exits with status 86. */
static hr_flash_tear tear;

void board_qemu_flash_faults(int log_ops, unsigned long cut_at_op, unsigned long seed)
{
    hr_flash_tear_init(&tear, log_ops, cut_at_op, seed);
}

static char *put_text(char *p, const char *text) { while (*text) *p++ = *text++; return p; }

static char *put_number(char *p, unsigned long v, unsigned base, int width)
{
    char digits[12];
    int n = 0;
    do { digits[n++] = "0123456789ABCDEF"[v % base]; v /= base; } while (v != 0);
    while (n < width) digits[n++] = '0';
    while (n > 0) *p++ = digits[--n];
    return p;
}

static int flash_op_begins(const char *kind, uint32_t addr, size_t n)
{
    int cut = hr_flash_tear_begin(&tear);
    if (tear.log_ops) {
        char line[64], *p = line;
        p = put_text(p, "flash op #");
        p = put_number(p, tear.count, 10, 0);
        *p++ = ' ';
        p = put_text(p, kind);
        p = put_text(p, " 0x");
        p = put_number(p, addr, 16, 8);
        *p++ = '+';
        p = put_number(p, (unsigned long)n, 10, 0);
        *p = '\0';
        hr_board_log(line);
    }
    return cut;
}

/* Applies the torn operation (data NULL: an erase) chunk by chunk through scratch, then the power goes. */
static void tear_and_die(uint32_t addr, const uint8_t *data, size_t n)
{
    size_t cut = hr_flash_tear_prefix(&tear, n);
    uint8_t some = (uint8_t)hr_flash_tear_random(&tear);
    for (size_t done = 0; done < n && done <= cut;) {
        size_t take = n - done < sizeof scratch ? n - done : sizeof scratch;
        if (sh_seek(flash_fd, addr + (uint32_t)done) != 0 || sh_read(flash_fd, scratch, take) != 0) break;
        for (size_t i = 0; i < take; i++) scratch[i] = hr_flash_tear_byte(scratch[i], data ? data + done + i : NULL, done + i, cut, some);
        if (sh_seek(flash_fd, addr + (uint32_t)done) != 0 || sh_write(flash_fd, scratch, take) != 0) break;
        done += take;
    }
    hr_board_log("flash: power cut inside this operation");
    sh_exit_status(86);
    for (;;) {
    }
}

int hr_board_flash_erase_sector(uint32_t addr)
{
    extern uint32_t board_qemu_sector;
    if (!flash_io_ok(addr, board_qemu_sector)) return -1;
    if (flash_op_begins("erase", addr, board_qemu_sector)) tear_and_die(addr, NULL, board_qemu_sector);
    return fill_erased(addr, board_qemu_sector);
}

int hr_board_flash_program(uint32_t addr, const uint8_t *buf, size_t n)
{
    if (!flash_io_ok(addr, n)) return -1;
    if (flash_op_begins("program", addr, n)) tear_and_die(addr, buf, n);
    for (size_t done = 0; done < n;) {
        size_t take = n - done < sizeof scratch ? n - done : sizeof scratch;
        if (sh_seek(flash_fd, addr + (uint32_t)done) != 0 || sh_read(flash_fd, scratch, take) != 0) return -1;
        for (size_t i = 0; i < take; i++) scratch[i] &= buf[done + i]; /* NOR: bits only go 1 -> 0 */
        if (sh_seek(flash_fd, addr + (uint32_t)done) != 0 || sh_write(flash_fd, scratch, take) != 0) return -1;
        done += take;
    }
    return 0;
}

uint32_t hr_board_time_ms(void) { return ms_ticks; }

static int rx_pending(void)
{
    for (unsigned p = 0; p < port_total; p++) {
        if (ports[p].rx_tail != ports[p].rx_head) return 1;
    }
    return 0;
}

void hr_board_wait(uint32_t timeout_ms)
{
    uint32_t start = ms_ticks;
    for (;;) {
        pump_tx();
        /* Belt and braces: a byte waiting in a UART with its interrupt missed is taken here. */
        __asm volatile("cpsid i" ::: "memory");
        for (unsigned p = 0; p < port_total; p++) {
            if (uarts[p]->state & STATE_RX_FULL) take_rx(p);
        }
        __asm volatile("cpsie i" ::: "memory");
        if (rx_pending()) return;
        if (timeout_ms != HR_WAIT_FOREVER && (uint32_t)(ms_ticks - start) >= timeout_ms) return;
        /* Sleeps until the next interrupt: a received byte, or the next millisecond tick. */
        __asm volatile("wfi");
    }
}

void hr_board_log(const char *line)
{
    if (log_fd < 0) return;
    static char out[320];
    size_t name = strlen(log_name), len = strlen(line);
    if (name + 2u + len + 1u > sizeof out) len = sizeof out - name - 3u;
    memcpy(out, log_name, name);
    memcpy(out + name, ": ", 2);
    memcpy(out + name + 2, line, len);
    out[name + 2 + len] = '\n';
    (void)sh_write(log_fd, out, name + 3u + len);
}

void board_qemu_set_name(const char *name) { log_name = name; }

uint32_t board_qemu_sector;

long board_qemu_flash_file_size(const char *flash_path)
{
    int fd = sh_open(flash_path, strlen(flash_path), SH_MODE_RB_PLUS);
    if (fd < 0) return -1;
    long size = (long)sh_flen(fd);
    uintptr_t a[1] = {(uintptr_t)fd};
    (void)sh_call(SH_SYS_CLOSE, a);
    return size;
}

int board_qemu_open(unsigned total, unsigned baud, const char *flash_path, uint32_t bytes, uint32_t sector)
{
    /* Semihosting ":tt" opened for append is the host's stderr: the rig keeps it as the chip's log. */
    log_fd = sh_open(":tt", 3, SH_MODE_APPEND);
    if (total == 0 || total > QEMU_MAX_PORTS) {
        hr_board_log("this board has UART0..UART2: 1 upstream and at most 2 downstream ports");
        return -1;
    }
    port_total = total;
    byte_ns = 10000000000ull / baud; /* 8N1: 10 bits per byte */
    SYST_RVR = TICKS_PER_MS - 1u;
    SYST_CVR = 0;
    SYST_CSR = 0x7u; /* processor clock, interrupt, enable */
    for (unsigned p = 0; p < total; p++) {
        cmsdk_uart *u = uarts[p];
        u->bauddiv = CPU_HZ / baud;
        u->ctrl = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INT_EN;
        /* QEMU's chardev layer is not told that RX was enabled: one read of DATA wakes it, or the first byte waits a second. */
        (void)u->data;
        u->intstatus = INT_RX;
        NVIC_ISER0 = 1u << rx_irq[p];
    }
    flash_size = bytes;
    board_qemu_sector = sector;
    size_t len = strlen(flash_path);
    flash_fd = sh_open(flash_path, len, SH_MODE_RB_PLUS);
    long have = 0;
    if (flash_fd < 0) {
        /* No flash file yet: a new chip, all erased. (Opening "w+b" truncates, which is only done to a file that is not there.) */
        flash_fd = sh_open(flash_path, len, SH_MODE_WB_PLUS);
        if (flash_fd < 0) {
            hr_board_log("cannot open or create the flash file");
            return -1;
        }
    } else {
        have = (long)sh_flen(flash_fd);
    }
    if (have < (long)bytes && fill_erased((uint32_t)have, bytes - (uint32_t)have) != 0) {
        hr_board_log("cannot extend the flash file to its size");
        return -1;
    }
    return 0;
}
