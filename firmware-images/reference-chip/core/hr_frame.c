#include "hr_frame.h"

#include <string.h>

#include "hr_bytes.h"
#include "hr_crc32.h"

size_t hr_frame_encode(uint8_t *out, uint8_t type, uint8_t dst, uint8_t src, uint8_t seq,
                       const uint8_t *payload, uint16_t len)
{
    out[0] = HR_SYNC0;
    out[1] = HR_SYNC1;
    out[2] = (uint8_t)HR_PROTOCOL_VERSION;
    out[3] = type;
    out[4] = dst;
    out[5] = src;
    out[6] = seq;
    hr_put_u16(out + 7, len);
    hr_put_u16(out + 9, (uint16_t)(len ^ 0xFFFFu));
    if (len > 0) memcpy(out + 11, payload, len);
    hr_put_u32(out + 11 + len, hr_crc32(out + 2, 9u + len));
    return HR_FRAME_OVERHEAD + len;
}

static void drop_front(hr_rx *rx, size_t n)
{
    memmove(rx->buf, rx->buf + n, rx->len - n);
    rx->len -= n;
}

int hr_rx_next(hr_rx *rx, hr_frame *f)
{
    for (;;) {
        /* Rule 1: skip to the next 0xA5. */
        if (rx->len == 0) return 0;
        if (rx->buf[0] != HR_SYNC0) {
            const uint8_t *sync = memchr(rx->buf, HR_SYNC0, rx->len);
            size_t junk = sync ? (size_t)(sync - rx->buf) : rx->len;
            rx->skipped += (uint32_t)junk;
            drop_front(rx, junk);
            continue;
        }
        /* Rule 2. */
        if (rx->len < 2) return 0;
        if (rx->buf[1] != HR_SYNC1) goto reject;
        /* Rule 3. */
        if (rx->len < 11) return 0;
        if (rx->buf[2] != HR_PROTOCOL_VERSION) goto reject;
        /* Rule 4. */
        uint16_t len = hr_get_u16(rx->buf + 7);
        uint16_t nlen = hr_get_u16(rx->buf + 9);
        if ((uint16_t)(len ^ nlen) != 0xFFFFu || len > HR_MAX_PAYLOAD) goto reject;
        /* Rule 5. */
        if (rx->len < HR_FRAME_OVERHEAD + (size_t)len) return 0;
        if (hr_crc32(rx->buf + 2, 9u + len) != hr_get_u32(rx->buf + 11 + len)) goto reject;
        /* Rule 6: a frame. */
        f->type = rx->buf[3];
        f->dst = rx->buf[4];
        f->src = rx->buf[5];
        f->seq = rx->buf[6];
        f->len = len;
        f->payload = rx->buf + 11;
        f->raw = rx->buf;
        f->raw_len = HR_FRAME_OVERHEAD + (size_t)len;
        return 1;
    reject:
        /* Reject: drop B[0] only, so a frame starting inside the candidate is still found. */
        rx->skipped++;
        drop_front(rx, 1);
    }
}

void hr_rx_consume(hr_rx *rx, const hr_frame *f)
{
    drop_front(rx, f->raw_len);
}
