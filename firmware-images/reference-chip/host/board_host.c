/*
 * hr_board.h on Linux. A UART is a pty (or a real tty) opened raw and non-blocking; its output is
 * queued and paced at the line rate of 8N1 (10 bits per byte, docs/protocol.md §2) on an absolute
 * schedule, as a hardware UART would send it. Flash is a file written in place with NOR semantics:
 * erase sets a sector to 0xFF, program ANDs bits, each operation reaches the file before it returns
 * (a killed process -- a virtual power cut -- keeps everything written so far). hr_board_wait sleeps
 * in ppoll on every port: no busy loop.
 */
#define _GNU_SOURCE
#include "board_host.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hr_board.h"
#include "hr_config.h"
#include "hr_flash_tear.h"

/* One window plus two frames (docs/protocol.md §2 SHOULD): room for a burst forwarded to a slower line. */
#define HOST_TX_QUEUE_BYTES (16384u + 2u * HR_MAX_FRAME)

/* Wake for output when about 1 ms of bytes is due, not for every byte (11.5 wake-ups per ms at 115200). */
#define HOST_TX_BATCH_NS 1000000ll

/* After a hang-up (no one holds the pty's other end) look again after this long instead of spinning. */
#define HOST_HANGUP_RETRY_NS 50000000ll

typedef struct {
    int fd;
    uint8_t queue[HOST_TX_QUEUE_BYTES];
    size_t head;   /* index of the oldest queued byte */
    size_t count;  /* bytes queued */
    long long next_byte_ns; /* when the next byte may start on the line */
    long long hung_until_ns;
    int write_blocked;      /* the pty buffer was full: wait for POLLOUT */
} host_port;

static host_port ports[HR_MAX_PORTS];
static unsigned port_total;
static long long byte_ns;
static int flash_fd = -1;
static uint32_t flash_bytes;
static uint32_t sector_bytes;
static uint8_t erased_block[4096]; /* all 0xFF once the flash is open */

static int fill_erased(uint32_t addr, uint32_t n)
{
    for (uint32_t done = 0; done < n;) {
        uint32_t take = n - done < sizeof erased_block ? n - done : (uint32_t)sizeof erased_block;
        if (pwrite(flash_fd, erased_block, take, (off_t)addr + done) != (ssize_t)take) return -1;
        done += take;
    }
    return 0;
}

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static speed_t speed_of(unsigned baud)
{
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return B0;
    }
}

static int open_port(host_port *p, const char *path, unsigned baud)
{
    p->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (p->fd < 0) {
        fprintf(stderr, "cannot open UART %s: %s\n", path, strerror(errno));
        return -1;
    }
    struct termios t;
    if (tcgetattr(p->fd, &t) == 0) {
        cfmakeraw(&t);
        t.c_cflag |= CLOCAL | CREAD;
        t.c_cc[VMIN] = 0;
        t.c_cc[VTIME] = 0;
        speed_t s = speed_of(baud);
        if (s != B0) {
            cfsetispeed(&t, s);
            cfsetospeed(&t, s);
        }
        tcsetattr(p->fd, TCSANOW, &t);
        /* A chip that was off did not hear what was sent meanwhile. */
        tcflush(p->fd, TCIFLUSH);
    }
    return 0;
}

int board_host_open(const char *const *port_paths, unsigned port_count, unsigned baud, const char *flash_path,
                    uint32_t flash_size, uint32_t sector_size)
{
    if (port_count > HR_MAX_PORTS) {
        fprintf(stderr, "%u ports given, this build handles %u\n", port_count, HR_MAX_PORTS);
        return -1;
    }
    byte_ns = 10ll * 1000000000ll / (long long)baud;
    port_total = port_count;
    for (unsigned i = 0; i < port_count; i++) {
        if (open_port(&ports[i], port_paths[i], baud) != 0) return -1;
    }
    flash_fd = open(flash_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (flash_fd < 0) {
        fprintf(stderr, "cannot open flash file %s: %s\n", flash_path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(flash_fd, &st) != 0) return -1;
    memset(erased_block, 0xFF, sizeof erased_block);
    sector_bytes = sector_size;
    /* Grow to the layout's size with erased bytes; never shrink (§10.1). */
    if ((unsigned long long)st.st_size < flash_size &&
        fill_erased((uint32_t)st.st_size, flash_size - (uint32_t)st.st_size) != 0) {
        fprintf(stderr, "cannot extend flash file %s: %s\n", flash_path, strerror(errno));
        return -1;
    }
    flash_bytes = flash_size;
    return 0;
}

size_t hr_board_uart_read(unsigned port, uint8_t *buf, size_t cap)
{
    host_port *p = &ports[port];
    if (port >= port_total || cap == 0 || p->hung_until_ns > now_ns()) return 0;
    ssize_t n = read(p->fd, buf, cap);
    if (n > 0) return (size_t)n;
    if (n < 0 && errno == EIO) p->hung_until_ns = now_ns() + HOST_HANGUP_RETRY_NS; /* other end closed */
    return 0;
}

size_t hr_board_uart_tx_space(unsigned port)
{
    return port < port_total ? sizeof ports[port].queue - ports[port].count : 0;
}

/* Writes every byte whose slot on the line has come. Late wake-ups send the backlog at once, so the
 * average rate stays the line rate (absolute schedule). */
static void drain(host_port *p, long long now)
{
    while (p->count > 0 && now >= p->next_byte_ns && !p->write_blocked) {
        long long due = (now - p->next_byte_ns) / byte_ns + 1;
        size_t contiguous = sizeof p->queue - p->head;
        size_t n = p->count < contiguous ? p->count : contiguous;
        if ((long long)n > due) n = (size_t)due;
        ssize_t written = write(p->fd, p->queue + p->head, n);
        if (written <= 0) {
            if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
                p->write_blocked = 1;
            } else {
                /* No reader (EIO): the bytes are lost on the line, as on a cut wire. */
                p->head = (p->head + n) % sizeof p->queue;
                p->count -= n;
                p->next_byte_ns += (long long)n * byte_ns;
            }
            return;
        }
        p->head = (p->head + (size_t)written) % sizeof p->queue;
        p->count -= (size_t)written;
        p->next_byte_ns += (long long)written * byte_ns;
    }
}

void hr_board_uart_write(unsigned port, const uint8_t *buf, size_t n)
{
    if (port >= port_total) return;
    host_port *p = &ports[port];
    long long now = now_ns();
    if (p->count == 0 && p->next_byte_ns < now) p->next_byte_ns = now; /* idle line: start now */
    for (size_t i = 0; i < n && p->count < sizeof p->queue; i++) {
        p->queue[(p->head + p->count) % sizeof p->queue] = buf[i];
        p->count++;
    }
    drain(p, now);
}

void hr_board_wait(uint32_t timeout_ms)
{
    struct pollfd fds[HR_MAX_PORTS];
    long long now = now_ns();
    long long wake = timeout_ms == HR_WAIT_FOREVER ? -1 : now + (long long)timeout_ms * 1000000ll;
    unsigned watched = 0;
    for (unsigned i = 0; i < port_total; i++) {
        host_port *p = &ports[i];
        short events = 0;
        if (p->hung_until_ns > now) {
            if (wake < 0 || p->hung_until_ns < wake) wake = p->hung_until_ns;
        } else {
            events |= POLLIN;
        }
        if (p->count > 0) {
            if (p->write_blocked) {
                events |= POLLOUT;
            } else {
                size_t batch = (size_t)(HOST_TX_BATCH_NS / byte_ns);
                if (batch < 1) batch = 1;
                if (batch > p->count) batch = p->count;
                long long due = p->next_byte_ns + (long long)(batch - 1) * byte_ns;
                if (wake < 0 || due < wake) wake = due;
            }
        }
        fds[watched].fd = p->fd;
        fds[watched].events = events;
        fds[watched].revents = 0;
        watched++;
    }
    struct timespec ts, *tsp = NULL;
    if (wake >= 0) {
        long long d = wake > now ? wake - now : 0;
        ts.tv_sec = (time_t)(d / 1000000000ll);
        ts.tv_nsec = (long)(d % 1000000000ll);
        tsp = &ts;
    }
    if (ppoll(fds, watched, tsp, NULL) > 0) {
        for (unsigned i = 0; i < watched; i++) {
            if (fds[i].revents & POLLOUT) ports[i].write_blocked = 0;
            if ((fds[i].revents & (POLLHUP | POLLERR)) && !(fds[i].revents & POLLIN)) {
                ports[i].hung_until_ns = now_ns() + HOST_HANGUP_RETRY_NS;
            }
        }
    }
    now = now_ns();
    for (unsigned i = 0; i < port_total; i++) drain(&ports[i], now);
}

int hr_board_flash_read(uint32_t addr, uint8_t *buf, size_t n)
{
    if ((uint64_t)addr + n > flash_bytes) return -1;
    return pread(flash_fd, buf, n, (off_t)addr) == (ssize_t)n ? 0 : -1;
}

/* The power-cut sweep's hooks (include/hr_flash_tear.h): --log-flash-ops, --cut-at-flash-op N --seed S. */
static hr_flash_tear tear;
static uint8_t torn_cells[1u << 16];

void board_host_flash_faults(int log_ops, unsigned long cut_at_op, unsigned long seed)
{
    hr_flash_tear_init(&tear, log_ops, cut_at_op, seed);
}

static int flash_op_begins(const char *kind, uint32_t addr, size_t n)
{
    int cut = hr_flash_tear_begin(&tear);
    if (tear.log_ops) {
        fprintf(stderr, "flash op #%lu %s 0x%08lX+%lu\n", tear.count, kind, (unsigned long)addr, (unsigned long)n);
        fflush(stderr);
    }
    return cut;
}

/* Applies the torn operation to cells (the current bytes; data NULL for an erase), writes them, and the
 * power goes: exit status 86, which the rig reads as a cut inside a flash operation. */
static void tear_and_die(uint32_t addr, uint8_t *cells, const uint8_t *data, size_t n)
{
    size_t cut = hr_flash_tear_prefix(&tear, n);
    uint8_t some = (uint8_t)hr_flash_tear_random(&tear);
    for (size_t i = 0; i < n && i <= cut; i++) cells[i] = hr_flash_tear_byte(cells[i], data ? data + i : NULL, i, cut, some);
    if (pwrite(flash_fd, cells, n, (off_t)addr) != (ssize_t)n) fprintf(stderr, "flash: torn write failed\n");
    fprintf(stderr, "flash op #%lu: power cut inside it (%lu of %lu bytes done)\n", tear.count,
            (unsigned long)cut, (unsigned long)n);
    fflush(stderr);
    _exit(86);
}

int hr_board_flash_erase_sector(uint32_t addr)
{
    if (addr % sector_bytes != 0 || (uint64_t)addr + sector_bytes > flash_bytes) return -1;
    if (flash_op_begins("erase", addr, sector_bytes)) {
        if (sector_bytes > sizeof torn_cells || pread(flash_fd, torn_cells, sector_bytes, (off_t)addr) != (ssize_t)sector_bytes) _exit(86);
        tear_and_die(addr, torn_cells, NULL, sector_bytes);
    }
    return fill_erased(addr, sector_bytes);
}

int hr_board_flash_program(uint32_t addr, const uint8_t *buf, size_t n)
{
    uint8_t cell[HR_MAX_PAYLOAD];
    if ((uint64_t)addr + n > flash_bytes) return -1;
    if (flash_op_begins("program", addr, n)) {
        if (n > sizeof torn_cells || pread(flash_fd, torn_cells, n, (off_t)addr) != (ssize_t)n) _exit(86);
        tear_and_die(addr, torn_cells, buf, n);
    }
    /* NOR: programming only clears bits, so the result is old AND new. */
    for (size_t done = 0; done < n;) {
        size_t take = n - done < sizeof cell ? n - done : sizeof cell;
        if (pread(flash_fd, cell, take, (off_t)(addr + done)) != (ssize_t)take) return -1;
        for (size_t i = 0; i < take; i++) cell[i] &= buf[done + i];
        if (pwrite(flash_fd, cell, take, (off_t)(addr + done)) != (ssize_t)take) return -1;
        done += take;
    }
    return 0;
}

uint32_t hr_board_time_ms(void)
{
    return (uint32_t)(now_ns() / 1000000ll);
}

void hr_board_log(const char *line)
{
    /* One write per line so lines of a dying process are whole. */
    char buf[256];
    size_t n = strlen(line);
    if (n > sizeof buf - 1) n = sizeof buf - 1;
    memcpy(buf, line, n);
    buf[n++] = '\n';
    (void)!write(STDERR_FILENO, buf, n);
}
