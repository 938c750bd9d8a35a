// kernels-v0: open-addressing and separate-chaining hash tables with insert, lookup and delete
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 24
#define NUM_OPS 40000
#define KEY_SPACE 6000

static uint32_t hash_string(const char *s) {
    /* FNV-1a followed by a finalizer for better low bits */
    uint32_t h = 2166136261u;
    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 16777619u;
    }
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    return h;
}

/* ---------------- generic interface ---------------- */

struct table_ops {
    const char *name;
    void *(*create)(void);
    int (*put)(void *t, const char *key, uint32_t value); /* 1 if new */
    int (*get)(void *t, const char *key, uint32_t *value);
    int (*del)(void *t, const char *key);
    size_t (*size)(void *t);
    void (*destroy)(void *t);
};

/* ---------------- open addressing, linear probing ---------------- */

enum slot_state { SLOT_EMPTY, SLOT_FULL, SLOT_DELETED };

struct oa_slot {
    enum slot_state state;
    uint32_t hash;
    char key[KEY_MAX];
    uint32_t value;
};

struct oa_table {
    struct oa_slot *slots;
    size_t cap; /* power of two */
    size_t count;
    size_t tombstones;
    uint64_t probes;
};

static void *oa_create(void) {
    struct oa_table *t = malloc(sizeof *t);
    if (!t)
        return NULL;
    t->cap = 16;
    t->count = t->tombstones = 0;
    t->probes = 0;
    t->slots = calloc(t->cap, sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    return t;
}

static size_t oa_find(struct oa_table *t, const char *key, uint32_t h,
                      int *found) {
    size_t mask = t->cap - 1, i = h & mask;
    size_t first_free = (size_t)-1;
    for (;;) {
        struct oa_slot *s = &t->slots[i];
        t->probes++;
        if (s->state == SLOT_EMPTY) {
            *found = 0;
            return first_free != (size_t)-1 ? first_free : i;
        }
        if (s->state == SLOT_DELETED) {
            if (first_free == (size_t)-1)
                first_free = i;
        } else if (s->hash == h && strcmp(s->key, key) == 0) {
            *found = 1;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static int oa_resize(struct oa_table *t, size_t new_cap) {
    struct oa_slot *old = t->slots;
    size_t old_cap = t->cap;
    t->slots = calloc(new_cap, sizeof *t->slots);
    if (!t->slots) {
        t->slots = old;
        return 0;
    }
    t->cap = new_cap;
    t->count = 0;
    t->tombstones = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].state != SLOT_FULL)
            continue;
        size_t j = old[i].hash & (new_cap - 1);
        while (t->slots[j].state == SLOT_FULL)
            j = (j + 1) & (new_cap - 1);
        t->slots[j] = old[i];
        t->count++;
    }
    free(old);
    return 1;
}

static int oa_put(void *tp, const char *key, uint32_t value) {
    struct oa_table *t = tp;
    if ((t->count + t->tombstones + 1) * 4 > t->cap * 3) {
        size_t nc = t->count * 2 + 2 > t->cap ? t->cap * 2 : t->cap;
        if (!oa_resize(t, nc))
            return -1;
    }
    uint32_t h = hash_string(key);
    int found;
    size_t i = oa_find(t, key, h, &found);
    struct oa_slot *s = &t->slots[i];
    if (found) {
        s->value = value;
        return 0;
    }
    if (s->state == SLOT_DELETED)
        t->tombstones--;
    s->state = SLOT_FULL;
    s->hash = h;
    strncpy(s->key, key, KEY_MAX - 1);
    s->key[KEY_MAX - 1] = '\0';
    s->value = value;
    t->count++;
    return 1;
}

static int oa_get(void *tp, const char *key, uint32_t *value) {
    struct oa_table *t = tp;
    int found;
    size_t i = oa_find(t, key, hash_string(key), &found);
    if (found)
        *value = t->slots[i].value;
    return found;
}

static int oa_del(void *tp, const char *key) {
    struct oa_table *t = tp;
    int found;
    size_t i = oa_find(t, key, hash_string(key), &found);
    if (!found)
        return 0;
    t->slots[i].state = SLOT_DELETED;
    t->count--;
    t->tombstones++;
    return 1;
}

static size_t oa_size(void *tp) { return ((struct oa_table *)tp)->count; }

static void oa_destroy(void *tp) {
    struct oa_table *t = tp;
    free(t->slots);
    free(t);
}

/* ---------------- separate chaining ---------------- */

struct chain_node {
    struct chain_node *next;
    uint32_t hash;
    uint32_t value;
    char key[];
};

struct chain_table {
    struct chain_node **buckets;
    size_t nbuckets;
    size_t count;
};

static void *ch_create(void) {
    struct chain_table *t = malloc(sizeof *t);
    if (!t)
        return NULL;
    t->nbuckets = 8;
    t->count = 0;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    if (!t->buckets) {
        free(t);
        return NULL;
    }
    return t;
}

static struct chain_node **ch_lookup(struct chain_table *t, const char *key,
                                     uint32_t h) {
    struct chain_node **link = &t->buckets[h % t->nbuckets];
    while (*link && ((*link)->hash != h || strcmp((*link)->key, key) != 0))
        link = &(*link)->next;
    return link;
}

static int ch_grow(struct chain_table *t) {
    size_t nb = t->nbuckets * 2 + 1;
    struct chain_node **nbk = calloc(nb, sizeof *nbk);
    if (!nbk)
        return 0;
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct chain_node *n = t->buckets[i];
        while (n) {
            struct chain_node *next = n->next;
            size_t b = n->hash % nb;
            n->next = nbk[b];
            nbk[b] = n;
            n = next;
        }
    }
    free(t->buckets);
    t->buckets = nbk;
    t->nbuckets = nb;
    return 1;
}

static int ch_put(void *tp, const char *key, uint32_t value) {
    struct chain_table *t = tp;
    uint32_t h = hash_string(key);
    struct chain_node **link = ch_lookup(t, key, h);
    if (*link) {
        (*link)->value = value;
        return 0;
    }
    size_t klen = strlen(key) + 1;
    struct chain_node *n = malloc(sizeof *n + klen);
    if (!n)
        return -1;
    n->next = NULL;
    n->hash = h;
    n->value = value;
    memcpy(n->key, key, klen);
    *link = n;
    t->count++;
    if (t->count > t->nbuckets * 2 && !ch_grow(t))
        return -1;
    return 1;
}

static int ch_get(void *tp, const char *key, uint32_t *value) {
    struct chain_table *t = tp;
    struct chain_node **link = ch_lookup(t, key, hash_string(key));
    if (!*link)
        return 0;
    *value = (*link)->value;
    return 1;
}

static int ch_del(void *tp, const char *key) {
    struct chain_table *t = tp;
    struct chain_node **link = ch_lookup(t, key, hash_string(key));
    struct chain_node *n = *link;
    if (!n)
        return 0;
    *link = n->next;
    free(n);
    t->count--;
    return 1;
}

static size_t ch_size(void *tp) { return ((struct chain_table *)tp)->count; }

static void ch_destroy(void *tp) {
    struct chain_table *t = tp;
    for (size_t i = 0; i < t->nbuckets; i++) {
        struct chain_node *n = t->buckets[i];
        while (n) {
            struct chain_node *next = n->next;
            free(n);
            n = next;
        }
    }
    free(t->buckets);
    free(t);
}

static const struct table_ops implementations[] = {
    {"open-addressing", oa_create, oa_put, oa_get, oa_del, oa_size, oa_destroy},
    {"chaining", ch_create, ch_put, ch_get, ch_del, ch_size, ch_destroy},
};

/* ---------------- workload ---------------- */

static uint32_t lcg = 12345u;
static uint32_t next_rand(void) {
    lcg = lcg * 1664525u + 1013904223u;
    return lcg >> 8;
}

static void make_key(char *buf, uint32_t id) {
    static const char *const prefixes[] = {"user", "item", "node", "k"};
    snprintf(buf, KEY_MAX, "%s:%u", prefixes[id % 4], (unsigned)(id * 7919u % 100003u));
}

struct run_stats {
    uint32_t checksum;
    size_t final_size;
    unsigned inserted, updated, hits, misses, deleted;
};

static int run(const struct table_ops *ops, struct run_stats *st,
               uint8_t *present /* reference membership by key id */) {
    void *t = ops->create();
    if (!t)
        return 0;
    memset(st, 0, sizeof *st);
    memset(present, 0, KEY_SPACE);
    uint32_t h = 2166136261u;
    lcg = 12345u;
    int ok = 1;
    for (int i = 0; i < NUM_OPS && ok; i++) {
        uint32_t r = next_rand();
        uint32_t id = r % KEY_SPACE;
        char key[KEY_MAX];
        make_key(key, id);
        uint32_t v = 0;
        switch ((r >> 20) % 8u) {
        case 0:
        case 1:
        case 2: { /* insert or update */
            int res = ops->put(t, key, r);
            if (res < 0 || res != !present[id])
                ok = 0;
            if (res == 1)
                st->inserted++;
            else
                st->updated++;
            present[id] = 1;
            break;
        }
        case 3:
        case 4:
        case 5: { /* lookup */
            int found = ops->get(t, key, &v);
            if (found != present[id])
                ok = 0;
            if (found) {
                st->hits++;
                h = (h ^ v) * 16777619u;
            } else {
                st->misses++;
            }
            break;
        }
        default: { /* delete */
            int res = ops->del(t, key);
            if (res != present[id])
                ok = 0;
            st->deleted += (unsigned)res;
            present[id] = 0;
            break;
        }
        }
    }
    size_t expected_size = 0;
    for (size_t k = 0; k < KEY_SPACE; k++)
        expected_size += present[k];
    st->final_size = ops->size(t);
    if (st->final_size != expected_size)
        ok = 0;
    /* full scan of the key space */
    for (uint32_t id = 0; id < KEY_SPACE && ok; id++) {
        char key[KEY_MAX];
        uint32_t v;
        make_key(key, id);
        int found = ops->get(t, key, &v);
        if (found != present[id])
            ok = 0;
        if (found)
            h = (h ^ v ^ id) * 16777619u;
    }
    st->checksum = h;
    ops->destroy(t);
    return ok;
}

static int stats_equal(const struct run_stats *a, const struct run_stats *b) {
    return a->checksum == b->checksum && a->final_size == b->final_size &&
           a->inserted == b->inserted && a->updated == b->updated &&
           a->hits == b->hits && a->misses == b->misses &&
           a->deleted == b->deleted;
}

int main(void) {
    static uint8_t present[KEY_SPACE];
    struct run_stats stats[2];
    int ok = 1;
    for (int i = 0; i < 2; i++) {
        if (!run(&implementations[i], &stats[i], present)) {
            printf("%s: consistency check failed\n", implementations[i].name);
            ok = 0;
        }
        printf("%-16s ins=%u upd=%u hits=%u miss=%u del=%u size=%zu sum=%08x\n",
               implementations[i].name, stats[i].inserted, stats[i].updated,
               stats[i].hits, stats[i].misses, stats[i].deleted,
               stats[i].final_size, (unsigned)stats[i].checksum);
    }
    if (!stats_equal(&stats[0], &stats[1])) {
        printf("implementations disagree\n");
        ok = 0;
    }
    if (stats[0].checksum != 0x642fc08eu || stats[0].final_size != 3541 ||
        stats[0].inserted != 8099 || stats[0].deleted != 4558)
        ok = 0;
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
