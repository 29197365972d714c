/*
 * The board layer: everything the portable chip core needs from the hardware. A port of the
 * reference chip to an MCU implements exactly these functions (docs/firmware-porting.md says what
 * each must guarantee); host/board_host.c implements them on Linux ptys and a flash file.
 */
#ifndef HR_BOARD_H
#define HR_BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Copies up to cap bytes already received on port into buf and returns how many; never blocks. */
size_t hr_board_uart_read(unsigned port, uint8_t *buf, size_t cap);

/* How many bytes hr_board_uart_write can queue on port right now. */
size_t hr_board_uart_tx_space(unsigned port);

/* Queues n <= hr_board_uart_tx_space(port) bytes; they leave at line rate (8N1) in order. Never blocks. */
void hr_board_uart_write(unsigned port, const uint8_t *buf, size_t n);

/* Reads n bytes of flash at addr (addresses of docs/protocol.md §10). Returns 0 on success. */
int hr_board_flash_read(uint32_t addr, uint8_t *buf, size_t n);

/* Erases the sector starting at addr to 0xFF; returns 0 once it is erased (not before). */
int hr_board_flash_erase_sector(uint32_t addr);

/* Programs n bytes at addr with NOR semantics (bits only go 1 -> 0); returns 0 once they are in flash. */
int hr_board_flash_program(uint32_t addr, const uint8_t *buf, size_t n);

/* Monotonic milliseconds since an arbitrary origin; wraps at 2^32. */
uint32_t hr_board_time_ms(void);

/* Sleeps until a byte arrives on any port or timeout_ms pass (HR_WAIT_FOREVER: no timeout), while
 * queued output keeps leaving. May return early. */
#define HR_WAIT_FOREVER 0xFFFFFFFFu
void hr_board_wait(uint32_t timeout_ms);

/* One log line (no newline) for the bench's node log; may be dropped on boards without a console. */
void hr_board_log(const char *line);

#endif
