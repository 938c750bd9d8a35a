// kernels-v0: FNV-1a and MurmurHash3 x86_32 with bucket chi-square, collision and avalanche checks over many keys
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint32_t (*hash_fn)(const void *key, size_t len, uint32_t seed);

static uint32_t fnv1a_32(const void *key, size_t len, uint32_t seed) {
    const unsigned char *p = key;
    uint32_t h = 2166136261u ^ seed;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

static uint32_t murmur3_32(const void *key, size_t len, uint32_t seed) {
    const unsigned char *p = key;
    const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    size_t nblocks = len / 4;
    uint32_t h = seed;
    for (size_t i = 0; i < nblocks; i++) {
        const unsigned char *b = p + 4 * i;
        uint32_t k = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5u + 0xe6546b64u;
    }
    const unsigned char *tail = p + 4 * nblocks;
    uint32_t k = 0;
    switch (len & 3u) {
    case 3: k ^= (uint32_t)tail[2] << 16; /* fall through */
    case 2: k ^= (uint32_t)tail[1] << 8;  /* fall through */
    case 1:
        k ^= tail[0];
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
    }
    h ^= (uint32_t)len;
    return fmix32(h);
}

#define NKEYS 40000
#define NBUCKETS 1024
#define NAVAL 600

static uint32_t hashes[NKEYS];
static char keys[NKEYS][16];
static size_t keylen[NKEYS];

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static uint32_t rng = 0x12345678u;
static uint32_t xorshift32(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Returns chi-square * 1000 as an integer, collisions through *coll, and the sum of hashes. */
static uint32_t quality(hash_fn f, unsigned *chi_milli, unsigned *coll) {
    static unsigned counts[NBUCKETS];
    uint32_t sum = 0;
    memset(counts, 0, sizeof counts);
    for (int i = 0; i < NKEYS; i++) {
        hashes[i] = f(keys[i], keylen[i], 0);
        sum += hashes[i] * (uint32_t)(i + 1);
        counts[hashes[i] % NBUCKETS]++;
    }
    double expect = (double)NKEYS / NBUCKETS, chi = 0.0;
    for (int b = 0; b < NBUCKETS; b++) {
        double d = counts[b] - expect;
        chi += d * d / expect;
    }
    *chi_milli = (unsigned)(chi * 1000.0 + 0.5);
    qsort(hashes, NKEYS, sizeof hashes[0], cmp_u32);
    *coll = 0;
    for (int i = 1; i < NKEYS; i++)
        *coll += hashes[i] == hashes[i - 1];
    return sum;
}

/* Average number of output bits flipped per single input bit flip, scaled by 1000. */
static unsigned avalanche(hash_fn f) {
    unsigned char key[8];
    uint64_t flips = 0, trials = 0;
    for (int t = 0; t < NAVAL; t++) {
        for (int j = 0; j < 8; j++)
            key[j] = (unsigned char)xorshift32();
        uint32_t base = f(key, sizeof key, 0);
        for (int bit = 0; bit < 64; bit++) {
            key[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            uint32_t d = base ^ f(key, sizeof key, 0);
            key[bit / 8] ^= (unsigned char)(1u << (bit % 8));
            while (d) {
                flips++;
                d &= d - 1;
            }
            trials++;
        }
    }
    return (unsigned)(flips * 1000u / trials);
}

int main(void) {
    int fails = 0;
    struct { const char *s; uint32_t seed, fnv, mur; } known[] = {
        {"", 0, 0x811c9dc5u, 0x00000000u},
        {"", 1, 0x811c9dc4u, 0x514e28b7u},
        {"a", 0, 0xe40c292cu, 0x3c2569b2u},
        {"foobar", 0, 0xbf9cf968u, 0xa4c4d4bdu},
        {"Hello, world!", 1234, 0x12c2e8eau, 0xfaf6cdb3u},
        {"The quick brown fox jumps over the lazy dog", 0x9747b28cu, 0x87f8ddb4u, 0x2fa826cdu},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        size_t n = strlen(known[i].s);
        uint32_t hf = fnv1a_32(known[i].s, n, known[i].seed);
        uint32_t hm = murmur3_32(known[i].s, n, known[i].seed);
        printf("\"%s\"/%08x: fnv1a %08x murmur3 %08x\n", known[i].s, (unsigned)known[i].seed, (unsigned)hf, (unsigned)hm);
        if (hf != known[i].fnv || hm != known[i].mur)
            fails++;
    }

    /* Half the keys are structured text, half random bytes of varying length. */
    for (int i = 0; i < NKEYS; i++) {
        if (i % 2 == 0) {
            keylen[i] = (size_t)snprintf(keys[i], sizeof keys[i], "key-%d", i / 2);
        } else {
            keylen[i] = 4 + xorshift32() % 12;
            for (size_t j = 0; j < keylen[i]; j++)
                keys[i][j] = (char)(xorshift32() & 0x7f);
        }
    }

    static const hash_fn fns[2] = {fnv1a_32, murmur3_32};
    static const char *names[2] = {"fnv1a", "murmur3"};
    static const uint32_t want_sum[2] = {0xde7a655au, 0xcfc9b0f8u};
    for (int f = 0; f < 2; f++) {
        unsigned chi, coll;
        uint32_t sum = quality(fns[f], &chi, &coll);
        unsigned av = avalanche(fns[f]);
        printf("%-8s sum %08x chi2 %u.%03u collisions %u avalanche %u.%03u bits\n", names[f], (unsigned)sum,
               chi / 1000, chi % 1000, coll, av / 1000, av % 1000);
        /* 1023 degrees of freedom: chi-square should be near 1023. */
        if (chi < 850000 || chi > 1200000 || coll > 5 || sum != want_sum[f])
            fails++;
        if (f == 1 && (av < 15500 || av > 16500))
            fails++;
    }
    printf("%s\n", fails ? "FAIL" : "OK");
    return fails ? 1 : 0;
}
