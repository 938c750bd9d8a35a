/* Included from ring.h by a name relative to its own folder. */
struct ring {
    int items[RING_SIZE];
    int next;
};

static void ring_init(struct ring *r) {
    for (int i = 0; i < RING_SIZE; i++)
        r->items[i] = 0;
    r->next = 0;
}

static void ring_push(struct ring *r, int value) {
    r->items[r->next] = value;
    r->next = (r->next + 1) % RING_SIZE;
}

static int ring_sum(const struct ring *r) {
    int total = 0;
    for (int i = 0; i < RING_SIZE; i++)
        total += r->items[i];
    return total;
}
