/*
 * hr-selftest: checks the portable core against the vectors of docs/protocol.md §3.4 (frames, CRC-32,
 * image header and file, memory marks), read from the page itself so the two cannot drift, plus the
 * resynchronisation rules of §3.3 and the mark choice of §9.3. Usage: hr-selftest path/to/protocol.md
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_bytes.h"
#include "hr_crc32.h"
#include "hr_frame.h"
#include "hr_image.h"
#include "hr_mark.h"
#include "hr_sha256.h"

static int failures, checks;

#define CHECK(cond, ...)                                        \
    do {                                                        \
        checks++;                                               \
        if (!(cond)) {                                          \
            failures++;                                         \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                       \
            fputc('\n', stderr);                                \
        }                                                       \
    } while (0)

/* Value of key=... in line (up to the next space), copied into out. */
static const char *field(const char *line, const char *key, char *out, size_t cap)
{
    char pattern[40];
    snprintf(pattern, sizeof pattern, " %s=", key);
    const char *p = strstr(line, pattern);
    if (!p) return NULL;
    p += strlen(pattern);
    size_t n = strcspn(p, " \n\r");
    if (n >= cap) n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

static size_t hex(const char *text, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (text[0] && text[1] && n < cap) {
        unsigned v;
        if (sscanf(text, "%2x", &v) != 1) break;
        out[n++] = (uint8_t)v;
        text += 2;
    }
    return n;
}

static unsigned long num(const char *line, const char *key)
{
    char v[80];
    return field(line, key, v, sizeof v) ? strtoul(v, NULL, 0) : 0xDEADBEEFul;
}

/* Feeds bytes into a fresh receiver and collects the delivered frames. */
static int deliver(const uint8_t *bytes, size_t n, uint8_t frames[][HR_MAX_FRAME], size_t *lens, int max)
{
    static hr_rx rx;
    int count = 0;
    rx.len = 0;
    for (size_t i = 0; i < n; i++) {
        rx.buf[rx.len++] = bytes[i]; /* byte by byte: the worst case for a framer */
        hr_frame f;
        while (hr_rx_next(&rx, &f)) {
            if (count < max) {
                memcpy(frames[count], f.raw, f.raw_len);
                lens[count] = f.raw_len;
            }
            count++;
            hr_rx_consume(&rx, &f);
        }
    }
    return count;
}

static void check_frame_vector(const char *line)
{
    char name[64], v[4200];
    uint8_t payload[HR_MAX_PAYLOAD], frame[HR_MAX_FRAME], built[HR_MAX_FRAME];
    sscanf(line, "vector %63[^:]", name);
    size_t plen = field(line, "payload", v, sizeof v) ? hex(v, payload, sizeof payload) : 0;
    size_t flen = field(line, "frame", v, sizeof v) ? hex(v, frame, sizeof frame) : 0;
    size_t blen = hr_frame_encode(built, (uint8_t)num(line, "type"), (uint8_t)num(line, "dst"), (uint8_t)num(line, "src"),
                                  (uint8_t)num(line, "seq"), payload, (uint16_t)plen);
    CHECK(blen == flen && memcmp(built, frame, flen) == 0, "vector %s: encoder output differs from the page", name);

    static uint8_t stream[4 * HR_MAX_FRAME], got[4][HR_MAX_FRAME];
    size_t lens[4];
    /* Junk (including a lone sync byte) before the frame is skipped. */
    const uint8_t junk[] = {0x00, 0xA5, 0x13, 0xA5, 0xA5};
    memcpy(stream, junk, sizeof junk);
    memcpy(stream + sizeof junk, frame, flen);
    int n = deliver(stream, sizeof junk + flen, got, lens, 4);
    CHECK(n == 1 && lens[0] == flen && memcmp(got[0], frame, flen) == 0, "vector %s: not delivered after junk (%d frames)", name, n);

    /* §3.3: one corrupted byte loses that frame only; a dropped byte loses it and the rescan finds the next. */
    for (size_t at = 0; at < flen; at++) {
        memcpy(stream, frame, flen);
        stream[at] ^= 0x20;
        memcpy(stream + flen, frame, flen);
        n = deliver(stream, 2 * flen, got, lens, 4);
        CHECK(n == 1 && memcmp(got[0], frame, flen) == 0, "vector %s: byte %zu corrupted: %d frames delivered", name, at, n);

        memcpy(stream, frame, at);
        memcpy(stream + at, frame + at + 1, flen - at - 1);
        memcpy(stream + flen - 1, frame, flen);
        n = deliver(stream, 2 * flen - 1, got, lens, 4);
        CHECK(n == 1 && memcmp(got[0], frame, flen) == 0, "vector %s: byte %zu dropped: %d frames delivered", name, at, n);
    }
}

static void check_crc_vector(const char *line)
{
    uint8_t bytes[256];
    size_t n = 0;
    const char *eq = strstr(line, " = 0x");
    if (!eq) return;
    if (line[0] == '"') {
        const char *end = strchr(line + 1, '"');
        n = (size_t)(end - line - 1);
        memcpy(bytes, line + 1, n);
    } else if (strncmp(line, "hex:", 4) == 0) {
        char text[600];
        size_t len = (size_t)(eq - line - 4);
        memcpy(text, line + 4, len);
        text[len] = '\0';
        n = hex(text, bytes, sizeof bytes);
    }
    unsigned long want = strtoul(eq + 3, NULL, 16);
    CHECK(hr_crc32(bytes, n) == want, "crc32 of '%.*s': got 0x%08lx", (int)(eq - line), line, (unsigned long)hr_crc32(bytes, n));
}

static void version_of(const char *line, uint8_t out[4])
{
    char v[40];
    unsigned major = 0, minor = 0, patch = 0;
    if (field(line, "version", v, sizeof v)) sscanf(v, "%u.%u.%u", &major, &minor, &patch);
    out[0] = (uint8_t)major;
    out[1] = (uint8_t)minor;
    hr_put_u16(out + 2, (uint16_t)patch);
}

static void check_record(const char *line)
{
    static char v[70000];
    static uint8_t bytes[35000];
    uint8_t digest[32], version[4];
    size_t n = field(line, "bytes", v, sizeof v) ? hex(v, bytes, sizeof bytes) : 0;
    size_t dn = field(line, "digest", v, sizeof v) ? hex(v, digest, sizeof digest) : 0;
    if (strncmp(line, "image-header ", 13) == 0 || strncmp(line, "image-file ", 11) == 0) {
        hr_image_header h;
        version_of(line, version);
        CHECK(n >= 64 && hr_image_header_decode(bytes, &h), "%.20s: header not valid", line);
        CHECK(h.model_id == num(line, "model") && memcmp(h.version, version, 4) == 0, "%.20s: model or version differs", line);
        if (line[6] == 'h') {
            CHECK(h.body_size == num(line, "body-size") && dn == 32 && memcmp(h.digest, digest, 32) == 0,
                  "image-header: body size or digest differs");
            CHECK((h.flags & 1) == num(line, "signed"), "image-header: signed flag differs");
        } else {
            uint8_t body_digest[32];
            hr_sha256_ctx sha;
            hr_sha256_init(&sha);
            hr_sha256_update(&sha, bytes + 64, n - 64);
            hr_sha256_final(&sha, body_digest);
            CHECK(hr_image_file_size(&h) == n && memcmp(body_digest, h.digest, 32) == 0, "image-file: size or SHA-256 of the body differs");
        }
        bytes[10] ^= 1; /* a changed byte fails the header CRC */
        CHECK(!hr_image_header_decode(bytes, &h), "%.20s: corrupted header accepted", line);
    } else if (strncmp(line, "memory-mark ", 12) == 0) {
        hr_mark m, back;
        memset(&m, 0, sizeof m);
        m.sequence = (uint32_t)num(line, "sequence");
        m.mode = (uint8_t)num(line, "mode");
        m.slot = (uint8_t)num(line, "slot");
        m.state = (uint8_t)num(line, "state");
        m.campaign = (uint32_t)num(line, "campaign");
        m.persisted = (uint32_t)num(line, "persisted");
        m.image_size = (uint32_t)num(line, "image-size");
        memcpy(m.digest, digest, 32);
        uint8_t record[HR_MARK_BYTES];
        hr_mark_encode(&m, record);
        CHECK(n == 64 && memcmp(record, bytes, 64) == 0, "memory-mark sequence=%lu: encoding differs", (unsigned long)m.sequence);
        CHECK(hr_mark_decode(bytes, &back) && !hr_mark_differs(&m, &back) && back.sequence == m.sequence,
              "memory-mark sequence=%lu: decoding differs", (unsigned long)m.sequence);
    }
}

static void check_mark_choice(void)
{
    CHECK(hr_mark_choose(0, 0, 0, 0) == -1, "no valid slot must give the factory record");
    CHECK(hr_mark_choose(1, 5, 0, 0) == 0 && hr_mark_choose(0, 0, 1, 5) == 1, "a single valid slot must win");
    CHECK(hr_mark_choose(1, 5, 1, 6) == 1 && hr_mark_choose(1, 6, 1, 5) == 0, "the newer sequence must win");
    CHECK(hr_mark_choose(1, 0xFFFFFFFFu, 1, 0) == 1, "0 is newer than 0xFFFFFFFF");
    CHECK(hr_mark_choose(1, 0, 1, 0xFFFFFFFFu) == 0, "0 is newer than 0xFFFFFFFF (slot 0)");
    CHECK(hr_mark_choose(1, 7, 1, 7) == 0, "equal sequences choose slot 0");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: hr-selftest docs/protocol.md\n");
        return 2;
    }
    FILE *page = fopen(argv[1], "r");
    if (!page) {
        perror(argv[1]);
        return 2;
    }
    static char line[80000];
    char block[16] = "";
    int frames = 0, crcs = 0, records = 0;
    while (fgets(line, sizeof line, page)) {
        if (strncmp(line, "```", 3) == 0) {
            if (block[0]) block[0] = '\0';
            else sscanf(line + 3, "%15s", block);
            continue;
        }
        if (line[0] == '#' || line[0] == '\n') continue;
        if (strcmp(block, "vectors") == 0 && strncmp(line, "vector ", 7) == 0) { check_frame_vector(line); frames++; }
        else if (strcmp(block, "crc32") == 0) { check_crc_vector(line); crcs++; }
        else if (strcmp(block, "records") == 0) { check_record(line); records++; }
    }
    fclose(page);
    check_mark_choice();
    CHECK(frames >= 10 && crcs >= 3 && records >= 3, "too few vectors found in %s (%d frames, %d crc, %d records)", argv[1], frames, crcs, records);
    printf("hr-selftest: %d frame, %d crc32 and %d record vectors of %s; %d checks, %d failed\n", frames, crcs, records, argv[1], checks, failures);
    return failures ? 1 : 0;
}
