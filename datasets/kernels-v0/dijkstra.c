// kernels-v0: graph algorithms on a generated sparse graph: Dijkstra and Prim with an indexed binary heap, BFS, DFS topological sort, Kruskal MST
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define V 2000
#define MAX_E (V * 6)
#define INF UINT64_MAX

typedef struct {
    int u, v;
    uint32_t w;
} edge;

typedef struct {
    int to;
    uint32_t w;
} arc;

typedef struct {
    int offset[V + 1];
    arc arcs[2 * MAX_E];
    int narcs;
} graph;

static edge edges[MAX_E];
static int nedges;
static graph directed, undirected, dag;

static uint32_t rng = 0xdeadbeefu;
static uint32_t xorshift32(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Build a CSR adjacency structure; optionally add the reverse of every edge. */
static void build_csr(graph *g, const edge *es, int ne, int both_ways) {
    int count[V + 1];
    memset(count, 0, sizeof count);
    for (int i = 0; i < ne; i++) {
        count[es[i].u + 1]++;
        if (both_ways) count[es[i].v + 1]++;
    }
    for (int i = 0; i < V; i++)
        count[i + 1] += count[i];
    memcpy(g->offset, count, sizeof count);
    for (int i = 0; i < ne; i++) {
        g->arcs[count[es[i].u]++] = (arc){es[i].v, es[i].w};
        if (both_ways) g->arcs[count[es[i].v]++] = (arc){es[i].u, es[i].w};
    }
    g->narcs = g->offset[V];
}

/* ---- indexed binary min-heap keyed by 64-bit priorities ---- */
typedef struct {
    int node[V];
    int pos[V]; /* -1 when not in heap */
    uint64_t key[V];
    int size;
} heap;

static void heap_init(heap *h) {
    h->size = 0;
    for (int i = 0; i < V; i++) h->pos[i] = -1;
}

static void heap_swap(heap *h, int i, int j) {
    int a = h->node[i], b = h->node[j];
    h->node[i] = b;
    h->node[j] = a;
    h->pos[b] = i;
    h->pos[a] = j;
}

static void heap_up(heap *h, int i) {
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (h->key[h->node[parent]] <= h->key[h->node[i]]) break;
        heap_swap(h, i, parent);
        i = parent;
    }
}

static void heap_down(heap *h, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->size && h->key[h->node[l]] < h->key[h->node[m]]) m = l;
        if (r < h->size && h->key[h->node[r]] < h->key[h->node[m]]) m = r;
        if (m == i) return;
        heap_swap(h, i, m);
        i = m;
    }
}

/* Insert v or lower its key. */
static void heap_push_or_decrease(heap *h, int v, uint64_t key) {
    if (h->pos[v] < 0) {
        h->node[h->size] = v;
        h->pos[v] = h->size++;
        h->key[v] = key;
    } else if (key < h->key[v]) {
        h->key[v] = key;
    } else {
        return;
    }
    heap_up(h, h->pos[v]);
}

static int heap_pop(heap *h) {
    int top = h->node[0];
    heap_swap(h, 0, --h->size);
    h->pos[top] = -1;
    heap_down(h, 0);
    return top;
}

static heap pq;

static void dijkstra(const graph *g, int src, uint64_t *dist, int *pred) {
    for (int i = 0; i < V; i++) {
        dist[i] = INF;
        pred[i] = -1;
    }
    heap_init(&pq);
    dist[src] = 0;
    heap_push_or_decrease(&pq, src, 0);
    while (pq.size > 0) {
        int u = heap_pop(&pq);
        for (int a = g->offset[u]; a < g->offset[u + 1]; a++) {
            int v = g->arcs[a].to;
            uint64_t nd = dist[u] + g->arcs[a].w;
            if (nd < dist[v]) {
                dist[v] = nd;
                pred[v] = u;
                heap_push_or_decrease(&pq, v, nd);
            }
        }
    }
}

/* Prim's algorithm over every component; returns the forest weight. */
static uint64_t prim(const graph *g, int *trees) {
    static int done[V];
    uint64_t total = 0;
    memset(done, 0, sizeof done);
    *trees = 0;
    heap_init(&pq);
    for (int root = 0; root < V; root++) {
        if (done[root]) continue;
        (*trees)++;
        heap_push_or_decrease(&pq, root, 0);
        while (pq.size > 0) {
            int u = heap_pop(&pq);
            done[u] = 1;
            total += pq.key[u];
            for (int a = g->offset[u]; a < g->offset[u + 1]; a++) {
                int v = g->arcs[a].to;
                if (!done[v]) heap_push_or_decrease(&pq, v, g->arcs[a].w);
            }
        }
    }
    return total;
}

static int bfs(const graph *g, int src, int *hops) {
    static int queue[V];
    int head = 0, tail = 0;
    for (int i = 0; i < V; i++) hops[i] = -1;
    hops[src] = 0;
    queue[tail++] = src;
    while (head < tail) {
        int u = queue[head++];
        for (int a = g->offset[u]; a < g->offset[u + 1]; a++) {
            int v = g->arcs[a].to;
            if (hops[v] < 0) {
                hops[v] = hops[u] + 1;
                queue[tail++] = v;
            }
        }
    }
    return tail;
}

/* ---- DFS topological sort (recursive) ---- */
enum { WHITE, GREY, BLACK };
static unsigned char colour[V];
static int order[V], order_len, back_edges;

static void dfs_visit(const graph *g, int u) {
    colour[u] = GREY;
    for (int a = g->offset[u]; a < g->offset[u + 1]; a++) {
        int v = g->arcs[a].to;
        if (colour[v] == WHITE) dfs_visit(g, v);
        else if (colour[v] == GREY) back_edges++;
    }
    colour[u] = BLACK;
    order[order_len++] = u;
}

static int topo_sort(const graph *g, int *topo) {
    memset(colour, WHITE, sizeof colour);
    order_len = 0;
    back_edges = 0;
    for (int u = 0; u < V; u++)
        if (colour[u] == WHITE) dfs_visit(g, u);
    for (int i = 0; i < V; i++) topo[i] = order[V - 1 - i];
    return back_edges;
}

/* ---- union-find and Kruskal ---- */
static int parent[V], rnk[V];

static int uf_find(int x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static int uf_union(int a, int b) {
    a = uf_find(a);
    b = uf_find(b);
    if (a == b) return 0;
    if (rnk[a] < rnk[b]) { int t = a; a = b; b = t; }
    parent[b] = a;
    if (rnk[a] == rnk[b]) rnk[a]++;
    return 1;
}

static int cmp_edge(const void *x, const void *y) {
    const edge *a = x, *b = y;
    if (a->w != b->w) return a->w < b->w ? -1 : 1;
    if (a->u != b->u) return a->u - b->u;
    return a->v - b->v;
}

static uint64_t kruskal(edge *es, int ne, int *used) {
    static edge sorted[MAX_E];
    uint64_t total = 0;
    memcpy(sorted, es, (size_t)ne * sizeof *es);
    qsort(sorted, (size_t)ne, sizeof *sorted, cmp_edge);
    for (int i = 0; i < V; i++) { parent[i] = i; rnk[i] = 0; }
    *used = 0;
    for (int i = 0; i < ne; i++)
        if (uf_union(sorted[i].u, sorted[i].v)) {
            total += sorted[i].w;
            (*used)++;
        }
    return total;
}

int main(void) {
    static uint64_t dist[V];
    static int pred[V], hops[V], topo[V], where[V], perm[V];
    static edge dag_edges[MAX_E];
    int fails = 0;

    nedges = 0;
    for (int u = 0; u < V; u++) {
        int deg = 1 + (int)(xorshift32() % 5u);
        for (int k = 0; k < deg; k++) {
            int v = (int)(xorshift32() % V);
            uint32_t w = 1 + xorshift32() % 100u;
            if (v == u) continue;
            edges[nedges++] = (edge){u, v, w};
        }
    }
    build_csr(&directed, edges, nedges, 0);
    build_csr(&undirected, edges, nedges, 1);

    /* Shortest paths: verify every edge is relaxed and every predecessor edge is tight. */
    dijkstra(&directed, 0, dist, pred);
    uint64_t dist_sum = 0;
    int reached = 0;
    for (int u = 0; u < V; u++) {
        if (dist[u] == INF) continue;
        reached++;
        dist_sum += dist[u];
        for (int a = directed.offset[u]; a < directed.offset[u + 1]; a++)
            if (dist[u] + directed.arcs[a].w < dist[directed.arcs[a].to]) fails++;
        if (u != 0) {
            int tight = 0;
            for (int a = directed.offset[pred[u]]; a < directed.offset[pred[u] + 1]; a++)
                tight |= directed.arcs[a].to == u && dist[pred[u]] + directed.arcs[a].w == dist[u];
            if (!tight) fails++;
        }
    }
    printf("edges %d, dijkstra: reached %d dist_sum %llu\n", nedges, reached, (unsigned long long)dist_sum);

    int visited = bfs(&directed, 0, hops);
    long hop_sum = 0;
    int max_hops = 0;
    for (int u = 0; u < V; u++) {
        if (hops[u] < 0) continue;
        hop_sum += hops[u];
        if (hops[u] > max_hops) max_hops = hops[u];
        for (int a = directed.offset[u]; a < directed.offset[u + 1]; a++)
            if (hops[directed.arcs[a].to] < 0 || hops[directed.arcs[a].to] > hops[u] + 1) fails++;
    }
    printf("bfs: visited %d hop_sum %ld max_hops %d\n", visited, hop_sum, max_hops);
    if (visited != reached) fails++;

    /* Orient every edge along a random permutation to get a DAG. */
    for (int i = 0; i < V; i++) perm[i] = i;
    for (int i = V - 1; i > 0; i--) {
        int j = (int)(xorshift32() % (uint32_t)(i + 1));
        int t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
    for (int i = 0; i < nedges; i++) {
        edge e = edges[i];
        if (perm[e.u] > perm[e.v]) { int t = e.u; e.u = e.v; e.v = t; }
        dag_edges[i] = e;
    }
    build_csr(&dag, dag_edges, nedges, 0);
    int cyc = topo_sort(&directed, topo);
    int dag_back = topo_sort(&dag, topo);
    for (int i = 0; i < V; i++) where[topo[i]] = i;
    int order_errors = 0;
    for (int i = 0; i < nedges; i++)
        if (where[dag_edges[i].u] >= where[dag_edges[i].v]) order_errors++;
    printf("dfs: back edges in directed graph %d, in dag %d, topo order errors %d\n", cyc, dag_back, order_errors);
    if (cyc == 0 || dag_back != 0 || order_errors != 0) fails++;

    int used, trees;
    uint64_t mst_k = kruskal(edges, nedges, &used);
    uint64_t mst_p = prim(&undirected, &trees);
    printf("mst: kruskal %llu (%d edges) prim %llu (%d trees)\n", (unsigned long long)mst_k, used,
           (unsigned long long)mst_p, trees);
    if (mst_k != mst_p || used + trees != V) fails++;

    if (nedges != 5971 || reached != 1907 || dist_sum != 554769u || hop_sum != 14289 || mst_k != 41081u) fails++;
    printf("%s\n", fails ? "FAIL" : "OK");
    return fails ? 1 : 0;
}
