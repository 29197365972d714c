/* PREPARE: aggregation over the subtree with the per-hop margin and parent rewriting (docs/protocol.md §7.1). */
#include <string.h>

#include "hr_board.h"
#include "hr_bytes.h"
#include "hr_chip_internal.h"

enum { READY = 0, REFUSED_OPERATING = 1, REFUSED_BUSY = 2, DOWNSTREAM_SILENT = 3 };

static void send_prepare_ack(hr_chip *c, uint8_t dst, unsigned port, uint32_t campaign, uint8_t status,
                             uint8_t reporting, const uint8_t *entries, uint8_t count)
{
    uint8_t p[7u + 7u * HR_MAX_TOPOLOGY_ENTRIES];
    hr_put_u32(p, campaign);
    p[4] = status;
    p[5] = reporting;
    p[6] = (uint8_t)(count + 1u);
    /* The chip's own entry first: parent 0x00 until its parent rewrites it. */
    p[7] = c->cfg.model_id;
    p[8] = HR_ADDR_MODULE;
    p[9] = c->mark.mode;
    memcpy(p + 10, c->active_version, 4);
    if (count > 0) memcpy(p + 14, entries, 7u * count);
    hr_send(c, port, HR_PREPARE_ACK, dst, p, (uint16_t)(14u + 7u * count));
    hr_log("PREPARE_ACK campaign 0x%08lx status %u reporting 0x%02X, %u entr%s", (unsigned long)campaign, status,
           reporting, count + 1u, count == 0 ? "y" : "ies");
}

static void finish(hr_chip *c, int timed_out)
{
    hr_prepare *p = &c->prepare;
    if (timed_out && p->status == READY) {
        p->status = DOWNSTREAM_SILENT;
        p->reporting = c->cfg.model_id;
    }
    p->pending = 0;
    send_prepare_ack(c, p->source, p->port, p->campaign, p->status, p->reporting, p->entries, p->count);
}

void hr_on_prepare(hr_chip *c, const hr_frame *f, unsigned port)
{
    if (f->len != 6) return;
    uint32_t campaign = hr_get_u32(f->payload);
    uint16_t budget = hr_get_u16(f->payload + 4);
    uint8_t me = c->cfg.model_id;

    /* Step 0: a PREPARE of another campaign means the module gave the old one up. */
    if (c->mark.mode != HR_MODE_INITIAL && campaign != c->mark.campaign) {
        hr_mark m = c->mark;
        m.mode = hr_mode_next(m.mode, HR_EV_PREPARE_OF_ANOTHER_CAMPAIGN);
        m.state = m.state == HR_STATE_DONE ? HR_STATE_DONE : HR_STATE_IDLE;
        hr_write_mark(c, &m, "PREPARE of another campaign: the old one was abandoned");
    }
    /* A new PREPARE replaces one still collecting (the module re-sends on silence). */
    c->prepare.pending = 0;

    /* Step 1: refusals carry the chip's own entry only and ask nobody downstream. */
    if (c->operating) {
        send_prepare_ack(c, f->src, port, campaign, REFUSED_OPERATING, me, NULL, 0);
        return;
    }
    if (c->mark.mode != HR_MODE_INITIAL) {
        send_prepare_ack(c, f->src, port, campaign, REFUSED_BUSY, me, NULL, 0);
        return;
    }
    /* Step 2: a leaf answers for itself. */
    if (c->cfg.downstream_ports == 0) {
        send_prepare_ack(c, f->src, port, campaign, READY, me, NULL, 0);
        return;
    }
    /* Step 3: keep the per-hop margin; too little left to ask further. */
    int32_t b = (int32_t)budget - (int32_t)HR_PREPARE_MARGIN_MS;
    if (b <= (int32_t)HR_PREPARE_MARGIN_MS) {
        send_prepare_ack(c, f->src, port, campaign, DOWNSTREAM_SILENT, me, NULL, 0);
        return;
    }
    /* Step 4: ask every downstream port with the reduced budget and collect. */
    hr_prepare *p = &c->prepare;
    p->pending = 1;
    p->campaign = campaign;
    p->source = f->src;
    p->port = port;
    p->deadline_ms = hr_board_time_ms() + (uint32_t)b;
    p->answered_ports = 0;
    p->status = READY;
    p->reporting = me;
    p->count = 0;
    uint8_t q[6];
    hr_put_u32(q, campaign);
    hr_put_u16(q + 4, (uint16_t)b);
    for (unsigned d = 1; d <= c->cfg.downstream_ports; d++) hr_send(c, d, HR_PREPARE, HR_ADDR_BROADCAST, q, sizeof q);
}

void hr_on_prepare_ack(hr_chip *c, const hr_frame *f, unsigned port)
{
    hr_prepare *p = &c->prepare;
    if (!p->pending || port == HR_UPSTREAM_PORT || f->len < 7) return;
    uint8_t n = f->payload[6];
    if (f->len != 7u + 7u * n || hr_get_u32(f->payload) != p->campaign) return;
    if (p->answered_ports & (1u << port)) return; /* one answer per port; a repeat is late */
    p->answered_ports |= 1u << port;
    for (unsigned i = 0; i < n && p->count < HR_MAX_TOPOLOGY_ENTRIES - 1u; i++) {
        uint8_t *e = p->entries + 7u * p->count++;
        memcpy(e, f->payload + 7u + 7u * i, 7);
        if (e[1] == HR_ADDR_MODULE) e[1] = c->cfg.model_id; /* its own entry: the parent is me */
    }
    if (p->status == READY && f->payload[4] != READY) {
        p->status = f->payload[4];
        p->reporting = f->payload[5];
    }
    uint32_t all = ((1u << (c->cfg.downstream_ports + 1u)) - 1u) & ~1u;
    if ((p->answered_ports & all) == all) finish(c, 0);
}

uint32_t hr_prepare_poll(hr_chip *c, uint32_t now)
{
    hr_prepare *p = &c->prepare;
    if (!p->pending) return HR_WAIT_FOREVER;
    if (hr_time_reached(now, p->deadline_ms)) {
        finish(c, 1);
        return HR_WAIT_FOREVER;
    }
    return p->deadline_ms - now;
}
