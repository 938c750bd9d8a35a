// kernels-v0: AVL tree insert, delete and lookup with invariant checks and in-order traversal
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_RANGE 8192
#define NUM_OPS 30000
#define CHECK_EVERY 2500

struct avl_node {
    int32_t key;
    uint32_t value;
    int height;
    struct avl_node *left, *right;
};

struct avl_tree {
    struct avl_node *root;
    size_t size;
    unsigned rotations;
};

static int height(const struct avl_node *n) { return n ? n->height : 0; }

static int max_int(int a, int b) { return a > b ? a : b; }

static void update_height(struct avl_node *n) {
    n->height = 1 + max_int(height(n->left), height(n->right));
}

static int balance_factor(const struct avl_node *n) {
    return height(n->left) - height(n->right);
}

static struct avl_node *rotate_right(struct avl_tree *t, struct avl_node *y) {
    struct avl_node *x = y->left;
    y->left = x->right;
    x->right = y;
    update_height(y);
    update_height(x);
    t->rotations++;
    return x;
}

static struct avl_node *rotate_left(struct avl_tree *t, struct avl_node *x) {
    struct avl_node *y = x->right;
    x->right = y->left;
    y->left = x;
    update_height(x);
    update_height(y);
    t->rotations++;
    return y;
}

static struct avl_node *rebalance(struct avl_tree *t, struct avl_node *n) {
    update_height(n);
    int bf = balance_factor(n);
    if (bf > 1) {
        if (balance_factor(n->left) < 0)
            n->left = rotate_left(t, n->left);
        return rotate_right(t, n);
    }
    if (bf < -1) {
        if (balance_factor(n->right) > 0)
            n->right = rotate_right(t, n->right);
        return rotate_left(t, n);
    }
    return n;
}

/* Returns the new subtree root; *inserted tells whether a node was added. */
static struct avl_node *insert_rec(struct avl_tree *t, struct avl_node *n,
                                   int32_t key, uint32_t value, int *inserted) {
    if (!n) {
        struct avl_node *nn = malloc(sizeof *nn);
        if (!nn) {
            *inserted = -1;
            return NULL;
        }
        nn->key = key;
        nn->value = value;
        nn->height = 1;
        nn->left = nn->right = NULL;
        *inserted = 1;
        return nn;
    }
    if (key < n->key) {
        struct avl_node *c = insert_rec(t, n->left, key, value, inserted);
        if (*inserted < 0)
            return n;
        n->left = c;
    } else if (key > n->key) {
        struct avl_node *c = insert_rec(t, n->right, key, value, inserted);
        if (*inserted < 0)
            return n;
        n->right = c;
    } else {
        n->value = value;
        *inserted = 0;
        return n;
    }
    return rebalance(t, n);
}

static int avl_insert(struct avl_tree *t, int32_t key, uint32_t value) {
    int inserted = 0;
    t->root = insert_rec(t, t->root, key, value, &inserted);
    if (inserted > 0)
        t->size++;
    return inserted;
}

static struct avl_node *remove_min(struct avl_tree *t, struct avl_node *n,
                                   struct avl_node **min_out) {
    if (!n->left) {
        *min_out = n;
        return n->right;
    }
    n->left = remove_min(t, n->left, min_out);
    return rebalance(t, n);
}

static struct avl_node *delete_rec(struct avl_tree *t, struct avl_node *n,
                                   int32_t key, int *deleted) {
    if (!n)
        return NULL;
    if (key < n->key) {
        n->left = delete_rec(t, n->left, key, deleted);
    } else if (key > n->key) {
        n->right = delete_rec(t, n->right, key, deleted);
    } else {
        struct avl_node *l = n->left, *r = n->right;
        free(n);
        *deleted = 1;
        if (!r)
            return l;
        struct avl_node *m;
        r = remove_min(t, r, &m);
        m->left = l;
        m->right = r;
        return rebalance(t, m);
    }
    return rebalance(t, n);
}

static int avl_delete(struct avl_tree *t, int32_t key) {
    int deleted = 0;
    t->root = delete_rec(t, t->root, key, &deleted);
    if (deleted)
        t->size--;
    return deleted;
}

static const struct avl_node *avl_find(const struct avl_tree *t, int32_t key) {
    const struct avl_node *n = t->root;
    while (n) {
        if (key < n->key)
            n = n->left;
        else if (key > n->key)
            n = n->right;
        else
            return n;
    }
    return NULL;
}

/* Smallest key >= key, or NULL. */
static const struct avl_node *avl_lower_bound(const struct avl_tree *t,
                                              int32_t key) {
    const struct avl_node *n = t->root, *best = NULL;
    while (n) {
        if (n->key >= key) {
            best = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return best;
}

/* Returns computed height, or -1 on violation. */
static int check_rec(const struct avl_node *n, int64_t lo, int64_t hi,
                     size_t *count) {
    if (!n)
        return 0;
    if (n->key <= lo || n->key >= hi)
        return -1;
    int hl = check_rec(n->left, lo, n->key, count);
    int hr = check_rec(n->right, n->key, hi, count);
    if (hl < 0 || hr < 0)
        return -1;
    if (hl - hr > 1 || hr - hl > 1)
        return -1;
    int h = 1 + max_int(hl, hr);
    if (h != n->height)
        return -1;
    (*count)++;
    return h;
}

static int avl_check(const struct avl_tree *t) {
    size_t count = 0;
    int h = check_rec(t->root, INT64_MIN, INT64_MAX, &count);
    return h >= 0 && count == t->size;
}

typedef void (*visit_fn)(const struct avl_node *n, void *ctx);

static void in_order(const struct avl_node *n, visit_fn fn, void *ctx) {
    while (n) {
        in_order(n->left, fn, ctx);
        fn(n, ctx);
        n = n->right; /* tail position turned into a loop */
    }
}

struct traverse_ctx {
    int32_t last;
    int sorted;
    size_t visited;
    uint32_t hash;
};

static void visit(const struct avl_node *n, void *p) {
    struct traverse_ctx *c = p;
    if (c->visited > 0 && n->key <= c->last)
        c->sorted = 0;
    c->last = n->key;
    c->visited++;
    c->hash = (c->hash ^ (uint32_t)n->key) * 16777619u;
    c->hash = (c->hash ^ n->value) * 16777619u;
}

static void free_tree(struct avl_node *n) {
    while (n) {
        free_tree(n->left);
        struct avl_node *r = n->right;
        free(n);
        n = r;
    }
}

static uint32_t rng = 2463534242u;
static uint32_t xorshift(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

int main(void) {
    struct avl_tree tree = {NULL, 0, 0};
    static uint32_t ref_value[KEY_RANGE];
    static uint8_t ref_present[KEY_RANGE];
    int ok = 1;
    unsigned ins = 0, del = 0, hits = 0;
    uint32_t lookup_hash = 0;

    /* Phase 1: ascending inserts force many rotations. */
    for (int32_t k = 0; k < 1000; k++) {
        if (avl_insert(&tree, k * 8, (uint32_t)k) != 1)
            ok = 0;
        ref_present[k * 8] = 1;
        ref_value[k * 8] = (uint32_t)k;
        ins++;
    }
    if (!avl_check(&tree) || height(tree.root) > 11) {
        printf("phase 1 tree invalid (height %d)\n", height(tree.root));
        ok = 0;
    }

    /* Phase 2: random mix of operations checked against a reference. */
    for (int i = 0; i < NUM_OPS; i++) {
        uint32_t r = xorshift();
        int32_t key = (int32_t)(r % KEY_RANGE);
        switch (r >> 29) {
        case 0:
        case 1:
        case 2: {
            int res = avl_insert(&tree, key, r);
            if (res != !ref_present[key])
                ok = 0;
            ins += res == 1;
            ref_present[key] = 1;
            ref_value[key] = r;
            break;
        }
        case 3:
        case 4: {
            int res = avl_delete(&tree, key);
            if (res != ref_present[key])
                ok = 0;
            del += (unsigned)res;
            ref_present[key] = 0;
            break;
        }
        default: {
            const struct avl_node *n = avl_find(&tree, key);
            if ((n != NULL) != ref_present[key] ||
                (n && n->value != ref_value[key]))
                ok = 0;
            if (n) {
                hits++;
                lookup_hash = lookup_hash * 31u + n->value;
            }
            const struct avl_node *lb = avl_lower_bound(&tree, key);
            int32_t want = key;
            while (want < KEY_RANGE && !ref_present[want])
                want++;
            if ((lb == NULL) != (want == KEY_RANGE) || (lb && lb->key != want))
                ok = 0;
            break;
        }
        }
        if (i % CHECK_EVERY == 0 && !avl_check(&tree)) {
            printf("invariant violated at op %d\n", i);
            ok = 0;
        }
    }

    struct traverse_ctx ctx = {0, 1, 0, 2166136261u};
    in_order(tree.root, visit, &ctx);
    size_t ref_count = 0;
    for (int k = 0; k < KEY_RANGE; k++)
        ref_count += ref_present[k];
    if (!avl_check(&tree) || !ctx.sorted || ctx.visited != tree.size ||
        tree.size != ref_count)
        ok = 0;

    printf("inserted %u, deleted %u, hits %u, size %zu, height %d\n", ins, del,
           hits, tree.size, height(tree.root));
    printf("rotations %u\n", tree.rotations);
    printf("traversal hash %08x, lookup hash %08x\n", (unsigned)ctx.hash,
           (unsigned)lookup_hash);

    /* Phase 3: delete everything in a scrambled order. */
    for (int32_t k = 0; k < KEY_RANGE; k++) {
        int32_t key = (int32_t)(((uint32_t)k * 5167u) % KEY_RANGE);
        if (avl_delete(&tree, key) != ref_present[key])
            ok = 0;
        ref_present[key] = 0;
        if (k % 1024 == 0 && !avl_check(&tree))
            ok = 0;
    }
    if (tree.root != NULL || tree.size != 0)
        ok = 0;
    free_tree(tree.root);
    printf("rotations after teardown %u\n", tree.rotations);

    if (ctx.hash != 0xb8d0605eu || lookup_hash != 0xd308e51fu ||
        tree.rotations != 7258)
        ok = 0;
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
