/* Power-on, the receive loop, per-mode dispatch and forwarding (docs/protocol.md §4, §6), STATUS
 * (§5.9, §7.6), BENCH_SET_OPERATING (§11), COMPLETE handling (§6.5) and the mark write rule (§9.2). */
#include "hr_chip_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hr_board.h"
#include "hr_bytes.h"
#include "hr_image.h"
#include "hr_sha256.h"

const char *const hr_mode_names[4] = {"INITIAL", "UPGRADE", "PASS_THROUGH", "SLEEP"};

static const char *mode_name(uint8_t mode) { return mode < 4 ? hr_mode_names[mode] : "UNKNOWN"; }

static const char *const state_names[5] = {"IDLE", "RECEIVING", "VERIFIED", "DONE", "FAILED"};

static const char *state_name(uint8_t state) { return state < 5 ? state_names[state] : "UNKNOWN"; }

/* The chip record of docs/protocol.md §11.2: one line the rig reads without parsing prose
 * (HilRig.Protocol.Modes.ChipRecord). `note` follows " # " and is free text. */
static void log_record(const hr_chip *c, const char *event, const hr_mark *m, const char *note, const char *note2)
{
    hr_log("HRCHIP %s mode=%s slot=%c version=%u.%u.%u state=%s campaign=0x%08lX persisted=%lu model=0x%02X size=%lu seq=%lu # %s%s",
           event, mode_name(m->mode), m->slot ? 'B' : 'A', c->active_version[0], c->active_version[1],
           (unsigned)hr_get_u16(c->active_version + 2), state_name(m->state), (unsigned long)m->campaign,
           (unsigned long)m->persisted, c->cfg.model_id, (unsigned long)m->image_size, (unsigned long)m->sequence, note, note2);
}

void hr_log(const char *fmt, ...)
{
    char line[240];
    va_list args;
    va_start(args, fmt);
    vsnprintf(line, sizeof line, fmt, args);
    va_end(args);
    hr_board_log(line);
}

void hr_send_raw(hr_chip *c, unsigned port, const uint8_t *raw, size_t len)
{
    /* A frame is queued whole or not at all: a partial frame would corrupt the next one too. A full
     * queue means the line is slower than the traffic; the lost frame is recovered by the go-back
     * rules of §7.3 (§2). */
    if (hr_board_uart_tx_space(port) < len) {
        c->dropped_frames++;
        if ((c->dropped_frames & (c->dropped_frames - 1u)) == 0u) {
            hr_log("port %u queue full: %lu frame(s) dropped so far", port, (unsigned long)c->dropped_frames);
        }
        return;
    }
    hr_board_uart_write(port, raw, len);
}

void hr_send(hr_chip *c, unsigned port, uint8_t type, uint8_t dst, const uint8_t *payload, uint16_t len)
{
    size_t n = hr_frame_encode(c->tx, type, dst, c->cfg.model_id, c->seq, payload, len);
    c->seq = (uint8_t)(c->seq + 1u);
    hr_send_raw(c, port, c->tx, n);
}

void hr_write_mark(hr_chip *c, hr_mark *m, const char *why)
{
    unsigned slot = c->mark_slot == 0 ? 1u : 0u; /* the slot not holding the current record; 0 after factory */
    uint8_t record[HR_MARK_BYTES];
    m->sequence = c->mark.sequence + 1u;
    hr_mark_encode(m, record);
    int failed = hr_board_flash_erase_sector(hr_mark_address(c, slot)) != 0 ||
                 hr_board_flash_program(hr_mark_address(c, slot), record, sizeof record) != 0;
    c->mark = *m;
    c->mark_slot = (int)slot;
    log_record(c, "mark", m, why, failed ? " FLASH ERROR" : (slot == 0 ? " (mark slot 0)" : " (mark slot 1)"));
}

void hr_refresh_active_image(hr_chip *c)
{
    uint8_t bytes[HR_IMAGE_HEADER_BYTES];
    hr_image_header h;
    memset(c->active_version, 0, sizeof c->active_version);
    memset(c->active_digest, 0, sizeof c->active_digest);
    if (c->mark.slot > 1) return;
    uint32_t base = hr_slot_address(c, c->mark.slot);
    if (hr_board_flash_read(base, bytes, sizeof bytes) != 0 || !hr_image_header_decode(bytes, &h)) return;
    memcpy(c->active_version, h.version, 4);
    if (hr_image_file_size(&h) > c->cfg.slot_size) return;
    /* The digest is computed from flash, not copied from the header (§5.9): a torn slot shows. */
    hr_sha256_ctx sha;
    uint8_t chunk[HR_FLASH_CHUNK_BYTES];
    hr_sha256_init(&sha);
    for (uint32_t done = 0; done < h.body_size;) {
        uint32_t take = h.body_size - done < sizeof chunk ? h.body_size - done : (uint32_t)sizeof chunk;
        hr_board_flash_read(base + HR_IMAGE_HEADER_BYTES + done, chunk, take);
        hr_sha256_update(&sha, chunk, take);
        done += take;
    }
    hr_sha256_final(&sha, c->active_digest);
}

static void send_status(hr_chip *c, uint8_t dst, unsigned port)
{
    uint8_t p[52];
    p[0] = c->mark.mode;
    p[1] = c->mark.slot;
    memcpy(p + 2, c->active_version, 4);
    p[6] = c->mark.state;
    p[7] = c->operating ? 1u : 0u;
    hr_put_u32(p + 8, c->mark.campaign);
    hr_put_u32(p + 12, c->mark.persisted);
    hr_put_u32(p + 16, c->mark.image_size);
    memcpy(p + 20, c->active_digest, 32);
    hr_send(c, port, HR_STATUS_RSP, dst, p, sizeof p);
}

void hr_on_complete(hr_chip *c, const hr_frame *f, unsigned port)
{
    if (c->mark.mode != HR_MODE_INITIAL) {
        hr_mark m = c->mark;
        m.mode = hr_mode_next(m.mode, HR_EV_COMPLETE);
        hr_write_mark(c, &m, "COMPLETE received");
    }
    for (unsigned q = 0; q <= c->cfg.downstream_ports; q++) {
        if (q != port) hr_send_raw(c, q, f->raw, f->raw_len);
    }
    hr_log("COMPLETE of chip 0x%02X status %u (campaign 0x%08lx) flooded", f->payload[4], f->payload[5],
           (unsigned long)hr_get_u32(f->payload));
}

static void forward(hr_chip *c, const hr_frame *f, unsigned port)
{
    if (port == HR_UPSTREAM_PORT) {
        for (unsigned q = 1; q <= c->cfg.downstream_ports; q++) hr_send_raw(c, q, f->raw, f->raw_len);
    } else {
        hr_send_raw(c, HR_UPSTREAM_PORT, f->raw, f->raw_len);
    }
}

static void handle_frame(hr_chip *c, const hr_frame *f, unsigned port)
{
    uint8_t mode = c->mark.mode;
    if (mode == HR_MODE_SLEEP) {
        /* §6.4: only COMPLETE, whatever its DST, reaches a sleeping chip. */
        if (f->type == HR_COMPLETE && f->len == 10) hr_on_complete(c, f, port);
        /* 1.1: a chip that fell asleep on a START still collects its subtree's answers to it, and answers that START
         * again when the module repeats it (§6.4). */
        else if (f->type == HR_START_ACK && c->start.pending && f->dst == c->cfg.model_id) hr_on_start_ack(c, f, port);
        else if (port == HR_UPSTREAM_PORT && hr_is_repeat_of_sleeping_start(c, f)) hr_on_start(c, f, port);
#ifdef HR_DEFECT_SLEEP_ANSWERS_STATUS
        /* DEFECT (build flag): a sleeping chip answers STATUS_REQ, against §6.4. */
        if (f->type == HR_STATUS_REQ && f->dst == c->cfg.model_id) send_status(c, f->src, port);
#endif
        return;
    }
    if (f->dst != c->cfg.model_id && f->dst != HR_ADDR_BROADCAST) {
        /* For others: forwarded in INITIAL and PASS_THROUGH, dropped in UPGRADE (§6.1, §6.3). */
#ifdef HR_DEFECT_UPGRADE_FORWARDS_FRAMES
        /* DEFECT (build flag): the target keeps forwarding in UPGRADE, against §6.3. */
        forward(c, f, port);
#else
        if (mode != HR_MODE_UPGRADE) forward(c, f, port);
#endif
#ifndef HR_DEFECT_ACTS_ON_OTHERS_FRAMES
        return;
#endif
        /* DEFECT (build flag): the frame for another chip is acted on as well, against §4. */
    }
    switch (f->type) {
    case HR_PREPARE: hr_on_prepare(c, f, port); break;
    case HR_PREPARE_ACK: hr_on_prepare_ack(c, f, port); break;
    case HR_START: hr_on_start(c, f, port); break;
    case HR_START_ACK: hr_on_start_ack(c, f, port); break;
    case HR_DATA: hr_on_data(c, f, port); break;
    case HR_TRANSFER_OPTIONS: hr_on_transfer_options(c, f); break;
    case HR_COMPLETE:
        if (f->len == 10) hr_on_complete(c, f, port);
        break;
#ifdef HR_DEFECT_ANSWERS_UPSTREAM
    /* DEFECT (build flag): STATUS is always answered on the upstream port, not the arrival port (§4). */
    case HR_STATUS_REQ: send_status(c, f->src, HR_UPSTREAM_PORT); break;
#else
    case HR_STATUS_REQ: send_status(c, f->src, port); break; /* any payload is ignored (§5.8) */
#endif
    case HR_BENCH_SET_OPERATING:
        if (f->len == 1) {
            c->operating = f->payload[0] != 0;
            hr_log("operating=%d (BENCH_SET_OPERATING)", c->operating);
            send_status(c, f->src, port);
        }
        break;
    default: break; /* DATA_ACK, STATUS_RSP and unknown types for me are ignored */
    }
}

int hr_chip_init(hr_chip *c, const hr_chip_config *cfg)
{
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    uint32_t s = cfg->sector_size;
    if (s < 256u || (s & (s - 1u)) != 0u || cfg->slot_size == 0u || cfg->slot_size % s != 0u ||
        cfg->model_id < 0x01u || cfg->model_id > 0xFDu || cfg->downstream_ports + 1u > HR_MAX_PORTS) {
        hr_log("bad configuration: model 0x%02X, %u downstream port(s) (max %u), sector %lu, slot %lu",
               cfg->model_id, cfg->downstream_ports, HR_MAX_PORTS - 1u, (unsigned long)s, (unsigned long)cfg->slot_size);
        return -1;
    }
    c->operating = cfg->operating;

    /* §9.3: read both mark slots and choose. */
    hr_mark marks[2];
    int valid[2];
    for (unsigned slot = 0; slot < 2; slot++) {
        uint8_t record[HR_MARK_BYTES];
        valid[slot] = hr_board_flash_read(hr_mark_address(c, slot), record, sizeof record) == 0 &&
                      hr_mark_decode(record, &marks[slot]);
    }
    c->mark_slot = hr_mark_choose(valid[0], valid[0] ? marks[0].sequence : 0u, valid[1], valid[1] ? marks[1].sequence : 0u);
    if (c->mark_slot < 0) {
        hr_mark_factory(&c->mark);
    } else {
        c->mark = marks[c->mark_slot];
    }
    /* §6.6: UPGRADE resumes at the persisted offset; every other mode expects 0. */
    c->next = c->mark.mode == HR_MODE_UPGRADE ? c->mark.persisted : 0u;
    hr_refresh_active_image(c);
    log_record(c, "boot", &c->mark, c->mark_slot < 0 ? "mark=factory" : (c->mark_slot == 0 ? "mark=slot0" : "mark=slot1"),
               c->operating ? " operating" : "");
    return 0;
}

uint32_t hr_chip_poll(hr_chip *c)
{
    int busy = 0;
    for (unsigned port = 0; port <= c->cfg.downstream_ports; port++) {
        hr_rx *rx = &c->rx[port];
        size_t n = hr_board_uart_read(port, rx->buf + rx->len, hr_rx_space(rx));
        rx->len += n;
        if (n > 0) busy = 1;
        hr_frame f;
        while (hr_rx_next(rx, &f)) {
            handle_frame(c, &f, port);
            hr_rx_consume(rx, &f);
        }
        if (rx->skipped > 0) {
            hr_log("port %u: skipped %lu byte(s) that were not part of a valid frame (protocol section 3.3)", port, (unsigned long)rx->skipped);
            rx->skipped = 0;
        }
    }
    uint32_t wait = hr_prepare_poll(c, hr_board_time_ms());
    uint32_t start_wait = hr_start_poll(c, hr_board_time_ms());
    if (start_wait < wait) wait = start_wait;
    /* Bytes arrived: there may be more already waiting, so look again before sleeping. */
    return busy ? 0u : wait;
}

void hr_chip_run(const hr_chip_config *cfg)
{
    static hr_chip chip;
    if (hr_chip_init(&chip, cfg) != 0) return;
    for (;;) hr_board_wait(hr_chip_poll(&chip));
}
