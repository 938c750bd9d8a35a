// kernels-v0: binary and d-ary heap priority queues, heap sort and a discrete event simulation
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------- events ---------------- */

enum event_kind { EV_ARRIVAL, EV_DEPARTURE, EV_TIMEOUT, EV_TICK };

struct event {
    uint64_t time;
    uint32_t seq; /* tie breaker: insertion order */
    uint32_t customer;
    enum event_kind kind;
};

typedef int (*event_cmp)(const struct event *a, const struct event *b);

static int event_before(const struct event *a, const struct event *b) {
    if (a->time != b->time)
        return a->time < b->time;
    return a->seq < b->seq;
}

/* ---------------- d-ary heap (d = 2 is the binary heap) ---------------- */

struct heap {
    struct event *items;
    size_t len, cap;
    unsigned d;
    event_cmp before;
    uint64_t swaps;
};

static int heap_init(struct heap *h, unsigned d, size_t cap, event_cmp cmp) {
    h->items = malloc(cap * sizeof *h->items);
    h->len = 0;
    h->cap = cap;
    h->d = d;
    h->before = cmp;
    h->swaps = 0;
    return h->items != NULL;
}

static void heap_free(struct heap *h) { free(h->items); }

static void heap_swap(struct heap *h, size_t i, size_t j) {
    struct event t = h->items[i];
    h->items[i] = h->items[j];
    h->items[j] = t;
    h->swaps++;
}

static void sift_up(struct heap *h, size_t i) {
    while (i > 0) {
        size_t parent = (i - 1) / h->d;
        if (!h->before(&h->items[i], &h->items[parent]))
            break;
        heap_swap(h, i, parent);
        i = parent;
    }
}

static void sift_down(struct heap *h, size_t i) {
    for (;;) {
        size_t best = i, first = i * h->d + 1;
        for (size_t c = first; c < first + h->d && c < h->len; c++)
            if (h->before(&h->items[c], &h->items[best]))
                best = c;
        if (best == i)
            return;
        heap_swap(h, i, best);
        i = best;
    }
}

static int heap_push(struct heap *h, const struct event *e) {
    if (h->len == h->cap) {
        size_t ncap = h->cap * 2;
        struct event *n = realloc(h->items, ncap * sizeof *n);
        if (!n)
            return 0;
        h->items = n;
        h->cap = ncap;
    }
    h->items[h->len] = *e;
    sift_up(h, h->len);
    h->len++;
    return 1;
}

static int heap_pop(struct heap *h, struct event *out) {
    if (h->len == 0)
        return 0;
    *out = h->items[0];
    h->len--;
    if (h->len > 0) {
        h->items[0] = h->items[h->len];
        sift_down(h, 0);
    }
    return 1;
}

/* ---------------- heap sort on plain integers ---------------- */

static void sift_down_u32(uint32_t *a, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && a[l] > a[m])
            m = l;
        if (r < n && a[r] > a[m])
            m = r;
        if (m == i)
            return;
        uint32_t t = a[i];
        a[i] = a[m];
        a[m] = t;
        i = m;
    }
}

static void heap_sort(uint32_t *a, size_t n) {
    for (size_t i = n / 2; i-- > 0;)
        sift_down_u32(a, n, i);
    for (size_t end = n; end-- > 1;) {
        uint32_t t = a[0];
        a[0] = a[end];
        a[end] = t;
        sift_down_u32(a, end, 0);
    }
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* ---------------- multi-server queue simulation ----------------
 * All arrivals are scheduled up front at random times, so the event queue
 * holds thousands of entries.  Waiting customers give up after a patience
 * timeout; servers take the oldest customer that is still waiting.      */

enum customer_state { C_PENDING, C_WAITING, C_SERVED, C_ABANDONED };

struct sim_result {
    uint32_t served;
    uint32_t abandoned;
    uint64_t total_wait;
    uint64_t max_queue;
    uint64_t end_time;
    uint32_t trace_hash;
    uint64_t swaps;
};

#define MAX_CUSTOMERS 8192
#define SERVERS 6

static uint32_t sim_rng;
static uint32_t sim_rand(void) {
    sim_rng = sim_rng * 1103515245u + 12345u;
    return (sim_rng >> 16) & 0x7FFFu;
}

static int simulate(unsigned d, uint32_t customers, struct sim_result *res) {
    static uint64_t arrival_time[MAX_CUSTOMERS];
    static uint8_t state[MAX_CUSTOMERS];
    static uint32_t fifo[MAX_CUSTOMERS];
    struct heap h;
    if (customers > MAX_CUSTOMERS || !heap_init(&h, d, 16, event_before))
        return 0;
    sim_rng = 424242u;
    size_t qhead = 0, qtail = 0, waiting = 0;
    unsigned idle = SERVERS;
    uint32_t seq = 0;
    memset(res, 0, sizeof *res);
    res->trace_hash = 2166136261u;

    for (uint32_t c = 0; c < customers; c++) {
        struct event a = {sim_rand() % 40000u, seq++, c, EV_ARRIVAL};
        state[c] = C_PENDING;
        if (!heap_push(&h, &a)) {
            heap_free(&h);
            return 0;
        }
    }
    struct event e = {1000, seq++, 0, EV_TICK};
    heap_push(&h, &e);

    while (heap_pop(&h, &e)) {
        res->end_time = e.time;
        res->trace_hash = (res->trace_hash ^ (uint32_t)e.time) * 16777619u;
        res->trace_hash = (res->trace_hash ^ e.customer) * 16777619u;
        res->trace_hash = (res->trace_hash ^ (uint32_t)e.kind) * 16777619u;
        switch (e.kind) {
        case EV_ARRIVAL: {
            arrival_time[e.customer] = e.time;
            state[e.customer] = C_WAITING;
            fifo[qtail++] = e.customer;
            waiting++;
            if (waiting > res->max_queue)
                res->max_queue = waiting;
            struct event t = {e.time + 30 + sim_rand() % 200u, seq++,
                              e.customer, EV_TIMEOUT};
            heap_push(&h, &t);
            break;
        }
        case EV_DEPARTURE:
            idle++;
            res->served++;
            break;
        case EV_TIMEOUT:
            if (state[e.customer] == C_WAITING) {
                state[e.customer] = C_ABANDONED;
                waiting--;
                res->abandoned++;
            }
            break;
        case EV_TICK:
            /* periodic bookkeeping while work remains */
            if (h.len > 0) {
                struct event t = {e.time + 1000, seq++, 0, EV_TICK};
                heap_push(&h, &t);
            }
            break;
        }
        while (idle > 0 && waiting > 0) {
            uint32_t who = fifo[qhead++];
            if (state[who] != C_WAITING)
                continue; /* gave up earlier */
            state[who] = C_SERVED;
            waiting--;
            idle--;
            res->total_wait += e.time - arrival_time[who];
            struct event dep = {e.time + 10 + sim_rand() % 60u, seq++, who,
                                EV_DEPARTURE};
            heap_push(&h, &dep);
        }
    }
    res->swaps = h.swaps;
    heap_free(&h);
    return 1;
}

int main(void) {
    int ok = 1;

    /* heap sort vs qsort */
    enum { N = 20000 };
    static uint32_t a[N], b[N];
    uint32_t x = 99u;
    for (size_t i = 0; i < N; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        a[i] = b[i] = x % 100000u;
    }
    heap_sort(a, N);
    qsort(b, N, sizeof b[0], cmp_u32);
    uint32_t sort_hash = 0;
    for (size_t i = 0; i < N; i++) {
        if (a[i] != b[i])
            ok = 0;
        sort_hash = sort_hash * 131u + a[i];
    }
    printf("heap sort: n=%d min=%u max=%u hash=%08x\n", N, (unsigned)a[0],
           (unsigned)a[N - 1], (unsigned)sort_hash);

    /* priority queue drains in sorted order for random priorities */
    struct heap pq;
    if (!heap_init(&pq, 3, 8, event_before))
        return 1;
    for (uint32_t i = 0; i < 5000; i++) {
        struct event e = {(uint64_t)(b[(i * 7u) % N] % 977u), i, i, EV_TICK};
        heap_push(&pq, &e);
    }
    struct event prev = {0, 0, 0, EV_TICK}, cur;
    size_t popped = 0;
    while (heap_pop(&pq, &cur)) {
        if (popped > 0 && event_before(&cur, &prev))
            ok = 0;
        prev = cur;
        popped++;
    }
    heap_free(&pq);
    if (popped != 5000)
        ok = 0;

    /* simulation with binary, 4-ary and 8-ary heaps must agree */
    static const unsigned arities[] = {2, 4, 8};
    struct sim_result r[3];
    for (int k = 0; k < 3; k++) {
        if (!simulate(arities[k], 6000, &r[k])) {
            printf("simulation failed\n");
            return 1;
        }
        printf("d=%u served=%u abandoned=%u wait=%llu maxq=%llu end=%llu "
               "trace=%08x swaps=%llu\n",
               arities[k], (unsigned)r[k].served, (unsigned)r[k].abandoned,
               (unsigned long long)r[k].total_wait,
               (unsigned long long)r[k].max_queue,
               (unsigned long long)r[k].end_time, (unsigned)r[k].trace_hash,
               (unsigned long long)r[k].swaps);
        if (r[k].served != r[0].served || r[k].total_wait != r[0].total_wait ||
            r[k].trace_hash != r[0].trace_hash ||
            r[k].end_time != r[0].end_time || r[k].abandoned != r[0].abandoned ||
            r[k].served + r[k].abandoned != 6000)
            ok = 0;
    }
    if (r[0].served != 4924 || sort_hash != 0x5731d6a4u ||
        r[0].trace_hash != 0xafaa1526u || r[0].swaps != 182250 ||
        r[0].total_wait != 290891)
        ok = 0;
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
