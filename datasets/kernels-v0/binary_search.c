// kernels-v0: binary, interpolation and exponential search plus lower/upper bound over a sorted array with duplicates
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define N 50000
#define NQUERIES 20000

static uint32_t table[N];

/* First index with a[i] >= key, or n. */
static size_t lower_bound(const uint32_t *a, size_t n, uint32_t key) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* First index with a[i] > key, or n. */
static size_t upper_bound(const uint32_t *a, size_t n, uint32_t key) {
    size_t len = n, first = 0;
    while (len > 0) {
        size_t half = len / 2;
        if (a[first + half] <= key) {
            first += half + 1;
            len -= half + 1;
        } else {
            len = half;
        }
    }
    return first;
}

static long binary_search(const uint32_t *a, size_t n, uint32_t key) {
    long lo = 0, hi = (long)n - 1;
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        if (a[mid] == key) return mid;
        if (a[mid] < key) lo = mid + 1;
        else hi = mid - 1;
    }
    return -1;
}

static long interpolation_search(const uint32_t *a, size_t n, uint32_t key) {
    if (n == 0) return -1;
    size_t lo = 0, hi = n - 1;
    while (lo <= hi && key >= a[lo] && key <= a[hi]) {
        if (a[hi] == a[lo]) return a[lo] == key ? (long)lo : -1;
        uint64_t span = (uint64_t)(a[hi] - a[lo]);
        size_t pos = lo + (size_t)((uint64_t)(key - a[lo]) * (hi - lo) / span);
        if (a[pos] == key) return (long)pos;
        if (a[pos] < key) lo = pos + 1;
        else {
            if (pos == 0) break;
            hi = pos - 1;
        }
    }
    return -1;
}

static long exponential_search(const uint32_t *a, size_t n, uint32_t key) {
    if (n == 0) return -1;
    size_t bound = 1;
    while (bound < n && a[bound] < key) bound *= 2;
    size_t lo = bound / 2, hi = bound + 1 < n ? bound + 1 : n;
    size_t i = lo + lower_bound(a + lo, hi - lo, key);
    return (i < n && a[i] == key) ? (long)i : -1;
}

static int cmp_u32(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

static uint32_t rng = 0x9e3779b9u;
static uint32_t xorshift32(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

int main(void) {
    uint32_t v = 1000;
    for (size_t i = 0; i < N; i++) {
        uint32_t r = xorshift32();
        v += (r % 4u == 0) ? 0 : r % 97u; /* a quarter of the steps repeat the previous value */
        table[i] = v;
    }

    unsigned bad = 0, found = 0;
    uint64_t lb_sum = 0, ub_sum = 0;
    for (int q = 0; q < NQUERIES; q++) {
        /* Odd queries hit stored values; even ones are arbitrary, some beyond either end. */
        uint32_t key = (q & 1) ? table[xorshift32() % N] : 900 + xorshift32() % (table[N - 1] - 800);
        size_t lb = lower_bound(table, N, key);
        size_t ub = upper_bound(table, N, key);
        if ((lb > 0 && table[lb - 1] >= key) || (lb < N && table[lb] < key)) bad++;
        if ((ub > 0 && table[ub - 1] > key) || (ub < N && table[ub] <= key)) bad++;
        int present = lb < ub;
        long b = binary_search(table, N, key);
        long ip = interpolation_search(table, N, key);
        long ex = exponential_search(table, N, key);
        const uint32_t *lib = bsearch(&key, table, N, sizeof table[0], cmp_u32);
        long results[4] = {b, ip, ex, lib ? (long)(lib - table) : -1};
        for (int k = 0; k < 4; k++) {
            if (present) {
                if (results[k] < (long)lb || results[k] >= (long)ub) bad++;
            } else if (results[k] != -1) {
                bad++;
            }
        }
        found += (unsigned)present;
        lb_sum += lb;
        ub_sum += ub;
    }
    printf("table: first %u last %u\n", (unsigned)table[0], (unsigned)table[N - 1]);
    printf("queries %d found %u bad %u\n", NQUERIES, found, bad);
    printf("lower_bound sum %llu upper_bound sum %llu\n", (unsigned long long)lb_sum, (unsigned long long)ub_sum);
    int ok = bad == 0 && found == 10201 && lb_sum == 500472357u && ub_sum == 500489555u;
    printf("%s\n", ok ? "OK" : "FAIL");
    return ok ? 0 : 1;
}
