/* START decisions (docs/protocol.md §6.2), the receiving side of the windowed transfer with erase on
 * first write (§7.3, §10.2), and verification and activation (§7.4, §10.3). */
#include <string.h>

#include "hr_board.h"
#include "hr_bytes.h"
#include "hr_chip_internal.h"
#include "hr_image.h"
#include "hr_sha256.h"

enum { START_OK = 0, WRONG_MODEL = 1, IMAGE_TOO_LARGE = 2, START_BAD_HEADER = 3, ALREADY_UPGRADED = 4 };
enum { DATA_OK = 0, OUT_OF_ORDER = 1, NOT_TARGET = 3 };
enum { ACTIVATED = 0, DIGEST_MISMATCH = 1, COMPLETE_BAD_HEADER = 2 };

static void own_answer(hr_chip *c, const hr_frame *f, uint8_t mode, uint32_t resume, uint8_t status, uint8_t out[11])
{
    memcpy(out, f->payload, 4);
    out[4] = c->cfg.model_id;
    out[5] = mode;
    hr_put_u32(out + 6, resume);
    out[10] = status;
}

/* A refusal or ALREADY_UPGRADED: answered at once with the chip's own answer only, START not passed on. */
static void send_start_ack(hr_chip *c, const hr_frame *f, unsigned port, uint8_t mode, uint32_t resume, uint8_t status)
{
    uint8_t p[14];
    own_answer(c, f, mode, resume, status, p);
    p[11] = START_OK; /* collection: nothing asked below */
    p[12] = c->cfg.model_id;
    p[13] = 0;
    hr_send(c, port, HR_START_ACK, f->src, p, sizeof p);
}

static void send_complete(hr_chip *c, uint32_t campaign, uint8_t status)
{
    uint8_t p[10];
    hr_put_u32(p, campaign);
    p[4] = c->cfg.model_id;
    p[5] = status;
    memcpy(p + 6, c->active_version, 4);
    /* One frame per port, each with its own SEQ (§3.1: the counter advances after every frame sent),
     * as the C# emulated chip does; upstream first, then every downstream port (§6.5). */
    for (unsigned q = 0; q <= c->cfg.downstream_ports; q++) hr_send(c, q, HR_COMPLETE, HR_ADDR_BROADCAST, p, sizeof p);
    hr_log("COMPLETE campaign 0x%08lx status %u version %u.%u.%u sent", (unsigned long)campaign, status,
           c->active_version[0], c->active_version[1], (unsigned)hr_get_u16(c->active_version + 2));
}

/* §7.4: read the inactive slot back, check it, then one mark write, then COMPLETE on every port. */
void hr_verify_and_activate(hr_chip *c)
{
    unsigned inactive = c->mark.slot ^ 1u;
    uint32_t base = hr_slot_address(c, inactive);
    uint8_t bytes[HR_IMAGE_HEADER_BYTES];
    hr_image_header h;
    uint8_t status = ACTIVATED;
    if (hr_board_flash_read(base, bytes, sizeof bytes) != 0 || !hr_image_header_decode(bytes, &h) ||
        h.model_id != c->cfg.model_id || hr_image_file_size(&h) != c->mark.image_size) {
        status = COMPLETE_BAD_HEADER;
    } else {
        hr_sha256_ctx sha;
        uint8_t chunk[HR_FLASH_CHUNK_BYTES];
        uint8_t digest[32];
        hr_sha256_init(&sha);
        for (uint32_t done = 0; done < h.body_size;) {
            uint32_t take = h.body_size - done < sizeof chunk ? h.body_size - done : (uint32_t)sizeof chunk;
            hr_board_flash_read(base + HR_IMAGE_HEADER_BYTES + done, chunk, take);
            hr_sha256_update(&sha, chunk, take);
            done += take;
        }
        hr_sha256_final(&sha, digest);
        if (memcmp(digest, h.digest, 32) != 0 || memcmp(h.digest, c->mark.digest, 32) != 0) status = DIGEST_MISMATCH;
    }
    hr_mark m = c->mark;
    m.mode = hr_mode_next(m.mode, HR_EV_TRANSFER_ENDED);
    if (status == ACTIVATED) {
        m.state = HR_STATE_DONE;
        m.slot = (uint8_t)inactive;
    } else {
        m.state = HR_STATE_FAILED;
    }
    hr_write_mark(c, &m, status == ACTIVATED ? "activated" : "image rejected");
    if (status == ACTIVATED) hr_refresh_active_image(c);
    send_complete(c, m.campaign, status);
}

void hr_on_start(hr_chip *c, const hr_frame *f, unsigned port)
{
    if (f->len != 69 && f->len != 71) return; /* 71 in 1.1 (with budget), 69 in 1.0 */
    c->start.pending = 0; /* a new START replaces one still collecting (the module re-sends on silence) */
    uint32_t campaign = hr_get_u32(f->payload);
    uint8_t target = f->payload[4];
    const uint8_t *header_bytes = f->payload + 5;

    if (target != c->cfg.model_id) {
        int sleep = c->mark.state == HR_STATE_DONE && c->mark.campaign == campaign;
        hr_mark m = c->mark;
        m.mode = hr_mode_next(m.mode, sleep ? HR_EV_START_FOR_OTHER_DONE_HERE : HR_EV_START_FOR_OTHER);
        m.campaign = campaign;
        m.state = sleep ? HR_STATE_DONE : HR_STATE_IDLE;
        /* Write-ahead (§6.2): the mark is on flash before the START goes on and before the answer. */
        if (hr_mark_differs(&m, &c->mark)) hr_write_mark(c, &m, sleep ? "START for another chip: sleep" : "START for another chip: pass through");
        uint8_t own[11];
        own_answer(c, f, m.mode, 0, START_OK, own);
        hr_start_answer(c, f, port, own, 0);
        return;
    }

    hr_image_header h;
    uint8_t refusal = START_OK;
    if (!hr_image_header_decode(header_bytes, &h)) {
        refusal = START_BAD_HEADER;
    } else if (h.model_id != c->cfg.model_id) {
        refusal = WRONG_MODEL;
    } else if (hr_image_file_size(&h) > c->cfg.slot_size) {
        refusal = IMAGE_TOO_LARGE;
    }
    if (refusal != START_OK) {
        hr_log("START campaign 0x%08lx refused with status %u", (unsigned long)campaign, refusal);
        send_start_ack(c, f, port, c->mark.mode, 0, refusal);
        return;
    }

    if (c->mark.state == HR_STATE_DONE && c->mark.campaign == campaign && memcmp(c->mark.digest, h.digest, 32) == 0) {
        if (c->mark.mode != HR_MODE_INITIAL) {
            hr_mark m = c->mark;
            m.mode = hr_mode_next(m.mode, HR_EV_START_FOR_ME_ALREADY_UPGRADED);
            hr_write_mark(c, &m, "START for me: already upgraded");
        }
        send_start_ack(c, f, port, HR_MODE_INITIAL, c->mark.image_size, ALREADY_UPGRADED);
        send_complete(c, campaign, ACTIVATED);
        return;
    }

    if (c->mark.mode == HR_MODE_UPGRADE && c->mark.state == HR_STATE_RECEIVING && c->mark.campaign == campaign &&
        memcmp(c->mark.digest, h.digest, 32) == 0) {
        c->next = c->mark.persisted;
        hr_log("START for me: resume at %lu", (unsigned long)c->next);
    } else {
        hr_mark m = c->mark;
        m.mode = hr_mode_next(m.mode, HR_EV_START_FOR_ME);
        m.state = HR_STATE_RECEIVING;
        m.campaign = campaign;
        m.persisted = 0;
        m.image_size = (uint32_t)hr_image_file_size(&h);
        memcpy(m.digest, h.digest, 32);
        hr_write_mark(c, &m, "START for me: new transfer");
        c->next = 0;
    }
    c->sack_unit = 0u; /* selective acknowledgement is offered again after every START (§7.3.1) */
    c->held = 0u;
    uint8_t own[11];
    own_answer(c, f, HR_MODE_UPGRADE, c->mark.persisted, START_OK, own);
    hr_start_answer(c, f, port, own, c->mark.persisted == c->mark.image_size);
}

/* §7.3.1: the first offset the held bitmap describes, next rounded up to the unit. */
static uint32_t held_base(const hr_chip *c)
{
    uint32_t u = c->sack_unit;
    return (uint32_t)(((uint64_t)c->next + u - 1u) / u * u);
}

/* Moves next to new_next and the bitmap with it (its base moves by whole units). */
static void move_next(hr_chip *c, uint32_t new_next)
{
    if (c->sack_unit == 0u) {
        c->next = new_next;
        return;
    }
    uint32_t before = held_base(c);
    c->next = new_next;
    uint32_t shift = (held_base(c) - before) / c->sack_unit;
    c->held = shift >= 64u ? 0u : c->held >> shift;
}

/* Whether a held frame has bytes in [a, b). */
static int held_overlaps(const hr_chip *c, uint64_t a, uint64_t b)
{
    if (c->sack_unit == 0u || c->held == 0u) return 0;
    uint64_t base = held_base(c);
    for (unsigned i = 0; i < 64u; i++) {
        uint64_t f = base + (uint64_t)i * c->sack_unit;
        if ((c->held >> i & 1u) && f < b && f + c->sack_unit > a) return 1;
    }
    return 0;
}

/* §10.2 with §7.3.1: erase every sector of the inactive slot that [o, o + n) touches, that starts at or after next and holds
 * no held frame (nothing of this boot was written to it yet), then program. Without held frames: the sectors whose first
 * byte lies in [o, o + n), as §10.2 says. */
static void write_image_bytes(hr_chip *c, uint32_t o, const uint8_t *bytes, uint32_t n)
{
    uint32_t s = c->cfg.sector_size;
    uint32_t base = hr_slot_address(c, c->mark.slot ^ 1u);
    uint64_t first = (uint64_t)(o & ~(s - 1u));
    uint64_t at_next = ((uint64_t)c->next + s - 1u) & ~(uint64_t)(s - 1u);
    for (uint64_t sector = first > at_next ? first : at_next; sector < (uint64_t)o + n; sector += s) {
        if (held_overlaps(c, sector, sector + s)) continue;
        if (hr_board_flash_erase_sector(base + (uint32_t)sector) != 0) hr_log("erase of image sector at %lu failed", (unsigned long)sector);
    }
    if (n > 0 && hr_board_flash_program(base + o, bytes, n) != 0) hr_log("program of %lu bytes at %lu failed", (unsigned long)n, (unsigned long)o);
}

void hr_on_transfer_options(hr_chip *c, const hr_frame *f)
{
    if (c->cfg.protocol_1_1 || f->len != 7u || c->mark.mode != HR_MODE_UPGRADE || c->mark.state != HR_STATE_RECEIVING ||
        hr_get_u32(f->payload) != c->mark.campaign) {
        return; /* a 1.1 chip, or not receiving this campaign's image: ignored (§6.1, §7.3.1) */
    }
    uint16_t unit = hr_get_u16(f->payload + 5);
    if (unit < 1u || unit > HR_MAX_PAYLOAD - 4u) return;
    c->sack_unit = (f->payload[4] & 1u) ? unit : 0u;
    c->held = 0u; /* frames held under earlier options are forgotten */
    hr_log("TRANSFER_OPTIONS: %s, unit %u", c->sack_unit ? "selective acknowledgement" : "go-back-N", (unsigned)unit);
}

void hr_on_data(hr_chip *c, const hr_frame *f, unsigned port)
{
    if (f->len < 4) return;
    uint32_t offset = hr_get_u32(f->payload);
    uint32_t n = f->len - 4u;
    uint8_t status = DATA_OK;
    int completed = 0;
    if (c->mark.mode != HR_MODE_UPGRADE || c->mark.state != HR_STATE_RECEIVING) {
        status = NOT_TARGET;
    } else if ((uint64_t)offset + n > c->mark.image_size) {
        status = OUT_OF_ORDER;
    } else if (offset > c->next) {
        /* §7.3.1: under selective acknowledgement a whole frame of the window beyond the gap is kept. */
        uint32_t u = c->sack_unit;
        uint32_t whole = u == 0u ? 0u : (c->mark.image_size - offset < u ? c->mark.image_size - offset : u);
        uint32_t index = u == 0u ? 64u : (offset - held_base(c)) / u;
        if (u == 0u || offset % u != 0u || n != whole || offset < held_base(c) || index >= 64u) {
            status = OUT_OF_ORDER;
        } else if (!(c->held >> index & 1u)) {
            write_image_bytes(c, offset, f->payload + 4, n);
            c->held |= (uint64_t)1u << index;
        }
    } else if (offset == c->next) {
        /* Bytes of a held frame are not programmed again. */
        uint32_t end = offset + n;
        if (c->sack_unit != 0u && c->held != 0u) {
            unsigned i = 0;
            while (!(c->held >> i & 1u)) i++;
            uint32_t first_held = held_base(c) + i * c->sack_unit;
            if (first_held < end) end = first_held;
        }
        write_image_bytes(c, offset, f->payload + 4, end - offset);
        move_next(c, end);
        /* next moves over the held frames that now continue the contiguous data. */
        while (c->sack_unit != 0u && c->next % c->sack_unit == 0u && (c->held & 1u) && c->next < c->mark.image_size) {
            uint32_t after = c->mark.image_size - c->next < c->sack_unit ? c->mark.image_size : c->next + c->sack_unit;
            move_next(c, after);
        }
        uint32_t persisted = c->next == c->mark.image_size ? c->next : c->next & ~(c->cfg.sector_size - 1u);
        if (persisted > c->mark.persisted) {
            hr_mark m = c->mark;
            m.persisted = persisted;
            hr_write_mark(c, &m, "transfer progress");
            completed = persisted == m.image_size;
        }
    } /* offset < next: a resent duplicate, already written */
    uint8_t p[21];
    hr_put_u32(p, c->mark.persisted);
    hr_put_u32(p + 4, c->next);
    p[8] = status;
    uint16_t len = 9u;
    if (c->sack_unit != 0u) {
        /* The 21-byte form of 1.2 (§5.6): the DATA answered, and the frames held beyond the gap. */
        hr_put_u32(p + 9, offset);
        hr_put_u32(p + 13, (uint32_t)(c->held & 0xFFFFFFFFu));
        hr_put_u32(p + 17, (uint32_t)(c->held >> 32));
        len = 21u;
    }
#ifdef HR_DEFECT_ACKS_EVERY_OTHER_DATA
    /* DEFECT (build flag, docs/faults.md): every second DATA goes unanswered, against §7.3. */
    static unsigned long acks;
    if (++acks % 2u != 0u)
#endif
    hr_send(c, port, HR_DATA_ACK, f->src, p, len);
    if (completed) {
        c->sack_unit = 0u;
        c->held = 0u;
        hr_verify_and_activate(c);
    }
}
