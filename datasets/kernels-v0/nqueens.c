// kernels-v0: n-queens solution counting by array backtracking and by bitmasks for n = 1..10
#include <stdint.h>
#include <stdio.h>

#define MAX_N 10

/* ---- method 1: column array with explicit conflict checks ---- */

static int safe(const int *cols, int row, int col) {
    for (int r = 0; r < row; r++) {
        int c = cols[r];
        if (c == col || c - col == row - r || col - c == row - r)
            return 0;
    }
    return 1;
}

static void place_rows(int *cols, int row, int n, unsigned *count,
                       uint32_t *hash) {
    if (row == n) {
        (*count)++;
        /* fold the placement into an order-dependent hash */
        uint32_t h = 0;
        for (int r = 0; r < n; r++)
            h = h * 11u + (uint32_t)cols[r];
        *hash = (*hash ^ h) * 16777619u;
        return;
    }
    for (int c = 0; c < n; c++) {
        if (safe(cols, row, c)) {
            cols[row] = c;
            place_rows(cols, row + 1, n, count, hash);
        }
    }
}

static unsigned count_array(int n, uint32_t *hash) {
    int cols[MAX_N];
    unsigned count = 0;
    *hash = 2166136261u;
    place_rows(cols, 0, n, &count, hash);
    return count;
}

/* ---- method 2: bitmasks of attacked columns and diagonals ---- */

static unsigned bits_rec(uint32_t full, uint32_t cols, uint32_t ld, uint32_t rd,
                         int row, int *pos, int n, uint32_t *hash) {
    if (cols == full) {
        uint32_t h = 0;
        for (int r = 0; r < n; r++)
            h = h * 11u + (uint32_t)pos[r];
        *hash = (*hash ^ h) * 16777619u;
        return 1;
    }
    unsigned count = 0;
    uint32_t avail = full & ~(cols | ld | rd);
    /* try columns from lowest to highest, same order as method 1 */
    while (avail) {
        uint32_t bit = avail & (0u - avail);
        avail ^= bit;
        int col = 0;
        while (!((bit >> col) & 1u))
            col++;
        pos[row] = col;
        count += bits_rec(full, cols | bit, ((ld | bit) << 1) & full,
                          (rd | bit) >> 1, row + 1, pos, n, hash);
    }
    return count;
}

static unsigned count_bits(int n, uint32_t *hash) {
    int pos[MAX_N];
    *hash = 2166136261u;
    return bits_rec((1u << n) - 1u, 0, 0, 0, 0, pos, n, hash);
}

/* ---- method 3: symmetry, only half of the first row (counts only) ---- */

static unsigned count_symmetric(int n) {
    if (n == 1)
        return 1;
    uint32_t full = (1u << n) - 1u, dummy = 0;
    int pos[MAX_N];
    unsigned total = 0;
    for (int c = 0; c < n / 2; c++) {
        uint32_t bit = 1u << c;
        pos[0] = c;
        total += 2 * bits_rec(full, bit, (bit << 1) & full, bit >> 1, 1, pos,
                              n, &dummy);
    }
    if (n & 1) {
        uint32_t bit = 1u << (n / 2);
        pos[0] = n / 2;
        total += bits_rec(full, bit, (bit << 1) & full, bit >> 1, 1, pos, n,
                          &dummy);
    }
    return total;
}

typedef unsigned (*counter_fn)(int n, uint32_t *hash);

int main(void) {
    static const unsigned known[MAX_N + 1] = {0,  1,  0,  0,   2,  10,
                                              4,  40, 92, 352, 724};
    static const counter_fn counters[2] = {count_array, count_bits};
    int ok = 1;
    uint32_t combined = 0;
    for (int n = 1; n <= MAX_N; n++) {
        unsigned c[2];
        uint32_t h[2];
        for (int m = 0; m < 2; m++)
            c[m] = counters[m](n, &h[m]);
        unsigned s = count_symmetric(n);
        printf("n=%2d array=%4u bits=%4u symmetric=%4u hash=%08x\n", n, c[0],
               c[1], s, (unsigned)h[0]);
        if (c[0] != known[n] || c[1] != known[n] || s != known[n] || h[0] != h[1])
            ok = 0;
        combined = combined * 31u + h[0];
    }
    printf("combined %08x\n", (unsigned)combined);
    if (combined != 0x13ce7296u)
        ok = 0;
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
