// kernels-v0: 0/1 knapsack by dynamic programming and branch-and-bound, plus subset-sum
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 48
#define MAX_CAP 2048

struct item {
    uint32_t weight;
    uint32_t value;
    int id;
};

struct instance {
    int n;
    uint32_t capacity;
    struct item items[MAX_ITEMS];
};

static uint32_t rng = 7u;
static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void make_instance(struct instance *in, int n, int kind) {
    in->n = n;
    uint32_t total_w = 0;
    for (int i = 0; i < n; i++) {
        uint32_t w = 5 + next_rand() % 95u, v;
        switch (kind) {
        case 0: /* uncorrelated */
            v = 1 + next_rand() % 100u;
            break;
        case 1: /* weakly correlated */
            v = w + next_rand() % 21u;
            v = v > 10 ? v - 10 : 1;
            break;
        default: /* inverse: light items are valuable */
            v = 110 - w + next_rand() % 7u;
            break;
        }
        in->items[i].weight = w;
        in->items[i].value = v;
        in->items[i].id = i;
        total_w += w;
    }
    in->capacity = total_w / 2;
    if (in->capacity >= MAX_CAP)
        in->capacity = MAX_CAP - 1;
}

/* ---------------- dynamic programming with reconstruction ---------------- */

static uint32_t knapsack_dp(const struct instance *in, uint8_t *chosen) {
    static uint32_t best[MAX_ITEMS + 1][MAX_CAP];
    uint32_t cap = in->capacity;
    for (uint32_t c = 0; c <= cap; c++)
        best[0][c] = 0;
    for (int i = 1; i <= in->n; i++) {
        const struct item *it = &in->items[i - 1];
        for (uint32_t c = 0; c <= cap; c++) {
            uint32_t skip = best[i - 1][c];
            if (it->weight <= c) {
                uint32_t take = best[i - 1][c - it->weight] + it->value;
                best[i][c] = take > skip ? take : skip;
            } else {
                best[i][c] = skip;
            }
        }
    }
    uint32_t c = cap;
    for (int i = in->n; i >= 1; i--) {
        chosen[i - 1] = best[i][c] != best[i - 1][c];
        if (chosen[i - 1])
            c -= in->items[i - 1].weight;
    }
    return best[in->n][cap];
}

/* ---------------- branch and bound ---------------- */

struct bb_state {
    struct item sorted[MAX_ITEMS];
    int n;
    uint32_t capacity;
    uint32_t best;
    uint64_t nodes;
};

static int by_ratio_desc(const void *pa, const void *pb) {
    const struct item *a = pa, *b = pb;
    uint64_t lhs = (uint64_t)a->value * b->weight;
    uint64_t rhs = (uint64_t)b->value * a->weight;
    if (lhs != rhs)
        return lhs > rhs ? -1 : 1;
    return a->id - b->id;
}

/* Upper bound of the LP relaxation from item k with `room` capacity left. */
static uint32_t fractional_bound(const struct bb_state *s, int k, uint32_t room,
                                 uint32_t value) {
    for (int i = k; i < s->n; i++) {
        if (s->sorted[i].weight <= room) {
            room -= s->sorted[i].weight;
            value += s->sorted[i].value;
        } else {
            value += room * s->sorted[i].value / s->sorted[i].weight;
            break;
        }
    }
    return value;
}

static void bb_search(struct bb_state *s, int k, uint32_t room, uint32_t value) {
    s->nodes++;
    if (value > s->best)
        s->best = value;
    if (k == s->n)
        return;
    if (fractional_bound(s, k, room, value) <= s->best)
        return;
    const struct item *it = &s->sorted[k];
    if (it->weight <= room)
        bb_search(s, k + 1, room - it->weight, value + it->value);
    bb_search(s, k + 1, room, value);
}

static uint32_t knapsack_bb(const struct instance *in, uint64_t *nodes) {
    static struct bb_state s;
    memcpy(s.sorted, in->items, sizeof(struct item) * (size_t)in->n);
    s.n = in->n;
    s.capacity = in->capacity;
    s.best = 0;
    s.nodes = 0;
    qsort(s.sorted, (size_t)s.n, sizeof s.sorted[0], by_ratio_desc);
    bb_search(&s, 0, s.capacity, 0);
    *nodes = s.nodes;
    return s.best;
}

/* ---------------- exhaustive search for small instances ---------------- */

static uint32_t knapsack_brute(const struct instance *in) {
    uint32_t best = 0;
    for (uint32_t mask = 0; mask < (1u << in->n); mask++) {
        uint32_t w = 0, v = 0;
        for (int i = 0; i < in->n; i++) {
            if (mask & (1u << i)) {
                w += in->items[i].weight;
                v += in->items[i].value;
            }
        }
        if (w <= in->capacity && v > best)
            best = v;
    }
    return best;
}

/* ---------------- subset sum ---------------- */

/* how[s] = index of the item that first reached sum s, -1 if unreachable;
 * the items used for how[s - x] all have smaller indices, so walking back
 * from the target reconstructs a valid subset. */
static int subset_sum(const uint32_t *xs, int n, uint32_t target,
                      uint8_t *pick) {
    static int16_t how[MAX_CAP * 4];
    if (target >= MAX_CAP * 4)
        return 0;
    for (uint32_t s = 0; s <= target; s++)
        how[s] = -1;
    how[0] = (int16_t)n; /* sentinel: reachable with no item */
    for (int i = 0; i < n; i++) {
        for (uint32_t s = target; s >= xs[i] && s > 0; s--) {
            if (how[s] < 0 && how[s - xs[i]] >= 0 && how[s - xs[i]] != i)
                how[s] = (int16_t)i;
        }
    }
    if (how[target] < 0)
        return 0;
    memset(pick, 0, (size_t)n);
    uint32_t s = target;
    while (s > 0) {
        int i = how[s];
        pick[i] = 1;
        s -= xs[i];
    }
    return 1;
}

int main(void) {
    int ok = 1;
    uint32_t summary = 0;
    uint64_t total_nodes = 0;
    static struct instance in;

    for (int t = 0; t < 12; t++) {
        int n = t < 4 ? 14 + t : 30 + (t * 3) % 18;
        make_instance(&in, n, t % 3);
        uint8_t chosen[MAX_ITEMS];
        uint64_t nodes;
        uint32_t dp = knapsack_dp(&in, chosen);
        uint32_t bb = knapsack_bb(&in, &nodes);
        uint32_t w = 0, v = 0;
        for (int i = 0; i < n; i++) {
            if (chosen[i]) {
                w += in.items[i].weight;
                v += in.items[i].value;
            }
        }
        int agree = dp == bb && v == dp && w <= in.capacity;
        if (n <= 17)
            agree = agree && knapsack_brute(&in) == dp;
        printf("knapsack %2d: n=%d cap=%u best=%u weight=%u bb_nodes=%llu %s\n",
               t, n, (unsigned)in.capacity, (unsigned)dp, (unsigned)w,
               (unsigned long long)nodes, agree ? "agree" : "MISMATCH");
        if (!agree)
            ok = 0;
        summary = summary * 1000003u + dp;
        total_nodes += nodes;
    }

    /* subset sum: targets built from a known subset are always reachable */
    unsigned found = 0;
    for (int t = 0; t < 20; t++) {
        uint32_t xs[MAX_ITEMS];
        uint8_t pick[MAX_ITEMS];
        int n = 20 + t;
        uint32_t target = 0;
        for (int i = 0; i < n; i++) {
            xs[i] = 3 + next_rand() % 300u;
            if (t % 2 == 0 && (next_rand() & 3u) == 0)
                target += xs[i];
        }
        if (t % 2 == 1)
            target = 1 + next_rand() % 4000u;
        if (target >= MAX_CAP * 4)
            target = MAX_CAP * 4 - 1;
        int res = subset_sum(xs, n, target, pick);
        if (res) {
            uint32_t s = 0;
            for (int i = 0; i < n; i++)
                s += pick[i] ? xs[i] : 0;
            if (s != target)
                ok = 0;
            found++;
        } else if (t % 2 == 0 && target > 0) {
            ok = 0; /* constructed targets must be found */
        }
        summary = summary * 31u + (uint32_t)res;
    }
    printf("subset sums found %u of 20\n", found);
    printf("summary %08x, bb nodes %llu\n", (unsigned)summary,
           (unsigned long long)total_nodes);
    if (summary != 0xb68115eeu || found != 19 || total_nodes != 1708)
        ok = 0;
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
