// kernels-v0: backtracking sudoku solver with candidate bitmasks on embedded puzzles, verifying solutions
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ALL_DIGITS 0x3FEu /* bits 1..9 */

struct board {
    uint8_t cell[81];
    uint16_t row_used[9], col_used[9], box_used[9];
};

struct solver_stats {
    uint64_t nodes;
    uint64_t exhausted;
};

static int box_of(int r, int c) { return (r / 3) * 3 + c / 3; }

static int popcount16(uint16_t x) {
    int n = 0;
    while (x) {
        x &= (uint16_t)(x - 1);
        n++;
    }
    return n;
}

static void place(struct board *b, int idx, int d) {
    int r = idx / 9, c = idx % 9;
    uint16_t bit = (uint16_t)(1u << d);
    b->cell[idx] = (uint8_t)d;
    b->row_used[r] |= bit;
    b->col_used[c] |= bit;
    b->box_used[box_of(r, c)] |= bit;
}

static void unplace(struct board *b, int idx, int d) {
    int r = idx / 9, c = idx % 9;
    uint16_t mask = (uint16_t)~(1u << d);
    b->cell[idx] = 0;
    b->row_used[r] &= mask;
    b->col_used[c] &= mask;
    b->box_used[box_of(r, c)] &= mask;
}

static uint16_t candidates(const struct board *b, int idx) {
    int r = idx / 9, c = idx % 9;
    return (uint16_t)(ALL_DIGITS & ~(b->row_used[r] | b->col_used[c] |
                                     b->box_used[box_of(r, c)]));
}

/* Parse an 81-character string; '.' or '0' is empty. Returns 0 if the
 * givens are malformed or contradict each other. */
static int load(struct board *b, const char *s) {
    memset(b, 0, sizeof *b);
    if (strlen(s) != 81)
        return 0;
    for (int i = 0; i < 81; i++) {
        char ch = s[i];
        if (ch == '.' || ch == '0')
            continue;
        if (ch < '1' || ch > '9')
            return 0;
        int d = ch - '0';
        if (!(candidates(b, i) & (1u << d)))
            return 0;
        place(b, i, d);
    }
    return 1;
}

/* Counts solutions up to `limit`; the first one found is stored. */
static int solve(struct board *b, struct solver_stats *st, int limit,
                 uint8_t *first_solution, int found) {
    st->nodes++;
    int best = -1, best_count = 10;
    uint16_t best_mask = 0;
    for (int i = 0; i < 81; i++) {
        if (b->cell[i])
            continue;
        uint16_t m = candidates(b, i);
        int n = popcount16(m);
        if (n < best_count) {
            best = i;
            best_count = n;
            best_mask = m;
            if (n <= 1)
                break;
        }
    }
    if (best < 0) {
        if (found == 0)
            memcpy(first_solution, b->cell, 81);
        return found + 1;
    }
    for (int d = 1; d <= 9 && found < limit; d++) {
        if (!(best_mask & (1u << d)))
            continue;
        place(b, best, d);
        found = solve(b, st, limit, first_solution, found);
        unplace(b, best, d);
    }
    if (found < limit)
        st->exhausted++;
    return found;
}

static int verify(const uint8_t *grid, const char *givens) {
    for (int i = 0; i < 81; i++) {
        if (grid[i] < 1 || grid[i] > 9)
            return 0;
        if (givens[i] >= '1' && givens[i] <= '9' && grid[i] != givens[i] - '0')
            return 0;
    }
    for (int u = 0; u < 9; u++) {
        uint16_t rows = 0, cols = 0, boxes = 0;
        for (int k = 0; k < 9; k++) {
            rows |= (uint16_t)(1u << grid[u * 9 + k]);
            cols |= (uint16_t)(1u << grid[k * 9 + u]);
            int r = (u / 3) * 3 + k / 3, c = (u % 3) * 3 + k % 3;
            boxes |= (uint16_t)(1u << grid[r * 9 + c]);
        }
        if (rows != ALL_DIGITS || cols != ALL_DIGITS || boxes != ALL_DIGITS)
            return 0;
    }
    return 1;
}

struct puzzle {
    const char *name;
    const char *givens;
};

static const struct puzzle puzzles[] = {
    {"classic",
     "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79"},
    {"easy",
     "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3.."},
    {"hard-a",
     "4.....8.5.3..........7......2.....6.....8.4......1.......6.3.7.5..2.....1.4......"},
    {"hard-b",
     "52...6.........7.13...........4..8..6......5...........418.........3..2...87....."},
    {"hard-c",
     "6.....8.3.4.7.................5.4.7.3..2.....1.6.......2.....5.....8.6......1...."},
    {"inkala",
     "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4.."},
    {"sparse",
     "................................................................................."},
    {"broken",
     "11..............................................................................."},
};

int main(void) {
    int ok = 1;
    uint32_t hash = 2166136261u;
    uint64_t total_nodes = 0;
    static const int expected_solutions[] = {1, 1, 1, 1, 1, 1, 2, -1};
    for (size_t p = 0; p < sizeof puzzles / sizeof puzzles[0]; p++) {
        struct board b;
        struct solver_stats st = {0, 0};
        uint8_t sol[81];
        int count = -1;
        if (load(&b, puzzles[p].givens)) {
            count = solve(&b, &st, 2, sol, 0);
            if (count > 0 && !verify(sol, puzzles[p].givens)) {
                printf("%s: invalid solution\n", puzzles[p].name);
                ok = 0;
            }
            if (count > 0) {
                for (int i = 0; i < 81; i++)
                    hash = (hash ^ sol[i]) * 16777619u;
            }
        }
        total_nodes += st.nodes;
        printf("%-7s solutions=%d nodes=%llu exhausted=%llu", puzzles[p].name,
               count, (unsigned long long)st.nodes,
               (unsigned long long)st.exhausted);
        if (count > 0) {
            printf(" first row=");
            for (int i = 0; i < 9; i++)
                printf("%d", sol[i]);
        }
        printf("\n");
        if (count != expected_solutions[p])
            ok = 0;
    }
    printf("total nodes %llu, solution hash %08x\n",
           (unsigned long long)total_nodes, (unsigned)hash);
    if (hash != 0xf9f4910au || total_nodes != 33456)
        ok = 0;
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
