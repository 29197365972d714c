/* START answers (protocol 1.1, docs/protocol.md §7.2): a chip passes START on with the budget less the per-hop
 * margin and itself as source, collects one START_ACK per downstream port and answers once, its own answer first,
 * those from below after it, as PREPARE's aggregation does (§7.1). */
#include <string.h>

#include "hr_board.h"
#include "hr_bytes.h"
#include "hr_chip_internal.h"

enum { START_OK = 0, DOWNSTREAM_SILENT = 5 };
#define START_DEFAULT_BUDGET_MS 800u /* a 1.0 START of 69 bytes carries none (§5.3) */

static void finish(hr_chip *c, int timed_out)
{
    hr_start_collect *s = &c->start;
    if (timed_out && s->collection == START_OK) {
        s->collection = DOWNSTREAM_SILENT;
        s->reporting = c->cfg.model_id;
    }
    s->pending = 0;
    uint8_t p[14u + 7u * HR_MAX_START_ANSWERS];
    memcpy(p, s->own, 11);
    p[11] = s->collection;
    p[12] = s->reporting;
    p[13] = s->count;
    memcpy(p + 14, s->answers, 7u * s->count);
    hr_send(c, s->port, HR_START_ACK, s->source, p, (uint16_t)(14u + 7u * s->count));
    hr_log("START_ACK mode %u, %u answer(s) from below, collection %u reporting 0x%02X", s->own[5], s->count,
           s->collection, s->reporting);
    if (s->activate_after) hr_verify_and_activate(c);
}

int hr_is_repeat_of_sleeping_start(const hr_chip *c, const hr_frame *f)
{
    return f->type == HR_START && (f->len == 69 || f->len == 71) &&
           (f->dst == c->cfg.model_id || f->dst == HR_ADDR_BROADCAST) && f->payload[4] != c->cfg.model_id &&
           c->mark.state == HR_STATE_DONE && c->mark.campaign == hr_get_u32(f->payload);
}

void hr_start_answer(hr_chip *c, const hr_frame *f, unsigned port, const uint8_t own[11], int activate_after)
{
    hr_start_collect *s = &c->start;
    uint16_t budget = f->len == 71 ? hr_get_u16(f->payload + 69) : (uint16_t)START_DEFAULT_BUDGET_MS;
    int32_t b = (int32_t)budget - (int32_t)HR_PREPARE_MARGIN_MS;
    memcpy(s->own, own, 11);
    s->source = f->src;
    s->port = port;
    s->answered_ports = 0;
    s->collection = START_OK;
    s->reporting = c->cfg.model_id;
    s->count = 0;
    s->activate_after = activate_after;
    if (c->cfg.downstream_ports == 0) {
        finish(c, 0);
        return;
    }
    if (b <= (int32_t)HR_PREPARE_MARGIN_MS) {
        s->collection = DOWNSTREAM_SILENT; /* too little budget left to ask further */
        finish(c, 0);
        return;
    }
    s->pending = 1;
    s->deadline_ms = hr_board_time_ms() + (uint32_t)b;
    uint8_t q[71];
    memcpy(q, f->payload, 69);
    hr_put_u16(q + 69, (uint16_t)b);
    for (unsigned d = 1; d <= c->cfg.downstream_ports; d++) hr_send(c, d, HR_START, HR_ADDR_BROADCAST, q, sizeof q);
}

void hr_on_start_ack(hr_chip *c, const hr_frame *f, unsigned port)
{
    hr_start_collect *s = &c->start;
    if (!s->pending || port == HR_UPSTREAM_PORT || f->len < 11) return;
    if (memcmp(f->payload, s->own, 4) != 0) return; /* another campaign */
    uint8_t n = 0;
    if (f->len != 11) {
        if (f->len < 14) return;
        n = f->payload[13];
        if (f->len != 14u + 7u * n) return;
    }
    if (s->answered_ports & (1u << port)) return; /* one answer per port; a repeat is late */
    s->answered_ports |= 1u << port;
    if (s->count < HR_MAX_START_ANSWERS) memcpy(s->answers + 7u * s->count++, f->payload + 4, 7); /* the child's own */
    for (unsigned i = 0; i < n && s->count < HR_MAX_START_ANSWERS; i++) {
        memcpy(s->answers + 7u * s->count++, f->payload + 14u + 7u * i, 7);
    }
    if (f->len != 11 && s->collection == START_OK && f->payload[11] != START_OK) {
        s->collection = f->payload[11];
        s->reporting = f->payload[12];
    }
    uint32_t all = ((1u << (c->cfg.downstream_ports + 1u)) - 1u) & ~1u;
    if ((s->answered_ports & all) == all) finish(c, 0);
}

uint32_t hr_start_poll(hr_chip *c, uint32_t now)
{
    hr_start_collect *s = &c->start;
    if (!s->pending) return HR_WAIT_FOREVER;
    if (hr_time_reached(now, s->deadline_ms)) {
        finish(c, 1);
        return HR_WAIT_FOREVER;
    }
    return s->deadline_ms - now;
}
