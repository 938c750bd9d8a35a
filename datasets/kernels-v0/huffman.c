// kernels-v0: Huffman coding of generated text: tree build, canonical codes, bit-level encode and two decoders with round-trip checks
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_CAP 40000
#define NSYM 256
#define MAX_NODES (2 * NSYM - 1)
#define MAX_LEN 32

typedef struct {
    uint32_t freq;
    int left, right; /* -1 for leaves */
    int symbol;
} node;

static node nodes[MAX_NODES];
static int nnodes;

/* ---- min-heap of node indices ordered by (freq, index) ---- */
static int heap[MAX_NODES];
static int heap_size;

static int node_less(int a, int b) {
    if (nodes[a].freq != nodes[b].freq) return nodes[a].freq < nodes[b].freq;
    return a < b;
}

static void heap_push(int v) {
    int i = heap_size++;
    heap[i] = v;
    while (i > 0 && node_less(heap[i], heap[(i - 1) / 2])) {
        int p = (i - 1) / 2, t = heap[p];
        heap[p] = heap[i];
        heap[i] = t;
        i = p;
    }
}

static int heap_pop(void) {
    int top = heap[0], i = 0;
    heap[0] = heap[--heap_size];
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < heap_size && node_less(heap[l], heap[m])) m = l;
        if (r < heap_size && node_less(heap[r], heap[m])) m = r;
        if (m == i) break;
        int t = heap[m];
        heap[m] = heap[i];
        heap[i] = t;
        i = m;
    }
    return top;
}

static int build_tree(const uint32_t freq[NSYM]) {
    nnodes = 0;
    heap_size = 0;
    for (int s = 0; s < NSYM; s++)
        if (freq[s]) {
            nodes[nnodes] = (node){freq[s], -1, -1, s};
            heap_push(nnodes++);
        }
    if (heap_size == 1) { /* a single symbol still needs a one-bit code */
        nodes[nnodes] = (node){nodes[0].freq, 0, -1, -1};
        return nnodes++;
    }
    while (heap_size > 1) {
        int a = heap_pop(), b = heap_pop();
        nodes[nnodes] = (node){nodes[a].freq + nodes[b].freq, a, b, -1};
        heap_push(nnodes++);
    }
    return heap_pop();
}

static void code_lengths(int n, int depth, uint8_t len[NSYM]) {
    if (nodes[n].left < 0) {
        len[nodes[n].symbol] = (uint8_t)(depth ? depth : 1);
        return;
    }
    code_lengths(nodes[n].left, depth + 1, len);
    if (nodes[n].right >= 0) code_lengths(nodes[n].right, depth + 1, len);
}

/* Canonical code assignment: shorter codes first, ties by symbol value. */
static void canonical_codes(const uint8_t len[NSYM], uint32_t code[NSYM], int count[MAX_LEN + 1]) {
    uint32_t next[MAX_LEN + 1];
    memset(count, 0, (MAX_LEN + 1) * sizeof *count);
    for (int s = 0; s < NSYM; s++)
        if (len[s]) count[len[s]]++;
    next[1] = 0;
    for (int l = 2; l <= MAX_LEN; l++)
        next[l] = (next[l - 1] + (uint32_t)count[l - 1]) << 1;
    for (int s = 0; s < NSYM; s++)
        if (len[s]) code[s] = next[len[s]]++;
}

/* ---- bit I/O, most significant bit first ---- */
typedef struct {
    uint8_t *buf;
    size_t bitpos;
} bitstream;

static void put_bits(bitstream *bs, uint32_t value, int nbits) {
    for (int i = nbits - 1; i >= 0; i--) {
        size_t byte = bs->bitpos >> 3;
        if ((bs->bitpos & 7u) == 0) bs->buf[byte] = 0;
        if ((value >> i) & 1u) bs->buf[byte] |= (uint8_t)(0x80u >> (bs->bitpos & 7u));
        bs->bitpos++;
    }
}

static int get_bit(bitstream *bs) {
    int b = (bs->buf[bs->bitpos >> 3] >> (7 - (bs->bitpos & 7u))) & 1;
    bs->bitpos++;
    return b;
}

/* Decoding with canonical tables: codes of each length form a contiguous range. */
static int decode_canonical(bitstream *bs, const int count[MAX_LEN + 1], const uint8_t *sorted_syms) {
    uint32_t code = 0, first = 0;
    int index = 0;
    for (int l = 1; l <= MAX_LEN; l++) {
        code |= (uint32_t)get_bit(bs);
        uint32_t n = (uint32_t)count[l];
        if (code - first < n) return sorted_syms[index + (int)(code - first)];
        index += count[l];
        first = (first + n) << 1;
        code <<= 1;
    }
    return -1;
}

/* Binary trie rebuilt from the canonical codes; node 0 is the root. */
typedef struct {
    int child[2];
    int symbol;
} trie_node;

static trie_node trie[MAX_NODES];
static int trie_size;

static int build_trie(const uint8_t len[NSYM], const uint32_t code[NSYM]) {
    trie_size = 1;
    trie[0] = (trie_node){{-1, -1}, -1};
    for (int s = 0; s < NSYM; s++) {
        if (!len[s]) continue;
        int n = 0;
        for (int i = len[s] - 1; i >= 0; i--) {
            int bit = (int)((code[s] >> i) & 1u);
            if (trie[n].symbol >= 0) return 0; /* a code is a prefix of another */
            if (trie[n].child[bit] < 0) {
                if (trie_size == MAX_NODES) return 0;
                trie[trie_size] = (trie_node){{-1, -1}, -1};
                trie[n].child[bit] = trie_size++;
            }
            n = trie[n].child[bit];
        }
        if (trie[n].symbol >= 0 || trie[n].child[0] >= 0 || trie[n].child[1] >= 0) return 0;
        trie[n].symbol = s;
    }
    return 1;
}

static int decode_trie(bitstream *bs) {
    int n = 0;
    while (n >= 0 && trie[n].symbol < 0) n = trie[n].child[get_bit(bs)];
    return n >= 0 ? trie[n].symbol : -1;
}

static uint32_t rng = 0x0badf00du;
static uint32_t xorshift32(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Text from a small vocabulary with a skewed word distribution. */
static size_t make_text(char *out, size_t cap) {
    static const char *words[] = {"the", "of", "and", "to", "in", "a", "is", "that", "for", "it",
                                  "compiler", "pass", "loop", "vector", "register", "inline",
                                  "quartz", "jazz", "fix", "xylophone"};
    static const char punct[] = ",.;!?\n";
    size_t n = 0;
    while (n + 16 < cap) {
        uint32_t r = xorshift32();
        size_t w = (r & 7u) < 5 ? r % 10u : r % 20u; /* common words dominate */
        size_t len = strlen(words[w]);
        memcpy(out + n, words[w], len);
        n += len;
        out[n++] = (xorshift32() % 9u == 0) ? punct[xorshift32() % 6u] : ' ';
    }
    return n;
}

int main(void) {
    static char text[TEXT_CAP];
    static uint8_t encoded[TEXT_CAP], decoded[TEXT_CAP], sorted_syms[NSYM];
    uint32_t freq[NSYM] = {0}, code[NSYM] = {0};
    uint8_t len[NSYM] = {0};
    int count[MAX_LEN + 1];
    int fails = 0;

    size_t n = make_text(text, sizeof text);
    for (size_t i = 0; i < n; i++) freq[(uint8_t)text[i]]++;
    int root = build_tree(freq);
    code_lengths(root, 0, len);
    canonical_codes(len, code, count);

    int nsyms = 0, maxlen = 0;
    uint64_t kraft = 0, expected_bits = 0; /* Kraft sum scaled by 2^MAX_LEN */
    double entropy = 0.0;
    for (int l = 1; l <= MAX_LEN; l++)
        for (int s = 0; s < NSYM; s++)
            if (len[s] == l) sorted_syms[nsyms++] = (uint8_t)s;
    for (int s = 0; s < NSYM; s++) {
        if (!len[s]) continue;
        if (len[s] > maxlen) maxlen = len[s];
        kraft += (uint64_t)1 << (MAX_LEN - len[s]);
        expected_bits += (uint64_t)freq[s] * len[s];
        double p = (double)freq[s] / (double)n;
        entropy -= p * log2(p);
    }

    bitstream bs = {encoded, 0};
    for (size_t i = 0; i < n; i++) put_bits(&bs, code[(uint8_t)text[i]], len[(uint8_t)text[i]]);
    size_t total_bits = bs.bitpos;

    int prefix_free = build_trie(len, code);
    bitstream in = {encoded, 0};
    for (size_t i = 0; i < n; i++) decoded[i] = (uint8_t)decode_trie(&in);
    int tree_ok = prefix_free && in.bitpos == total_bits && memcmp(decoded, text, n) == 0;
    in.bitpos = 0;
    memset(decoded, 0, n);
    for (size_t i = 0; i < n; i++) decoded[i] = (uint8_t)decode_canonical(&in, count, sorted_syms);
    int canon_ok = in.bitpos == total_bits && memcmp(decoded, text, n) == 0;

    double bits_per_symbol = (double)total_bits / (double)n;
    printf("text %zu bytes, %d symbols, longest code %d bits\n", n, nsyms, maxlen);
    printf("encoded %zu bits (%zu bytes), %.3f bits/symbol, entropy %.3f\n", total_bits, (total_bits + 7) / 8,
           bits_per_symbol, entropy);
    printf("round trip: trie %s, canonical %s\n", tree_ok ? "ok" : "FAILED", canon_ok ? "ok" : "FAILED");
    if (!tree_ok || !canon_ok) fails++;
    if (kraft != (uint64_t)1 << MAX_LEN || total_bits != expected_bits) fails++;
    if (bits_per_symbol < entropy || bits_per_symbol >= entropy + 1.0) fails++;
    if (n != 39984 || nsyms != 28 || total_bits != 159287) fails++;

    printf("%s\n", fails ? "FAIL" : "OK");
    return fails ? 1 : 0;
}
