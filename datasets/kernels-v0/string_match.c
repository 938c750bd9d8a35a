// kernels-v0: substring search with naive, KMP, Boyer-Moore-Horspool and Rabin-Karp over generated text
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_LEN 60000
#define MAX_PAT 32
#define NUM_PATTERNS 24

typedef size_t (*search_fn)(const char *text, size_t n, const char *pat,
                            size_t m, uint32_t *hash_out);

static uint32_t rng_state = 0x12345678u;

static uint32_t xorshift32(void) {
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

/* Fold a match position into a running order-dependent hash. */
static uint32_t fold_pos(uint32_t h, size_t pos) {
    h ^= (uint32_t)pos + 0x9e3779b9u + (h << 6) + (h >> 2);
    return h;
}

static size_t search_naive(const char *text, size_t n, const char *pat,
                           size_t m, uint32_t *hash_out) {
    size_t count = 0;
    uint32_t h = 0;
    if (m == 0 || m > n) {
        *hash_out = 0;
        return 0;
    }
    for (size_t i = 0; i + m <= n; i++) {
        size_t j = 0;
        while (j < m && text[i + j] == pat[j])
            j++;
        if (j == m) {
            count++;
            h = fold_pos(h, i);
        }
    }
    *hash_out = h;
    return count;
}

static void kmp_failure(const char *pat, size_t m, size_t *fail) {
    size_t k = 0;
    fail[0] = 0;
    for (size_t i = 1; i < m; i++) {
        while (k > 0 && pat[i] != pat[k])
            k = fail[k - 1];
        if (pat[i] == pat[k])
            k++;
        fail[i] = k;
    }
}

static size_t search_kmp(const char *text, size_t n, const char *pat, size_t m,
                         uint32_t *hash_out) {
    size_t fail[MAX_PAT];
    size_t count = 0, k = 0;
    uint32_t h = 0;
    if (m == 0 || m > n || m > MAX_PAT) {
        *hash_out = 0;
        return 0;
    }
    kmp_failure(pat, m, fail);
    for (size_t i = 0; i < n; i++) {
        while (k > 0 && text[i] != pat[k])
            k = fail[k - 1];
        if (text[i] == pat[k])
            k++;
        if (k == m) {
            count++;
            h = fold_pos(h, i + 1 - m);
            k = fail[k - 1];
        }
    }
    *hash_out = h;
    return count;
}

static size_t search_horspool(const char *text, size_t n, const char *pat,
                              size_t m, uint32_t *hash_out) {
    size_t shift[256];
    size_t count = 0;
    uint32_t h = 0;
    if (m == 0 || m > n) {
        *hash_out = 0;
        return 0;
    }
    for (int c = 0; c < 256; c++)
        shift[c] = m;
    for (size_t i = 0; i + 1 < m; i++)
        shift[(unsigned char)pat[i]] = m - 1 - i;
    size_t pos = 0;
    while (pos + m <= n) {
        size_t j = m;
        while (j > 0 && text[pos + j - 1] == pat[j - 1])
            j--;
        if (j == 0) {
            count++;
            h = fold_pos(h, pos);
        }
        pos += shift[(unsigned char)text[pos + m - 1]];
    }
    *hash_out = h;
    return count;
}

#define RK_BASE 257u
#define RK_MOD 1000000007u

static size_t search_rabin_karp(const char *text, size_t n, const char *pat,
                                size_t m, uint32_t *hash_out) {
    size_t count = 0;
    uint32_t h = 0;
    if (m == 0 || m > n) {
        *hash_out = 0;
        return 0;
    }
    uint64_t high = 1, ph = 0, th = 0;
    for (size_t i = 0; i + 1 < m; i++)
        high = (high * RK_BASE) % RK_MOD;
    for (size_t i = 0; i < m; i++) {
        ph = (ph * RK_BASE + (unsigned char)pat[i]) % RK_MOD;
        th = (th * RK_BASE + (unsigned char)text[i]) % RK_MOD;
    }
    for (size_t i = 0;; i++) {
        if (ph == th && memcmp(text + i, pat, m) == 0) {
            count++;
            h = fold_pos(h, i);
        }
        if (i + m >= n)
            break;
        uint64_t lead = ((unsigned char)text[i] * high) % RK_MOD;
        th = (th + RK_MOD - lead) % RK_MOD;
        th = (th * RK_BASE + (unsigned char)text[i + m]) % RK_MOD;
    }
    *hash_out = h;
    return count;
}

struct algorithm {
    const char *name;
    search_fn fn;
};

static const struct algorithm algorithms[] = {
    {"naive", search_naive},
    {"kmp", search_kmp},
    {"horspool", search_horspool},
    {"rabin-karp", search_rabin_karp},
};
#define NUM_ALGOS (sizeof algorithms / sizeof algorithms[0])

static const char *const words[] = {
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
    "abra", "cadabra", "aaaa", "abab", "compiler", "pass", "loop", "a",
};

static void build_text(char *text, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint32_t r = xorshift32();
        if ((r & 7u) < 5u) {
            const char *w = words[(r >> 3) % (sizeof words / sizeof words[0])];
            size_t wl = strlen(w);
            for (size_t k = 0; k < wl && i < n; k++)
                text[i++] = w[k];
            if (i < n)
                text[i++] = ' ';
        } else {
            /* small alphabet noise to create many partial matches */
            text[i++] = (char)('a' + (r >> 8) % 3u);
        }
    }
}

static size_t build_pattern(char *pat, const char *text, size_t n, int idx) {
    size_t m;
    switch (idx % 4) {
    case 0: { /* a literal word */
        const char *w = words[idx % (int)(sizeof words / sizeof words[0])];
        m = strlen(w);
        memcpy(pat, w, m);
        break;
    }
    case 1: { /* slice of the text: at least one match */
        m = 3 + xorshift32() % 12u;
        size_t start = xorshift32() % (uint32_t)(n - m);
        memcpy(pat, text + start, m);
        break;
    }
    case 2: { /* periodic pattern */
        m = 2 + xorshift32() % 8u;
        for (size_t k = 0; k < m; k++)
            pat[k] = (k & 1) ? 'b' : 'a';
        break;
    }
    default: { /* random from a small alphabet, probably absent */
        m = 4 + xorshift32() % 20u;
        for (size_t k = 0; k < m; k++)
            pat[k] = (char)('a' + xorshift32() % 4u);
        break;
    }
    }
    pat[m] = '\0';
    return m;
}

int main(void) {
    char *text = malloc(TEXT_LEN + 1);
    if (!text)
        return 1;
    build_text(text, TEXT_LEN);
    text[TEXT_LEN] = '\0';

    int agree = 1;
    size_t total = 0;
    uint32_t combined = 2166136261u;
    for (int p = 0; p < NUM_PATTERNS; p++) {
        char pat[MAX_PAT + 1];
        size_t m = build_pattern(pat, text, TEXT_LEN, p);
        size_t counts[NUM_ALGOS];
        uint32_t hashes[NUM_ALGOS];
        for (size_t a = 0; a < NUM_ALGOS; a++)
            counts[a] = algorithms[a].fn(text, TEXT_LEN, pat, m, &hashes[a]);
        for (size_t a = 1; a < NUM_ALGOS; a++) {
            if (counts[a] != counts[0] || hashes[a] != hashes[0]) {
                printf("mismatch: pattern %d '%s' %s=%zu %s=%zu\n", p, pat,
                       algorithms[0].name, counts[0], algorithms[a].name,
                       counts[a]);
                agree = 0;
            }
        }
        total += counts[0];
        combined = (combined ^ (uint32_t)counts[0]) * 16777619u;
        combined = (combined ^ hashes[0]) * 16777619u;
    }
    free(text);

    printf("patterns: %d\n", NUM_PATTERNS);
    printf("total matches: %zu\n", total);
    printf("checksum: %08x\n", (unsigned)combined);

    const size_t expected_total = 5267;
    const uint32_t expected_checksum = 0xb1b006afu;
    if (!agree || total != expected_total || combined != expected_checksum) {
        printf("FAIL\n");
        return 1;
    }
    printf("OK\n");
    return 0;
}
