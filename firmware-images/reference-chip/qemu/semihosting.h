/* ARM semihosting (the subset the QEMU board layer uses): flash file I/O, the command line, log output. */
#ifndef HR_SEMIHOSTING_H
#define HR_SEMIHOSTING_H
#include <stddef.h>
#include <stdint.h>

enum {
    SH_SYS_OPEN = 0x01,
    SH_SYS_CLOSE = 0x02,
    SH_SYS_WRITE = 0x05,
    SH_SYS_READ = 0x06,
    SH_SYS_SEEK = 0x0A,
    SH_SYS_FLEN = 0x0C,
    SH_SYS_GET_CMDLINE = 0x15,
    SH_SYS_EXIT = 0x18,
};

/* Open modes of SYS_OPEN (ISO C fopen modes by index). */
enum { SH_MODE_RB_PLUS = 3, SH_MODE_WB_PLUS = 7, SH_MODE_APPEND = 8 };

static inline intptr_t sh_call(uintptr_t op, const void *args)
{
    register uintptr_t r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = args;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return (intptr_t)r0;
}

static inline int sh_open(const char *path, size_t len, uintptr_t mode)
{
    uintptr_t a[3] = {(uintptr_t)path, mode, len};
    return (int)sh_call(SH_SYS_OPEN, a);
}

/* Returns the number of bytes NOT written (0 on success). */
static inline intptr_t sh_write(int fd, const void *buf, size_t n)
{
    uintptr_t a[3] = {(uintptr_t)fd, (uintptr_t)buf, n};
    return sh_call(SH_SYS_WRITE, a);
}

/* Returns the number of bytes NOT read. */
static inline intptr_t sh_read(int fd, void *buf, size_t n)
{
    uintptr_t a[3] = {(uintptr_t)fd, (uintptr_t)buf, n};
    return sh_call(SH_SYS_READ, a);
}

static inline int sh_seek(int fd, uint32_t pos)
{
    uintptr_t a[2] = {(uintptr_t)fd, pos};
    return (int)sh_call(SH_SYS_SEEK, a);
}

static inline intptr_t sh_flen(int fd)
{
    uintptr_t a[1] = {(uintptr_t)fd};
    return sh_call(SH_SYS_FLEN, a);
}

static inline int sh_cmdline(char *buf, size_t cap)
{
    uintptr_t a[2] = {(uintptr_t)buf, cap};
    return (int)sh_call(SH_SYS_GET_CMDLINE, a);
}

/* SYS_EXIT_EXTENDED (0x20): QEMU ends with the given exit status (the rig reads 86 as "power cut inside a
 * flash operation", as from the C# and host chips). */
static inline void sh_exit_status(uint32_t status)
{
    uintptr_t a[2] = {0x20026u, status};
    sh_call(0x20u, a);
}

static inline void sh_exit(uint32_t code)
{
    /* AArch32: the parameter is the reason itself; ADP_Stopped_ApplicationExit = 0x20026. */
    (void)code;
    sh_call(SH_SYS_EXIT, (const void *)(uintptr_t)0x20026u);
}
#endif
