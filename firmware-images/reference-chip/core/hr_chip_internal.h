/* Shared between the parts of the chip core; not for board code. */
#ifndef HR_CHIP_INTERNAL_H
#define HR_CHIP_INTERNAL_H

#include "hr_chip.h"
#include "hr_mode.h"

#define HR_UPSTREAM_PORT 0u

/* Flash addresses of §10.1. */
static inline uint32_t hr_mark_address(const hr_chip *c, unsigned slot) { return slot * c->cfg.sector_size; }
static inline uint32_t hr_slot_address(const hr_chip *c, unsigned slot)
{
    return 2u * c->cfg.sector_size + slot * c->cfg.slot_size;
}

static inline int hr_time_reached(uint32_t now, uint32_t deadline) { return (int32_t)(now - deadline) >= 0; }

/* Sends a frame this chip originates on one port (SEQ advances). */
void hr_send(hr_chip *c, unsigned port, uint8_t type, uint8_t dst, const uint8_t *payload, uint16_t len);

/* Sends received bytes unchanged on one port. */
void hr_send_raw(hr_chip *c, unsigned port, const uint8_t *raw, size_t len);

/* Writes m as the next record (§9.2: alternate slot, sequence + 1, erase then program); m's sequence is set. */
void hr_write_mark(hr_chip *c, hr_mark *m, const char *why);

/* Reads the active slot's header and hashes its body (§5.9). */
void hr_refresh_active_image(hr_chip *c);

/* Writes mode INITIAL if needed, then sends the received COMPLETE on every port but the arrival one (§6.5). */
void hr_on_complete(hr_chip *c, const hr_frame *f, unsigned port);

void hr_on_prepare(hr_chip *c, const hr_frame *f, unsigned port);
void hr_on_prepare_ack(hr_chip *c, const hr_frame *f, unsigned port);
uint32_t hr_prepare_poll(hr_chip *c, uint32_t now);

void hr_on_start(hr_chip *c, const hr_frame *f, unsigned port);
/* §7.1 step 0 of START (1.1): whether a sleeping chip must answer this START again (same campaign, another target). */
int hr_is_repeat_of_sleeping_start(const hr_chip *c, const hr_frame *f);
/* §7.2: pass the START on with the budget less the margin and collect, or answer at once; own = 11-byte own answer. */
void hr_start_answer(hr_chip *c, const hr_frame *f, unsigned port, const uint8_t own[11], int activate_after);
void hr_on_start_ack(hr_chip *c, const hr_frame *f, unsigned port);
uint32_t hr_start_poll(hr_chip *c, uint32_t now);
/* §7.4: read the inactive slot back, check it, one mark write, COMPLETE on every port. */
void hr_verify_and_activate(hr_chip *c);
void hr_on_data(hr_chip *c, const hr_frame *f, unsigned port);
/* §7.3.1 (1.2): selective acknowledgement offered, or withdrawn, for the transfer in progress. */
void hr_on_transfer_options(hr_chip *c, const hr_frame *f);

void hr_log(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

extern const char *const hr_mode_names[4];

#endif
