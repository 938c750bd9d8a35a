// kernels-v0: Levenshtein distance, longest common subsequence and longest common substring over generated strings
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEN 600
#define SMALL 120

static uint32_t rng = 0x6b43a9b5u;
static uint32_t xorshift32(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static size_t min3(size_t a, size_t b, size_t c) {
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

/* Levenshtein distance with two rolling rows. */
static size_t levenshtein(const char *a, size_t n, const char *b, size_t m) {
    static size_t prev[LEN + 64], cur[LEN + 64];
    for (size_t j = 0; j <= m; j++) prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, sub);
        }
        memcpy(prev, cur, (m + 1) * sizeof *prev);
    }
    return prev[m];
}

/* Full-table Levenshtein, used to cross-check the rolling version on short inputs. */
static size_t levenshtein_full(const char *a, size_t n, const char *b, size_t m) {
    size_t *d = malloc((n + 1) * (m + 1) * sizeof *d);
    if (!d) return (size_t)-1;
    for (size_t i = 0; i <= n; i++)
        for (size_t j = 0; j <= m; j++) {
            size_t v;
            if (i == 0) v = j;
            else if (j == 0) v = i;
            else v = min3(d[(i - 1) * (m + 1) + j] + 1, d[i * (m + 1) + j - 1] + 1,
                          d[(i - 1) * (m + 1) + j - 1] + (a[i - 1] != b[j - 1]));
            d[i * (m + 1) + j] = v;
        }
    size_t r = d[n * (m + 1) + m];
    free(d);
    return r;
}

static uint16_t lcs_table[LEN + 64][LEN + 64];

/* LCS length; if out is non-NULL, also reconstructs one common subsequence. */
static size_t lcs(const char *a, size_t n, const char *b, size_t m, char *out) {
    for (size_t i = 0; i <= n; i++)
        for (size_t j = 0; j <= m; j++) {
            if (i == 0 || j == 0) lcs_table[i][j] = 0;
            else if (a[i - 1] == b[j - 1]) lcs_table[i][j] = (uint16_t)(lcs_table[i - 1][j - 1] + 1);
            else lcs_table[i][j] = lcs_table[i - 1][j] > lcs_table[i][j - 1] ? lcs_table[i - 1][j] : lcs_table[i][j - 1];
        }
    size_t len = lcs_table[n][m];
    if (out) {
        size_t i = n, j = m, k = len;
        out[k] = '\0';
        while (i > 0 && j > 0) {
            if (a[i - 1] == b[j - 1]) {
                out[--k] = a[i - 1];
                i--;
                j--;
            } else if (lcs_table[i - 1][j] >= lcs_table[i][j - 1]) {
                i--;
            } else {
                j--;
            }
        }
    }
    return len;
}

/* Longest common substring; returns its length and start position in a. */
static size_t longest_common_substring(const char *a, size_t n, const char *b, size_t m, size_t *start) {
    static uint16_t row[2][LEN + 64];
    size_t best = 0;
    *start = 0;
    memset(row, 0, sizeof row);
    for (size_t i = 1; i <= n; i++) {
        uint16_t *cur = row[i & 1], *prev = row[(i - 1) & 1];
        cur[0] = 0;
        for (size_t j = 1; j <= m; j++) {
            cur[j] = a[i - 1] == b[j - 1] ? (uint16_t)(prev[j - 1] + 1) : 0;
            if (cur[j] > best) {
                best = cur[j];
                *start = i - best;
            }
        }
    }
    return best;
}

static int is_subsequence(const char *s, const char *t) {
    while (*s && *t) {
        if (*s == *t) s++;
        t++;
    }
    return *s == '\0';
}

/* Copy src with random substitutions, insertions and deletions (about 1 in 12 characters). */
static size_t mutate(const char *src, size_t n, char *dst, size_t cap) {
    static const char alphabet[] = "ACGT";
    size_t k = 0;
    for (size_t i = 0; i < n && k + 2 < cap; i++) {
        uint32_t r = xorshift32() % 36u;
        switch (r) {
        case 0: /* substitute */
            dst[k++] = alphabet[xorshift32() % 4u];
            break;
        case 1: /* delete */
            break;
        case 2: /* insert a random character, then keep the original */
            dst[k++] = alphabet[xorshift32() % 4u];
            /* fall through */
        default:
            dst[k++] = src[i];
            break;
        }
    }
    dst[k] = '\0';
    return k;
}

int main(void) {
    static char a[LEN + 1], b[LEN + 64], sub[LEN + 64];
    int fails = 0;

    size_t d0 = levenshtein("kitten", 6, "sitting", 7);
    size_t l0 = lcs("ABCBDAB", 7, "BDCABA", 6, sub);
    size_t st0, c0 = longest_common_substring("xabxac", 6, "abcabxabcd", 10, &st0);
    printf("kitten/sitting %zu, lcs %zu (%s), common substring %zu at %zu\n", d0, l0, sub, c0, st0);
    if (d0 != 3 || l0 != 4 || c0 != 4 || st0 != 1) fails++;

    for (size_t i = 0; i < LEN; i++) a[i] = "ACGT"[xorshift32() % 4u];
    a[LEN] = '\0';
    size_t m = mutate(a, LEN, b, sizeof b);

    size_t d = levenshtein(a, LEN, b, m);
    size_t d_rev = levenshtein(b, m, a, LEN);
    size_t l = lcs(a, LEN, b, m, sub);
    size_t start, c = longest_common_substring(a, LEN, b, m, &start);
    int sub_ok = is_subsequence(sub, a) && is_subsequence(sub, b) && strlen(sub) == l;
    static char common[LEN + 1];
    memcpy(common, a + start, c);
    common[c] = '\0';
    int str_ok = c > 0 && strstr(b, common) != NULL;
    printf("lengths %d/%zu: levenshtein %zu lcs %zu common substring %zu at %zu\n", LEN, m, d, l, c, start);
    if (d != d_rev || d > LEN || d < (m > LEN ? m - LEN : LEN - m) || !sub_ok || !str_ok) fails++;
    /* Indel distance bounds Levenshtein from above. */
    if (d > LEN + m - 2 * l) fails++;

    size_t ds = levenshtein(a, SMALL, b, SMALL), dsf = levenshtein_full(a, SMALL, b, SMALL);
    printf("prefix %d: rolling %zu full %zu\n", SMALL, ds, dsf);
    if (ds != dsf) fails++;

    if (m != 593 || d != 45 || l != 568 || c != 138 || start != 35 || ds != 9) fails++;
    printf("%s\n", fails ? "FAIL" : "OK");
    return fails ? 1 : 0;
}
