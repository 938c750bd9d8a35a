// kernels-v0: run-length encoding and an LZ77-style compressor with decompressor and round-trip checks
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INPUT_SIZE 24576
#define WINDOW_SIZE 4096
#define MIN_MATCH 3
#define MAX_MATCH 258
#define HASH_BITS 12
#define HASH_SIZE (1u << HASH_BITS)
#define MAX_CHAIN 32

struct buffer {
    uint8_t *data;
    size_t len;
    size_t cap;
};

static int buf_init(struct buffer *b, size_t cap) {
    b->data = malloc(cap);
    b->len = 0;
    b->cap = cap;
    return b->data != NULL;
}

static int buf_put(struct buffer *b, uint8_t byte) {
    if (b->len == b->cap) {
        size_t ncap = b->cap * 2 + 16;
        uint8_t *nd = realloc(b->data, ncap);
        if (!nd)
            return 0;
        b->data = nd;
        b->cap = ncap;
    }
    b->data[b->len++] = byte;
    return 1;
}

static void buf_free(struct buffer *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---------- PackBits-style run-length encoding ----------
 * control byte c < 128: copy c+1 literal bytes
 * control byte c >= 128: repeat next byte (c - 128 + 2) times   */

static int rle_encode(const uint8_t *in, size_t n, struct buffer *out) {
    size_t i = 0;
    while (i < n) {
        size_t run = 1;
        while (i + run < n && run < 129 && in[i + run] == in[i])
            run++;
        if (run >= 2) {
            if (!buf_put(out, (uint8_t)(128 + run - 2)) || !buf_put(out, in[i]))
                return 0;
            i += run;
            continue;
        }
        size_t start = i, lit = 0;
        while (i < n && lit < 128) {
            if (i + 1 < n && in[i + 1] == in[i])
                break;
            i++;
            lit++;
        }
        if (!buf_put(out, (uint8_t)(lit - 1)))
            return 0;
        for (size_t k = 0; k < lit; k++)
            if (!buf_put(out, in[start + k]))
                return 0;
    }
    return 1;
}

static int rle_decode(const uint8_t *in, size_t n, struct buffer *out) {
    size_t i = 0;
    while (i < n) {
        uint8_t c = in[i++];
        if (c < 128) {
            size_t cnt = (size_t)c + 1;
            if (i + cnt > n)
                return 0;
            for (size_t k = 0; k < cnt; k++)
                if (!buf_put(out, in[i + k]))
                    return 0;
            i += cnt;
        } else {
            if (i >= n)
                return 0;
            size_t cnt = (size_t)c - 128 + 2;
            uint8_t v = in[i++];
            for (size_t k = 0; k < cnt; k++)
                if (!buf_put(out, v))
                    return 0;
        }
    }
    return 1;
}

/* ---------- LZ77 with hash chains ----------
 * The output is a sequence of groups: one flag byte describing the next
 * eight items (bit set = match), followed by those items.  A literal is one
 * byte; a match is three bytes: the 12-bit value (distance - 1) stored in
 * byte0 and the high nibble of byte1, and (length - MIN_MATCH) in byte2.  */

struct lz_state {
    int32_t head[HASH_SIZE];
    int32_t prev[WINDOW_SIZE];
};

static uint32_t hash3(const uint8_t *p) {
    uint32_t v = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static void lz_insert(struct lz_state *st, const uint8_t *in, size_t n,
                      size_t pos) {
    if (pos + MIN_MATCH > n)
        return;
    uint32_t h = hash3(in + pos);
    st->prev[pos % WINDOW_SIZE] = st->head[h];
    st->head[h] = (int32_t)pos;
}

static size_t lz_find(const struct lz_state *st, const uint8_t *in, size_t n,
                      size_t pos, size_t *dist_out) {
    if (pos + MIN_MATCH > n)
        return 0;
    size_t best = 0, best_dist = 0;
    size_t limit = n - pos < MAX_MATCH ? n - pos : MAX_MATCH;
    int32_t cand = st->head[hash3(in + pos)];
    int chain = 0;
    while (cand >= 0 && chain++ < MAX_CHAIN) {
        size_t c = (size_t)cand;
        if (pos - c > WINDOW_SIZE - 1 || c >= pos)
            break;
        size_t len = 0;
        while (len < limit && in[c + len] == in[pos + len])
            len++;
        if (len > best) {
            best = len;
            best_dist = pos - c;
            if (len == limit)
                break;
        }
        int32_t nxt = st->prev[c % WINDOW_SIZE];
        if (nxt >= cand)
            break;
        cand = nxt;
    }
    *dist_out = best_dist;
    return best >= MIN_MATCH ? best : 0;
}

static int lz_compress(const uint8_t *in, size_t n, struct buffer *out,
                       size_t *matches_out) {
    struct lz_state *st = malloc(sizeof *st);
    if (!st)
        return 0;
    for (size_t i = 0; i < HASH_SIZE; i++)
        st->head[i] = -1;
    for (size_t i = 0; i < WINDOW_SIZE; i++)
        st->prev[i] = -1;
    size_t pos = 0, matches = 0;
    int ok = 1;
    while (pos < n && ok) {
        size_t flag_at = out->len;
        uint8_t flags = 0;
        ok = buf_put(out, 0);
        for (int item = 0; item < 8 && pos < n && ok; item++) {
            size_t dist = 0;
            size_t len = lz_find(st, in, n, pos, &dist);
            if (len) {
                flags |= (uint8_t)(1u << item);
                size_t d = dist - 1;
                ok = buf_put(out, (uint8_t)(d >> 4)) &&
                     buf_put(out, (uint8_t)((d & 15u) << 4)) &&
                     buf_put(out, (uint8_t)(len - MIN_MATCH));
                for (size_t k = 0; k < len; k++)
                    lz_insert(st, in, n, pos + k);
                pos += len;
                matches++;
            } else {
                ok = buf_put(out, in[pos]);
                lz_insert(st, in, n, pos);
                pos++;
            }
        }
        if (ok)
            out->data[flag_at] = flags;
    }
    free(st);
    *matches_out = matches;
    return ok;
}

static int lz_decompress(const uint8_t *in, size_t n, struct buffer *out) {
    size_t i = 0;
    while (i < n) {
        uint8_t flags = in[i++];
        for (int item = 0; item < 8 && i < n; item++) {
            if (flags & (1u << item)) {
                if (i + 3 > n)
                    return 0;
                size_t d = ((size_t)in[i] << 4 | (size_t)(in[i + 1] >> 4)) + 1;
                size_t len = (size_t)in[i + 2] + MIN_MATCH;
                i += 3;
                if (d > out->len)
                    return 0;
                for (size_t k = 0; k < len; k++) {
                    /* re-read each byte: overlapping copies are legal */
                    uint8_t v = out->data[out->len - d];
                    if (!buf_put(out, v))
                        return 0;
                }
            } else {
                if (!buf_put(out, in[i++]))
                    return 0;
            }
        }
    }
    return 1;
}

/* ---------- input generation ---------- */

static uint64_t lcg_state = 0x2545F4914F6CDD1Dull;

static uint32_t lcg_next(void) {
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(lcg_state >> 33);
}

static const char *const phrases[] = {
    "int main(void) ", "return 0; ", "for (i = 0; i < n; i++) ",
    "the compiler ", "optimization ", "loop unrolling ", "inlining ",
    "dead code elimination ", "register allocation ",
};

static void make_input(uint8_t *buf, size_t n, int kind) {
    size_t i = 0;
    while (i < n) {
        uint32_t r = lcg_next();
        switch (kind) {
        case 0: { /* text made of phrases */
            const char *p = phrases[r % (sizeof phrases / sizeof phrases[0])];
            for (size_t k = 0; p[k] && i < n; k++)
                buf[i++] = (uint8_t)p[k];
            break;
        }
        case 1: { /* runs of bytes, like a simple bitmap */
            size_t run = 1 + (r >> 4) % 40u;
            uint8_t v = (uint8_t)((r & 3u) * 60u);
            for (size_t k = 0; k < run && i < n; k++)
                buf[i++] = v;
            break;
        }
        case 2: /* smooth ramp with noise */
            buf[i] = (uint8_t)((i / 16) + (r % 3u));
            i++;
            break;
        default: /* incompressible */
            buf[i++] = (uint8_t)(r >> 11);
            break;
        }
    }
}

struct result {
    size_t rle_size;
    size_t lz_size;
    size_t lz_matches;
};

static int run_case(const uint8_t *input, size_t n, struct result *res) {
    struct buffer rle, rle_back, lz, lz_back;
    if (!buf_init(&rle, 64) || !buf_init(&rle_back, 64) || !buf_init(&lz, 64) ||
        !buf_init(&lz_back, 64))
        return 0;
    int ok = rle_encode(input, n, &rle) &&
             rle_decode(rle.data, rle.len, &rle_back) &&
             rle_back.len == n && memcmp(rle_back.data, input, n) == 0;
    ok = ok && lz_compress(input, n, &lz, &res->lz_matches) &&
         lz_decompress(lz.data, lz.len, &lz_back) && lz_back.len == n &&
         memcmp(lz_back.data, input, n) == 0;
    res->rle_size = rle.len;
    res->lz_size = lz.len;
    buf_free(&rle);
    buf_free(&rle_back);
    buf_free(&lz);
    buf_free(&lz_back);
    return ok;
}

int main(void) {
    static const char *const names[4] = {"text", "runs", "ramp", "random"};
    static const size_t expected[4][3] = {
        {25288, 2362, 718}, {1788, 3202, 1023}, {25631, 23410, 5187}, {24813, 27647, 6}};
    uint8_t *input = malloc(INPUT_SIZE);
    if (!input)
        return 1;
    int ok = 1;
    for (int kind = 0; kind < 4; kind++) {
        struct result r;
        make_input(input, INPUT_SIZE, kind);
        if (!run_case(input, INPUT_SIZE, &r)) {
            printf("%s: round trip FAILED\n", names[kind]);
            ok = 0;
            continue;
        }
        printf("%-6s in=%d rle=%zu lz=%zu matches=%zu ratio=%zu%%\n",
               names[kind], INPUT_SIZE, r.rle_size, r.lz_size, r.lz_matches,
               r.lz_size * 100 / INPUT_SIZE);
        if (r.rle_size != expected[kind][0] || r.lz_size != expected[kind][1] ||
            r.lz_matches != expected[kind][2])
            ok = 0;
    }
    free(input);
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
