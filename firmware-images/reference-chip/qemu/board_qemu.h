/* hr_board.h on QEMU mps2-an385: CMSDK APB UARTs, SysTick, flash in a host file through semihosting. */
#ifndef BOARD_QEMU_H
#define BOARD_QEMU_H
#include <stdint.h>

/* UARTs this board layer drives: UART0 upstream, UART1 and UART2 downstream. */
#define QEMU_MAX_PORTS 3u

/* Opens the ports, starts the clock and opens (or creates, erased) the flash file. Returns 0, or -1 with a log line. */
int board_qemu_open(unsigned ports, unsigned baud, const char *flash_path, uint32_t flash_bytes, uint32_t sector_bytes);

/* Size of the flash file, or -1 when it does not exist. */
long board_qemu_flash_file_size(const char *flash_path);

/* Sets the name prefixed to log lines. */
void board_qemu_set_name(const char *name);

/* Power-cut sweep hooks: log every flash operation and/or cut the power inside operation cut_at_op
 * (1-based; 0: never), torn deterministically from seed; QEMU then exits with status 86. */
void board_qemu_flash_faults(int log_ops, unsigned long cut_at_op, unsigned long seed);
#endif
