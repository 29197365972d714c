/* Frames (docs/protocol.md §3): layout, encoder and the resynchronising receiver of §3.3. */
#ifndef HR_FRAME_H
#define HR_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "hr_config.h"

#define HR_SYNC0 0xA5u
#define HR_SYNC1 0x5Au

/* Message types (§5). */
enum {
    HR_PREPARE = 0x01,
    HR_PREPARE_ACK = 0x02,
    HR_START = 0x03,
    HR_START_ACK = 0x04,
    HR_DATA = 0x05,
    HR_DATA_ACK = 0x06,
    HR_COMPLETE = 0x07,
    HR_STATUS_REQ = 0x08,
    HR_STATUS_RSP = 0x09,
    HR_BENCH_SET_OPERATING = 0x70,
    HR_TRANSFER_OPTIONS = 0x11, /* since 1.2: selective acknowledgement offered (§7.3.1) */
};

/* Addresses (§4). */
#define HR_ADDR_MODULE 0x00u
#define HR_ADDR_RIG 0xFEu
#define HR_ADDR_BROADCAST 0xFFu

/* A delivered frame; raw points at SYNC0 and stays valid until the receiver consumes it. */
typedef struct {
    uint8_t type, dst, src, seq;
    uint16_t len;
    const uint8_t *payload;
    const uint8_t *raw;
    size_t raw_len;
} hr_frame;

/* Writes a frame into out (at least 15 + len bytes); returns its size. */
size_t hr_frame_encode(uint8_t *out, uint8_t type, uint8_t dst, uint8_t src, uint8_t seq,
                       const uint8_t *payload, uint16_t len);

/* Receive buffer of one port. */
typedef struct {
    uint8_t buf[HR_RX_BUFFER_BYTES];
    size_t len;
    uint32_t skipped; /* bytes dropped by rules 1..5 since the caller last cleared it (diagnostics) */
} hr_rx;

/* Free room at the end of the buffer for newly received bytes. */
static inline size_t hr_rx_space(const hr_rx *rx) { return sizeof rx->buf - rx->len; }

/* Applies the rules of §3.3 to the buffered bytes. Returns 1 and fills f when a frame sits at the
 * start of the buffer (consume it with hr_rx_consume after handling it), 0 when more bytes are needed. */
int hr_rx_next(hr_rx *rx, hr_frame *f);

/* Removes the frame last returned by hr_rx_next. */
void hr_rx_consume(hr_rx *rx, const hr_frame *f);

#endif
