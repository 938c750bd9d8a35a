// kernels-v0: insertion, quick, merge, heap and shell sort on the same inputs, checked for order, equality and stability
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 3000
#define NPATTERNS 6

typedef void (*sort_fn)(int32_t *a, size_t n);

static void insertion_sort(int32_t *a, size_t n) {
    for (size_t i = 1; i < n; i++) {
        int32_t v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

static void swap_i32(int32_t *x, int32_t *y) {
    int32_t t = *x;
    *x = *y;
    *y = t;
}

static int32_t median3(int32_t a, int32_t b, int32_t c) {
    if (a < b) {
        if (b < c) return b;
        return a < c ? c : a;
    }
    if (a < c) return a;
    return b < c ? c : b;
}

/* Hoare partition with median-of-three pivot; recurse on the smaller side, loop on the larger. */
static void quick_sort_range(int32_t *a, size_t lo, size_t hi) {
    while (hi - lo > 16) {
        int32_t pivot = median3(a[lo], a[lo + (hi - lo) / 2], a[hi - 1]);
        size_t i = lo, j = hi - 1;
        for (;;) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i >= j) break;
            swap_i32(&a[i], &a[j]);
            i++;
            j--;
        }
        size_t mid = j + 1;
        if (mid - lo < hi - mid) {
            quick_sort_range(a, lo, mid);
            lo = mid;
        } else {
            quick_sort_range(a, mid, hi);
            hi = mid;
        }
    }
    insertion_sort(a + lo, hi - lo);
}

static void quick_sort(int32_t *a, size_t n) {
    if (n > 1) quick_sort_range(a, 0, n);
}

static int32_t merge_tmp[N];

static void merge_sort_range(int32_t *a, size_t lo, size_t hi) {
    if (hi - lo < 2) return;
    size_t mid = lo + (hi - lo) / 2;
    merge_sort_range(a, lo, mid);
    merge_sort_range(a, mid, hi);
    if (a[mid - 1] <= a[mid]) return;
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        merge_tmp[k++] = (a[j] < a[i]) ? a[j++] : a[i++];
    while (i < mid) merge_tmp[k++] = a[i++];
    while (j < hi) merge_tmp[k++] = a[j++];
    memcpy(a + lo, merge_tmp + lo, (hi - lo) * sizeof *a);
}

static void merge_sort(int32_t *a, size_t n) { merge_sort_range(a, 0, n); }

static void sift_down(int32_t *a, size_t root, size_t n) {
    int32_t v = a[root];
    for (;;) {
        size_t child = 2 * root + 1;
        if (child >= n) break;
        if (child + 1 < n && a[child + 1] > a[child]) child++;
        if (a[child] <= v) break;
        a[root] = a[child];
        root = child;
    }
    a[root] = v;
}

static void heap_sort(int32_t *a, size_t n) {
    if (n < 2) return;
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (size_t end = n - 1; end > 0; end--) {
        swap_i32(&a[0], &a[end]);
        sift_down(a, 0, end);
    }
}

static void shell_sort(int32_t *a, size_t n) {
    static const size_t gaps[] = {1750, 701, 301, 132, 57, 23, 10, 4, 1};
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        size_t gap = gaps[g];
        for (size_t i = gap; i < n; i++) {
            int32_t v = a[i];
            size_t j = i;
            while (j >= gap && a[j - gap] > v) {
                a[j] = a[j - gap];
                j -= gap;
            }
            a[j] = v;
        }
    }
}

static int cmp_i32(const void *x, const void *y) {
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return (a > b) - (a < b);
}

static void libc_sort(int32_t *a, size_t n) { qsort(a, n, sizeof *a, cmp_i32); }

static const struct {
    const char *name;
    sort_fn fn;
} sorters[] = {
    {"insertion", insertion_sort}, {"quick", quick_sort}, {"merge", merge_sort},
    {"heap", heap_sort},           {"shell", shell_sort}, {"libc", libc_sort},
};

static uint64_t lcg = 0x853c49e6748fea9bu;
static uint32_t next_u32(void) {
    lcg = lcg * 6364136223846793005u + 1442695040888963407u;
    return (uint32_t)(lcg >> 32);
}

static void make_input(int32_t *a, size_t n, int pattern) {
    for (size_t i = 0; i < n; i++) {
        switch (pattern) {
        case 0: a[i] = (int32_t)(next_u32() >> 1) - 0x40000000; break;
        case 1: a[i] = (int32_t)i * 3 - 1000; break;
        case 2: a[i] = (int32_t)(n - i); break;
        case 3: a[i] = (int32_t)(next_u32() % 8u); break;
        case 4: a[i] = (int32_t)(i < n / 2 ? i : n - i); break;
        default: a[i] = (int32_t)i; break;
        }
    }
    if (pattern == 5)
        for (int k = 0; k < 40; k++)
            swap_i32(&a[next_u32() % n], &a[next_u32() % n]);
}

/* Records sorted by key with a stable merge sort through a comparator. */
typedef struct {
    uint16_t key;
    uint16_t id;
} record;

typedef int (*rec_cmp)(const record *, const record *);

static int by_key(const record *x, const record *y) { return (int)x->key - (int)y->key; }

static void stable_sort(record *r, record *tmp, size_t n, rec_cmp cmp) {
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = cmp(&r[j], &r[i]) < 0 ? r[j++] : r[i++];
            while (i < mid) tmp[k++] = r[i++];
            while (j < hi) tmp[k++] = r[j++];
        }
        memcpy(r, tmp, n * sizeof *r);
    }
}

static uint32_t hash_array(const int32_t *a, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint32_t)a[i]) * 16777619u;
    return h;
}

int main(void) {
    static int32_t input[N], ref[N], work[N];
    static const uint32_t expected[NPATTERNS] = {0xbfc33a7bu, 0xb7d90f65u, 0xd101199du,
                                                 0x3e363efau, 0xaf759819u, 0xc5040b8du};
    const size_t nsorters = sizeof sorters / sizeof sorters[0];
    int fails = 0;

    for (int p = 0; p < NPATTERNS; p++) {
        make_input(input, N, p);
        memcpy(ref, input, sizeof input);
        libc_sort(ref, N);
        for (size_t s = 0; s < nsorters; s++) {
            memcpy(work, input, sizeof input);
            sorters[s].fn(work, N);
            for (size_t i = 1; i < N; i++)
                if (work[i - 1] > work[i]) {
                    printf("pattern %d: %s not sorted at %zu\n", p, sorters[s].name, i);
                    fails++;
                    break;
                }
            if (memcmp(work, ref, sizeof ref) != 0) {
                printf("pattern %d: %s differs from reference\n", p, sorters[s].name);
                fails++;
            }
        }
        uint32_t h = hash_array(ref, N);
        printf("pattern %d: min %d max %d hash %08x\n", p, (int)ref[0], (int)ref[N - 1], (unsigned)h);
        if (h != expected[p]) fails++;
    }

    static record recs[N], tmp[N];
    for (size_t i = 0; i < N; i++) {
        recs[i].key = (uint16_t)(next_u32() % 50u);
        recs[i].id = (uint16_t)i;
    }
    stable_sort(recs, tmp, N, by_key);
    unsigned unstable = 0;
    for (size_t i = 1; i < N; i++)
        if (recs[i - 1].key > recs[i].key || (recs[i - 1].key == recs[i].key && recs[i - 1].id > recs[i].id))
            unstable++;
    printf("stable sort: first id %u last id %u violations %u\n", recs[0].id, recs[N - 1].id, unstable);
    if (unstable) fails++;

    printf("%s\n", fails ? "FAIL" : "OK");
    return fails ? 1 : 0;
}
