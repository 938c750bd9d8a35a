// kernels-v0: XTEA, RC4 and a toy Feistel cipher with round-trip and known-answer checks
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---------------- XTEA (64-bit block, 128-bit key, 32 cycles) ---------------- */

#define XTEA_DELTA 0x9E3779B9u

static void xtea_encrypt(uint32_t v[2], const uint32_t key[4]) {
    uint32_t v0 = v[0], v1 = v[1], sum = 0;
    for (int i = 0; i < 32; i++) {
        v0 += (((v1 << 4) ^ (v1 >> 5)) + v1) ^ (sum + key[sum & 3]);
        sum += XTEA_DELTA;
        v1 += (((v0 << 4) ^ (v0 >> 5)) + v0) ^ (sum + key[(sum >> 11) & 3]);
    }
    v[0] = v0;
    v[1] = v1;
}

static void xtea_decrypt(uint32_t v[2], const uint32_t key[4]) {
    uint32_t v0 = v[0], v1 = v[1], sum = XTEA_DELTA * 32u;
    for (int i = 0; i < 32; i++) {
        v1 -= (((v0 << 4) ^ (v0 >> 5)) + v0) ^ (sum + key[(sum >> 11) & 3]);
        sum -= XTEA_DELTA;
        v0 -= (((v1 << 4) ^ (v1 >> 5)) + v1) ^ (sum + key[sum & 3]);
    }
    v[0] = v0;
    v[1] = v1;
}

static uint32_t load_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

static void store_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* CBC mode over whole blocks, big-endian words. */
static void xtea_cbc(uint8_t *buf, size_t len, const uint32_t key[4],
                     const uint8_t iv[8], int decrypt) {
    uint8_t chain[8];
    memcpy(chain, iv, 8);
    for (size_t off = 0; off + 8 <= len; off += 8) {
        uint8_t saved[8];
        uint32_t v[2];
        memcpy(saved, buf + off, 8);
        if (!decrypt)
            for (int i = 0; i < 8; i++)
                buf[off + i] ^= chain[i];
        v[0] = load_be32(buf + off);
        v[1] = load_be32(buf + off + 4);
        if (decrypt)
            xtea_decrypt(v, key);
        else
            xtea_encrypt(v, key);
        store_be32(buf + off, v[0]);
        store_be32(buf + off + 4, v[1]);
        if (decrypt) {
            for (int i = 0; i < 8; i++)
                buf[off + i] ^= chain[i];
            memcpy(chain, saved, 8);
        } else {
            memcpy(chain, buf + off, 8);
        }
    }
}

/* ---------------- RC4 ---------------- */

struct rc4 {
    uint8_t s[256];
    uint8_t i, j;
};

static void rc4_init(struct rc4 *st, const uint8_t *key, size_t keylen) {
    for (int k = 0; k < 256; k++)
        st->s[k] = (uint8_t)k;
    uint8_t j = 0;
    for (int k = 0; k < 256; k++) {
        j = (uint8_t)(j + st->s[k] + key[(size_t)k % keylen]);
        uint8_t t = st->s[k];
        st->s[k] = st->s[j];
        st->s[j] = t;
    }
    st->i = st->j = 0;
}

static void rc4_crypt(struct rc4 *st, uint8_t *buf, size_t len) {
    for (size_t n = 0; n < len; n++) {
        st->i = (uint8_t)(st->i + 1);
        st->j = (uint8_t)(st->j + st->s[st->i]);
        uint8_t t = st->s[st->i];
        st->s[st->i] = st->s[st->j];
        st->s[st->j] = t;
        buf[n] ^= st->s[(uint8_t)(st->s[st->i] + st->s[st->j])];
    }
}

/* ---------------- toy Feistel cipher: 64-bit block, 8 rounds ---------------- */

static const uint8_t sbox[16] = {0xE, 0x4, 0xD, 0x1, 0x2, 0xF, 0xB, 0x8,
                                 0x3, 0xA, 0x6, 0xC, 0x5, 0x9, 0x0, 0x7};

static uint32_t feistel_f(uint32_t half, uint32_t subkey) {
    uint32_t x = half ^ subkey, y = 0;
    for (int nib = 0; nib < 8; nib++)
        y |= (uint32_t)sbox[(x >> (4 * nib)) & 15u] << (4 * nib);
    return (y << 7 | y >> 25) + 0x6A09E667u;
}

static void feistel_schedule(uint64_t key, uint32_t sub[8]) {
    for (int r = 0; r < 8; r++) {
        key = (key << 13 | key >> 51) ^ 0xB7E151628AED2A6Bull * (uint64_t)(r + 1);
        sub[r] = (uint32_t)(key ^ key >> 32);
    }
}

static uint64_t feistel_encrypt(uint64_t block, const uint32_t sub[8]) {
    uint32_t l = (uint32_t)(block >> 32), r = (uint32_t)block;
    for (int i = 0; i < 8; i++) {
        uint32_t t = r;
        r = l ^ feistel_f(r, sub[i]);
        l = t;
    }
    return (uint64_t)r << 32 | l;
}

static uint64_t feistel_decrypt(uint64_t block, const uint32_t sub[8]) {
    uint32_t r = (uint32_t)(block >> 32), l = (uint32_t)block;
    for (int i = 7; i >= 0; i--) {
        uint32_t t = l;
        l = r ^ feistel_f(l, sub[i]);
        r = t;
    }
    return (uint64_t)l << 32 | r;
}

/* ---------------- helpers ---------------- */

static uint32_t fnv1a(const uint8_t *p, size_t n, uint32_t h) {
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static int hex_equal(const uint8_t *bytes, size_t n, const char *hex) {
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        if (hex[2 * i] != digits[bytes[i] >> 4] ||
            hex[2 * i + 1] != digits[bytes[i] & 15])
            return 0;
    }
    return hex[2 * n] == '\0';
}

struct xtea_vector {
    uint32_t key[4];
    uint32_t pt[2];
    uint32_t ct[2];
};

struct rc4_vector {
    const char *key;
    const char *plain;
    const char *cipher_hex;
};

static int known_answer_tests(void) {
    static const struct xtea_vector xv[] = {
        {{0x00010203u, 0x04050607u, 0x08090A0Bu, 0x0C0D0E0Fu},
         {0x41424344u, 0x45464748u},
         {0x497DF3D0u, 0x72612CB5u}},
        {{0x00010203u, 0x04050607u, 0x08090A0Bu, 0x0C0D0E0Fu},
         {0x41414141u, 0x41414141u},
         {0xE78F2D13u, 0x744341D8u}},
        {{0, 0, 0, 0}, {0x41424344u, 0x45464748u}, {0xA0390589u, 0xF8B8EFA5u}},
    };
    static const struct rc4_vector rv[] = {
        {"Key", "Plaintext", "BBF316E8D940AF0AD3"},
        {"Wiki", "pedia", "1021BF0420"},
        {"Secret", "Attack at dawn", "45A01F645FC35B383552544B9BF5"},
    };
    int failures = 0;
    for (size_t t = 0; t < sizeof xv / sizeof xv[0]; t++) {
        uint32_t v[2] = {xv[t].pt[0], xv[t].pt[1]};
        xtea_encrypt(v, xv[t].key);
        if (v[0] != xv[t].ct[0] || v[1] != xv[t].ct[1]) {
            printf("xtea vector %zu: got %08x%08x\n", t, (unsigned)v[0],
                   (unsigned)v[1]);
            failures++;
        }
        xtea_decrypt(v, xv[t].key);
        if (v[0] != xv[t].pt[0] || v[1] != xv[t].pt[1])
            failures++;
    }
    for (size_t t = 0; t < sizeof rv / sizeof rv[0]; t++) {
        uint8_t buf[32];
        struct rc4 st;
        size_t n = strlen(rv[t].plain);
        memcpy(buf, rv[t].plain, n);
        rc4_init(&st, (const uint8_t *)rv[t].key, strlen(rv[t].key));
        rc4_crypt(&st, buf, n);
        if (!hex_equal(buf, n, rv[t].cipher_hex)) {
            printf("rc4 vector %zu failed\n", t);
            failures++;
        }
    }
    return failures;
}

#define MSG_LEN 4096

int main(void) {
    static uint8_t msg[MSG_LEN], work[MSG_LEN];
    uint32_t seed = 0xC0FFEEu;
    for (size_t i = 0; i < MSG_LEN; i++) {
        seed = seed * 1103515245u + 12345u;
        msg[i] = (uint8_t)(seed >> 16);
    }

    int failures = known_answer_tests();
    printf("known-answer failures: %d\n", failures);

    /* XTEA-CBC round trip */
    const uint32_t xkey[4] = {0xDEADBEEFu, 0x01234567u, 0x89ABCDEFu, 0x0F1E2D3Cu};
    const uint8_t iv[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    memcpy(work, msg, MSG_LEN);
    xtea_cbc(work, MSG_LEN, xkey, iv, 0);
    uint32_t h_xtea = fnv1a(work, MSG_LEN, 2166136261u);
    xtea_cbc(work, MSG_LEN, xkey, iv, 1);
    int xtea_rt = memcmp(work, msg, MSG_LEN) == 0;

    /* RC4 round trip with several keys */
    uint32_t h_rc4 = 2166136261u;
    int rc4_rt = 1;
    for (int k = 0; k < 8; k++) {
        uint8_t key[16];
        struct rc4 st;
        for (int i = 0; i < 16; i++)
            key[i] = (uint8_t)(k * 31 + i * 7);
        memcpy(work, msg, MSG_LEN);
        rc4_init(&st, key, (size_t)(5 + k));
        rc4_crypt(&st, work, MSG_LEN);
        h_rc4 = fnv1a(work, MSG_LEN, h_rc4);
        rc4_init(&st, key, (size_t)(5 + k));
        rc4_crypt(&st, work, MSG_LEN);
        if (memcmp(work, msg, MSG_LEN) != 0)
            rc4_rt = 0;
    }

    /* Feistel ECB round trip */
    uint32_t sub[8];
    feistel_schedule(0x0123456789ABCDEFull, sub);
    uint64_t h_feistel = 0;
    int feistel_rt = 1;
    for (size_t off = 0; off < MSG_LEN; off += 8) {
        uint64_t b = 0;
        for (int i = 0; i < 8; i++)
            b = b << 8 | msg[off + (size_t)i];
        uint64_t c = feistel_encrypt(b, sub);
        h_feistel = (h_feistel ^ c) * 0x100000001B3ull;
        if (feistel_decrypt(c, sub) != b)
            feistel_rt = 0;
    }

    printf("xtea-cbc  hash %08x round-trip %s\n", (unsigned)h_xtea,
           xtea_rt ? "ok" : "BAD");
    printf("rc4       hash %08x round-trip %s\n", (unsigned)h_rc4,
           rc4_rt ? "ok" : "BAD");
    printf("feistel   hash %016llx round-trip %s\n",
           (unsigned long long)h_feistel, feistel_rt ? "ok" : "BAD");

    const uint32_t exp_xtea = 0xc14faf80u, exp_rc4 = 0xbbf6d8dau;
    const uint64_t exp_feistel = 0xd5c8ad2ae1afd7c2ull;
    int ok = failures == 0 && xtea_rt && rc4_rt && feistel_rt &&
             h_xtea == exp_xtea && h_rc4 == exp_rc4 && h_feistel == exp_feistel;
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
