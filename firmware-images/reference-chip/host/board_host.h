/* Linux board layer: UARTs on ptys or tty devices, flash in a file with NOR semantics. */
#ifndef BOARD_HOST_H
#define BOARD_HOST_H

#include <stdint.h>

/* Opens the ports (port 0 upstream) at baud and the flash file of flash_size bytes (grown with 0xFF
 * if shorter, never truncated). Returns 0, or -1 with the reason printed on stderr. */
int board_host_open(const char *const *port_paths, unsigned port_count, unsigned baud, const char *flash_path,
                    uint32_t flash_size, uint32_t sector_size);

/* Power-cut sweep hooks: log every flash operation ("flash op #N erase|program 0xADDR+LEN") and/or cut
 * the power inside operation cut_at_op (1-based; 0: never), torn deterministically from seed. */
void board_host_flash_faults(int log_ops, unsigned long cut_at_op, unsigned long seed);

#endif
