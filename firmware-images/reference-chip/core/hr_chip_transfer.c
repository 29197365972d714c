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
    m.mode = HR_MODE_INITIAL;
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
        m.mode = sleep ? HR_MODE_SLEEP : HR_MODE_PASS_THROUGH;
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
            m.mode = HR_MODE_INITIAL;
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
        m.mode = HR_MODE_UPGRADE;
        m.state = HR_STATE_RECEIVING;
        m.campaign = campaign;
        m.persisted = 0;
        m.image_size = (uint32_t)hr_image_file_size(&h);
        memcpy(m.digest, h.digest, 32);
        hr_write_mark(c, &m, "START for me: new transfer");
        c->next = 0;
    }
    uint8_t own[11];
    own_answer(c, f, HR_MODE_UPGRADE, c->mark.persisted, START_OK, own);
    hr_start_answer(c, f, port, own, c->mark.persisted == c->mark.image_size);
}

/* §10.2: erase every sector of the inactive slot whose first byte lies in [o, o + n), then program. */
static void write_image_bytes(hr_chip *c, uint32_t o, const uint8_t *bytes, uint32_t n)
{
    uint32_t s = c->cfg.sector_size;
    uint32_t base = hr_slot_address(c, c->mark.slot ^ 1u);
    for (uint32_t sector = (o + s - 1u) & ~(s - 1u); sector < o + n; sector += s) {
        if (hr_board_flash_erase_sector(base + sector) != 0) hr_log("erase of image sector at %lu failed", (unsigned long)sector);
    }
    if (n > 0 && hr_board_flash_program(base + o, bytes, n) != 0) hr_log("program of %lu bytes at %lu failed", (unsigned long)n, (unsigned long)o);
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
    } else if (offset > c->next || (uint64_t)offset + n > c->mark.image_size) {
        status = OUT_OF_ORDER;
    } else if (offset == c->next) {
        write_image_bytes(c, offset, f->payload + 4, n);
        c->next += n;
        uint32_t persisted = c->next == c->mark.image_size ? c->next : c->next & ~(c->cfg.sector_size - 1u);
        if (persisted > c->mark.persisted) {
            hr_mark m = c->mark;
            m.persisted = persisted;
            hr_write_mark(c, &m, "transfer progress");
            completed = persisted == m.image_size;
        }
    } /* offset < next: a resent duplicate, already written */
    uint8_t p[9];
    hr_put_u32(p, c->mark.persisted);
    hr_put_u32(p + 4, c->next);
    p[8] = status;
#ifdef HR_DEFECT_ACKS_EVERY_OTHER_DATA
    /* DEFECT (build flag, docs/faults.md): every second DATA goes unanswered, against §7.3. */
    static unsigned long acks;
    if (++acks % 2u != 0u)
#endif
    hr_send(c, port, HR_DATA_ACK, f->src, p, sizeof p);
    if (completed) hr_verify_and_activate(c);
}
