// kernels-v0: in-memory mini SQL database: lexer, parser, B-tree tables and indexes, planner, executor, transactions
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ====================================================================== */
/* Limits                                                                 */
/* ====================================================================== */

#define MAX_COLS 16
#define MAX_NAME 48
#define MAX_TABLES 16
#define MAX_INDEXES 32
#define MAX_JOIN 4
#define MAX_ITEMS 24
#define MAX_ARGS 16
#define MAX_ORDER 8
#define MAX_GROUP 8
#define MAX_AGGS 16
#define MAX_ERR 160
#define MAX_CHECKS 8
#define MAX_SAVEPOINTS 8
#define BT_T 4 /* B-tree minimum degree */
#define BT_MAX_KEYS (2 * BT_T - 1)
#define BT_MAX_DEPTH 40

/* ====================================================================== */
/* Arena allocator for per-statement memory                               */
/* ====================================================================== */

struct arena_block {
    struct arena_block *next;
    size_t used;
    size_t cap;
    size_t pad; /* keeps data 16-byte aligned */
    unsigned char data[];
};

struct arena {
    struct arena_block *head;
    size_t total;
    size_t blocks;
};

static void out_of_memory(void) {
    fputs("out of memory\n", stdout);
    exit(1);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory();
    return q;
}

static void *arena_alloc(struct arena *a, size_t n) {
    n = (n + 15u) & ~(size_t)15u;
    if (!a->head || a->head->used + n > a->head->cap) {
        size_t cap = n > 32768 ? n : 32768;
        struct arena_block *b = xmalloc(sizeof *b + cap);
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        b->pad = 0;
        a->head = b;
        a->blocks++;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += n;
    a->total += n;
    return p;
}

static void *arena_zalloc(struct arena *a, size_t n) {
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

static void arena_reset(struct arena *a) {
    struct arena_block *b = a->head;
    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
    a->total = 0;
    a->blocks = 0;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n) {
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static char *arena_strdup(struct arena *a, const char *s) {
    return arena_strndup(a, s, strlen(s));
}

static char *heap_strdup(const char *s) {
    size_t n = strlen(s);
    char *p = xmalloc(n + 1);
    memcpy(p, s, n + 1);
    return p;
}

/* ====================================================================== */
/* Character classes and string helpers                                   */
/* ====================================================================== */

static int ch_is_space(int c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}
static int ch_is_digit(int c) { return c >= '0' && c <= '9'; }
static int ch_is_alpha(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int ch_is_alnum(int c) { return ch_is_alpha(c) || ch_is_digit(c); }
static int ch_lower(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static int ch_upper(int c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; }

static int str_icmp(const char *a, const char *b) {
    for (;; a++, b++) {
        int ca = ch_lower((unsigned char)*a), cb = ch_lower((unsigned char)*b);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (ca == 0)
            return 0;
    }
}

static int str_nicmp(const char *a, size_t alen, const char *b) {
    size_t i = 0;
    for (; i < alen && b[i]; i++) {
        int ca = ch_lower((unsigned char)a[i]), cb = ch_lower((unsigned char)b[i]);
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    if (i < alen)
        return 1;
    return b[i] ? -1 : 0;
}

static int str_ieq(const char *a, const char *b) { return str_icmp(a, b) == 0; }

static void str_copy_name(char *dst, const char *src) {
    size_t n = strlen(src);
    if (n >= MAX_NAME)
        n = MAX_NAME - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static uint32_t hash_bytes(uint32_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

static uint32_t hash_str(uint32_t h, const char *s) {
    return hash_bytes(h, s, strlen(s));
}

static uint32_t hash_u64(uint32_t h, uint64_t v) {
    for (int i = 0; i < 8; i++) {
        h ^= (uint32_t)(v & 0xFFu);
        h *= 16777619u;
        v >>= 8;
    }
    return h;
}

/* Formats a signed 64-bit integer without relying on printf. Returns the
 * length; buf must hold at least 21 bytes. */
static size_t fmt_i64(char *buf, int64_t v) {
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10u);
        u /= 10u;
    } while (u);
    size_t len = 0;
    if (v < 0)
        buf[len++] = '-';
    while (n)
        buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

/* Parses an optionally signed decimal integer occupying the whole string
 * (surrounding spaces allowed). Returns 1 on success, 0 on junk or overflow. */
static int parse_i64_strict(const char *s, int64_t *out) {
    while (ch_is_space((unsigned char)*s))
        s++;
    int neg = 0;
    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        s++;
    }
    if (!ch_is_digit((unsigned char)*s))
        return 0;
    uint64_t acc = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    while (ch_is_digit((unsigned char)*s)) {
        uint64_t d = (uint64_t)(*s - '0');
        if (acc > (limit - d) / 10u)
            return 0;
        acc = acc * 10u + d;
        s++;
    }
    while (ch_is_space((unsigned char)*s))
        s++;
    if (*s)
        return 0;
    if (neg)
        *out = acc == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)acc;
    else
        *out = (int64_t)acc;
    return 1;
}

/* Leading-integer conversion used when text meets arithmetic: "42abc" is
 * 42, "abc" is 0; saturates instead of overflowing. */
static int64_t parse_i64_prefix(const char *s) {
    while (ch_is_space((unsigned char)*s))
        s++;
    int neg = 0;
    if (*s == '+' || *s == '-') {
        neg = *s == '-';
        s++;
    }
    uint64_t acc = 0;
    while (ch_is_digit((unsigned char)*s)) {
        uint64_t d = (uint64_t)(*s - '0');
        if (acc > ((uint64_t)INT64_MAX - d) / 10u) {
            acc = (uint64_t)INT64_MAX;
            break;
        }
        acc = acc * 10u + d;
        s++;
    }
    return neg ? -(int64_t)acc : (int64_t)acc;
}

/* SQL LIKE with % and _ wildcards, ASCII case-insensitive, iterative with
 * single-star backtracking. */
static int like_match(const char *pat, const char *str) {
    const char *star_p = NULL, *star_s = NULL;
    while (*str) {
        if (*pat == '%') {
            while (*pat == '%')
                pat++;
            if (!*pat)
                return 1;
            star_p = pat;
            star_s = str;
        } else if (*pat == '_' ||
                   (*pat && ch_lower((unsigned char)*pat) ==
                                ch_lower((unsigned char)*str))) {
            pat++;
            str++;
        } else if (star_p) {
            pat = star_p;
            str = ++star_s;
        } else {
            return 0;
        }
    }
    while (*pat == '%')
        pat++;
    return *pat == '\0';
}

/* Matches a GLOB character class starting after '['; advances *pp past
 * the closing ']'. Returns 1 if c is in the class. */
static int glob_class(const char **pp, int c, int *ok) {
    const char *p = *pp;
    int negate = 0, matched = 0;
    if (*p == '^') {
        negate = 1;
        p++;
    }
    if (*p == ']') { /* a leading ']' is literal */
        matched |= c == ']';
        p++;
    }
    while (*p && *p != ']') {
        if (p[1] == '-' && p[2] && p[2] != ']') {
            if (c >= (unsigned char)p[0] && c <= (unsigned char)p[2])
                matched = 1;
            p += 3;
        } else {
            if (c == (unsigned char)*p)
                matched = 1;
            p++;
        }
    }
    *ok = *p == ']';
    *pp = *p ? p + 1 : p;
    return matched != negate;
}

/* Unix-style GLOB: '*', '?', and [...] classes; case sensitive. */
static int glob_match(const char *pat, const char *str) {
    while (*pat) {
        if (*pat == '*') {
            while (*pat == '*')
                pat++;
            if (!*pat)
                return 1;
            for (const char *s = str; *s; s++)
                if (glob_match(pat, s))
                    return 1;
            return 0;
        }
        if (!*str)
            return 0;
        if (*pat == '?') {
            pat++;
            str++;
        } else if (*pat == '[') {
            const char *p = pat + 1;
            int well_formed;
            int in = glob_class(&p, (unsigned char)*str, &well_formed);
            if (!well_formed || !in)
                return 0;
            pat = p;
            str++;
        } else {
            if (*pat != *str)
                return 0;
            pat++;
            str++;
        }
    }
    return *str == '\0';
}

/* ====================================================================== */
/* Growable string buffer                                                 */
/* ====================================================================== */

struct sbuf {
    char *data;
    size_t len;
    size_t cap;
};

static void sb_init(struct sbuf *b) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

static void sb_free(struct sbuf *b) {
    free(b->data);
    sb_init(b);
}

static void sb_reserve(struct sbuf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

static void sb_putn(struct sbuf *b, const char *s, size_t n) {
    sb_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_putc(struct sbuf *b, char c) { sb_putn(b, &c, 1); }

static void sb_put_i64(struct sbuf *b, int64_t v) {
    char tmp[24];
    size_t n = fmt_i64(tmp, v);
    sb_putn(b, tmp, n);
}

static void sb_repeat(struct sbuf *b, char c, size_t n) {
    sb_reserve(b, n);
    memset(b->data + b->len, c, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static const char *sb_str(const struct sbuf *b) { return b->data ? b->data : ""; }

/* Appends s as a single-quoted SQL literal, doubling embedded quotes. */
static void sb_put_quoted(struct sbuf *b, const char *s) {
    sb_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            sb_putc(b, '\'');
        sb_putc(b, *s);
    }
    sb_putc(b, '\'');
}

/* ====================================================================== */
/* Errors                                                                 */
/* ====================================================================== */

enum status {
    ST_OK,
    ST_SYNTAX,
    ST_NO_TABLE,
    ST_NO_COLUMN,
    ST_EXISTS,
    ST_CONSTRAINT,
    ST_TYPE,
    ST_OVERFLOW,
    ST_MISUSE,
    ST_LIMIT,
    ST_COUNT
};

static const char *const status_names[ST_COUNT] = {
    "ok",         "syntax error", "no such table", "no such column",
    "exists",     "constraint",   "type mismatch", "integer overflow",
    "misuse",     "limit",
};

struct error {
    enum status code;
    char msg[MAX_ERR];
};

static void err_clear(struct error *e) {
    e->code = ST_OK;
    e->msg[0] = '\0';
}

/* Sets the error (first error wins) from up to four message pieces. */
static enum status err_set4(struct error *e, enum status code, const char *a,
                            const char *b, const char *c, const char *d) {
    if (e->code != ST_OK)
        return e->code;
    e->code = code;
    size_t n = 0;
    const char *parts[4] = {a, b, c, d};
    for (int i = 0; i < 4; i++) {
        const char *p = parts[i];
        if (!p)
            continue;
        while (*p && n + 1 < MAX_ERR)
            e->msg[n++] = *p++;
    }
    e->msg[n] = '\0';
    return code;
}

static enum status err_set(struct error *e, enum status code, const char *a,
                           const char *b, const char *c) {
    return err_set4(e, code, a, b, c, NULL);
}

/* ====================================================================== */
/* Values                                                                 */
/* ====================================================================== */

enum vtype { VT_NULL, VT_INT, VT_TEXT };

static const char *const vtype_names[] = {"null", "integer", "text"};

struct value {
    enum vtype type;
    int64_t i;
    const char *s;
};

static struct value v_null(void) {
    struct value v = {VT_NULL, 0, NULL};
    return v;
}

static struct value v_int(int64_t i) {
    struct value v = {VT_INT, i, NULL};
    return v;
}

static struct value v_text(const char *s) {
    struct value v = {VT_TEXT, 0, s};
    return v;
}

static struct value v_bool(int b) { return v_int(b ? 1 : 0); }

/* Total order: NULL < integers < text; text compares bytewise. */
static int value_cmp(const struct value *a, const struct value *b) {
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    switch (a->type) {
    case VT_NULL:
        return 0;
    case VT_INT:
        return (a->i > b->i) - (a->i < b->i);
    case VT_TEXT: {
        int c = strcmp(a->s, b->s);
        return (c > 0) - (c < 0);
    }
    }
    return 0;
}

static int value_eq(const struct value *a, const struct value *b) {
    return value_cmp(a, b) == 0;
}

static uint32_t value_hash(uint32_t h, const struct value *v) {
    h = hash_u64(h, (uint64_t)v->type);
    if (v->type == VT_INT)
        h = hash_u64(h, (uint64_t)v->i);
    else if (v->type == VT_TEXT)
        h = hash_str(h, v->s);
    return h;
}

static struct value value_dup_heap(const struct value *v) {
    struct value r = *v;
    if (v->type == VT_TEXT)
        r.s = heap_strdup(v->s);
    return r;
}

static void value_free_heap(struct value *v) {
    if (v->type == VT_TEXT)
        free((char *)v->s);
    *v = v_null();
}

static struct value value_dup_arena(struct arena *a, const struct value *v) {
    struct value r = *v;
    if (v->type == VT_TEXT)
        r.s = arena_strdup(a, v->s);
    return r;
}

static const char *value_to_text(struct arena *a, const struct value *v) {
    char tmp[24];
    switch (v->type) {
    case VT_NULL:
        return "NULL";
    case VT_INT:
        fmt_i64(tmp, v->i);
        return arena_strdup(a, tmp);
    case VT_TEXT:
        return v->s;
    }
    return "";
}

/* Numeric view of a value; NULL yields 0 with *is_null set. */
static int64_t value_as_int(const struct value *v, int *is_null) {
    *is_null = v->type == VT_NULL;
    if (v->type == VT_INT)
        return v->i;
    if (v->type == VT_TEXT)
        return parse_i64_prefix(v->s);
    return 0;
}

/* Three-valued truth: 1 true, 0 false, -1 unknown (NULL). */
static int value_truth(const struct value *v) {
    int is_null;
    int64_t i = value_as_int(v, &is_null);
    if (is_null)
        return -1;
    return i != 0;
}

static void sb_put_value(struct sbuf *b, const struct value *v) {
    switch (v->type) {
    case VT_NULL:
        sb_puts(b, "NULL");
        break;
    case VT_INT:
        sb_put_i64(b, v->i);
        break;
    case VT_TEXT:
        sb_puts(b, v->s);
        break;
    }
}

/* Checked 64-bit integer arithmetic. Returns 0 on overflow. */
static int checked_add(int64_t a, int64_t b, int64_t *r) {
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
        return 0;
    *r = a + b;
    return 1;
}

static int checked_sub(int64_t a, int64_t b, int64_t *r) {
    if ((b < 0 && a > INT64_MAX + b) || (b > 0 && a < INT64_MIN + b))
        return 0;
    *r = a - b;
    return 1;
}

static int checked_mul(int64_t a, int64_t b, int64_t *r) {
    if (a == 0 || b == 0) {
        *r = 0;
        return 1;
    }
    if (a == INT64_MIN || b == INT64_MIN) {
        if (a == 1 || b == 1) {
            *r = a == 1 ? b : a;
            return 1;
        }
        return 0;
    }
    int64_t aa = a < 0 ? -a : a, ab = b < 0 ? -b : b;
    if (aa > INT64_MAX / ab)
        return 0;
    *r = a * b;
    return 1;
}

/* ====================================================================== */
/* Lexer                                                                  */
/* ====================================================================== */

enum tok {
    T_EOF,
    T_ERROR,
    T_IDENT,
    T_INT,
    T_STRING,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_SEMI,
    T_DOT,
    T_STAR,
    T_PLUS,
    T_MINUS,
    T_SLASH,
    T_PERCENT,
    T_CONCAT,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    /* keywords, in the same order as the keyword table */
    K_ADD,
    K_ALL,
    K_ALTER,
    K_ANALYZE,
    K_AND,
    K_AS,
    K_ASC,
    K_BEGIN,
    K_BETWEEN,
    K_BY,
    K_CASE,
    K_CAST,
    K_CHECK,
    K_COLUMN,
    K_COMMIT,
    K_CONFLICT,
    K_CREATE,
    K_DEFAULT,
    K_DELETE,
    K_DESC,
    K_DISTINCT,
    K_DO,
    K_DROP,
    K_ELSE,
    K_END,
    K_EXCEPT,
    K_EXISTS,
    K_EXPLAIN,
    K_FIRST,
    K_FROM,
    K_GLOB,
    K_GROUP,
    K_HAVING,
    K_IF,
    K_IGNORE,
    K_IN,
    K_INDEX,
    K_INNER,
    K_INSERT,
    K_INTEGER,
    K_INTERSECT,
    K_INTO,
    K_IS,
    K_JOIN,
    K_KEY,
    K_LAST,
    K_LEFT,
    K_LIKE,
    K_LIMIT,
    K_NOT,
    K_NOTHING,
    K_NULL,
    K_NULLS,
    K_OFFSET,
    K_ON,
    K_OR,
    K_ORDER,
    K_OUTER,
    K_PRAGMA,
    K_PRIMARY,
    K_RELEASE,
    K_RENAME,
    K_REPLACE,
    K_ROLLBACK,
    K_SAVEPOINT,
    K_SELECT,
    K_SET,
    K_TABLE,
    K_TEXT,
    K_THEN,
    K_TO,
    K_UNION,
    K_UNIQUE,
    K_UPDATE,
    K_VACUUM,
    K_VALUES,
    K_VIEW,
    K_WHEN,
    K_WHERE,
    T_COUNT
};

/* Sorted by name for binary search; checked at startup. */
static const struct {
    const char *name;
    enum tok tok;
} keyword_table[] = {
    {"ADD", K_ADD}, {"ALL", K_ALL}, {"ALTER", K_ALTER}, {"ANALYZE", K_ANALYZE},
    {"AND", K_AND}, {"AS", K_AS}, {"ASC", K_ASC}, {"BEGIN", K_BEGIN},
    {"BETWEEN", K_BETWEEN}, {"BY", K_BY}, {"CASE", K_CASE}, {"CAST", K_CAST},
    {"CHECK", K_CHECK}, {"COLUMN", K_COLUMN}, {"COMMIT", K_COMMIT},
    {"CONFLICT", K_CONFLICT}, {"CREATE", K_CREATE}, {"DEFAULT", K_DEFAULT},
    {"DELETE", K_DELETE}, {"DESC", K_DESC}, {"DISTINCT", K_DISTINCT},
    {"DO", K_DO}, {"DROP", K_DROP}, {"ELSE", K_ELSE}, {"END", K_END},
    {"EXCEPT", K_EXCEPT}, {"EXISTS", K_EXISTS}, {"EXPLAIN", K_EXPLAIN},
    {"FIRST", K_FIRST}, {"FROM", K_FROM}, {"GLOB", K_GLOB}, {"GROUP", K_GROUP},
    {"HAVING", K_HAVING}, {"IF", K_IF}, {"IGNORE", K_IGNORE}, {"IN", K_IN},
    {"INDEX", K_INDEX}, {"INNER", K_INNER}, {"INSERT", K_INSERT},
    {"INTEGER", K_INTEGER}, {"INTERSECT", K_INTERSECT}, {"INTO", K_INTO},
    {"IS", K_IS}, {"JOIN", K_JOIN}, {"KEY", K_KEY}, {"LAST", K_LAST},
    {"LEFT", K_LEFT}, {"LIKE", K_LIKE}, {"LIMIT", K_LIMIT}, {"NOT", K_NOT},
    {"NOTHING", K_NOTHING}, {"NULL", K_NULL}, {"NULLS", K_NULLS},
    {"OFFSET", K_OFFSET}, {"ON", K_ON}, {"OR", K_OR}, {"ORDER", K_ORDER},
    {"OUTER", K_OUTER}, {"PRAGMA", K_PRAGMA}, {"PRIMARY", K_PRIMARY},
    {"RELEASE", K_RELEASE}, {"RENAME", K_RENAME}, {"REPLACE", K_REPLACE},
    {"ROLLBACK", K_ROLLBACK}, {"SAVEPOINT", K_SAVEPOINT}, {"SELECT", K_SELECT},
    {"SET", K_SET}, {"TABLE", K_TABLE}, {"TEXT", K_TEXT}, {"THEN", K_THEN},
    {"TO", K_TO}, {"UNION", K_UNION}, {"UNIQUE", K_UNIQUE},
    {"UPDATE", K_UPDATE}, {"VACUUM", K_VACUUM}, {"VALUES", K_VALUES},
    {"VIEW", K_VIEW}, {"WHEN", K_WHEN}, {"WHERE", K_WHERE},
};

#define NUM_KEYWORDS (sizeof keyword_table / sizeof keyword_table[0])

static int keyword_table_valid(void) {
    for (size_t i = 1; i < NUM_KEYWORDS; i++)
        if (strcmp(keyword_table[i - 1].name, keyword_table[i].name) >= 0)
            return 0;
    for (size_t i = 0; i < NUM_KEYWORDS; i++)
        if (keyword_table[i].tok != (enum tok)(K_ADD + (int)i))
            return 0;
    return 1;
}

static enum tok keyword_lookup(const char *s, size_t len) {
    size_t lo = 0, hi = NUM_KEYWORDS;
    if (len > 9)
        return T_IDENT;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = str_nicmp(s, len, keyword_table[mid].name);
        if (c == 0)
            return keyword_table[mid].tok;
        if (c > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return T_IDENT;
}

static const char *tok_name(enum tok t) {
    static const char *const punct[] = {
        "end of input", "invalid token", "identifier", "integer", "string",
        "(", ")", ",", ";", ".", "*", "+", "-", "/", "%", "||", "=", "!=",
        "<", "<=", ">", ">=",
    };
    if (t < K_ADD)
        return punct[t];
    if (t < T_COUNT)
        return keyword_table[t - K_ADD].name;
    return "?";
}

struct token {
    enum tok type;
    const char *start;
    size_t len;
    int64_t ival;
    const char *text; /* unescaped string or identifier, arena owned */
    int line;
};

struct lexer {
    const char *src;
    size_t pos;
    int line;
    struct arena *arena;
    struct error *err;
    unsigned tokens;
};

static void lex_init(struct lexer *lx, const char *src, struct arena *a,
                     struct error *err) {
    lx->src = src;
    lx->pos = 0;
    lx->line = 1;
    lx->arena = a;
    lx->err = err;
    lx->tokens = 0;
}

static int lex_peekc(const struct lexer *lx, size_t ahead) {
    return (unsigned char)lx->src[lx->pos + ahead];
}

static int lex_skip_trivia(struct lexer *lx) {
    for (;;) {
        int c = lex_peekc(lx, 0);
        if (c == '\n') {
            lx->line++;
            lx->pos++;
        } else if (ch_is_space(c)) {
            lx->pos++;
        } else if (c == '-' && lex_peekc(lx, 1) == '-') {
            while (lex_peekc(lx, 0) && lex_peekc(lx, 0) != '\n')
                lx->pos++;
        } else if (c == '/' && lex_peekc(lx, 1) == '*') {
            lx->pos += 2;
            while (lex_peekc(lx, 0) &&
                   !(lex_peekc(lx, 0) == '*' && lex_peekc(lx, 1) == '/')) {
                if (lex_peekc(lx, 0) == '\n')
                    lx->line++;
                lx->pos++;
            }
            if (!lex_peekc(lx, 0)) {
                err_set(lx->err, ST_SYNTAX, "unterminated comment", NULL, NULL);
                return 0;
            }
            lx->pos += 2;
        } else {
            return 1;
        }
    }
}

static struct token lex_next(struct lexer *lx) {
    struct token t;
    memset(&t, 0, sizeof t);
    t.type = T_ERROR;
    if (!lex_skip_trivia(lx)) {
        t.start = lx->src + lx->pos;
        return t;
    }
    size_t begin = lx->pos;
    t.start = lx->src + begin;
    t.line = lx->line;
    lx->tokens++;
    int c = lex_peekc(lx, 0);
    if (c == '\0') {
        t.type = T_EOF;
    } else if (ch_is_alpha(c)) {
        while (ch_is_alnum(lex_peekc(lx, 0)))
            lx->pos++;
        t.type = keyword_lookup(t.start, lx->pos - begin);
        t.text = arena_strndup(lx->arena, t.start, lx->pos - begin);
    } else if (c == '"' || c == '`') {
        int q = c;
        lx->pos++;
        while (lex_peekc(lx, 0) && lex_peekc(lx, 0) != q)
            lx->pos++;
        if (!lex_peekc(lx, 0)) {
            err_set(lx->err, ST_SYNTAX, "unterminated quoted identifier", NULL,
                    NULL);
            return t;
        }
        t.type = T_IDENT;
        t.text = arena_strndup(lx->arena, t.start + 1, lx->pos - begin - 1);
        lx->pos++;
    } else if (ch_is_digit(c)) {
        uint64_t acc = 0;
        int overflow = 0;
        while (ch_is_digit(lex_peekc(lx, 0))) {
            uint64_t d = (uint64_t)(lex_peekc(lx, 0) - '0');
            if (acc > ((uint64_t)INT64_MAX - d) / 10u)
                overflow = 1;
            else
                acc = acc * 10u + d;
            lx->pos++;
        }
        if (overflow || ch_is_alpha(lex_peekc(lx, 0))) {
            err_set(lx->err, ST_SYNTAX, "malformed number", NULL, NULL);
            return t;
        }
        t.type = T_INT;
        t.ival = (int64_t)acc;
    } else if (c == '\'') {
        struct sbuf sb;
        sb_init(&sb);
        lx->pos++;
        for (;;) {
            int d = lex_peekc(lx, 0);
            if (d == '\0') {
                sb_free(&sb);
                err_set(lx->err, ST_SYNTAX, "unterminated string", NULL, NULL);
                return t;
            }
            if (d == '\'') {
                if (lex_peekc(lx, 1) == '\'') {
                    sb_putc(&sb, '\'');
                    lx->pos += 2;
                    continue;
                }
                lx->pos++;
                break;
            }
            if (d == '\n')
                lx->line++;
            sb_putc(&sb, (char)d);
            lx->pos++;
        }
        t.type = T_STRING;
        t.text = arena_strdup(lx->arena, sb_str(&sb));
        sb_free(&sb);
    } else {
        lx->pos++;
        switch (c) {
        case '(': t.type = T_LPAREN; break;
        case ')': t.type = T_RPAREN; break;
        case ',': t.type = T_COMMA; break;
        case ';': t.type = T_SEMI; break;
        case '.': t.type = T_DOT; break;
        case '*': t.type = T_STAR; break;
        case '+': t.type = T_PLUS; break;
        case '-': t.type = T_MINUS; break;
        case '/': t.type = T_SLASH; break;
        case '%': t.type = T_PERCENT; break;
        case '|':
            if (lex_peekc(lx, 0) == '|') {
                lx->pos++;
                t.type = T_CONCAT;
            }
            break;
        case '=':
            if (lex_peekc(lx, 0) == '=')
                lx->pos++;
            t.type = T_EQ;
            break;
        case '!':
            if (lex_peekc(lx, 0) == '=') {
                lx->pos++;
                t.type = T_NE;
            }
            break;
        case '<':
            if (lex_peekc(lx, 0) == '=') {
                lx->pos++;
                t.type = T_LE;
            } else if (lex_peekc(lx, 0) == '>') {
                lx->pos++;
                t.type = T_NE;
            } else {
                t.type = T_LT;
            }
            break;
        case '>':
            if (lex_peekc(lx, 0) == '=') {
                lx->pos++;
                t.type = T_GE;
            } else {
                t.type = T_GT;
            }
            break;
        default:
            break;
        }
        if (t.type == T_ERROR) {
            char bad[2] = {(char)c, '\0'};
            err_set(lx->err, ST_SYNTAX, "unrecognized token: \"", bad, "\"");
        }
    }
    t.len = lx->pos - begin;
    return t;
}

/* ====================================================================== */
/* Syntax tree                                                            */
/* ====================================================================== */

enum expr_kind {
    E_LIT,
    E_COL,
    E_NEG,
    E_NOT,
    E_BIN,
    E_FUNC,
    E_AGG,
    E_BETWEEN,
    E_IN,
    E_ISNULL,
    E_LIKE,
    E_CASE,
    E_CAST,
    E_SUBQUERY,
    E_EXISTS
};

struct select_stmt;
struct value_set;

struct expr {
    enum expr_kind kind;
    enum tok op;
    int negated;
    struct value lit;
    const char *tname;
    const char *cname;
    int slot, col;
    int func;
    int agg_index;
    int distinct;
    int star;
    struct expr *left, *right, *third;
    struct expr **list;
    int nlist;
    enum vtype cast_type;
    int glob;                 /* E_LIKE: GLOB instead of LIKE */
    int depth;                /* E_COL: 0 local, n = n-th enclosing query */
    struct select_stmt *sub;  /* E_SUBQUERY, E_EXISTS, E_IN (SELECT ...) */
    unsigned outer_mask;      /* slots of this query used inside `sub` */
    int correlated;           /* `sub` depends on rows of enclosing queries */
    int cache_state;          /* 0 none, 1 cached (uncorrelated subquery) */
    struct value cached;
    struct value_set *cached_set;
    int cached_has_null;
};

struct select_item {
    struct expr *e;
    const char *alias;
    int star;            /* "*" or "t.*" */
    const char *star_of; /* qualifier for t.* */
};

struct from_item {
    const char *table;
    const char *alias;
    struct expr *on;
    int left;                /* LEFT [OUTER] JOIN */
    struct select_stmt *sub; /* derived table: FROM (SELECT ...) */
};

enum compound_op { C_NONE, C_UNION, C_UNION_ALL, C_INTERSECT, C_EXCEPT };

static const char *const compound_names[] = {"", "UNION", "UNION ALL",
                                             "INTERSECT", "EXCEPT"};

enum nulls_order { NULLS_DEFAULT, NULLS_FIRST, NULLS_LAST };

struct order_item {
    struct expr *e;
    int desc;
    enum nulls_order nulls;
};

struct select_stmt {
    int distinct;
    struct select_item items[MAX_ITEMS];
    int nitems;
    struct from_item from[MAX_JOIN];
    int nfrom;
    struct expr *where;
    struct expr *group[MAX_GROUP];
    int ngroup;
    struct expr *having;
    struct order_item order[MAX_ORDER];
    int norder;
    struct expr *limit, *offset;
    enum compound_op compound; /* how `next` combines with this core */
    struct select_stmt *next;
};

struct column_def {
    const char *name;
    enum vtype type;
    int not_null;
    int unique;
    int primary;
    int has_default;
    struct value def;
};

enum stmt_kind {
    S_CREATE_TABLE,
    S_CREATE_INDEX,
    S_DROP_TABLE,
    S_DROP_INDEX,
    S_INSERT,
    S_SELECT,
    S_UPDATE,
    S_DELETE,
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_CREATE_VIEW,
    S_DROP_VIEW,
    S_ALTER,
    S_PRAGMA,
    S_ANALYZE,
    S_VACUUM,
    S_SAVEPOINT,
    S_RELEASE,
    S_ROLLBACK_TO
};

static const char *const stmt_names[] = {
    "CREATE TABLE", "CREATE INDEX", "DROP TABLE",  "DROP INDEX",
    "INSERT",       "SELECT",       "UPDATE",      "DELETE",
    "BEGIN",        "COMMIT",       "ROLLBACK",    "CREATE VIEW",
    "DROP VIEW",    "ALTER TABLE",  "PRAGMA",      "ANALYZE",
    "VACUUM",       "SAVEPOINT",    "RELEASE",     "ROLLBACK TO",
};

enum conflict_mode { CONFLICT_ABORT, CONFLICT_IGNORE, CONFLICT_REPLACE };

enum upsert_kind { UPSERT_NONE, UPSERT_NOTHING, UPSERT_UPDATE };

enum alter_kind { ALTER_ADD_COLUMN, ALTER_RENAME_TABLE, ALTER_RENAME_COLUMN };

struct stmt {
    enum stmt_kind kind;
    int explain;
    int if_exists;     /* IF EXISTS / IF NOT EXISTS */
    const char *name;  /* table or index name */
    const char *table; /* CREATE INDEX target table */
    const char *column;
    int unique;
    struct column_def cols[MAX_COLS];
    int ncols;
    const char *checks[MAX_CHECKS]; /* CHECK constraint texts */
    int nchecks;
    /* INSERT */
    const char *ins_cols[MAX_COLS];
    int nins_cols;
    struct expr ***rows; /* rows[r][c] */
    int nrows;
    int nvals; /* values per row */
    struct select_stmt *select; /* SELECT, or INSERT ... SELECT */
    /* UPDATE */
    const char *set_cols[MAX_COLS];
    struct expr *set_exprs[MAX_COLS];
    int nset;
    struct expr *where;
    enum conflict_mode conflict;
    enum upsert_kind upsert;      /* ON CONFLICT [(col)] DO ... */
    const char *conflict_col;
    /* ALTER TABLE */
    enum alter_kind alter;
    const char *new_name;
    /* CREATE VIEW: the SELECT text */
    const char *view_sql;
    /* PRAGMA name [= value | (arg)] */
    const char *pragma_arg;
    int has_pragma_value;
    struct value pragma_value;
};

/* ====================================================================== */
/* Functions known to the parser                                          */
/* ====================================================================== */

enum func_id {
    F_LENGTH,
    F_UPPER,
    F_LOWER,
    F_ABS,
    F_SUBSTR,
    F_TRIM,
    F_REPLACE,
    F_INSTR,
    F_COALESCE,
    F_IFNULL,
    F_NULLIF,
    F_TYPEOF,
    F_PRINTF,
    F_MIN2,
    F_MAX2,
    F_HEX,
    F_SIGN,
    F_LTRIM,
    F_RTRIM,
    F_QUOTE,
    F_CHAR,
    F_UNICODE,
    F_IIF,
    F_CONCAT,
    F_CONCAT_WS,
    F_FORMAT,
    F_REVERSE,
    F_GLOB,
    F_LIKE,
    F_CHANGES,
    F_TOTAL_CHANGES,
    F_LAST_INSERT_ROWID,
    F_COUNT_FUNCS
};

enum agg_id { A_COUNT, A_SUM, A_MIN, A_MAX, A_AVG, A_TOTAL, A_GROUP_CONCAT };

struct func_info {
    const char *name;
    int min_args, max_args;
};

static const struct func_info func_table[F_COUNT_FUNCS] = {
    [F_LENGTH] = {"length", 1, 1},   [F_UPPER] = {"upper", 1, 1},
    [F_LOWER] = {"lower", 1, 1},     [F_ABS] = {"abs", 1, 1},
    [F_SUBSTR] = {"substr", 2, 3},   [F_TRIM] = {"trim", 1, 2},
    [F_REPLACE] = {"replace", 3, 3}, [F_INSTR] = {"instr", 2, 2},
    [F_COALESCE] = {"coalesce", 2, MAX_ARGS},
    [F_IFNULL] = {"ifnull", 2, 2},   [F_NULLIF] = {"nullif", 2, 2},
    [F_TYPEOF] = {"typeof", 1, 1},   [F_PRINTF] = {"printf", 1, MAX_ARGS},
    [F_MIN2] = {"min", 2, MAX_ARGS}, [F_MAX2] = {"max", 2, MAX_ARGS},
    [F_HEX] = {"hex", 1, 1},         [F_SIGN] = {"sign", 1, 1},
    [F_LTRIM] = {"ltrim", 1, 2},     [F_RTRIM] = {"rtrim", 1, 2},
    [F_QUOTE] = {"quote", 1, 1},     [F_CHAR] = {"char", 1, MAX_ARGS},
    [F_UNICODE] = {"unicode", 1, 1}, [F_IIF] = {"iif", 3, 3},
    [F_CONCAT] = {"concat", 1, MAX_ARGS},
    [F_CONCAT_WS] = {"concat_ws", 2, MAX_ARGS},
    [F_FORMAT] = {"format", 1, MAX_ARGS},
    [F_REVERSE] = {"reverse", 1, 1}, [F_GLOB] = {"glob", 2, 2},
    [F_LIKE] = {"like", 2, 2},
    [F_CHANGES] = {"changes", 0, 0},
    [F_TOTAL_CHANGES] = {"total_changes", 0, 0},
    [F_LAST_INSERT_ROWID] = {"last_insert_rowid", 0, 0},
};

static const char *const agg_names[] = {"count", "sum",   "min",
                                        "max",   "avg",   "total",
                                        "group_concat"};

/* ====================================================================== */
/* Parser                                                                 */
/* ====================================================================== */

struct parser {
    struct lexer lx;
    struct token cur;
    struct token ahead;
    int has_ahead;
    struct arena *arena; /* statement arena for the tree */
    struct error *err;
    int in_aggregate; /* nesting guard for aggregate arguments */
};

static void p_advance(struct parser *p) {
    if (p->has_ahead) {
        p->cur = p->ahead;
        p->has_ahead = 0;
    } else {
        p->cur = lex_next(&p->lx);
    }
}

static const struct token *p_peek(struct parser *p) {
    if (!p->has_ahead) {
        p->ahead = lex_next(&p->lx);
        p->has_ahead = 1;
    }
    return &p->ahead;
}

static int p_failed(const struct parser *p) { return p->err->code != ST_OK; }

static int p_error_near(struct parser *p, const char *what) {
    char near[40];
    size_t n = p->cur.len < sizeof near - 1 ? p->cur.len : sizeof near - 1;
    if (p->cur.type == T_EOF) {
        err_set(p->err, ST_SYNTAX, what, " at end of input", NULL);
        return 0;
    }
    memcpy(near, p->cur.start, n);
    near[n] = '\0';
    err_set(p->err, ST_SYNTAX, what, " near ", near);
    return 0;
}

static int p_accept(struct parser *p, enum tok t) {
    if (p->cur.type == t) {
        p_advance(p);
        return 1;
    }
    return 0;
}

static int p_expect(struct parser *p, enum tok t) {
    if (p_accept(p, t))
        return 1;
    if (!p_failed(p)) {
        char what[48] = "expected ";
        size_t n = strlen(what);
        const char *name = tok_name(t);
        size_t m = strlen(name);
        if (m > sizeof what - n - 1)
            m = sizeof what - n - 1;
        memcpy(what + n, name, m);
        what[n + m] = '\0';
        p_error_near(p, what);
    }
    return 0;
}

/* Keywords that only have a meaning in a few places and otherwise may be
 * used as names. */
static int tok_is_soft_keyword(enum tok t) {
    switch (t) {
    case K_ADD:
    case K_ANALYZE:
    case K_COLUMN:
    case K_CONFLICT:
    case K_DO:
    case K_FIRST:
    case K_IGNORE:
    case K_KEY:
    case K_LAST:
    case K_NOTHING:
    case K_NULLS:
    case K_PRAGMA:
    case K_RELEASE:
    case K_RENAME:
    case K_SAVEPOINT:
    case K_VACUUM:
    case K_VIEW:
        return 1;
    default:
        return 0;
    }
}

static const char *p_ident(struct parser *p, const char *what) {
    if (p->cur.type == T_IDENT || tok_is_soft_keyword(p->cur.type)) {
        const char *s = p->cur.text;
        p_advance(p);
        return s;
    }
    if (!p_failed(p))
        p_error_near(p, what);
    return NULL;
}

static struct expr *new_expr(struct parser *p, enum expr_kind k) {
    struct expr *e = arena_zalloc(p->arena, sizeof *e);
    e->kind = k;
    e->slot = -1;
    e->col = -1;
    e->agg_index = -1;
    e->lit = v_null();
    return e;
}

static struct expr *mk_binary(struct parser *p, enum tok op, struct expr *l,
                              struct expr *r) {
    struct expr *e = new_expr(p, E_BIN);
    e->op = op;
    e->left = l;
    e->right = r;
    return e;
}

static struct expr *parse_expr(struct parser *p);
static struct select_stmt *parse_select(struct parser *p);

static int lookup_function(const char *name, int nargs, int *is_agg) {
    for (int i = 0; i < (int)(sizeof agg_names / sizeof agg_names[0]); i++) {
        if (str_ieq(name, agg_names[i])) {
            if ((i == A_MIN || i == A_MAX) && nargs >= 2)
                break; /* scalar min/max */
            *is_agg = 1;
            return i;
        }
    }
    for (int i = 0; i < F_COUNT_FUNCS; i++) {
        if (str_ieq(name, func_table[i].name)) {
            *is_agg = 0;
            return i;
        }
    }
    return -1;
}

static struct expr *parse_function(struct parser *p, const char *name) {
    struct expr *args[MAX_ARGS];
    int nargs = 0, star = 0, distinct = 0;
    p_advance(p); /* '(' */
    if (p_accept(p, T_STAR)) {
        star = 1;
    } else if (p->cur.type != T_RPAREN) {
        if (p_accept(p, K_DISTINCT))
            distinct = 1;
        do {
            if (nargs == MAX_ARGS) {
                err_set(p->err, ST_LIMIT, "too many arguments to ", name, NULL);
                return NULL;
            }
            args[nargs] = parse_expr(p);
            if (!args[nargs])
                return NULL;
            nargs++;
        } while (p_accept(p, T_COMMA));
    }
    if (!p_expect(p, T_RPAREN))
        return NULL;
    int is_agg = 0;
    int id = lookup_function(name, nargs, &is_agg);
    if (id < 0) {
        err_set(p->err, ST_SYNTAX, "no such function: ", name, NULL);
        return NULL;
    }
    struct expr *e = new_expr(p, is_agg ? E_AGG : E_FUNC);
    e->func = id;
    e->star = star;
    e->distinct = distinct;
    if (is_agg) {
        int want = id == A_GROUP_CONCAT ? 2 : 1;
        if (star && id != A_COUNT) {
            err_set(p->err, ST_SYNTAX, "wrong use of * in ", name, NULL);
            return NULL;
        }
        if (!star && (nargs < 1 || nargs > want)) {
            err_set(p->err, ST_SYNTAX, "wrong number of arguments to ", name,
                    NULL);
            return NULL;
        }
    } else {
        if (star || distinct || nargs < func_table[id].min_args ||
            nargs > func_table[id].max_args) {
            err_set(p->err, ST_SYNTAX, "wrong number of arguments to ", name,
                    NULL);
            return NULL;
        }
    }
    e->nlist = nargs;
    e->list = arena_alloc(p->arena, sizeof(struct expr *) * (size_t)(nargs + 1));
    for (int i = 0; i < nargs; i++)
        e->list[i] = args[i];
    if (nargs > 0)
        e->left = args[0];
    return e;
}

static struct expr *parse_case(struct parser *p) {
    struct expr *e = new_expr(p, E_CASE);
    struct expr *pairs[2 * MAX_ARGS];
    int n = 0;
    if (p->cur.type != K_WHEN) {
        e->left = parse_expr(p); /* simple CASE operand */
        if (!e->left)
            return NULL;
    }
    while (p_accept(p, K_WHEN)) {
        if (n + 2 > 2 * MAX_ARGS) {
            err_set(p->err, ST_LIMIT, "too many WHEN clauses", NULL, NULL);
            return NULL;
        }
        pairs[n] = parse_expr(p);
        if (!pairs[n] || !p_expect(p, K_THEN))
            return NULL;
        pairs[n + 1] = parse_expr(p);
        if (!pairs[n + 1])
            return NULL;
        n += 2;
    }
    if (n == 0) {
        p_error_near(p, "expected WHEN");
        return NULL;
    }
    if (p_accept(p, K_ELSE)) {
        e->third = parse_expr(p);
        if (!e->third)
            return NULL;
    }
    if (!p_expect(p, K_END))
        return NULL;
    e->nlist = n;
    e->list = arena_alloc(p->arena, sizeof(struct expr *) * (size_t)n);
    memcpy(e->list, pairs, sizeof(struct expr *) * (size_t)n);
    return e;
}

static struct expr *parse_primary(struct parser *p) {
    struct expr *e;
    enum tok type = p->cur.type;
    if (tok_is_soft_keyword(type))
        type = T_IDENT;
    switch (type) {
    case T_INT:
        e = new_expr(p, E_LIT);
        e->lit = v_int(p->cur.ival);
        p_advance(p);
        return e;
    case T_STRING:
        e = new_expr(p, E_LIT);
        e->lit = v_text(p->cur.text);
        p_advance(p);
        return e;
    case K_NULL:
        p_advance(p);
        return new_expr(p, E_LIT);
    case T_LPAREN:
        p_advance(p);
        if (p_accept(p, K_SELECT)) {
            e = new_expr(p, E_SUBQUERY);
            e->sub = parse_select(p);
            if (!e->sub || !p_expect(p, T_RPAREN))
                return NULL;
            return e;
        }
        e = parse_expr(p);
        if (!e || !p_expect(p, T_RPAREN))
            return NULL;
        return e;
    case K_EXISTS:
        p_advance(p);
        if (!p_expect(p, T_LPAREN) || !p_expect(p, K_SELECT))
            return NULL;
        e = new_expr(p, E_EXISTS);
        e->sub = parse_select(p);
        if (!e->sub || !p_expect(p, T_RPAREN))
            return NULL;
        return e;
    case K_REPLACE:
    case K_GLOB:
    case K_LIKE:
        /* keywords that double as function names */
        if (p_peek(p)->type == T_LPAREN) {
            const char *fname = p->cur.type == K_REPLACE ? "replace"
                                : p->cur.type == K_GLOB  ? "glob"
                                                         : "like";
            p_advance(p);
            return parse_function(p, fname);
        }
        p_error_near(p, "expected expression");
        return NULL;
    case K_CASE:
        p_advance(p);
        return parse_case(p);
    case K_CAST:
        p_advance(p);
        if (!p_expect(p, T_LPAREN))
            return NULL;
        e = new_expr(p, E_CAST);
        e->left = parse_expr(p);
        if (!e->left || !p_expect(p, K_AS))
            return NULL;
        if (p_accept(p, K_INTEGER))
            e->cast_type = VT_INT;
        else if (p_accept(p, K_TEXT))
            e->cast_type = VT_TEXT;
        else
            return p_error_near(p, "expected type name"), NULL;
        if (!p_expect(p, T_RPAREN))
            return NULL;
        return e;
    case T_IDENT: {
        const char *name = p->cur.text;
        const struct token *nx = p_peek(p);
        if (nx->type == T_LPAREN) {
            p_advance(p);
            return parse_function(p, name);
        }
        p_advance(p);
        e = new_expr(p, E_COL);
        if (p_accept(p, T_DOT)) {
            e->tname = name;
            if (p_accept(p, T_STAR)) {
                e->star = 1; /* t.* is only valid as a result column */
                return e;
            }
            e->cname = p_ident(p, "expected column name");
            if (!e->cname)
                return NULL;
        } else {
            e->cname = name;
        }
        return e;
    }
    default:
        p_error_near(p, "expected expression");
        return NULL;
    }
}

static struct expr *parse_unary(struct parser *p) {
    if (p_accept(p, T_MINUS)) {
        struct expr *inner = parse_unary(p);
        if (!inner)
            return NULL;
        /* fold negative literals so that -9223372036854775807 stays a literal */
        if (inner->kind == E_LIT && inner->lit.type == VT_INT) {
            inner->lit.i = -inner->lit.i;
            return inner;
        }
        struct expr *e = new_expr(p, E_NEG);
        e->left = inner;
        return e;
    }
    if (p_accept(p, T_PLUS))
        return parse_unary(p);
    return parse_primary(p);
}

static struct expr *parse_concat(struct parser *p) {
    struct expr *l = parse_unary(p);
    while (l && p->cur.type == T_CONCAT) {
        p_advance(p);
        struct expr *r = parse_unary(p);
        if (!r)
            return NULL;
        l = mk_binary(p, T_CONCAT, l, r);
    }
    return l;
}

static struct expr *parse_mul(struct parser *p) {
    struct expr *l = parse_concat(p);
    while (l && (p->cur.type == T_STAR || p->cur.type == T_SLASH ||
                 p->cur.type == T_PERCENT)) {
        enum tok op = p->cur.type;
        p_advance(p);
        struct expr *r = parse_concat(p);
        if (!r)
            return NULL;
        l = mk_binary(p, op, l, r);
    }
    return l;
}

static struct expr *parse_add(struct parser *p) {
    struct expr *l = parse_mul(p);
    while (l && (p->cur.type == T_PLUS || p->cur.type == T_MINUS)) {
        enum tok op = p->cur.type;
        p_advance(p);
        struct expr *r = parse_mul(p);
        if (!r)
            return NULL;
        l = mk_binary(p, op, l, r);
    }
    return l;
}

static struct expr *parse_rel(struct parser *p) {
    struct expr *l = parse_add(p);
    while (l && (p->cur.type == T_LT || p->cur.type == T_LE ||
                 p->cur.type == T_GT || p->cur.type == T_GE)) {
        enum tok op = p->cur.type;
        p_advance(p);
        struct expr *r = parse_add(p);
        if (!r)
            return NULL;
        l = mk_binary(p, op, l, r);
    }
    return l;
}

static struct expr *parse_in_list(struct parser *p, struct expr *subject,
                                  int negated) {
    struct expr *items[64];
    int n = 0;
    if (!p_expect(p, T_LPAREN))
        return NULL;
    if (p_accept(p, K_SELECT)) {
        struct expr *e = new_expr(p, E_IN);
        e->left = subject;
        e->negated = negated;
        e->sub = parse_select(p);
        if (!e->sub || !p_expect(p, T_RPAREN))
            return NULL;
        return e;
    }
    if (p->cur.type != T_RPAREN) {
        do {
            if (n == 64) {
                err_set(p->err, ST_LIMIT, "IN list too long", NULL, NULL);
                return NULL;
            }
            items[n] = parse_expr(p);
            if (!items[n])
                return NULL;
            n++;
        } while (p_accept(p, T_COMMA));
    }
    if (!p_expect(p, T_RPAREN))
        return NULL;
    struct expr *e = new_expr(p, E_IN);
    e->left = subject;
    e->negated = negated;
    e->nlist = n;
    e->list = arena_alloc(p->arena, sizeof(struct expr *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        e->list[i] = items[i];
    return e;
}

static struct expr *parse_equality(struct parser *p) {
    struct expr *l = parse_rel(p);
    while (l) {
        enum tok t = p->cur.type;
        if (t == T_EQ || t == T_NE) {
            p_advance(p);
            struct expr *r = parse_rel(p);
            if (!r)
                return NULL;
            l = mk_binary(p, t, l, r);
            continue;
        }
        if (t == K_IS) {
            p_advance(p);
            int neg = p_accept(p, K_NOT);
            if (p_accept(p, K_NULL)) {
                struct expr *e = new_expr(p, E_ISNULL);
                e->left = l;
                e->negated = neg;
                l = e;
                continue;
            }
            /* IS / IS NOT: comparison that treats NULLs as equal */
            struct expr *r = parse_rel(p);
            if (!r)
                return NULL;
            l = mk_binary(p, K_IS, l, r);
            l->negated = neg;
            continue;
        }
        int neg = 0;
        if (t == K_NOT) {
            enum tok nt = p_peek(p)->type;
            if (nt != K_IN && nt != K_LIKE && nt != K_GLOB && nt != K_BETWEEN)
                break;
            p_advance(p);
            neg = 1;
            t = p->cur.type;
        }
        if (t == K_IN) {
            p_advance(p);
            l = parse_in_list(p, l, neg);
        } else if (t == K_LIKE || t == K_GLOB) {
            p_advance(p);
            struct expr *e = new_expr(p, E_LIKE);
            e->glob = t == K_GLOB;
            e->left = l;
            e->right = parse_rel(p);
            e->negated = neg;
            l = e->right ? e : NULL;
        } else if (t == K_BETWEEN) {
            p_advance(p);
            struct expr *e = new_expr(p, E_BETWEEN);
            e->left = l;
            e->negated = neg;
            e->right = parse_rel(p);
            if (!e->right || !p_expect(p, K_AND))
                return NULL;
            e->third = parse_rel(p);
            l = e->third ? e : NULL;
        } else {
            break;
        }
    }
    return l;
}

static struct expr *parse_not(struct parser *p) {
    if (p_accept(p, K_NOT)) {
        struct expr *inner = parse_not(p);
        if (!inner)
            return NULL;
        struct expr *e = new_expr(p, E_NOT);
        e->left = inner;
        return e;
    }
    return parse_equality(p);
}

static struct expr *parse_and(struct parser *p) {
    struct expr *l = parse_not(p);
    while (l && p_accept(p, K_AND)) {
        struct expr *r = parse_not(p);
        if (!r)
            return NULL;
        l = mk_binary(p, K_AND, l, r);
    }
    return l;
}

static struct expr *parse_expr(struct parser *p) {
    struct expr *l = parse_and(p);
    while (l && p_accept(p, K_OR)) {
        struct expr *r = parse_and(p);
        if (!r)
            return NULL;
        l = mk_binary(p, K_OR, l, r);
    }
    return l;
}

/* optional alias: [AS] identifier */
static const char *parse_alias(struct parser *p) {
    if (p_accept(p, K_AS))
        return p_ident(p, "expected alias");
    if (p->cur.type == T_IDENT) {
        const char *s = p->cur.text;
        p_advance(p);
        return s;
    }
    return NULL;
}

static int parse_from_item(struct parser *p, struct select_stmt *s) {
    if (s->nfrom == MAX_JOIN) {
        err_set(p->err, ST_LIMIT, "too many tables in join", NULL, NULL);
        return 0;
    }
    struct from_item *f = &s->from[s->nfrom];
    if (p_accept(p, T_LPAREN)) {
        if (!p_expect(p, K_SELECT))
            return 0;
        f->sub = parse_select(p);
        if (!f->sub || !p_expect(p, T_RPAREN))
            return 0;
        f->table = "(subquery)";
        f->alias = parse_alias(p);
        if (!f->alias)
            f->alias = "subquery";
    } else {
        f->table = p_ident(p, "expected table name");
        if (!f->table)
            return 0;
        f->alias = parse_alias(p);
    }
    s->nfrom++;
    return 1;
}

/* One SELECT core: result list, FROM, WHERE, GROUP BY, HAVING. */
static struct select_stmt *parse_select_core(struct parser *p) {
    struct select_stmt *s = arena_zalloc(p->arena, sizeof *s);
    if (p_accept(p, K_DISTINCT))
        s->distinct = 1;
    else
        p_accept(p, K_ALL);
    do {
        if (s->nitems == MAX_ITEMS) {
            err_set(p->err, ST_LIMIT, "too many result columns", NULL, NULL);
            return NULL;
        }
        struct select_item *it = &s->items[s->nitems];
        if (p_accept(p, T_STAR)) {
            it->star = 1;
        } else {
            it->e = parse_expr(p);
            if (!it->e)
                return NULL;
            if (it->e->kind == E_COL && it->e->star) {
                it->star = 1;
                it->star_of = it->e->tname;
                it->e = NULL;
            } else {
                it->alias = parse_alias(p);
            }
        }
        s->nitems++;
    } while (p_accept(p, T_COMMA));
    if (p_failed(p))
        return NULL;

    if (p_accept(p, K_FROM)) {
        if (!parse_from_item(p, s))
            return NULL;
        for (;;) {
            int left = 0;
            if (p_accept(p, T_COMMA)) {
                if (!parse_from_item(p, s))
                    return NULL;
                continue;
            }
            if (p_accept(p, K_LEFT)) {
                p_accept(p, K_OUTER);
                left = 1;
            } else if (p_accept(p, K_INNER)) {
                left = 0;
            } else if (p->cur.type != K_JOIN) {
                break;
            }
            if (!p_expect(p, K_JOIN) || !parse_from_item(p, s))
                return NULL;
            struct from_item *f = &s->from[s->nfrom - 1];
            f->left = left;
            if (p_accept(p, K_ON)) {
                f->on = parse_expr(p);
                if (!f->on)
                    return NULL;
            } else if (left) {
                err_set(p->err, ST_SYNTAX, "LEFT JOIN requires an ON clause",
                        NULL, NULL);
                return NULL;
            }
        }
    }
    if (p_accept(p, K_WHERE)) {
        s->where = parse_expr(p);
        if (!s->where)
            return NULL;
    }
    if (p_accept(p, K_GROUP)) {
        if (!p_expect(p, K_BY))
            return NULL;
        do {
            if (s->ngroup == MAX_GROUP) {
                err_set(p->err, ST_LIMIT, "too many GROUP BY terms", NULL, NULL);
                return NULL;
            }
            s->group[s->ngroup] = parse_expr(p);
            if (!s->group[s->ngroup])
                return NULL;
            s->ngroup++;
        } while (p_accept(p, T_COMMA));
    }
    if (p_accept(p, K_HAVING)) {
        s->having = parse_expr(p);
        if (!s->having)
            return NULL;
    }
    return s;
}

/* A full SELECT (after the SELECT keyword): cores joined by compound
 * operators, then ORDER BY and LIMIT which apply to the whole result. */
static struct select_stmt *parse_select(struct parser *p) {
    struct select_stmt *first = parse_select_core(p);
    struct select_stmt *last = first;
    while (last) {
        enum compound_op op;
        if (p_accept(p, K_UNION))
            op = p_accept(p, K_ALL) ? C_UNION_ALL : C_UNION;
        else if (p_accept(p, K_INTERSECT))
            op = C_INTERSECT;
        else if (p_accept(p, K_EXCEPT))
            op = C_EXCEPT;
        else
            break;
        if (!p_expect(p, K_SELECT))
            return NULL;
        last->compound = op;
        last->next = parse_select_core(p);
        last = last->next;
    }
    if (!last)
        return NULL;
    struct select_stmt *s = first;
    if (p_accept(p, K_ORDER)) {
        if (!p_expect(p, K_BY))
            return NULL;
        do {
            if (s->norder == MAX_ORDER) {
                err_set(p->err, ST_LIMIT, "too many ORDER BY terms", NULL, NULL);
                return NULL;
            }
            struct order_item *o = &s->order[s->norder];
            o->e = parse_expr(p);
            if (!o->e)
                return NULL;
            if (p_accept(p, K_DESC))
                o->desc = 1;
            else
                p_accept(p, K_ASC);
            if (p_accept(p, K_NULLS)) {
                if (p_accept(p, K_FIRST))
                    o->nulls = NULLS_FIRST;
                else if (p_accept(p, K_LAST))
                    o->nulls = NULLS_LAST;
                else
                    return p_error_near(p, "expected FIRST or LAST"), NULL;
            }
            s->norder++;
        } while (p_accept(p, T_COMMA));
    }
    if (p_accept(p, K_LIMIT)) {
        s->limit = parse_expr(p);
        if (!s->limit)
            return NULL;
        if (p_accept(p, K_OFFSET)) {
            s->offset = parse_expr(p);
            if (!s->offset)
                return NULL;
        } else if (p_accept(p, T_COMMA)) {
            /* LIMIT offset, count */
            s->offset = s->limit;
            s->limit = parse_expr(p);
            if (!s->limit)
                return NULL;
        }
    }
    return s;
}

static int parse_default_value(struct parser *p, struct value *out) {
    int neg = p_accept(p, T_MINUS);
    if (p->cur.type == T_INT) {
        *out = v_int(neg ? -p->cur.ival : p->cur.ival);
    } else if (!neg && p->cur.type == T_STRING) {
        *out = v_text(p->cur.text);
    } else if (!neg && p->cur.type == K_NULL) {
        *out = v_null();
    } else {
        return p_error_near(p, "expected literal default value");
    }
    p_advance(p);
    return 1;
}

/* CHECK ( expr ): parses the expression and returns its source text. */
static const char *parse_check(struct parser *p) {
    if (!p_expect(p, T_LPAREN))
        return NULL;
    const char *start = p->cur.start;
    struct expr *e = parse_expr(p);
    if (!e)
        return NULL;
    const char *end = p->cur.start;
    if (!p_expect(p, T_RPAREN))
        return NULL;
    return arena_strndup(p->arena, start, (size_t)(end - start));
}

static int add_check(struct parser *p, struct stmt *st) {
    if (st->nchecks == MAX_CHECKS) {
        err_set(p->err, ST_LIMIT, "too many CHECK constraints", NULL, NULL);
        return 0;
    }
    st->checks[st->nchecks] = parse_check(p);
    if (!st->checks[st->nchecks])
        return 0;
    st->nchecks++;
    return 1;
}

static int parse_column_def(struct parser *p, struct column_def *c,
                            struct stmt *st) {
    c->name = p_ident(p, "expected column name");
    if (!c->name)
        return 0;
    if (p_accept(p, K_INTEGER))
        c->type = VT_INT;
    else if (p_accept(p, K_TEXT))
        c->type = VT_TEXT;
    else
        return p_error_near(p, "expected column type");
    for (;;) {
        if (p_accept(p, K_PRIMARY)) {
            if (!p_expect(p, K_KEY))
                return 0;
            c->primary = 1;
            c->unique = 1;
            c->not_null = 1;
        } else if (p_accept(p, K_NOT)) {
            if (!p_expect(p, K_NULL))
                return 0;
            c->not_null = 1;
        } else if (p_accept(p, K_UNIQUE)) {
            c->unique = 1;
        } else if (p_accept(p, K_DEFAULT)) {
            if (!parse_default_value(p, &c->def))
                return 0;
            c->has_default = 1;
        } else if (st && p_accept(p, K_CHECK)) {
            /* column checks are kept with the table's checks */
            if (!add_check(p, st))
                return 0;
        } else {
            return 1;
        }
    }
}

static int parse_create_view(struct parser *p, struct stmt *st) {
    st->kind = S_CREATE_VIEW;
    if (p_accept(p, K_IF)) {
        if (!p_expect(p, K_NOT) || !p_expect(p, K_EXISTS))
            return 0;
        st->if_exists = 1;
    }
    st->name = p_ident(p, "expected view name");
    if (!st->name || !p_expect(p, K_AS))
        return 0;
    const char *start = p->cur.start;
    if (!p_expect(p, K_SELECT))
        return 0;
    st->select = parse_select(p);
    if (!st->select)
        return 0;
    /* keep the text so that the view can be re-planned on every use */
    const char *end = p->cur.start;
    st->view_sql = arena_strndup(p->arena, start, (size_t)(end - start));
    return 1;
}

static int parse_create(struct parser *p, struct stmt *st) {
    if (p_accept(p, K_VIEW))
        return parse_create_view(p, st);
    int unique = p_accept(p, K_UNIQUE);
    if (!unique && p_accept(p, K_TABLE)) {
        st->kind = S_CREATE_TABLE;
        if (p_accept(p, K_IF)) {
            if (!p_expect(p, K_NOT) || !p_expect(p, K_EXISTS))
                return 0;
            st->if_exists = 1;
        }
        st->name = p_ident(p, "expected table name");
        if (!st->name)
            return 0;
        if (p_accept(p, K_AS)) {
            if (!p_expect(p, K_SELECT))
                return 0;
            st->select = parse_select(p);
            return st->select != NULL;
        }
        if (!p_expect(p, T_LPAREN))
            return 0;
        do {
            if (p_accept(p, K_CHECK)) {
                if (!add_check(p, st))
                    return 0;
                continue;
            }
            if (st->ncols == MAX_COLS)
                return err_set(p->err, ST_LIMIT, "too many columns", NULL,
                               NULL),
                       0;
            if (!parse_column_def(p, &st->cols[st->ncols], st))
                return 0;
            st->ncols++;
        } while (p_accept(p, T_COMMA));
        if (st->ncols == 0)
            return p_error_near(p, "a table needs at least one column");
        return p_expect(p, T_RPAREN);
    }
    if (!p_expect(p, K_INDEX))
        return 0;
    st->kind = S_CREATE_INDEX;
    st->unique = unique;
    if (p_accept(p, K_IF)) {
        if (!p_expect(p, K_NOT) || !p_expect(p, K_EXISTS))
            return 0;
        st->if_exists = 1;
    }
    st->name = p_ident(p, "expected index name");
    if (!st->name || !p_expect(p, K_ON))
        return 0;
    st->table = p_ident(p, "expected table name");
    if (!st->table || !p_expect(p, T_LPAREN))
        return 0;
    st->column = p_ident(p, "expected column name");
    if (!st->column)
        return 0;
    return p_expect(p, T_RPAREN);
}

static int parse_upsert(struct parser *p, struct stmt *st);

static int parse_insert(struct parser *p, struct stmt *st, int replace) {
    st->kind = S_INSERT;
    if (replace) {
        st->conflict = CONFLICT_REPLACE;
    } else if (p_accept(p, K_OR)) {
        if (p_accept(p, K_IGNORE))
            st->conflict = CONFLICT_IGNORE;
        else if (p_accept(p, K_REPLACE))
            st->conflict = CONFLICT_REPLACE;
        else
            return p_error_near(p, "expected IGNORE or REPLACE");
    }
    if (!p_expect(p, K_INTO))
        return 0;
    st->name = p_ident(p, "expected table name");
    if (!st->name)
        return 0;
    if (p_accept(p, T_LPAREN)) {
        do {
            if (st->nins_cols == MAX_COLS)
                return err_set(p->err, ST_LIMIT, "too many columns", NULL,
                               NULL),
                       0;
            st->ins_cols[st->nins_cols] = p_ident(p, "expected column name");
            if (!st->ins_cols[st->nins_cols])
                return 0;
            st->nins_cols++;
        } while (p_accept(p, T_COMMA));
        if (!p_expect(p, T_RPAREN))
            return 0;
    }
    if (p_accept(p, K_SELECT)) {
        st->select = parse_select(p);
        if (!st->select)
            return 0;
        return p_accept(p, K_ON) ? parse_upsert(p, st) : 1;
    }
    if (!p_expect(p, K_VALUES))
        return 0;
    int cap = 4;
    st->rows = arena_alloc(p->arena, sizeof(struct expr **) * (size_t)cap);
    do {
        struct expr *vals[MAX_COLS];
        int n = 0;
        if (!p_expect(p, T_LPAREN))
            return 0;
        do {
            if (n == MAX_COLS)
                return err_set(p->err, ST_LIMIT, "too many values", NULL, NULL),
                       0;
            vals[n] = parse_expr(p);
            if (!vals[n])
                return 0;
            n++;
        } while (p_accept(p, T_COMMA));
        if (!p_expect(p, T_RPAREN))
            return 0;
        if (st->nrows > 0 && n != st->nvals)
            return err_set(p->err, ST_SYNTAX,
                           "all VALUES must have the same number of terms",
                           NULL, NULL),
                   0;
        st->nvals = n;
        if (st->nrows == cap) {
            struct expr ***grown =
                arena_alloc(p->arena, sizeof(struct expr **) * (size_t)cap * 2);
            memcpy(grown, st->rows, sizeof(struct expr **) * (size_t)cap);
            st->rows = grown;
            cap *= 2;
        }
        st->rows[st->nrows] =
            arena_alloc(p->arena, sizeof(struct expr *) * (size_t)n);
        memcpy(st->rows[st->nrows], vals, sizeof(struct expr *) * (size_t)n);
        st->nrows++;
    } while (p_accept(p, T_COMMA));
    return p_accept(p, K_ON) ? parse_upsert(p, st) : 1;
}

static int parse_assignments(struct parser *p, struct stmt *st) {
    do {
        if (st->nset == MAX_COLS)
            return err_set(p->err, ST_LIMIT, "too many assignments", NULL, NULL),
                   0;
        st->set_cols[st->nset] = p_ident(p, "expected column name");
        if (!st->set_cols[st->nset] || !p_expect(p, T_EQ))
            return 0;
        st->set_exprs[st->nset] = parse_expr(p);
        if (!st->set_exprs[st->nset])
            return 0;
        st->nset++;
    } while (p_accept(p, T_COMMA));
    return 1;
}

/* ON CONFLICT [(column)] DO NOTHING | DO UPDATE SET ... [WHERE ...] */
static int parse_upsert(struct parser *p, struct stmt *st) {
    if (!p_expect(p, K_CONFLICT))
        return 0;
    if (p_accept(p, T_LPAREN)) {
        st->conflict_col = p_ident(p, "expected column name");
        if (!st->conflict_col || !p_expect(p, T_RPAREN))
            return 0;
    }
    if (!p_expect(p, K_DO))
        return 0;
    if (p_accept(p, K_NOTHING)) {
        st->upsert = UPSERT_NOTHING;
        return 1;
    }
    if (!p_expect(p, K_UPDATE) || !p_expect(p, K_SET))
        return 0;
    st->upsert = UPSERT_UPDATE;
    if (!parse_assignments(p, st))
        return 0;
    if (p_accept(p, K_WHERE)) {
        st->where = parse_expr(p);
        if (!st->where)
            return 0;
    }
    return 1;
}

static int parse_update(struct parser *p, struct stmt *st) {
    st->kind = S_UPDATE;
    st->name = p_ident(p, "expected table name");
    if (!st->name || !p_expect(p, K_SET) || !parse_assignments(p, st))
        return 0;
    if (p_accept(p, K_WHERE)) {
        st->where = parse_expr(p);
        if (!st->where)
            return 0;
    }
    return 1;
}

static int parse_delete(struct parser *p, struct stmt *st) {
    st->kind = S_DELETE;
    if (!p_expect(p, K_FROM))
        return 0;
    st->name = p_ident(p, "expected table name");
    if (!st->name)
        return 0;
    if (p_accept(p, K_WHERE)) {
        st->where = parse_expr(p);
        if (!st->where)
            return 0;
    }
    return 1;
}

static int parse_drop(struct parser *p, struct stmt *st) {
    if (p_accept(p, K_TABLE))
        st->kind = S_DROP_TABLE;
    else if (p_accept(p, K_INDEX))
        st->kind = S_DROP_INDEX;
    else if (p_accept(p, K_VIEW))
        st->kind = S_DROP_VIEW;
    else
        return p_error_near(p, "expected TABLE, INDEX or VIEW");
    if (p_accept(p, K_IF)) {
        if (!p_expect(p, K_EXISTS))
            return 0;
        st->if_exists = 1;
    }
    st->name = p_ident(p, "expected name");
    return st->name != NULL;
}

static int parse_alter(struct parser *p, struct stmt *st) {
    st->kind = S_ALTER;
    if (!p_expect(p, K_TABLE))
        return 0;
    st->name = p_ident(p, "expected table name");
    if (!st->name)
        return 0;
    if (p_accept(p, K_ADD)) {
        p_accept(p, K_COLUMN);
        st->alter = ALTER_ADD_COLUMN;
        st->ncols = 1;
        return parse_column_def(p, &st->cols[0], NULL);
    }
    if (!p_expect(p, K_RENAME))
        return 0;
    if (p_accept(p, K_TO)) {
        st->alter = ALTER_RENAME_TABLE;
        st->new_name = p_ident(p, "expected new table name");
        return st->new_name != NULL;
    }
    p_accept(p, K_COLUMN);
    st->alter = ALTER_RENAME_COLUMN;
    st->column = p_ident(p, "expected column name");
    if (!st->column || !p_expect(p, K_TO))
        return 0;
    st->new_name = p_ident(p, "expected new column name");
    return st->new_name != NULL;
}

static int parse_pragma(struct parser *p, struct stmt *st) {
    st->kind = S_PRAGMA;
    st->name = p_ident(p, "expected pragma name");
    if (!st->name)
        return 0;
    if (p_accept(p, T_EQ)) {
        st->has_pragma_value = 1;
        if (p->cur.type == T_IDENT || p->cur.type >= K_ADD) {
            /* bare words, including keywords such as INSERT or COLUMN */
            st->pragma_value = v_text(p->cur.text);
            p_advance(p);
            return 1;
        }
        return parse_default_value(p, &st->pragma_value);
    }
    if (p_accept(p, T_LPAREN)) {
        st->pragma_arg = p_ident(p, "expected pragma argument");
        if (!st->pragma_arg)
            return 0;
        return p_expect(p, T_RPAREN);
    }
    return 1;
}

/* Parses one statement. Returns NULL at end of input or on error (the
 * error is recorded and the input is skipped to the next semicolon). */
static struct stmt *parse_statement(struct parser *p, int *at_end) {
    *at_end = 0;
    while (p_accept(p, T_SEMI))
        ;
    if (p->cur.type == T_EOF) {
        *at_end = 1;
        return NULL;
    }
    struct stmt *st = arena_zalloc(p->arena, sizeof *st);
    if (p_accept(p, K_EXPLAIN))
        st->explain = 1;
    int ok;
    enum tok t = p->cur.type;
    p_advance(p);
    switch (t) {
    case K_SELECT:
        st->kind = S_SELECT;
        st->select = parse_select(p);
        ok = st->select != NULL;
        break;
    case K_INSERT:
        ok = parse_insert(p, st, 0);
        break;
    case K_REPLACE:
        ok = parse_insert(p, st, 1);
        break;
    case K_ALTER:
        ok = parse_alter(p, st);
        break;
    case K_PRAGMA:
        ok = parse_pragma(p, st);
        break;
    case K_ANALYZE:
        st->kind = S_ANALYZE;
        ok = 1;
        break;
    case K_VACUUM:
        st->kind = S_VACUUM;
        ok = 1;
        break;
    case K_UPDATE:
        ok = parse_update(p, st);
        break;
    case K_DELETE:
        ok = parse_delete(p, st);
        break;
    case K_CREATE:
        ok = parse_create(p, st);
        break;
    case K_DROP:
        ok = parse_drop(p, st);
        break;
    case K_BEGIN:
        st->kind = S_BEGIN;
        ok = 1;
        break;
    case K_COMMIT:
    case K_END:
        st->kind = S_COMMIT;
        ok = 1;
        break;
    case K_ROLLBACK:
        st->kind = S_ROLLBACK;
        ok = 1;
        if (p_accept(p, K_TO)) {
            p_accept(p, K_SAVEPOINT);
            st->kind = S_ROLLBACK_TO;
            st->name = p_ident(p, "expected savepoint name");
            ok = st->name != NULL;
        }
        break;
    case K_SAVEPOINT:
        st->kind = S_SAVEPOINT;
        st->name = p_ident(p, "expected savepoint name");
        ok = st->name != NULL;
        break;
    case K_RELEASE:
        st->kind = S_RELEASE;
        p_accept(p, K_SAVEPOINT);
        st->name = p_ident(p, "expected savepoint name");
        ok = st->name != NULL;
        break;
    default:
        ok = 0;
        break;
    }
    if (ok && p->cur.type != T_SEMI && p->cur.type != T_EOF) {
        p_error_near(p, "unexpected text after statement");
        ok = 0;
    }
    if (!ok && !p_failed(p))
        err_set(p->err, ST_SYNTAX, "cannot start a statement with ",
                tok_name(t), NULL);
    if (ok && st->explain && st->kind != S_SELECT && st->kind != S_UPDATE &&
        st->kind != S_DELETE) {
        err_set(p->err, ST_MISUSE, "EXPLAIN only supports queries", NULL, NULL);
        ok = 0;
    }
    if (!ok) {
        /* resynchronise at the next statement boundary */
        while (p->cur.type != T_SEMI && p->cur.type != T_EOF)
            p_advance(p);
        return NULL;
    }
    return st;
}

/* ====================================================================== */
/* B-tree keyed by (value, rowid)                                         */
/* ====================================================================== */

struct bt_entry {
    struct value key;
    int64_t rowid;
    void *payload;
};

struct bt_node {
    int n;
    int leaf;
    struct bt_entry e[BT_MAX_KEYS];
    struct bt_node *child[BT_MAX_KEYS + 1];
};

struct btree {
    struct bt_node *root;
    size_t count;
    size_t nodes;
    uint64_t splits;
    uint64_t merges;
    uint64_t borrows;
};

static int bt_cmp(const struct value *key, int64_t rowid,
                  const struct bt_entry *e) {
    int c = value_cmp(key, &e->key);
    if (c)
        return c;
    return (rowid > e->rowid) - (rowid < e->rowid);
}

static struct bt_node *bt_new_node(struct btree *t, int leaf) {
    struct bt_node *n = xmalloc(sizeof *n);
    memset(n, 0, sizeof *n);
    n->leaf = leaf;
    t->nodes++;
    return n;
}

static void bt_init(struct btree *t) {
    memset(t, 0, sizeof *t);
    t->root = bt_new_node(t, 1);
}

typedef void (*bt_entry_fn)(struct bt_entry *e, void *ctx);

static void bt_free_node(struct bt_node *n, bt_entry_fn fn, void *ctx) {
    if (!n)
        return;
    for (int i = 0; i < n->n; i++)
        if (fn)
            fn(&n->e[i], ctx);
    if (!n->leaf)
        for (int i = 0; i <= n->n; i++)
            bt_free_node(n->child[i], fn, ctx);
    free(n);
}

static void bt_destroy(struct btree *t, bt_entry_fn fn, void *ctx) {
    bt_free_node(t->root, fn, ctx);
    t->root = NULL;
    t->count = 0;
    t->nodes = 0;
}

static struct bt_entry *bt_find(const struct btree *t, const struct value *key,
                                int64_t rowid) {
    struct bt_node *x = t->root;
    while (x) {
        int i = 0;
        while (i < x->n && bt_cmp(key, rowid, &x->e[i]) > 0)
            i++;
        if (i < x->n && bt_cmp(key, rowid, &x->e[i]) == 0)
            return &x->e[i];
        if (x->leaf)
            return NULL;
        x = x->child[i];
    }
    return NULL;
}

static void bt_split_child(struct btree *t, struct bt_node *x, int i) {
    struct bt_node *y = x->child[i];
    struct bt_node *z = bt_new_node(t, y->leaf);
    z->n = BT_T - 1;
    for (int j = 0; j < BT_T - 1; j++)
        z->e[j] = y->e[j + BT_T];
    if (!y->leaf)
        for (int j = 0; j < BT_T; j++)
            z->child[j] = y->child[j + BT_T];
    y->n = BT_T - 1;
    for (int j = x->n; j > i; j--)
        x->child[j + 1] = x->child[j];
    x->child[i + 1] = z;
    for (int j = x->n - 1; j >= i; j--)
        x->e[j + 1] = x->e[j];
    x->e[i] = y->e[BT_T - 1];
    x->n++;
    t->splits++;
}

static void bt_insert_nonfull(struct btree *t, struct bt_node *x,
                              const struct bt_entry *ent) {
    for (;;) {
        int i = x->n - 1;
        if (x->leaf) {
            while (i >= 0 && bt_cmp(&ent->key, ent->rowid, &x->e[i]) < 0) {
                x->e[i + 1] = x->e[i];
                i--;
            }
            x->e[i + 1] = *ent;
            x->n++;
            return;
        }
        while (i >= 0 && bt_cmp(&ent->key, ent->rowid, &x->e[i]) < 0)
            i--;
        i++;
        if (x->child[i]->n == BT_MAX_KEYS) {
            bt_split_child(t, x, i);
            if (bt_cmp(&ent->key, ent->rowid, &x->e[i]) > 0)
                i++;
        }
        x = x->child[i];
    }
}

/* Inserts; returns 0 if an entry with the same (key, rowid) exists. */
static int bt_insert(struct btree *t, struct value key, int64_t rowid,
                     void *payload) {
    if (bt_find(t, &key, rowid))
        return 0;
    struct bt_entry ent = {key, rowid, payload};
    struct bt_node *r = t->root;
    if (r->n == BT_MAX_KEYS) {
        struct bt_node *s = bt_new_node(t, 0);
        s->child[0] = r;
        t->root = s;
        bt_split_child(t, s, 0);
        r = s;
    }
    bt_insert_nonfull(t, r, &ent);
    t->count++;
    return 1;
}

/* Merges child[i], e[i] and child[i+1] of x into child[i]. */
static void bt_merge(struct btree *t, struct bt_node *x, int i) {
    struct bt_node *y = x->child[i], *z = x->child[i + 1];
    y->e[y->n] = x->e[i];
    for (int j = 0; j < z->n; j++)
        y->e[y->n + 1 + j] = z->e[j];
    if (!y->leaf)
        for (int j = 0; j <= z->n; j++)
            y->child[y->n + 1 + j] = z->child[j];
    y->n += z->n + 1;
    for (int j = i; j < x->n - 1; j++)
        x->e[j] = x->e[j + 1];
    for (int j = i + 1; j < x->n; j++)
        x->child[j] = x->child[j + 1];
    x->n--;
    free(z);
    t->nodes--;
    t->merges++;
}

static void bt_borrow_left(struct btree *t, struct bt_node *x, int i) {
    struct bt_node *c = x->child[i], *s = x->child[i - 1];
    for (int j = c->n - 1; j >= 0; j--)
        c->e[j + 1] = c->e[j];
    if (!c->leaf)
        for (int j = c->n; j >= 0; j--)
            c->child[j + 1] = c->child[j];
    c->e[0] = x->e[i - 1];
    if (!c->leaf)
        c->child[0] = s->child[s->n];
    x->e[i - 1] = s->e[s->n - 1];
    s->n--;
    c->n++;
    t->borrows++;
}

static void bt_borrow_right(struct btree *t, struct bt_node *x, int i) {
    struct bt_node *c = x->child[i], *s = x->child[i + 1];
    c->e[c->n] = x->e[i];
    if (!c->leaf)
        c->child[c->n + 1] = s->child[0];
    x->e[i] = s->e[0];
    for (int j = 0; j < s->n - 1; j++)
        s->e[j] = s->e[j + 1];
    if (!s->leaf)
        for (int j = 0; j < s->n; j++)
            s->child[j] = s->child[j + 1];
    s->n--;
    c->n++;
    t->borrows++;
}

static int bt_delete_rec(struct btree *t, struct bt_node *x,
                         const struct value *key, int64_t rowid,
                         struct bt_entry *out) {
    for (;;) {
        int i = 0;
        while (i < x->n && bt_cmp(key, rowid, &x->e[i]) > 0)
            i++;
        if (i < x->n && bt_cmp(key, rowid, &x->e[i]) == 0) {
            if (x->leaf) {
                *out = x->e[i];
                for (int j = i; j < x->n - 1; j++)
                    x->e[j] = x->e[j + 1];
                x->n--;
                return 1;
            }
            struct bt_node *y = x->child[i], *z = x->child[i + 1];
            if (y->n >= BT_T || z->n >= BT_T) {
                struct bt_entry repl, moved;
                if (y->n >= BT_T) {
                    struct bt_node *c = y;
                    while (!c->leaf)
                        c = c->child[c->n];
                    repl = c->e[c->n - 1];
                    bt_delete_rec(t, y, &repl.key, repl.rowid, &moved);
                } else {
                    struct bt_node *c = z;
                    while (!c->leaf)
                        c = c->child[0];
                    repl = c->e[0];
                    bt_delete_rec(t, z, &repl.key, repl.rowid, &moved);
                }
                *out = x->e[i];
                x->e[i] = moved;
                return 1;
            }
            bt_merge(t, x, i);
            x = y;
            continue;
        }
        if (x->leaf)
            return 0;
        if (x->child[i]->n == BT_T - 1) {
            if (i > 0 && x->child[i - 1]->n >= BT_T) {
                bt_borrow_left(t, x, i);
            } else if (i < x->n && x->child[i + 1]->n >= BT_T) {
                bt_borrow_right(t, x, i);
            } else if (i < x->n) {
                bt_merge(t, x, i);
            } else {
                bt_merge(t, x, i - 1);
                i--;
            }
        }
        x = x->child[i];
    }
}

/* Removes (key, rowid); the removed entry is returned through *out so that
 * the caller can release whatever it owns. */
static int bt_delete(struct btree *t, const struct value *key, int64_t rowid,
                     struct bt_entry *out) {
    int found = bt_delete_rec(t, t->root, key, rowid, out);
    if (t->root->n == 0 && !t->root->leaf) {
        struct bt_node *old = t->root;
        t->root = old->child[0];
        free(old);
        t->nodes--;
    }
    if (found)
        t->count--;
    return found;
}

/* Bottom-up construction from entries already in key order: each level is
 * cut into nodes of nearly equal size, one entry between neighbouring
 * nodes moves up as separator, so every node but the root stays at least
 * half full. */
static struct bt_node *bt_build_level(struct btree *t, struct bt_entry *items,
                                      size_t m, struct bt_node **children,
                                      int leaf) {
    size_t k = (m + 1 + BT_MAX_KEYS) / (BT_MAX_KEYS + 1);
    if (k <= 1) {
        struct bt_node *n = bt_new_node(t, leaf);
        n->n = (int)m;
        for (size_t i = 0; i < m; i++)
            n->e[i] = items[i];
        if (!leaf)
            for (size_t i = 0; i <= m; i++)
                n->child[i] = children[i];
        return n;
    }
    size_t per = (m - (k - 1)) / k, extra = (m - (k - 1)) % k;
    struct bt_entry *seps = xmalloc(sizeof *seps * (k - 1));
    struct bt_node **nodes = xmalloc(sizeof *nodes * k);
    size_t pos = 0, cpos = 0;
    for (size_t g = 0; g < k; g++) {
        size_t cnt = per + (g < extra ? 1 : 0);
        struct bt_node *n = bt_new_node(t, leaf);
        n->n = (int)cnt;
        for (size_t i = 0; i < cnt; i++)
            n->e[i] = items[pos + i];
        if (!leaf) {
            for (size_t i = 0; i <= cnt; i++)
                n->child[i] = children[cpos + i];
            cpos += cnt + 1;
        }
        pos += cnt;
        nodes[g] = n;
        if (g + 1 < k)
            seps[g] = items[pos++];
    }
    struct bt_node *root = bt_build_level(t, seps, k - 1, nodes, 0);
    free(seps);
    free(nodes);
    return root;
}

static void bt_bulk_load(struct btree *t, struct bt_entry *sorted, size_t n) {
    bt_free_node(t->root, NULL, NULL);
    t->nodes = 0;
    t->root = bt_build_level(t, sorted, n, NULL, 1);
    t->count = n;
}

/* In-order cursor with an explicit stack. */
struct bt_cursor {
    struct bt_node *node[BT_MAX_DEPTH];
    int idx[BT_MAX_DEPTH];
    int depth;
};

static void bt_cursor_settle(struct bt_cursor *c) {
    while (c->depth > 0 && c->idx[c->depth - 1] >= c->node[c->depth - 1]->n)
        c->depth--;
}

static void bt_cursor_descend_left(struct bt_cursor *c, struct bt_node *n) {
    while (n && c->depth < BT_MAX_DEPTH) {
        c->node[c->depth] = n;
        c->idx[c->depth] = 0;
        c->depth++;
        if (n->leaf)
            break;
        n = n->child[0];
    }
}

static void bt_cursor_first(struct bt_cursor *c, const struct btree *t) {
    c->depth = 0;
    bt_cursor_descend_left(c, t->root);
    bt_cursor_settle(c);
}

/* Positions at the first entry >= (key, rowid). */
static void bt_cursor_seek(struct bt_cursor *c, const struct btree *t,
                           const struct value *key, int64_t rowid) {
    c->depth = 0;
    struct bt_node *n = t->root;
    while (n && c->depth < BT_MAX_DEPTH) {
        int i = 0;
        while (i < n->n && bt_cmp(key, rowid, &n->e[i]) > 0)
            i++;
        c->node[c->depth] = n;
        c->idx[c->depth] = i;
        c->depth++;
        if (n->leaf || (i < n->n && bt_cmp(key, rowid, &n->e[i]) == 0))
            break;
        n = n->child[i];
    }
    bt_cursor_settle(c);
}

static int bt_cursor_valid(const struct bt_cursor *c) { return c->depth > 0; }

static struct bt_entry *bt_cursor_entry(const struct bt_cursor *c) {
    return &c->node[c->depth - 1]->e[c->idx[c->depth - 1]];
}

static void bt_cursor_next(struct bt_cursor *c) {
    struct bt_node *n = c->node[c->depth - 1];
    int i = ++c->idx[c->depth - 1];
    if (!n->leaf)
        bt_cursor_descend_left(c, n->child[i]);
    bt_cursor_settle(c);
}

/* Structural check: ordering, fill factor, uniform leaf depth, count. */
static int bt_check_node(const struct bt_node *n, int is_root, int depth,
                         int *leaf_depth, const struct bt_entry *lo,
                         const struct bt_entry *hi, size_t *count) {
    if (!is_root && (n->n < BT_T - 1 || n->n > BT_MAX_KEYS))
        return 0;
    for (int i = 0; i < n->n; i++) {
        if (i > 0 && bt_cmp(&n->e[i].key, n->e[i].rowid, &n->e[i - 1]) <= 0)
            return 0;
        if (lo && bt_cmp(&n->e[i].key, n->e[i].rowid, lo) <= 0)
            return 0;
        if (hi && bt_cmp(&n->e[i].key, n->e[i].rowid, hi) >= 0)
            return 0;
    }
    *count += (size_t)n->n;
    if (n->leaf) {
        if (*leaf_depth < 0)
            *leaf_depth = depth;
        return *leaf_depth == depth;
    }
    for (int i = 0; i <= n->n; i++) {
        const struct bt_entry *clo = i > 0 ? &n->e[i - 1] : lo;
        const struct bt_entry *chi = i < n->n ? &n->e[i] : hi;
        if (!n->child[i] ||
            !bt_check_node(n->child[i], 0, depth + 1, leaf_depth, clo, chi,
                           count))
            return 0;
    }
    return 1;
}

static int bt_check(const struct btree *t) {
    int leaf_depth = -1;
    size_t count = 0;
    if (!t->root)
        return 0;
    return bt_check_node(t->root, 1, 0, &leaf_depth, NULL, NULL, &count) &&
           count == t->count;
}

static int bt_height(const struct btree *t) {
    int h = 0;
    for (const struct bt_node *n = t->root; n; n = n->leaf ? NULL : n->child[0])
        h++;
    return h;
}

/* ====================================================================== */
/* Catalog and row storage                                                */
/* ====================================================================== */

struct row {
    int64_t rowid;
    int ncols;
    struct value vals[];
};

struct column {
    char name[MAX_NAME];
    enum vtype type;
    int not_null;
    int unique;
    int primary;
    int has_default;
    struct value def; /* heap owned */
};

struct table;

struct index {
    char name[MAX_NAME];
    struct table *table;
    int col;
    int unique;
    int automatic; /* created for PRIMARY KEY / UNIQUE */
    struct btree tree;
    uint64_t searches;
    int analyzed;     /* statistics gathered by ANALYZE */
    int64_t distinct; /* number of distinct keys */
};

struct expr;

struct table {
    char name[MAX_NAME];
    struct column cols[MAX_COLS];
    int ncols;
    struct btree rows; /* key NULL, ordered by rowid, payload struct row* */
    int64_t next_rowid;
    struct index *indexes[MAX_INDEXES];
    int nindexes;
    char *checks[MAX_CHECKS]; /* CHECK expressions as SQL text */
    int nchecks;
    struct expr *check_tree[MAX_CHECKS]; /* parsed for the current statement */
    uint64_t check_stamp;
};

enum undo_kind { U_INSERT, U_DELETE, U_UPDATE };

struct undo_rec {
    enum undo_kind kind;
    struct table *table;
    int64_t rowid;
    struct row *saved; /* deleted row or pre-update image, owned by the log */
};

struct view {
    char name[MAX_NAME];
    char *sql; /* the SELECT text, heap owned */
};

enum output_mode {
    MODE_COLUMN,
    MODE_LIST,
    MODE_CSV,
    MODE_TABS,
    MODE_JSON,
    MODE_LINE,
    MODE_BOX,
    MODE_MARKDOWN,
    MODE_HTML,
    MODE_INSERT,
    MODE_QUOTE,
    MODE_COUNT
};

static const char *const mode_names[MODE_COUNT] = {
    "column", "list", "csv",      "tabs", "json",   "line",
    "box",    "markdown", "html", "insert", "quote",
};

struct db_stats {
    uint64_t rows_scanned;
    uint64_t index_probes;
    uint64_t rows_written;
    uint64_t statements;
    uint64_t errors;
    uint64_t sorts;
};

struct db {
    struct table *tables[MAX_TABLES];
    int ntables;
    struct index *indexes[MAX_INDEXES];
    int nindexes;
    int in_txn;
    struct undo_rec *log;
    size_t nlog, caplog;
    struct arena arena;
    struct error err;
    int use_indexes;
    struct db_stats stats;
    struct sbuf out;
    int64_t changes;
    struct view *views[MAX_TABLES];
    int nviews;
    int view_depth;
    enum output_mode mode;
    int64_t last_changes;  /* changes() */
    int64_t total_changes; /* total_changes() */
    int64_t last_rowid;    /* last_insert_rowid() */
    struct savepoint {
        char name[MAX_NAME];
        size_t mark; /* undo log position when it was opened */
        int began_txn;
    } savepoints[MAX_SAVEPOINTS];
    int nsavepoints;
};

static struct row *row_alloc(int ncols) {
    struct row *r = xmalloc(sizeof *r + sizeof(struct value) * (size_t)ncols);
    r->rowid = 0;
    r->ncols = ncols;
    for (int i = 0; i < ncols; i++)
        r->vals[i] = v_null();
    return r;
}

static void row_free(struct row *r) {
    if (!r)
        return;
    for (int i = 0; i < r->ncols; i++)
        value_free_heap(&r->vals[i]);
    free(r);
}

static struct table *db_find_table(struct db *db, const char *name) {
    for (int i = 0; i < db->ntables; i++)
        if (str_ieq(db->tables[i]->name, name))
            return db->tables[i];
    return NULL;
}

static struct index *db_find_index(struct db *db, const char *name) {
    for (int i = 0; i < db->nindexes; i++)
        if (str_ieq(db->indexes[i]->name, name))
            return db->indexes[i];
    return NULL;
}

static int table_find_column(const struct table *t, const char *name) {
    for (int i = 0; i < t->ncols; i++)
        if (str_ieq(t->cols[i].name, name))
            return i;
    return -1;
}

static struct index *table_index_on(const struct table *t, int col) {
    struct index *best = NULL;
    for (int i = 0; i < t->nindexes; i++) {
        struct index *ix = t->indexes[i];
        if (ix->col == col && (!best || (ix->unique && !best->unique)))
            best = ix;
    }
    return best;
}

static struct row *table_get_row(const struct table *t, int64_t rowid) {
    struct value nul = v_null();
    struct bt_entry *e = bt_find(&t->rows, &nul, rowid);
    return e ? e->payload : NULL;
}

static void free_index_entry(struct bt_entry *e, void *ctx) {
    (void)ctx;
    value_free_heap(&e->key);
}

static void free_row_entry(struct bt_entry *e, void *ctx) {
    (void)ctx;
    row_free(e->payload);
    e->payload = NULL;
}

/* First rowid other than `except_rowid` whose key equals `key`, or
 * INT64_MIN when there is none. */
static int64_t index_first_rowid(struct index *ix, const struct value *key,
                                 int64_t except_rowid) {
    struct bt_cursor c;
    ix->searches++;
    bt_cursor_seek(&c, &ix->tree, key, INT64_MIN);
    while (bt_cursor_valid(&c)) {
        struct bt_entry *e = bt_cursor_entry(&c);
        if (!value_eq(&e->key, key))
            return INT64_MIN;
        if (e->rowid != except_rowid)
            return e->rowid;
        bt_cursor_next(&c);
    }
    return INT64_MIN;
}

static int index_has_key(struct index *ix, const struct value *key,
                         int64_t except_rowid) {
    return index_first_rowid(ix, key, except_rowid) != INT64_MIN;
}

static void index_add(struct index *ix, const struct row *r) {
    struct value k = value_dup_heap(&r->vals[ix->col]);
    if (!bt_insert(&ix->tree, k, r->rowid, NULL))
        value_free_heap(&k);
}

static void index_remove(struct index *ix, const struct row *r) {
    struct bt_entry old;
    if (bt_delete(&ix->tree, &r->vals[ix->col], r->rowid, &old))
        value_free_heap(&old.key);
}

static void undo_push(struct db *db, enum undo_kind kind, struct table *t,
                      int64_t rowid, struct row *saved) {
    if (db->nlog == db->caplog) {
        db->caplog = db->caplog ? db->caplog * 2 : 64;
        db->log = xrealloc(db->log, db->caplog * sizeof *db->log);
    }
    struct undo_rec *u = &db->log[db->nlog++];
    u->kind = kind;
    u->table = t;
    u->rowid = rowid;
    u->saved = saved;
}

/* Converts a value to the column's declared type where that is lossless;
 * returns 0 when the value cannot be stored in the column. */
static int apply_affinity(struct arena *a, const struct column *col,
                          struct value *v) {
    if (v->type == VT_NULL || v->type == col->type)
        return 1;
    if (col->type == VT_INT) {
        int64_t i;
        if (!parse_i64_strict(v->s, &i))
            return 0;
        *v = v_int(i);
        return 1;
    }
    *v = v_text(value_to_text(a, v));
    return 1;
}

static enum status check_row_checks(struct db *db, struct table *t,
                                    const struct value *vals);

/* Checks NOT NULL, CHECK and UNIQUE for a candidate row image. */
static enum status check_constraints(struct db *db, struct table *t,
                                     const struct value *vals,
                                     int64_t self_rowid) {
    for (int c = 0; c < t->ncols; c++) {
        if (t->cols[c].not_null && vals[c].type == VT_NULL)
            return err_set4(&db->err, ST_CONSTRAINT, "NOT NULL constraint failed: ",
                            t->name, ".", t->cols[c].name);
    }
    if (t->nchecks > 0 && check_row_checks(db, t, vals) != ST_OK)
        return db->err.code;
    for (int i = 0; i < t->nindexes; i++) {
        struct index *ix = t->indexes[i];
        if (!ix->unique || vals[ix->col].type == VT_NULL)
            continue;
        if (index_has_key(ix, &vals[ix->col], self_rowid))
            return err_set4(&db->err, ST_CONSTRAINT, "UNIQUE constraint failed: ",
                            t->name, ".", t->cols[ix->col].name);
    }
    return ST_OK;
}

/* Takes ownership of `r` (heap values). */
static void table_link_row(struct table *t, struct row *r) {
    bt_insert(&t->rows, v_null(), r->rowid, r);
    for (int i = 0; i < t->nindexes; i++)
        index_add(t->indexes[i], r);
}

/* Detaches the row from the table and its indexes, returning it. */
static struct row *table_unlink_row(struct table *t, int64_t rowid) {
    struct row *r = table_get_row(t, rowid);
    if (!r)
        return NULL;
    for (int i = 0; i < t->nindexes; i++)
        index_remove(t->indexes[i], r);
    struct bt_entry old;
    struct value nul = v_null();
    bt_delete(&t->rows, &nul, rowid, &old);
    return r;
}

static enum status table_insert(struct db *db, struct table *t,
                                const struct value *vals, int64_t *rowid_out) {
    if (check_constraints(db, t, vals, INT64_MIN) != ST_OK)
        return db->err.code;
    struct row *r = row_alloc(t->ncols);
    r->rowid = t->next_rowid++;
    for (int c = 0; c < t->ncols; c++)
        r->vals[c] = value_dup_heap(&vals[c]);
    table_link_row(t, r);
    undo_push(db, U_INSERT, t, r->rowid, NULL);
    db->stats.rows_written++;
    db->last_rowid = r->rowid;
    if (rowid_out)
        *rowid_out = r->rowid;
    return ST_OK;
}

static enum status table_delete(struct db *db, struct table *t, int64_t rowid) {
    struct row *r = table_unlink_row(t, rowid);
    if (!r)
        return ST_OK;
    undo_push(db, U_DELETE, t, rowid, r);
    db->stats.rows_written++;
    return ST_OK;
}

static enum status table_update(struct db *db, struct table *t, int64_t rowid,
                                const struct value *vals) {
    if (check_constraints(db, t, vals, rowid) != ST_OK)
        return db->err.code;
    struct row *old = table_unlink_row(t, rowid);
    if (!old)
        return ST_OK;
    struct row *r = row_alloc(t->ncols);
    r->rowid = rowid;
    for (int c = 0; c < t->ncols; c++)
        r->vals[c] = value_dup_heap(&vals[c]);
    table_link_row(t, r);
    undo_push(db, U_UPDATE, t, rowid, old);
    db->stats.rows_written++;
    return ST_OK;
}

/* Undoes log records down to `mark`, newest first. */
static void undo_rollback(struct db *db, size_t mark) {
    while (db->nlog > mark) {
        struct undo_rec *u = &db->log[--db->nlog];
        struct row *cur;
        switch (u->kind) {
        case U_INSERT:
            row_free(table_unlink_row(u->table, u->rowid));
            break;
        case U_DELETE:
            table_link_row(u->table, u->saved);
            break;
        case U_UPDATE:
            cur = table_unlink_row(u->table, u->rowid);
            row_free(cur);
            table_link_row(u->table, u->saved);
            break;
        }
        u->saved = NULL;
    }
}

/* Makes log records permanent by releasing their saved images. */
static void undo_commit(struct db *db) {
    for (size_t i = 0; i < db->nlog; i++)
        row_free(db->log[i].saved);
    db->nlog = 0;
}

static struct index *index_create(struct db *db, struct table *t,
                                  const char *name, int col, int unique,
                                  int automatic) {
    if (db->nindexes == MAX_INDEXES || t->nindexes == MAX_INDEXES) {
        err_set(&db->err, ST_LIMIT, "too many indexes", NULL, NULL);
        return NULL;
    }
    struct index *ix = xmalloc(sizeof *ix);
    memset(ix, 0, sizeof *ix);
    str_copy_name(ix->name, name);
    ix->table = t;
    ix->col = col;
    ix->unique = unique;
    ix->automatic = automatic;
    bt_init(&ix->tree);
    struct bt_cursor c;
    for (bt_cursor_first(&c, &t->rows); bt_cursor_valid(&c); bt_cursor_next(&c)) {
        const struct row *r = bt_cursor_entry(&c)->payload;
        if (unique && r->vals[col].type != VT_NULL &&
            index_has_key(ix, &r->vals[col], INT64_MIN)) {
            err_set4(&db->err, ST_CONSTRAINT, "UNIQUE constraint failed: ",
                     t->name, ".", t->cols[col].name);
            bt_destroy(&ix->tree, free_index_entry, NULL);
            free(ix);
            return NULL;
        }
        index_add(ix, r);
    }
    t->indexes[t->nindexes++] = ix;
    db->indexes[db->nindexes++] = ix;
    return ix;
}

static void index_destroy(struct db *db, struct index *ix) {
    struct table *t = ix->table;
    for (int i = 0; i < t->nindexes; i++) {
        if (t->indexes[i] == ix) {
            memmove(&t->indexes[i], &t->indexes[i + 1],
                    sizeof t->indexes[0] * (size_t)(t->nindexes - i - 1));
            t->nindexes--;
            break;
        }
    }
    for (int i = 0; i < db->nindexes; i++) {
        if (db->indexes[i] == ix) {
            memmove(&db->indexes[i], &db->indexes[i + 1],
                    sizeof db->indexes[0] * (size_t)(db->nindexes - i - 1));
            db->nindexes--;
            break;
        }
    }
    bt_destroy(&ix->tree, free_index_entry, NULL);
    free(ix);
}

static void table_destroy(struct db *db, struct table *t) {
    while (t->nindexes > 0)
        index_destroy(db, t->indexes[t->nindexes - 1]);
    bt_destroy(&t->rows, free_row_entry, NULL);
    for (int c = 0; c < t->ncols; c++)
        value_free_heap(&t->cols[c].def);
    for (int i = 0; i < t->nchecks; i++)
        free(t->checks[i]);
    for (int i = 0; i < db->ntables; i++) {
        if (db->tables[i] == t) {
            memmove(&db->tables[i], &db->tables[i + 1],
                    sizeof db->tables[0] * (size_t)(db->ntables - i - 1));
            db->ntables--;
            break;
        }
    }
    free(t);
}

static void db_init(struct db *db) {
    memset(db, 0, sizeof *db);
    db->use_indexes = 1;
    sb_init(&db->out);
    err_clear(&db->err);
}

static void db_close(struct db *db) {
    undo_rollback(db, 0);
    free(db->log);
    db->log = NULL;
    while (db->ntables > 0)
        table_destroy(db, db->tables[db->ntables - 1]);
    for (int i = 0; i < db->nviews; i++) {
        free(db->views[i]->sql);
        free(db->views[i]);
    }
    db->nviews = 0;
    arena_reset(&db->arena);
    sb_free(&db->out);
}

/* Checks all B-trees and that every index agrees with its table. */
static int db_integrity_check(struct db *db, struct sbuf *report) {
    int ok = 1;
    for (int i = 0; i < db->ntables; i++) {
        struct table *t = db->tables[i];
        if (!bt_check(&t->rows)) {
            sb_puts(report, "bad row tree in ");
            sb_puts(report, t->name);
            sb_putc(report, '\n');
            ok = 0;
        }
        for (int k = 0; k < t->nindexes; k++) {
            struct index *ix = t->indexes[k];
            if (!bt_check(&ix->tree) || ix->tree.count != t->rows.count) {
                sb_puts(report, "bad index ");
                sb_puts(report, ix->name);
                sb_putc(report, '\n');
                ok = 0;
                continue;
            }
            struct bt_cursor c;
            for (bt_cursor_first(&c, &ix->tree); bt_cursor_valid(&c);
                 bt_cursor_next(&c)) {
                struct bt_entry *e = bt_cursor_entry(&c);
                struct row *r = table_get_row(t, e->rowid);
                if (!r || !value_eq(&r->vals[ix->col], &e->key)) {
                    sb_puts(report, "stale entry in index ");
                    sb_puts(report, ix->name);
                    sb_putc(report, '\n');
                    ok = 0;
                    break;
                }
            }
        }
    }
    return ok;
}

/* ====================================================================== */
/* Expression printing (result headers and EXPLAIN output)                */
/* ====================================================================== */

static const char *op_text(enum tok op) {
    switch (op) {
    case K_AND: return " AND ";
    case K_OR: return " OR ";
    case T_EQ: return " = ";
    case T_NE: return " <> ";
    case T_LT: return " < ";
    case T_LE: return " <= ";
    case T_GT: return " > ";
    case T_GE: return " >= ";
    case T_PLUS: return " + ";
    case T_MINUS: return " - ";
    case T_STAR: return " * ";
    case T_SLASH: return " / ";
    case T_PERCENT: return " % ";
    case T_CONCAT: return " || ";
    default: return " ? ";
    }
}

static void expr_to_sql(struct sbuf *b, const struct expr *e) {
    switch (e->kind) {
    case E_LIT:
        if (e->lit.type == VT_TEXT)
            sb_put_quoted(b, e->lit.s);
        else
            sb_put_value(b, &e->lit);
        break;
    case E_COL:
        if (e->tname) {
            sb_puts(b, e->tname);
            sb_putc(b, '.');
        }
        sb_puts(b, e->star ? "*" : e->cname);
        break;
    case E_NEG:
        sb_putc(b, '-');
        expr_to_sql(b, e->left);
        break;
    case E_NOT:
        sb_puts(b, "NOT ");
        expr_to_sql(b, e->left);
        break;
    case E_BIN:
        sb_putc(b, '(');
        expr_to_sql(b, e->left);
        if (e->op == K_IS)
            sb_puts(b, e->negated ? " IS NOT " : " IS ");
        else
            sb_puts(b, op_text(e->op));
        expr_to_sql(b, e->right);
        sb_putc(b, ')');
        break;
    case E_FUNC:
    case E_AGG:
        sb_puts(b, e->kind == E_AGG ? agg_names[e->func] : func_table[e->func].name);
        sb_putc(b, '(');
        if (e->distinct)
            sb_puts(b, "DISTINCT ");
        if (e->star)
            sb_putc(b, '*');
        for (int i = 0; i < e->nlist; i++) {
            if (i)
                sb_puts(b, ", ");
            expr_to_sql(b, e->list[i]);
        }
        sb_putc(b, ')');
        break;
    case E_BETWEEN:
        expr_to_sql(b, e->left);
        sb_puts(b, e->negated ? " NOT BETWEEN " : " BETWEEN ");
        expr_to_sql(b, e->right);
        sb_puts(b, " AND ");
        expr_to_sql(b, e->third);
        break;
    case E_SUBQUERY:
        sb_puts(b, "(SELECT ...)");
        break;
    case E_EXISTS:
        sb_puts(b, "EXISTS (SELECT ...)");
        break;
    case E_IN:
        expr_to_sql(b, e->left);
        sb_puts(b, e->negated ? " NOT IN (" : " IN (");
        if (e->sub)
            sb_puts(b, "SELECT ...");
        for (int i = 0; i < e->nlist; i++) {
            if (i)
                sb_puts(b, ", ");
            expr_to_sql(b, e->list[i]);
        }
        sb_putc(b, ')');
        break;
    case E_ISNULL:
        expr_to_sql(b, e->left);
        sb_puts(b, e->negated ? " IS NOT NULL" : " IS NULL");
        break;
    case E_LIKE:
        expr_to_sql(b, e->left);
        if (e->glob)
            sb_puts(b, e->negated ? " NOT GLOB " : " GLOB ");
        else
            sb_puts(b, e->negated ? " NOT LIKE " : " LIKE ");
        expr_to_sql(b, e->right);
        break;
    case E_CASE:
        sb_puts(b, "CASE");
        if (e->left) {
            sb_putc(b, ' ');
            expr_to_sql(b, e->left);
        }
        for (int i = 0; i + 1 < e->nlist; i += 2) {
            sb_puts(b, " WHEN ");
            expr_to_sql(b, e->list[i]);
            sb_puts(b, " THEN ");
            expr_to_sql(b, e->list[i + 1]);
        }
        if (e->third) {
            sb_puts(b, " ELSE ");
            expr_to_sql(b, e->third);
        }
        sb_puts(b, " END");
        break;
    case E_CAST:
        sb_puts(b, "CAST(");
        expr_to_sql(b, e->left);
        sb_puts(b, e->cast_type == VT_INT ? " AS INTEGER)" : " AS TEXT)");
        break;
    }
}

/* ====================================================================== */
/* Query state                                                            */
/* ====================================================================== */

struct value_set {
    struct value *slots;
    uint8_t *used;
    size_t cap;
    size_t count;
};

struct agg_state {
    int64_t count;
    int64_t sum;
    int has_value;
    struct value best;
    char *text;
    size_t tlen, tcap;
    struct value_set *seen;
};

struct group {
    uint32_t hash;
    struct value keys[MAX_GROUP];
    struct agg_state *acc;
    struct row *rows[MAX_JOIN];
    struct group *bucket_next;
    struct group *next;
    int64_t nrows;
};

struct term {
    struct expr *e;
    unsigned mask;
    int level;
    int on_slot; /* ON clause of a LEFT JOIN on this slot, else -1 */
};

enum access_kind { AP_SCAN, AP_EQ, AP_IN, AP_RANGE };

struct access_path {
    enum access_kind kind;
    struct index *ix;
    struct expr *eq;
    struct expr *in;
    struct expr *lo, *hi;
    int lo_incl, hi_incl;
    uint64_t cost; /* estimated row visits */
};

struct out_col {
    struct expr *e;
    const char *name;
};

struct order_key {
    struct expr *e;
    int ref; /* output column index, or -1 to evaluate e */
    int desc;
    enum nulls_order nulls;
};

struct result {
    int ncols;
    const char *names[MAX_COLS * MAX_JOIN];
    struct value **rows;
    struct value **keys;
    size_t nrows, cap;
};

struct query {
    struct db *db;
    struct arena *arena;
    struct error *err;
    struct query *outer;  /* enclosing query for correlated subqueries */
    int correlated;       /* refers to rows of an enclosing query */
    unsigned parent_mask; /* slots of `outer` referenced from here */
    struct table *temps[MAX_JOIN]; /* materialized views and subqueries */
    int ntemps;
    int left_join[MAX_JOIN];
    int matched[MAX_JOIN];
    int hidden[MAX_JOIN]; /* slot only reachable by a qualified name */
    const struct select_stmt *sel;
    int nslots;
    struct table *tables[MAX_JOIN];
    const char *alias[MAX_JOIN];
    struct row *cur[MAX_JOIN];
    struct term terms[64];
    int nterms;
    struct access_path path[MAX_JOIN];
    struct expr *aggs[MAX_AGGS];
    int naggs;
    int grouped;
    struct group *cur_group;
    struct out_col cols[MAX_COLS * MAX_JOIN];
    int ncols;
    struct order_key order[MAX_ORDER];
    int norder;
    struct group **buckets;
    size_t nbuckets;
    struct group *groups;
    struct group *groups_tail;
    size_t ngroups;
    struct result res;
    int collect; /* UPDATE/DELETE: gather rowids of slot 0 */
    int64_t *rowids;
    size_t nrowids, caprowids;
    uint64_t rows_considered;
};

static void query_init(struct query *q, struct db *db) {
    memset(q, 0, sizeof *q);
    q->db = db;
    q->arena = &db->arena;
    q->err = &db->err;
}

static int q_failed(const struct query *q) { return q->err->code != ST_OK; }

static enum status subquery_probe(struct query *q, struct expr *e);
static struct value eval_subquery(struct query *q, const struct expr *e);
static int in_subquery(struct query *q, const struct expr *e,
                       const struct value *v);

/* ====================================================================== */
/* Value sets (DISTINCT aggregates and DISTINCT results)                  */
/* ====================================================================== */

static struct value_set *vset_new(struct arena *a, size_t cap) {
    struct value_set *s = arena_alloc(a, sizeof *s);
    s->cap = cap;
    s->count = 0;
    s->slots = arena_alloc(a, sizeof(struct value) * cap);
    s->used = arena_zalloc(a, cap);
    return s;
}

/* Inserts; returns 1 if the value was new. */
static int vset_add(struct arena *a, struct value_set *s, const struct value *v) {
    if ((s->count + 1) * 2 > s->cap) {
        struct value_set *bigger = vset_new(a, s->cap * 2);
        for (size_t i = 0; i < s->cap; i++)
            if (s->used[i])
                vset_add(a, bigger, &s->slots[i]);
        *s = *bigger;
    }
    size_t i = value_hash(2166136261u, v) & (s->cap - 1);
    while (s->used[i]) {
        if (value_eq(&s->slots[i], v))
            return 0;
        i = (i + 1) & (s->cap - 1);
    }
    s->used[i] = 1;
    s->slots[i] = value_dup_arena(a, v);
    s->count++;
    return 1;
}

static int vset_contains(const struct value_set *s, const struct value *v) {
    size_t i = value_hash(2166136261u, v) & (s->cap - 1);
    while (s->used[i]) {
        if (value_eq(&s->slots[i], v))
            return 1;
        i = (i + 1) & (s->cap - 1);
    }
    return 0;
}

/* ====================================================================== */
/* Name resolution                                                        */
/* ====================================================================== */

static int slot_matches(const struct query *q, int slot, const char *qual) {
    if (q->alias[slot] && str_ieq(q->alias[slot], qual))
        return 1;
    return str_ieq(q->tables[slot]->name, qual);
}

static enum status resolve_expr(struct query *q, struct expr *e, int allow_agg);

static enum status resolve_list(struct query *q, struct expr **list, int n,
                                int allow_agg) {
    for (int i = 0; i < n; i++)
        if (resolve_expr(q, list[i], allow_agg) != ST_OK)
            return q->err->code;
    return ST_OK;
}

static enum status resolve_expr(struct query *q, struct expr *e, int allow_agg) {
    if (!e)
        return ST_OK;
    switch (e->kind) {
    case E_LIT:
        return ST_OK;
    case E_COL: {
        if (e->star)
            return err_set(q->err, ST_SYNTAX, "\"", e->tname,
                           ".*\" is only allowed in the result list");
        int found = 0;
        for (int s = 0; s < q->nslots; s++) {
            if (e->tname ? !slot_matches(q, s, e->tname) : q->hidden[s])
                continue;
            int c = table_find_column(q->tables[s], e->cname);
            if (c < 0)
                continue;
            if (found)
                return err_set(q->err, ST_NO_COLUMN, "ambiguous column name: ",
                               e->cname, NULL);
            e->slot = s;
            e->col = c;
            found = 1;
        }
        if (found) {
            e->depth = 0;
            return ST_OK;
        }
        /* correlated reference: search the enclosing queries */
        int depth = 1;
        for (struct query *o = q->outer; o; o = o->outer, depth++) {
            for (int s = 0; s < o->nslots && !found; s++) {
                if (e->tname && !slot_matches(o, s, e->tname))
                    continue;
                int c = table_find_column(o->tables[s], e->cname);
                if (c < 0)
                    continue;
                e->slot = s;
                e->col = c;
                e->depth = depth;
                found = 1;
            }
            if (found) {
                /* every query from here up to just below `o` now depends
                 * on rows of `o` */
                struct query *c = q;
                for (int d = 1; d < depth; d++) {
                    c->correlated = 1;
                    c = c->outer;
                }
                c->correlated = 1;
                c->parent_mask |= 1u << e->slot;
                return ST_OK;
            }
        }
        if (e->tname)
            return err_set(q->err, ST_NO_COLUMN, "no such column: ", e->tname,
                           e->cname);
        return err_set(q->err, ST_NO_COLUMN, "no such column: ", e->cname, NULL);
    }
    case E_AGG:
        if (!allow_agg)
            return err_set(q->err, ST_MISUSE, "misuse of aggregate: ",
                           agg_names[e->func], "()");
        /* register once per query (subqueries are resolved on every run) */
        if (e->agg_index < 0 || e->agg_index >= q->naggs ||
            q->aggs[e->agg_index] != e) {
            if (q->naggs == MAX_AGGS)
                return err_set(q->err, ST_LIMIT, "too many aggregates", NULL,
                               NULL);
            e->agg_index = q->naggs;
            q->aggs[q->naggs++] = e;
        }
        return resolve_list(q, e->list, e->nlist, 0);
    case E_SUBQUERY:
    case E_EXISTS:
        return subquery_probe(q, e);
    case E_FUNC:
    case E_IN:
        if (resolve_expr(q, e->left, allow_agg) != ST_OK)
            return q->err->code;
        if (e->kind == E_IN && e->sub)
            return subquery_probe(q, e);
        if (e->kind == E_IN)
            return resolve_list(q, e->list, e->nlist, allow_agg);
        if (e->nlist < 2)
            return ST_OK;
        return resolve_list(q, e->list + 1, e->nlist - 1, allow_agg);
    case E_CASE:
        if (resolve_expr(q, e->left, allow_agg) != ST_OK ||
            resolve_list(q, e->list, e->nlist, allow_agg) != ST_OK)
            return q->err->code;
        return resolve_expr(q, e->third, allow_agg);
    default:
        if (resolve_expr(q, e->left, allow_agg) != ST_OK ||
            resolve_expr(q, e->right, allow_agg) != ST_OK)
            return q->err->code;
        return resolve_expr(q, e->third, allow_agg);
    }
}

/* Bitmask of join slots referenced by an expression. */
static unsigned expr_mask(const struct expr *e) {
    if (!e)
        return 0;
    unsigned m = 0;
    if (e->kind == E_COL && e->slot >= 0 && e->depth == 0)
        m |= 1u << e->slot;
    if (e->sub)
        m |= e->outer_mask;
    m |= expr_mask(e->left) | expr_mask(e->right) | expr_mask(e->third);
    for (int i = 0; i < e->nlist; i++)
        if (e->list[i] != e->left)
            m |= expr_mask(e->list[i]);
    return m;
}

static int expr_has_agg(const struct expr *e) {
    if (!e)
        return 0;
    if (e->kind == E_AGG)
        return 1;
    if (expr_has_agg(e->left) || expr_has_agg(e->right) || expr_has_agg(e->third))
        return 1;
    for (int i = 0; i < e->nlist; i++)
        if (expr_has_agg(e->list[i]))
            return 1;
    return 0;
}

/* ====================================================================== */
/* Scalar functions                                                       */
/* ====================================================================== */

static struct value fn_text_result(struct query *q, const char *s, size_t n) {
    return v_text(arena_strndup(q->arena, s, n));
}

static const char *as_text(struct query *q, const struct value *v) {
    return value_to_text(q->arena, v);
}

static void format_padded(struct sbuf *b, const char *s, int width, int left,
                          char pad) {
    size_t n = strlen(s);
    size_t w = width > 0 ? (size_t)width : 0;
    if (!left && n < w) {
        if (pad == '0' && (*s == '-')) {
            sb_putc(b, '-');
            s++;
            n--;
            w--;
        }
        sb_repeat(b, pad, w - n);
    }
    sb_puts(b, s);
    if (left && n < w)
        sb_repeat(b, ' ', w - n);
}

/* printf(format, ...) supporting %d %i %s %x %c %% with flags '-' and '0'
 * and a field width. */
static struct value fn_printf(struct query *q, const struct value *args, int n) {
    if (args[0].type == VT_NULL)
        return v_null();
    const char *f = as_text(q, &args[0]);
    struct sbuf b;
    sb_init(&b);
    int next = 1;
    while (*f) {
        if (*f != '%') {
            sb_putc(&b, *f++);
            continue;
        }
        f++;
        if (*f == '%') {
            sb_putc(&b, '%');
            f++;
            continue;
        }
        int left = 0;
        char pad = ' ';
        while (*f == '-' || *f == '0') {
            if (*f == '-')
                left = 1;
            else
                pad = '0';
            f++;
        }
        int width = 0;
        while (ch_is_digit((unsigned char)*f) && width < 1000)
            width = width * 10 + (*f++ - '0');
        char conv = *f ? *f++ : '\0';
        struct value arg = next < n ? args[next] : v_null();
        next++;
        char tmp[32];
        int is_null;
        switch (conv) {
        case 'd':
        case 'i':
            fmt_i64(tmp, value_as_int(&arg, &is_null));
            format_padded(&b, tmp, width, left, left ? ' ' : pad);
            break;
        case 'x': {
            uint64_t u = (uint64_t)value_as_int(&arg, &is_null);
            char rev[20];
            int k = 0;
            do {
                rev[k++] = "0123456789abcdef"[u & 15u];
                u >>= 4;
            } while (u);
            for (int j = 0; j < k; j++)
                tmp[j] = rev[k - 1 - j];
            tmp[k] = '\0';
            format_padded(&b, tmp, width, left, left ? ' ' : pad);
            break;
        }
        case 'c': {
            const char *s = as_text(q, &arg);
            tmp[0] = arg.type == VT_NULL ? '\0' : s[0];
            tmp[1] = '\0';
            format_padded(&b, tmp, width, left, ' ');
            break;
        }
        case 's':
            format_padded(&b, arg.type == VT_NULL ? "" : as_text(q, &arg), width,
                          left, ' ');
            break;
        default:
            sb_putc(&b, '%');
            if (conv)
                sb_putc(&b, conv);
            break;
        }
    }
    struct value r = fn_text_result(q, sb_str(&b), b.len);
    sb_free(&b);
    return r;
}

static struct value fn_substr(struct query *q, const struct value *args, int n) {
    if (args[0].type == VT_NULL || args[1].type == VT_NULL ||
        (n > 2 && args[2].type == VT_NULL))
        return v_null();
    const char *s = as_text(q, &args[0]);
    int64_t len = (int64_t)strlen(s);
    int is_null;
    int64_t p1 = value_as_int(&args[1], &is_null);
    int64_t p2 = n > 2 ? value_as_int(&args[2], &is_null) : len;
    if (p2 < 0)
        p2 = 0;
    if (p2 > len)
        p2 = len;
    if (p1 < -len - 1)
        p1 = -len - 1;
    if (p1 > len + 1)
        p1 = len + 1;
    if (p1 < 0) {
        p1 += len;
        if (p1 < 0) {
            p2 += p1;
            p1 = 0;
        }
    } else if (p1 > 0) {
        p1--;
    } else if (p2 > 0) {
        p2--;
    }
    if (p2 < 0)
        p2 = 0;
    if (p1 > len)
        p1 = len;
    if (p1 + p2 > len)
        p2 = len - p1;
    return fn_text_result(q, s + p1, (size_t)p2);
}

static struct value fn_replace(struct query *q, const struct value *args) {
    for (int i = 0; i < 3; i++)
        if (args[i].type == VT_NULL)
            return v_null();
    const char *s = as_text(q, &args[0]);
    const char *from = as_text(q, &args[1]);
    const char *to = as_text(q, &args[2]);
    size_t fl = strlen(from);
    if (fl == 0)
        return v_text(s);
    struct sbuf b;
    sb_init(&b);
    while (*s) {
        if (strncmp(s, from, fl) == 0) {
            sb_puts(&b, to);
            s += fl;
        } else {
            sb_putc(&b, *s++);
        }
    }
    struct value r = fn_text_result(q, sb_str(&b), b.len);
    sb_free(&b);
    return r;
}

static struct value call_function(struct query *q, const struct expr *e,
                                  const struct value *a, int n) {
    int is_null;
    switch ((enum func_id)e->func) {
    case F_LENGTH:
        if (a[0].type == VT_NULL)
            return v_null();
        return v_int((int64_t)strlen(as_text(q, &a[0])));
    case F_UPPER:
    case F_LOWER: {
        if (a[0].type == VT_NULL)
            return v_null();
        const char *s = as_text(q, &a[0]);
        size_t len = strlen(s);
        char *r = arena_alloc(q->arena, len + 1);
        for (size_t i = 0; i <= len; i++)
            r[i] = (char)(e->func == F_UPPER ? ch_upper((unsigned char)s[i])
                                             : ch_lower((unsigned char)s[i]));
        return v_text(r);
    }
    case F_ABS: {
        if (a[0].type == VT_NULL)
            return v_null();
        int64_t v = value_as_int(&a[0], &is_null);
        if (v == INT64_MIN) {
            err_set(q->err, ST_OVERFLOW, "integer overflow in abs()", NULL, NULL);
            return v_null();
        }
        return v_int(v < 0 ? -v : v);
    }
    case F_SUBSTR:
        return fn_substr(q, a, n);
    case F_TRIM:
    case F_LTRIM:
    case F_RTRIM: {
        if (a[0].type == VT_NULL || (n > 1 && a[1].type == VT_NULL))
            return v_null();
        const char *s = as_text(q, &a[0]);
        const char *set = n > 1 ? as_text(q, &a[1]) : " ";
        size_t len = strlen(s);
        if (e->func != F_RTRIM)
            while (len > 0 && *s && strchr(set, *s)) {
                s++;
                len--;
            }
        if (e->func != F_LTRIM)
            while (len > 0 && strchr(set, s[len - 1]))
                len--;
        return fn_text_result(q, s, len);
    }
    case F_QUOTE: {
        if (a[0].type != VT_TEXT)
            return a[0].type == VT_NULL ? v_text("NULL")
                                        : v_text(as_text(q, &a[0]));
        struct sbuf b;
        sb_init(&b);
        sb_put_quoted(&b, a[0].s);
        struct value r = fn_text_result(q, sb_str(&b), b.len);
        sb_free(&b);
        return r;
    }
    case F_CHAR: {
        char *r = arena_alloc(q->arena, (size_t)n + 1);
        int k = 0;
        for (int i = 0; i < n; i++) {
            int64_t c = value_as_int(&a[i], &is_null);
            if (!is_null && c > 0 && c < 128)
                r[k++] = (char)c;
        }
        r[k] = '\0';
        return v_text(r);
    }
    case F_UNICODE: {
        if (a[0].type == VT_NULL)
            return v_null();
        const char *s = as_text(q, &a[0]);
        return *s ? v_int((unsigned char)*s) : v_null();
    }
    case F_IIF:
        return value_truth(&a[0]) == 1 ? a[1] : a[2];
    case F_CONCAT:
    case F_CONCAT_WS: {
        struct sbuf b;
        sb_init(&b);
        int first = e->func == F_CONCAT_WS ? 1 : 0;
        if (first && a[0].type == VT_NULL)
            return v_null();
        const char *sep = first ? as_text(q, &a[0]) : "";
        int emitted = 0;
        for (int i = first; i < n; i++) {
            if (a[i].type == VT_NULL)
                continue;
            if (emitted++)
                sb_puts(&b, sep);
            sb_puts(&b, as_text(q, &a[i]));
        }
        struct value r = fn_text_result(q, sb_str(&b), b.len);
        sb_free(&b);
        return r;
    }
    case F_FORMAT:
        return fn_printf(q, a, n);
    case F_REVERSE: {
        if (a[0].type == VT_NULL)
            return v_null();
        const char *s = as_text(q, &a[0]);
        size_t len = strlen(s);
        char *r = arena_alloc(q->arena, len + 1);
        for (size_t i = 0; i < len; i++)
            r[i] = s[len - 1 - i];
        r[len] = '\0';
        return v_text(r);
    }
    case F_GLOB:
    case F_LIKE:
        if (a[0].type == VT_NULL || a[1].type == VT_NULL)
            return v_null();
        /* function form takes the pattern first, like SQLite */
        if (e->func == F_GLOB)
            return v_bool(glob_match(as_text(q, &a[0]), as_text(q, &a[1])));
        return v_bool(like_match(as_text(q, &a[0]), as_text(q, &a[1])));
    case F_REPLACE:
        return fn_replace(q, a);
    case F_INSTR: {
        if (a[0].type == VT_NULL || a[1].type == VT_NULL)
            return v_null();
        const char *s = as_text(q, &a[0]);
        const char *p = strstr(s, as_text(q, &a[1]));
        return v_int(p ? (int64_t)(p - s) + 1 : 0);
    }
    case F_COALESCE:
    case F_IFNULL:
        for (int i = 0; i < n; i++)
            if (a[i].type != VT_NULL)
                return a[i];
        return v_null();
    case F_NULLIF:
        return value_eq(&a[0], &a[1]) ? v_null() : a[0];
    case F_TYPEOF:
        return v_text(vtype_names[a[0].type]);
    case F_PRINTF:
        return fn_printf(q, a, n);
    case F_MIN2:
    case F_MAX2: {
        struct value best = a[0];
        for (int i = 0; i < n; i++) {
            if (a[i].type == VT_NULL)
                return v_null();
            int c = value_cmp(&a[i], &best);
            if ((e->func == F_MIN2 && c < 0) || (e->func == F_MAX2 && c > 0))
                best = a[i];
        }
        return best;
    }
    case F_HEX: {
        if (a[0].type == VT_NULL)
            return v_text("");
        const char *s = as_text(q, &a[0]);
        size_t len = strlen(s);
        char *r = arena_alloc(q->arena, len * 2 + 1);
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            r[2 * i] = "0123456789ABCDEF"[c >> 4];
            r[2 * i + 1] = "0123456789ABCDEF"[c & 15u];
        }
        r[len * 2] = '\0';
        return v_text(r);
    }
    case F_SIGN: {
        if (a[0].type == VT_NULL)
            return v_null();
        int64_t v = value_as_int(&a[0], &is_null);
        return v_int((v > 0) - (v < 0));
    }
    case F_CHANGES:
        return v_int(q->db->last_changes);
    case F_TOTAL_CHANGES:
        return v_int(q->db->total_changes);
    case F_LAST_INSERT_ROWID:
        return v_int(q->db->last_rowid);
    case F_COUNT_FUNCS:
        break;
    }
    return v_null();
}

/* ====================================================================== */
/* Expression evaluation                                                  */
/* ====================================================================== */

static struct value eval(struct query *q, const struct expr *e);

static struct value agg_result(const struct expr *e, const struct agg_state *s) {
    switch ((enum agg_id)e->func) {
    case A_COUNT:
        return v_int(s->count);
    case A_SUM:
        return s->has_value ? v_int(s->sum) : v_null();
    case A_TOTAL:
        return v_int(s->sum);
    case A_AVG:
        return s->has_value && s->count > 0 ? v_int(s->sum / s->count) : v_null();
    case A_MIN:
    case A_MAX:
        return s->has_value ? s->best : v_null();
    case A_GROUP_CONCAT:
        return s->has_value ? v_text(s->text) : v_null();
    }
    return v_null();
}

static struct value eval_arith(struct query *q, enum tok op, struct value l,
                               struct value r) {
    if (l.type == VT_NULL || r.type == VT_NULL)
        return v_null();
    int n1, n2;
    int64_t a = value_as_int(&l, &n1), b = value_as_int(&r, &n2), out = 0;
    int ok = 1;
    switch (op) {
    case T_PLUS:
        ok = checked_add(a, b, &out);
        break;
    case T_MINUS:
        ok = checked_sub(a, b, &out);
        break;
    case T_STAR:
        ok = checked_mul(a, b, &out);
        break;
    case T_SLASH:
        if (b == 0)
            return v_null();
        if (a == INT64_MIN && b == -1)
            ok = 0;
        else
            out = a / b;
        break;
    case T_PERCENT:
        if (b == 0)
            return v_null();
        out = (b == -1) ? 0 : a % b;
        break;
    default:
        break;
    }
    if (!ok) {
        err_set(q->err, ST_OVERFLOW, "integer overflow", NULL, NULL);
        return v_null();
    }
    return v_int(out);
}

static struct value eval_compare(enum tok op, struct value l, struct value r) {
    if (l.type == VT_NULL || r.type == VT_NULL)
        return v_null();
    int c = value_cmp(&l, &r);
    switch (op) {
    case T_EQ: return v_bool(c == 0);
    case T_NE: return v_bool(c != 0);
    case T_LT: return v_bool(c < 0);
    case T_LE: return v_bool(c <= 0);
    case T_GT: return v_bool(c > 0);
    case T_GE: return v_bool(c >= 0);
    default: return v_null();
    }
}

static struct value truth_value(int t) { return t < 0 ? v_null() : v_bool(t); }

static struct value eval(struct query *q, const struct expr *e) {
    if (q_failed(q))
        return v_null();
    switch (e->kind) {
    case E_LIT:
        return e->lit;
    case E_COL: {
        const struct query *src = q;
        for (int d = 0; d < e->depth && src; d++)
            src = src->outer;
        const struct row *r = src && e->slot >= 0 ? src->cur[e->slot] : NULL;
        return r ? r->vals[e->col] : v_null();
    }
    case E_SUBQUERY:
    case E_EXISTS:
        return eval_subquery(q, e);
    case E_AGG:
        if (!q->cur_group) {
            err_set(q->err, ST_MISUSE, "aggregate used outside of a group",
                    NULL, NULL);
            return v_null();
        }
        return agg_result(e, &q->cur_group->acc[e->agg_index]);
    case E_NEG: {
        struct value v = eval(q, e->left);
        if (v.type == VT_NULL)
            return v;
        int is_null;
        int64_t i = value_as_int(&v, &is_null);
        if (i == INT64_MIN) {
            err_set(q->err, ST_OVERFLOW, "integer overflow", NULL, NULL);
            return v_null();
        }
        return v_int(-i);
    }
    case E_NOT: {
        struct value v = eval(q, e->left);
        int t = value_truth(&v);
        return t < 0 ? v_null() : v_bool(!t);
    }
    case E_BIN: {
        if (e->op == K_AND || e->op == K_OR) {
            struct value l = eval(q, e->left);
            int lt = value_truth(&l);
            if (e->op == K_AND && lt == 0)
                return v_bool(0);
            if (e->op == K_OR && lt == 1)
                return v_bool(1);
            struct value r = eval(q, e->right);
            int rt = value_truth(&r);
            if (e->op == K_AND) {
                if (rt == 0)
                    return v_bool(0);
                return truth_value(lt < 0 || rt < 0 ? -1 : 1);
            }
            if (rt == 1)
                return v_bool(1);
            return truth_value(lt < 0 || rt < 0 ? -1 : 0);
        }
        struct value l = eval(q, e->left);
        struct value r = eval(q, e->right);
        if (e->op == K_IS) {
            int same = (l.type == VT_NULL || r.type == VT_NULL)
                           ? l.type == r.type
                           : value_eq(&l, &r);
            return v_bool(same != e->negated);
        }
        switch (e->op) {
        case T_PLUS:
        case T_MINUS:
        case T_STAR:
        case T_SLASH:
        case T_PERCENT:
            return eval_arith(q, e->op, l, r);
        case T_CONCAT: {
            if (l.type == VT_NULL || r.type == VT_NULL)
                return v_null();
            const char *a = as_text(q, &l), *b = as_text(q, &r);
            size_t la = strlen(a), lb = strlen(b);
            char *s = arena_alloc(q->arena, la + lb + 1);
            memcpy(s, a, la);
            memcpy(s + la, b, lb + 1);
            return v_text(s);
        }
        default:
            return eval_compare(e->op, l, r);
        }
    }
    case E_FUNC: {
        struct value args[MAX_ARGS];
        for (int i = 0; i < e->nlist; i++)
            args[i] = eval(q, e->list[i]);
        if (q_failed(q))
            return v_null();
        return call_function(q, e, args, e->nlist);
    }
    case E_BETWEEN: {
        struct value v = eval(q, e->left);
        struct value lo = eval(q, e->right);
        struct value hi = eval(q, e->third);
        struct value a = eval_compare(T_GE, v, lo);
        struct value b = eval_compare(T_LE, v, hi);
        int ta = value_truth(&a), tb = value_truth(&b);
        int t = (ta == 0 || tb == 0) ? 0 : (ta < 0 || tb < 0) ? -1 : 1;
        if (e->negated && t >= 0)
            t = !t;
        return truth_value(t);
    }
    case E_IN: {
        struct value v = eval(q, e->left);
        if (v.type == VT_NULL)
            return v_null();
        if (e->sub) {
            int t = in_subquery(q, e, &v);
            if (e->negated && t >= 0)
                t = !t;
            return truth_value(t);
        }
        int saw_null = 0, found = 0;
        for (int i = 0; i < e->nlist && !found; i++) {
            struct value item = eval(q, e->list[i]);
            if (item.type == VT_NULL)
                saw_null = 1;
            else if (value_eq(&v, &item))
                found = 1;
        }
        int t = found ? 1 : saw_null ? -1 : 0;
        if (e->negated && t >= 0)
            t = !t;
        return truth_value(t);
    }
    case E_ISNULL: {
        struct value v = eval(q, e->left);
        return v_bool((v.type == VT_NULL) != e->negated);
    }
    case E_LIKE: {
        struct value v = eval(q, e->left), pat = eval(q, e->right);
        if (v.type == VT_NULL || pat.type == VT_NULL)
            return v_null();
        int m = e->glob ? glob_match(as_text(q, &pat), as_text(q, &v))
                        : like_match(as_text(q, &pat), as_text(q, &v));
        return v_bool(m != e->negated);
    }
    case E_CASE: {
        struct value subject = e->left ? eval(q, e->left) : v_null();
        for (int i = 0; i + 1 < e->nlist; i += 2) {
            struct value w = eval(q, e->list[i]);
            int hit;
            if (e->left)
                hit = subject.type != VT_NULL && w.type != VT_NULL &&
                      value_eq(&subject, &w);
            else
                hit = value_truth(&w) == 1;
            if (hit)
                return eval(q, e->list[i + 1]);
        }
        return e->third ? eval(q, e->third) : v_null();
    }
    case E_CAST: {
        struct value v = eval(q, e->left);
        if (v.type == VT_NULL)
            return v;
        int is_null;
        if (e->cast_type == VT_INT)
            return v_int(value_as_int(&v, &is_null));
        return v_text(as_text(q, &v));
    }
    }
    return v_null();
}

static int eval_truth(struct query *q, const struct expr *e) {
    struct value v = eval(q, e);
    return value_truth(&v) == 1;
}

/* Evaluates an expression that must not reference any table. */
static int eval_constant_int(struct query *q, const struct expr *e,
                             int64_t *out, const char *what) {
    if (resolve_expr(q, (struct expr *)e, 0) != ST_OK)
        return 0;
    if (expr_mask(e) != 0) {
        err_set(q->err, ST_MISUSE, what, " must be a constant", NULL);
        return 0;
    }
    struct value v = eval(q, e);
    if (q_failed(q))
        return 0;
    if (v.type != VT_INT) {
        err_set(q->err, ST_TYPE, what, " must be an integer", NULL);
        return 0;
    }
    *out = v.i;
    return 1;
}

/* ====================================================================== */
/* Planner                                                                */
/* ====================================================================== */

static enum status add_terms(struct query *q, struct expr *e, int on_slot) {
    if (!e)
        return ST_OK;
    if (e->kind == E_BIN && e->op == K_AND) {
        if (add_terms(q, e->left, on_slot) != ST_OK)
            return q->err->code;
        return add_terms(q, e->right, on_slot);
    }
    if (q->nterms == (int)(sizeof q->terms / sizeof q->terms[0]))
        return err_set(q->err, ST_LIMIT, "WHERE clause too complex", NULL, NULL);
    struct term *t = &q->terms[q->nterms++];
    t->e = e;
    t->mask = expr_mask(e);
    t->level = -1;
    t->on_slot = on_slot;
    for (int s = 0; s < q->nslots; s++)
        if (t->mask & (1u << s))
            t->level = s;
    if (on_slot >= 0)
        t->level = on_slot; /* a LEFT JOIN condition belongs to its table */
    return ST_OK;
}

static int is_column_of(const struct expr *e, int slot) {
    return e->kind == E_COL && e->slot == slot;
}

/* Is every slot used by e bound before `slot` is scanned? */
static int bound_before(const struct expr *e, int slot) {
    unsigned m = expr_mask(e);
    return (m >> slot) == 0;
}

static enum tok flip_op(enum tok op) {
    switch (op) {
    case T_LT: return T_GT;
    case T_LE: return T_GE;
    case T_GT: return T_LT;
    case T_GE: return T_LE;
    default: return op;
    }
}

static int all_constant(const struct expr *e) {
    for (int i = 0; i < e->nlist; i++)
        if (expr_mask(e->list[i]) != 0)
            return 0;
    return 1;
}

/* Estimated rows produced by one probe of the index for a single key. */
static uint64_t est_eq_rows(const struct index *ix, uint64_t n) {
    if (ix->unique)
        return 1;
    if (ix->analyzed && ix->distinct > 0)
        return (n + (uint64_t)ix->distinct - 1) / (uint64_t)ix->distinct;
    return n / 10 + 1;
}

/* Cost model: an index visit costs about three sequential row visits. */
static uint64_t path_cost(const struct access_path *ap, uint64_t n) {
    switch (ap->kind) {
    case AP_EQ:
        return 3 * est_eq_rows(ap->ix, n) + 2;
    case AP_IN:
        return (3 * est_eq_rows(ap->ix, n) + 2) * (uint64_t)ap->in->nlist;
    case AP_RANGE:
        return 3 * (n / (ap->lo && ap->hi ? 8 : 3) + 1) + 2;
    case AP_SCAN:
        break;
    }
    return n;
}

/* Chooses the access path for one join slot among the indexed columns
 * constrained by terms whose other side is already known. */
static void plan_slot(struct query *q, int slot) {
    struct access_path best;
    memset(&best, 0, sizeof best);
    best.kind = AP_SCAN;
    struct table *t = q->tables[slot];
    uint64_t nrows = t->rows.count;
    best.cost = nrows;
    if (!q->db->use_indexes) {
        q->path[slot] = best;
        return;
    }
    for (int c = 0; c < t->ncols; c++) {
        struct index *ix = table_index_on(t, c);
        if (!ix)
            continue;
        struct access_path ap;
        memset(&ap, 0, sizeof ap);
        ap.kind = AP_SCAN;
        ap.ix = ix;
        for (int k = 0; k < q->nterms; k++) {
            struct expr *e = q->terms[k].e;
            if (!(q->terms[k].mask & (1u << slot)))
                continue;
            /* only a LEFT JOIN's own ON terms may narrow its table, and
             * those terms may narrow nothing else */
            if (q->left_join[slot] ? q->terms[k].on_slot != slot
                                   : q->terms[k].on_slot >= 0)
                continue;
            if (e->kind == E_BIN && e->op >= T_EQ && e->op <= T_GE &&
                e->op != T_NE) {
                struct expr *colside = NULL, *other = NULL;
                enum tok op = e->op;
                if (is_column_of(e->left, slot) && e->left->col == c &&
                    bound_before(e->right, slot)) {
                    colside = e->left;
                    other = e->right;
                } else if (is_column_of(e->right, slot) && e->right->col == c &&
                           bound_before(e->left, slot)) {
                    colside = e->right;
                    other = e->left;
                    op = flip_op(op);
                }
                if (!colside)
                    continue;
                if (op == T_EQ) {
                    ap.kind = AP_EQ;
                    ap.eq = other;
                } else if ((op == T_GT || op == T_GE) && !ap.lo) {
                    ap.lo = other;
                    ap.lo_incl = op == T_GE;
                } else if ((op == T_LT || op == T_LE) && !ap.hi) {
                    ap.hi = other;
                    ap.hi_incl = op == T_LE;
                }
            } else if (e->kind == E_BETWEEN && !e->negated &&
                       is_column_of(e->left, slot) && e->left->col == c &&
                       bound_before(e->right, slot) &&
                       bound_before(e->third, slot)) {
                if (!ap.lo) {
                    ap.lo = e->right;
                    ap.lo_incl = 1;
                }
                if (!ap.hi) {
                    ap.hi = e->third;
                    ap.hi_incl = 1;
                }
            } else if (e->kind == E_IN && !e->negated &&
                       is_column_of(e->left, slot) && e->left->col == c &&
                       all_constant(e) && e->nlist > 0 && !ap.in) {
                ap.in = e;
            }
        }
        if (ap.kind != AP_EQ) {
            if (ap.in)
                ap.kind = AP_IN;
            else if (ap.lo || ap.hi)
                ap.kind = AP_RANGE;
        }
        if (ap.kind == AP_SCAN)
            continue;
        ap.cost = path_cost(&ap, nrows);
        if (ap.cost < best.cost)
            best = ap;
    }
    q->path[slot] = best;
}

static void plan_query(struct query *q) {
    for (int s = 0; s < q->nslots; s++)
        plan_slot(q, s);
}

static void explain_path(struct query *q, int slot, struct sbuf *b) {
    const struct access_path *ap = &q->path[slot];
    const struct table *t = q->tables[slot];
    if (ap->kind == AP_SCAN) {
        sb_puts(b, "SCAN ");
        sb_puts(b, t->name);
    } else {
        sb_puts(b, "SEARCH ");
        sb_puts(b, t->name);
        sb_puts(b, " USING ");
        if (ap->ix->unique)
            sb_puts(b, "UNIQUE ");
        sb_puts(b, "INDEX ");
        sb_puts(b, ap->ix->name);
        sb_puts(b, " (");
        const char *cn = t->cols[ap->ix->col].name;
        if (ap->kind == AP_EQ) {
            sb_puts(b, cn);
            sb_puts(b, "=?");
        } else if (ap->kind == AP_IN) {
            sb_puts(b, cn);
            sb_puts(b, " IN (");
            sb_put_i64(b, ap->in->nlist);
            sb_puts(b, " values)");
        } else {
            if (ap->lo) {
                sb_puts(b, cn);
                sb_puts(b, ap->lo_incl ? ">=?" : ">?");
            }
            if (ap->lo && ap->hi)
                sb_puts(b, " AND ");
            if (ap->hi) {
                sb_puts(b, cn);
                sb_puts(b, ap->hi_incl ? "<=?" : "<?");
            }
        }
        sb_putc(b, ')');
    }
    if (q->alias[slot]) {
        sb_puts(b, " AS ");
        sb_puts(b, q->alias[slot]);
    }
}

/* ====================================================================== */
/* Grouping and aggregation                                               */
/* ====================================================================== */

static struct group *group_find_or_add(struct query *q,
                                       const struct value *keys, int nkeys) {
    uint32_t h = 2166136261u;
    for (int i = 0; i < nkeys; i++)
        h = value_hash(h, &keys[i]);
    if (!q->buckets) {
        q->nbuckets = 256;
        q->buckets = arena_zalloc(q->arena, sizeof(struct group *) * q->nbuckets);
    }
    struct group **slot = &q->buckets[h & (q->nbuckets - 1)];
    for (struct group *g = *slot; g; g = g->bucket_next) {
        if (g->hash != h)
            continue;
        int same = 1;
        for (int i = 0; i < nkeys && same; i++)
            same = value_eq(&g->keys[i], &keys[i]);
        if (same)
            return g;
    }
    struct group *g = arena_zalloc(q->arena, sizeof *g);
    g->hash = h;
    for (int i = 0; i < nkeys; i++)
        g->keys[i] = value_dup_arena(q->arena, &keys[i]);
    g->acc = arena_zalloc(q->arena, sizeof(struct agg_state) * (size_t)(q->naggs + 1));
    for (int i = 0; i < q->naggs; i++)
        g->acc[i].best = v_null();
    for (int s = 0; s < q->nslots; s++)
        g->rows[s] = q->cur[s];
    g->bucket_next = *slot;
    *slot = g;
    if (q->groups_tail)
        q->groups_tail->next = g;
    else
        q->groups = g;
    q->groups_tail = g;
    q->ngroups++;
    return g;
}

static void agg_append_text(struct query *q, struct agg_state *s, const char *t) {
    size_t n = strlen(t);
    if (s->tlen + n + 1 > s->tcap) {
        size_t cap = s->tcap ? s->tcap * 2 : 64;
        while (cap < s->tlen + n + 1)
            cap *= 2;
        char *nt = arena_alloc(q->arena, cap);
        if (s->tlen)
            memcpy(nt, s->text, s->tlen);
        s->text = nt;
        s->tcap = cap;
    }
    memcpy(s->text + s->tlen, t, n + 1);
    s->tlen += n;
}

static void agg_step(struct query *q, const struct expr *e, struct agg_state *s) {
    if (e->star) {
        s->count++;
        return;
    }
    struct value v = eval(q, e->list[0]);
    if (v.type == VT_NULL || q_failed(q))
        return;
    if (e->distinct) {
        if (!s->seen)
            s->seen = vset_new(q->arena, 16);
        if (!vset_add(q->arena, s->seen, &v))
            return;
    }
    int is_null;
    switch ((enum agg_id)e->func) {
    case A_COUNT:
        s->count++;
        break;
    case A_SUM:
    case A_TOTAL:
    case A_AVG: {
        int64_t x = value_as_int(&v, &is_null);
        if (!checked_add(s->sum, x, &s->sum)) {
            err_set(q->err, ST_OVERFLOW, "integer overflow in ", agg_names[e->func],
                    "()");
            return;
        }
        s->count++;
        s->has_value = 1;
        break;
    }
    case A_MIN:
    case A_MAX: {
        int c = s->has_value ? value_cmp(&v, &s->best) : 0;
        if (!s->has_value || (e->func == A_MIN && c < 0) ||
            (e->func == A_MAX && c > 0))
            s->best = value_dup_arena(q->arena, &v);
        s->has_value = 1;
        break;
    }
    case A_GROUP_CONCAT: {
        if (s->has_value) {
            const char *sep = ",";
            if (e->nlist > 1) {
                struct value sv = eval(q, e->list[1]);
                sep = sv.type == VT_NULL ? "" : as_text(q, &sv);
            }
            agg_append_text(q, s, sep);
        }
        agg_append_text(q, s, as_text(q, &v));
        s->has_value = 1;
        break;
    }
    }
}

static int group_cmp(const struct query *q, const struct group *a,
                     const struct group *b) {
    for (int i = 0; i < q->sel->ngroup; i++) {
        int c = value_cmp(&a->keys[i], &b->keys[i]);
        if (c)
            return c;
    }
    return 0;
}

/* Sorts the group list by key with a linked-list merge sort. */
static struct group *group_sort(const struct query *q, struct group *list,
                                size_t n) {
    if (n < 2)
        return list;
    size_t half = n / 2;
    struct group *mid = list;
    for (size_t i = 1; i < half; i++)
        mid = mid->next;
    struct group *right = mid->next;
    mid->next = NULL;
    struct group *a = group_sort(q, list, half);
    struct group *b = group_sort(q, right, n - half);
    struct group head, *tail = &head;
    head.next = NULL;
    while (a && b) {
        if (group_cmp(q, b, a) < 0) {
            tail->next = b;
            b = b->next;
        } else {
            tail->next = a;
            a = a->next;
        }
        tail = tail->next;
    }
    tail->next = a ? a : b;
    return head.next;
}

/* ====================================================================== */
/* Result rows                                                            */
/* ====================================================================== */

static void result_push(struct query *q, struct value *vals, struct value *keys) {
    struct result *r = &q->res;
    if (r->nrows == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        struct value **nr = arena_alloc(q->arena, sizeof(struct value *) * cap);
        struct value **nk = arena_alloc(q->arena, sizeof(struct value *) * cap);
        if (r->nrows) {
            memcpy(nr, r->rows, sizeof(struct value *) * r->nrows);
            memcpy(nk, r->keys, sizeof(struct value *) * r->nrows);
        }
        r->rows = nr;
        r->keys = nk;
        r->cap = cap;
    }
    r->rows[r->nrows] = vals;
    r->keys[r->nrows] = keys;
    r->nrows++;
}

static void project_row(struct query *q) {
    struct value *vals = arena_alloc(q->arena, sizeof(struct value) * (size_t)(q->ncols + 1));
    for (int i = 0; i < q->ncols; i++)
        vals[i] = eval(q, q->cols[i].e);
    struct value *keys = NULL;
    if (q->norder > 0) {
        keys = arena_alloc(q->arena, sizeof(struct value) * (size_t)q->norder);
        for (int i = 0; i < q->norder; i++)
            keys[i] = q->order[i].ref >= 0 ? vals[q->order[i].ref]
                                           : eval(q, q->order[i].e);
    }
    if (!q_failed(q))
        result_push(q, vals, keys);
}

static void emit_row(struct query *q) {
    q->rows_considered++;
    if (q->collect) {
        if (q->nrowids == q->caprowids) {
            q->caprowids = q->caprowids ? q->caprowids * 2 : 64;
            int64_t *n = arena_alloc(q->arena, sizeof(int64_t) * q->caprowids);
            if (q->nrowids)
                memcpy(n, q->rowids, sizeof(int64_t) * q->nrowids);
            q->rowids = n;
        }
        q->rowids[q->nrowids++] = q->cur[0]->rowid;
        return;
    }
    if (q->grouped) {
        struct value keys[MAX_GROUP];
        for (int i = 0; i < q->sel->ngroup; i++)
            keys[i] = eval(q, q->sel->group[i]);
        if (q_failed(q))
            return;
        struct group *g = group_find_or_add(q, keys, q->sel->ngroup);
        g->nrows++;
        for (int i = 0; i < q->naggs; i++)
            agg_step(q, q->aggs[i], &g->acc[i]);
        return;
    }
    project_row(q);
}

static int level_filter(struct query *q, int level) {
    for (int k = 0; k < q->nterms; k++) {
        if (q->terms[k].level != level || q->terms[k].on_slot >= 0)
            continue;
        if (!eval_truth(q, q->terms[k].e))
            return 0;
    }
    return !q_failed(q);
}

static int join_filter(struct query *q, int slot) {
    for (int k = 0; k < q->nterms; k++) {
        if (q->terms[k].on_slot != slot)
            continue;
        if (!eval_truth(q, q->terms[k].e))
            return 0;
    }
    return !q_failed(q);
}

static void run_level(struct query *q, int k);

static void visit_row(struct query *q, int k, struct row *r) {
    q->cur[k] = r;
    q->db->stats.rows_scanned++;
    if (join_filter(q, k)) {
        q->matched[k] = 1;
        if (level_filter(q, k))
            run_level(q, k + 1);
    }
    q->cur[k] = NULL;
}

static void index_eq_loop(struct query *q, int k, struct index *ix,
                          const struct value *v) {
    struct bt_cursor c;
    ix->searches++;
    q->db->stats.index_probes++;
    for (bt_cursor_seek(&c, &ix->tree, v, INT64_MIN);
         bt_cursor_valid(&c) && !q_failed(q); bt_cursor_next(&c)) {
        struct bt_entry *e = bt_cursor_entry(&c);
        if (!value_eq(&e->key, v))
            break;
        visit_row(q, k, table_get_row(q->tables[k], e->rowid));
    }
}

static int cmp_values_qsort(const void *a, const void *b) {
    return value_cmp(a, b);
}

static void run_level(struct query *q, int k) {
    if (q_failed(q))
        return;
    if (k == q->nslots) {
        emit_row(q);
        return;
    }
    struct access_path *ap = &q->path[k];
    struct bt_cursor c;
    q->matched[k] = 0;
    switch (ap->kind) {
    case AP_SCAN:
        for (bt_cursor_first(&c, &q->tables[k]->rows);
             bt_cursor_valid(&c) && !q_failed(q); bt_cursor_next(&c))
            visit_row(q, k, bt_cursor_entry(&c)->payload);
        break;
    case AP_EQ: {
        struct value v = eval(q, ap->eq);
        if (v.type != VT_NULL)
            index_eq_loop(q, k, ap->ix, &v);
        break;
    }
    case AP_IN: {
        /* distinct, sorted probe values so that no row is produced twice */
        int n = ap->in->nlist, m = 0;
        struct value *vals = arena_alloc(q->arena, sizeof(struct value) * (size_t)n);
        for (int i = 0; i < n; i++) {
            struct value v = eval(q, ap->in->list[i]);
            if (v.type != VT_NULL)
                vals[m++] = v;
        }
        qsort(vals, (size_t)m, sizeof vals[0], cmp_values_qsort);
        for (int i = 0; i < m && !q_failed(q); i++)
            if (i == 0 || !value_eq(&vals[i], &vals[i - 1]))
                index_eq_loop(q, k, ap->ix, &vals[i]);
        break;
    }
    case AP_RANGE: {
        struct value lo = v_null(), hi = v_null();
        if (ap->lo) {
            lo = eval(q, ap->lo);
            if (lo.type == VT_NULL)
                break;
        }
        if (ap->hi) {
            hi = eval(q, ap->hi);
            if (hi.type == VT_NULL)
                break;
        }
        ap->ix->searches++;
        q->db->stats.index_probes++;
        if (ap->lo)
            bt_cursor_seek(&c, &ap->ix->tree, &lo,
                           ap->lo_incl ? INT64_MIN : INT64_MAX);
        else
            bt_cursor_seek(&c, &ap->ix->tree, &lo, INT64_MAX); /* skip NULLs */
        for (; bt_cursor_valid(&c) && !q_failed(q); bt_cursor_next(&c)) {
            struct bt_entry *e = bt_cursor_entry(&c);
            if (ap->hi) {
                int cmp = value_cmp(&e->key, &hi);
                if (cmp > 0 || (cmp == 0 && !ap->hi_incl))
                    break;
            }
            visit_row(q, k, table_get_row(q->tables[k], e->rowid));
        }
        break;
    }
    }
    if (q->left_join[k] && !q->matched[k] && !q_failed(q)) {
        /* no partner row: continue with a row of NULLs */
        q->cur[k] = NULL;
        if (level_filter(q, k))
            run_level(q, k + 1);
    }
}

/* Runs the FROM/WHERE part of a query through emit_row. */
static void run_scan(struct query *q) {
    if (!level_filter(q, -1))
        return;
    run_level(q, 0);
}

/* ====================================================================== */
/* SELECT                                                                 */
/* ====================================================================== */

static enum status run_select(struct query *q, struct select_stmt *s,
                              int explain, struct sbuf *plan);

static void temp_table_free(struct table *t) {
    bt_destroy(&t->rows, free_row_entry, NULL);
    for (int c = 0; c < t->ncols; c++)
        value_free_heap(&t->cols[c].def);
    free(t);
}

/* Releases the temporary tables a query materialized. */
static void query_release(struct query *q) {
    for (int i = 0; i < q->ntemps; i++)
        temp_table_free(q->temps[i]);
    q->ntemps = 0;
}

static struct query *query_new(struct db *db, struct query *outer) {
    struct query *q = xmalloc(sizeof *q);
    query_init(q, db);
    q->outer = outer;
    return q;
}

static void query_delete(struct query *q) {
    query_release(q);
    free(q);
}

/* Runs a SELECT and stores its rows in a new temporary table. */
static struct table *materialize(struct query *q, struct query *outer,
                                 const char *name, struct select_stmt *sel) {
    struct query *sub = query_new(q->db, outer);
    struct table *t = NULL;
    if (run_select(sub, sel, 0, NULL) == ST_OK) {
        if (sub->res.ncols > MAX_COLS) {
            err_set(q->err, ST_LIMIT, "too many columns in subquery ", name, NULL);
        } else {
            t = xmalloc(sizeof *t);
            memset(t, 0, sizeof *t);
            str_copy_name(t->name, name);
            t->ncols = sub->res.ncols;
            t->next_rowid = 1;
            bt_init(&t->rows);
            for (int c = 0; c < t->ncols; c++) {
                str_copy_name(t->cols[c].name, sub->res.names[c]);
                t->cols[c].type = VT_INT;
                t->cols[c].def = v_null();
                for (size_t r = 0; r < sub->res.nrows; r++)
                    if (sub->res.rows[r][c].type == VT_TEXT)
                        t->cols[c].type = VT_TEXT;
            }
            for (size_t r = 0; r < sub->res.nrows; r++) {
                struct row *row = row_alloc(t->ncols);
                row->rowid = t->next_rowid++;
                for (int c = 0; c < t->ncols; c++)
                    row->vals[c] = value_dup_heap(&sub->res.rows[r][c]);
                table_link_row(t, row);
            }
        }
    }
    if (sub->correlated) {
        q->correlated = 1;
        q->parent_mask |= sub->parent_mask;
    }
    query_delete(sub);
    return t;
}

static struct view *db_find_view(struct db *db, const char *name) {
    for (int i = 0; i < db->nviews; i++)
        if (str_ieq(db->views[i]->name, name))
            return db->views[i];
    return NULL;
}

/* Parses the stored text of a view into the statement arena. */
static struct select_stmt *parse_view_sql(struct query *q, const struct view *v) {
    struct parser p;
    memset(&p, 0, sizeof p);
    lex_init(&p.lx, v->sql, q->arena, q->err);
    p.arena = q->arena;
    p.err = q->err;
    p_advance(&p);
    if (!p_expect(&p, K_SELECT))
        return NULL;
    struct select_stmt *s = parse_select(&p);
    if (s && p.cur.type != T_EOF && p.cur.type != T_SEMI) {
        p_error_near(&p, "unexpected text in view");
        return NULL;
    }
    return s;
}

static enum status bind_from(struct query *q, const struct select_stmt *s) {
    q->nslots = s->nfrom;
    for (int i = 0; i < s->nfrom; i++) {
        const struct from_item *f = &s->from[i];
        struct table *t = NULL;
        q->alias[i] = f->alias;
        q->left_join[i] = f->left;
        if (f->sub) {
            t = materialize(q, q->outer, f->alias, f->sub);
            if (!t)
                return q->err->code;
            q->temps[q->ntemps++] = t;
        } else if (!(t = db_find_table(q->db, f->table))) {
            struct view *v = db_find_view(q->db, f->table);
            if (!v)
                return err_set(q->err, ST_NO_TABLE, "no such table: ", f->table,
                               NULL);
            if (q->db->view_depth >= 8)
                return err_set(q->err, ST_LIMIT, "views nested too deeply: ",
                               v->name, NULL);
            struct select_stmt *vs = parse_view_sql(q, v);
            if (!vs)
                return q->err->code;
            q->db->view_depth++;
            t = materialize(q, NULL, v->name, vs);
            q->db->view_depth--;
            if (!t)
                return q->err->code;
            q->temps[q->ntemps++] = t;
        }
        q->tables[i] = t;
        for (int j = 0; j < i; j++) {
            const char *a = q->alias[i] ? q->alias[i] : q->tables[i]->name;
            const char *b = q->alias[j] ? q->alias[j] : q->tables[j]->name;
            if (str_ieq(a, b))
                return err_set(q->err, ST_SYNTAX, "ambiguous table name: ", a,
                               " (use an alias)");
        }
    }
    return ST_OK;
}

static enum status add_output_column(struct query *q, struct expr *e,
                                     const char *name) {
    if (q->ncols == (int)(sizeof q->cols / sizeof q->cols[0]))
        return err_set(q->err, ST_LIMIT, "too many result columns", NULL, NULL);
    q->cols[q->ncols].e = e;
    q->cols[q->ncols].name = name;
    q->ncols++;
    return ST_OK;
}

static struct expr *make_column_ref(struct query *q, int slot, int col) {
    struct expr *e = arena_zalloc(q->arena, sizeof *e);
    e->kind = E_COL;
    e->slot = slot;
    e->col = col;
    e->agg_index = -1;
    e->cname = q->tables[slot]->cols[col].name;
    e->lit = v_null();
    return e;
}

static const char *expr_display_name(struct query *q, const struct expr *e) {
    if (e->kind == E_COL)
        return e->cname;
    struct sbuf b;
    sb_init(&b);
    expr_to_sql(&b, e);
    const char *s = arena_strdup(q->arena, sb_str(&b));
    sb_free(&b);
    return s;
}

static enum status expand_items(struct query *q, const struct select_stmt *s) {
    for (int i = 0; i < s->nitems; i++) {
        const struct select_item *it = &s->items[i];
        if (it->star) {
            int any = 0;
            for (int sl = 0; sl < q->nslots; sl++) {
                if (it->star_of && !slot_matches(q, sl, it->star_of))
                    continue;
                any = 1;
                for (int c = 0; c < q->tables[sl]->ncols; c++)
                    if (add_output_column(q, make_column_ref(q, sl, c),
                                          q->tables[sl]->cols[c].name) != ST_OK)
                        return q->err->code;
            }
            if (!any)
                return err_set(q->err, ST_NO_TABLE,
                               it->star_of ? "no such table: " : "no tables specified",
                               it->star_of, NULL);
            continue;
        }
        if (resolve_expr(q, it->e, 1) != ST_OK)
            return q->err->code;
        if (add_output_column(q, it->e,
                              it->alias ? it->alias : expr_display_name(q, it->e)) !=
            ST_OK)
            return q->err->code;
    }
    return ST_OK;
}

static enum status bind_order(struct query *q, const struct select_stmt *s) {
    q->norder = s->norder;
    for (int i = 0; i < s->norder; i++) {
        struct order_key *k = &q->order[i];
        struct expr *e = s->order[i].e;
        k->e = e;
        k->desc = s->order[i].desc;
        k->nulls = s->order[i].nulls;
        k->ref = -1;
        if (e->kind == E_LIT && e->lit.type == VT_INT) {
            if (e->lit.i < 1 || e->lit.i > q->ncols)
                return err_set(q->err, ST_SYNTAX,
                               "ORDER BY term out of range", NULL, NULL);
            k->ref = (int)e->lit.i - 1;
            continue;
        }
        if (e->kind == E_COL && !e->tname) {
            for (int c = 0; c < s->nitems && k->ref < 0; c++)
                if (s->items[c].alias && str_ieq(s->items[c].alias, e->cname))
                    for (int oc = 0; oc < q->ncols; oc++)
                        if (q->cols[oc].e == s->items[c].e)
                            k->ref = oc;
            if (k->ref >= 0)
                continue;
        }
        if (resolve_expr(q, e, 1) != ST_OK)
            return q->err->code;
    }
    return ST_OK;
}

/* Stable merge sort of result row indices by ORDER BY keys. */
static int row_key_cmp(const struct query *q, size_t a, size_t b) {
    const struct value *ka = q->res.keys[a], *kb = q->res.keys[b];
    for (int i = 0; i < q->norder; i++) {
        const struct order_key *k = &q->order[i];
        int na = ka[i].type == VT_NULL, nb = kb[i].type == VT_NULL;
        if (na != nb && k->nulls != NULLS_DEFAULT) {
            /* explicit NULLS FIRST / LAST ignores the direction */
            int first = k->nulls == NULLS_FIRST;
            return na ? (first ? -1 : 1) : (first ? 1 : -1);
        }
        int c = value_cmp(&ka[i], &kb[i]);
        if (c)
            return k->desc ? -c : c;
    }
    return 0;
}

static void merge_sort_idx(const struct query *q, size_t *idx, size_t *tmp,
                           size_t n) {
    if (n < 2)
        return;
    if (n <= 8) {
        for (size_t i = 1; i < n; i++) {
            size_t v = idx[i], j = i;
            while (j > 0 && row_key_cmp(q, idx[j - 1], v) > 0) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = v;
        }
        return;
    }
    size_t half = n / 2;
    merge_sort_idx(q, idx, tmp, half);
    merge_sort_idx(q, idx + half, tmp, n - half);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n)
        tmp[k++] = row_key_cmp(q, idx[j], idx[i]) < 0 ? idx[j++] : idx[i++];
    while (i < half)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, sizeof(size_t) * n);
}

static void sort_results(struct query *q) {
    size_t n = q->res.nrows;
    if (n < 2)
        return;
    q->db->stats.sorts++;
    size_t *idx = arena_alloc(q->arena, sizeof(size_t) * n);
    size_t *tmp = arena_alloc(q->arena, sizeof(size_t) * n);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    merge_sort_idx(q, idx, tmp, n);
    struct value **rows = arena_alloc(q->arena, sizeof(struct value *) * n);
    struct value **keys = arena_alloc(q->arena, sizeof(struct value *) * n);
    for (size_t i = 0; i < n; i++) {
        rows[i] = q->res.rows[idx[i]];
        keys[i] = q->res.keys[idx[i]];
    }
    q->res.rows = rows;
    q->res.keys = keys;
}

static uint32_t row_hash(const struct value *vals, int n) {
    uint32_t h = 2166136261u;
    for (int i = 0; i < n; i++)
        h = value_hash(h, &vals[i]);
    return h;
}

static int rows_equal(const struct value *a, const struct value *b, int n) {
    for (int c = 0; c < n; c++)
        if (!value_eq(&a[c], &b[c]))
            return 0;
    return 1;
}

/* Open-addressing set of result rows, used by DISTINCT and compounds. */
struct rowset {
    struct value **slots;
    size_t cap;
    int ncols;
};

static void rowset_init(struct arena *a, struct rowset *rs, size_t n, int ncols) {
    rs->cap = 16;
    while (rs->cap < n * 2 + 2)
        rs->cap *= 2;
    rs->slots = arena_zalloc(a, sizeof(struct value *) * rs->cap);
    rs->ncols = ncols;
}

/* Adds the row; returns 0 if an equal row was already present. */
static int rowset_add(struct rowset *rs, struct value *row) {
    size_t i = row_hash(row, rs->ncols) & (rs->cap - 1);
    while (rs->slots[i]) {
        if (rows_equal(rs->slots[i], row, rs->ncols))
            return 0;
        i = (i + 1) & (rs->cap - 1);
    }
    rs->slots[i] = row;
    return 1;
}

static int rowset_contains(const struct rowset *rs, const struct value *row) {
    size_t i = row_hash(row, rs->ncols) & (rs->cap - 1);
    while (rs->slots[i]) {
        if (rows_equal(rs->slots[i], row, rs->ncols))
            return 1;
        i = (i + 1) & (rs->cap - 1);
    }
    return 0;
}

/* Removes duplicate rows, keeping the first occurrence. */
static void result_distinct(struct arena *a, struct result *r) {
    struct rowset rs;
    size_t kept = 0;
    rowset_init(a, &rs, r->nrows, r->ncols);
    for (size_t i = 0; i < r->nrows; i++) {
        if (!rowset_add(&rs, r->rows[i]))
            continue;
        r->rows[kept] = r->rows[i];
        if (r->keys)
            r->keys[kept] = r->keys[i];
        kept++;
    }
    r->nrows = kept;
}

/* Copies every value into the arena so that the rows outlive the
 * temporary tables of the query that produced them. */
static void result_detach(struct arena *a, struct result *r) {
    for (size_t i = 0; i < r->nrows; i++) {
        struct value *copy = arena_alloc(a, sizeof(struct value) * (size_t)(r->ncols + 1));
        for (int c = 0; c < r->ncols; c++)
            copy[c] = value_dup_arena(a, &r->rows[i][c]);
        r->rows[i] = copy;
    }
}

static void result_append(struct query *q, struct result *dst,
                          const struct result *src) {
    size_t need = dst->nrows + src->nrows;
    if (need > dst->cap) {
        size_t cap = dst->cap ? dst->cap : 32;
        while (cap < need)
            cap *= 2;
        struct value **rows = arena_alloc(q->arena, sizeof(struct value *) * cap);
        if (dst->nrows)
            memcpy(rows, dst->rows, sizeof(struct value *) * dst->nrows);
        dst->rows = rows;
        dst->keys = NULL;
        dst->cap = cap;
    }
    for (size_t i = 0; i < src->nrows; i++)
        dst->rows[dst->nrows++] = src->rows[i];
}

/* Combines the accumulated compound result with the next core's rows. */
static void result_combine(struct query *q, struct result *acc,
                           const struct result *next, enum compound_op op) {
    switch (op) {
    case C_UNION_ALL:
        result_append(q, acc, next);
        break;
    case C_UNION:
        result_append(q, acc, next);
        result_distinct(q->arena, acc);
        break;
    case C_INTERSECT:
    case C_EXCEPT: {
        struct rowset right;
        rowset_init(q->arena, &right, next->nrows, next->ncols);
        for (size_t i = 0; i < next->nrows; i++)
            rowset_add(&right, next->rows[i]);
        result_distinct(q->arena, acc);
        size_t kept = 0;
        for (size_t i = 0; i < acc->nrows; i++) {
            int in_right = rowset_contains(&right, acc->rows[i]);
            if (in_right == (op == C_INTERSECT))
                acc->rows[kept++] = acc->rows[i];
        }
        acc->nrows = kept;
        acc->keys = NULL;
        break;
    }
    case C_NONE:
        break;
    }
}

/* Binds FROM, result columns, WHERE, GROUP BY, HAVING (and ORDER BY when
 * the core is not part of a compound). */
static enum status prepare_core(struct query *q, struct select_stmt *s,
                                int with_order) {
    q->sel = s;
    if (bind_from(q, s) != ST_OK || expand_items(q, s) != ST_OK)
        return q->err->code;
    for (int i = 0; i < s->nfrom; i++)
        if (resolve_expr(q, s->from[i].on, 0) != ST_OK)
            return q->err->code;
    if (resolve_expr(q, s->where, 0) != ST_OK)
        return q->err->code;
    for (int i = 0; i < s->ngroup; i++) {
        /* GROUP BY may name a result column by position or by alias */
        struct expr *g = s->group[i];
        if (g->kind == E_LIT && g->lit.type == VT_INT) {
            if (g->lit.i < 1 || g->lit.i > s->nitems || !s->items[g->lit.i - 1].e)
                return err_set(q->err, ST_SYNTAX, "GROUP BY term out of range",
                               NULL, NULL);
            g = s->items[g->lit.i - 1].e;
        } else if (g->kind == E_COL && !g->tname) {
            int is_column = 0;
            for (int sl = 0; sl < q->nslots; sl++)
                if (table_find_column(q->tables[sl], g->cname) >= 0)
                    is_column = 1;
            for (int it = 0; it < s->nitems && !is_column; it++)
                if (s->items[it].alias && str_ieq(s->items[it].alias, g->cname)) {
                    g = s->items[it].e;
                    break;
                }
        }
        if (expr_has_agg(g))
            return err_set(q->err, ST_MISUSE, "aggregate functions are not "
                           "allowed in the GROUP BY clause", NULL, NULL);
        s->group[i] = g;
        if (resolve_expr(q, g, 0) != ST_OK)
            return q->err->code;
    }
    if (resolve_expr(q, s->having, 1) != ST_OK)
        return q->err->code;
    if (with_order && bind_order(q, s) != ST_OK)
        return q->err->code;
    q->grouped = s->ngroup > 0 || q->naggs > 0;
    if (s->having && !q->grouped)
        return err_set(q->err, ST_MISUSE,
                       "HAVING clause on a non-aggregate query", NULL, NULL);
    for (int i = 0; i < s->nfrom; i++)
        if (add_terms(q, s->from[i].on, s->from[i].left ? i : -1) != ST_OK)
            return q->err->code;
    if (add_terms(q, s->where, -1) != ST_OK)
        return q->err->code;
    for (int k = 0; k < q->nterms; k++)
        if (expr_has_agg(q->terms[k].e))
            return err_set(q->err, ST_MISUSE, "misuse of aggregate in WHERE",
                           NULL, NULL);
    return ST_OK;
}

static void explain_core(struct query *q, struct sbuf *plan, int indent) {
    const struct select_stmt *s = q->sel;
    plan_query(q);
    for (int sl = 0; sl < q->nslots; sl++) {
        sb_repeat(plan, ' ', (size_t)(indent + (sl ? 2 : 0)));
        if (q->left_join[sl])
            sb_puts(plan, "LEFT-JOIN ");
        explain_path(q, sl, plan);
        sb_putc(plan, '\n');
    }
    for (int k = 0; k < q->nterms; k++) {
        if (q->terms[k].e->sub) {
            sb_repeat(plan, ' ', (size_t)indent);
            sb_puts(plan, q->terms[k].e->correlated ? "CORRELATED " : "");
            sb_puts(plan, q->terms[k].e->kind == E_EXISTS ? "EXISTS SUBQUERY\n"
                          : q->terms[k].e->kind == E_IN   ? "LIST SUBQUERY\n"
                                                          : "SCALAR SUBQUERY\n");
        }
    }
    if (q->grouped && s->ngroup > 0) {
        sb_repeat(plan, ' ', (size_t)indent);
        sb_puts(plan, "USE TEMP B-TREE FOR GROUP BY\n");
    }
    if (s->distinct) {
        sb_repeat(plan, ' ', (size_t)indent);
        sb_puts(plan, "USE TEMP B-TREE FOR DISTINCT\n");
    }
    if (q->norder > 0) {
        sb_repeat(plan, ' ', (size_t)indent);
        sb_puts(plan, "USE TEMP B-TREE FOR ORDER BY\n");
    }
}

/* Plans and executes a prepared core into q->res. */
static enum status run_core(struct query *q) {
    const struct select_stmt *s = q->sel;
    plan_query(q);
    run_scan(q);
    if (q_failed(q))
        return q->err->code;
    if (q->grouped) {
        if (q->ngroups == 0 && s->ngroup == 0) {
            struct row *saved[MAX_JOIN];
            memcpy(saved, q->cur, sizeof saved);
            memset(q->cur, 0, sizeof q->cur);
            group_find_or_add(q, NULL, 0);
            memcpy(q->cur, saved, sizeof saved);
        }
        q->groups = group_sort(q, q->groups, q->ngroups);
        for (struct group *g = q->groups; g && !q_failed(q); g = g->next) {
            q->cur_group = g;
            memcpy(q->cur, g->rows, sizeof q->cur);
            if (s->having && !eval_truth(q, s->having))
                continue;
            project_row(q);
        }
        q->cur_group = NULL;
        memset(q->cur, 0, sizeof q->cur);
        if (q_failed(q))
            return q->err->code;
    }
    q->res.ncols = q->ncols;
    for (int i = 0; i < q->ncols; i++)
        q->res.names[i] = q->cols[i].name;
    if (s->distinct)
        result_distinct(q->arena, &q->res);
    if (q->norder > 0)
        sort_results(q);
    return ST_OK;
}

static void apply_limit(struct query *q, int64_t limit, int64_t offset) {
    if (offset < 0)
        offset = 0;
    size_t start = (uint64_t)offset < q->res.nrows ? (size_t)offset : q->res.nrows;
    size_t count = q->res.nrows - start;
    if (limit >= 0 && (uint64_t)limit < count)
        count = (size_t)limit;
    if (start > 0) {
        q->res.rows += start;
        if (q->res.keys)
            q->res.keys += start;
    }
    q->res.nrows = count;
}

static enum status eval_limits(struct query *q, const struct select_stmt *s,
                               int64_t *limit, int64_t *offset) {
    *limit = -1;
    *offset = 0;
    if (s->limit && !eval_constant_int(q, s->limit, limit, "LIMIT"))
        return q->err->code;
    if (s->offset && !eval_constant_int(q, s->offset, offset, "OFFSET"))
        return q->err->code;
    return ST_OK;
}

/* ORDER BY of a compound refers to result columns by number or name. */
static enum status bind_compound_order(struct query *q,
                                       const struct select_stmt *s) {
    q->norder = s->norder;
    for (int i = 0; i < s->norder; i++) {
        const struct expr *e = s->order[i].e;
        struct order_key *k = &q->order[i];
        k->e = s->order[i].e;
        k->desc = s->order[i].desc;
        k->nulls = s->order[i].nulls;
        k->ref = -1;
        if (e->kind == E_LIT && e->lit.type == VT_INT && e->lit.i >= 1 &&
            e->lit.i <= q->res.ncols)
            k->ref = (int)e->lit.i - 1;
        else if (e->kind == E_COL && !e->tname)
            for (int c = 0; c < q->res.ncols && k->ref < 0; c++)
                if (str_ieq(q->res.names[c], e->cname))
                    k->ref = c;
        if (k->ref < 0)
            return err_set(q->err, ST_SYNTAX, "ORDER BY term does not match any "
                           "column in the result set", NULL, NULL);
    }
    if (q->norder == 0)
        return ST_OK;
    q->res.keys = arena_alloc(q->arena, sizeof(struct value *) * (q->res.nrows + 1));
    for (size_t r = 0; r < q->res.nrows; r++) {
        struct value *keys = arena_alloc(q->arena, sizeof(struct value) * (size_t)q->norder);
        for (int i = 0; i < q->norder; i++)
            keys[i] = q->res.rows[r][q->order[i].ref];
        q->res.keys[r] = keys;
    }
    return ST_OK;
}

static enum status run_compound(struct query *q, struct select_stmt *s,
                                int explain, struct sbuf *plan) {
    struct result acc;
    enum compound_op op = C_NONE;
    memset(&acc, 0, sizeof acc);
    if (explain)
        sb_puts(plan, "COMPOUND QUERY\n");
    for (struct select_stmt *c = s; c; c = c->next) {
        struct query *sub = query_new(q->db, q->outer);
        enum status st = prepare_core(sub, c, 0);
        if (st == ST_OK && explain) {
            sb_puts(plan, op == C_NONE ? "  LEFT-MOST SUBQUERY\n" : "  ");
            if (op != C_NONE) {
                sb_puts(plan, compound_names[op]);
                sb_putc(plan, '\n');
            }
            explain_core(sub, plan, 4);
        } else if (st == ST_OK) {
            st = run_core(sub);
        }
        if (st == ST_OK && !explain) {
            result_detach(q->arena, &sub->res);
            if (op == C_NONE) {
                acc = sub->res;
                acc.keys = NULL;
            } else if (sub->res.ncols != acc.ncols) {
                err_set(q->err, ST_SYNTAX, "SELECTs to the left and right of ",
                        compound_names[op],
                        " do not have the same number of result columns");
            } else {
                result_combine(q, &acc, &sub->res, op);
            }
        }
        if (sub->correlated) {
            q->correlated = 1;
            q->parent_mask |= sub->parent_mask;
        }
        if (op == C_NONE)
            q->ncols = sub->ncols;
        query_delete(sub);
        if (q_failed(q))
            return q->err->code;
        op = c->compound;
    }
    if (explain)
        return ST_OK;
    q->res = acc;
    q->res.keys = NULL;
    int64_t limit, offset;
    if (bind_compound_order(q, s) != ST_OK || eval_limits(q, s, &limit, &offset) != ST_OK)
        return q->err->code;
    if (q->norder > 0)
        sort_results(q);
    apply_limit(q, limit, offset);
    return ST_OK;
}

/* Resolves a SELECT without running it (used to probe subqueries). */
static enum status prepare_select(struct query *q, struct select_stmt *s) {
    if (!s->next)
        return prepare_core(q, s, 1);
    for (struct select_stmt *c = s; c; c = c->next) {
        struct query *sub = query_new(q->db, q->outer);
        prepare_core(sub, c, 0);
        if (c == s)
            q->ncols = sub->ncols;
        if (sub->correlated) {
            q->correlated = 1;
            q->parent_mask |= sub->parent_mask;
        }
        query_delete(sub);
        if (q_failed(q))
            break;
    }
    return q->err->code;
}

/* Runs a SELECT into q->res (or describes its plan). */
static enum status run_select(struct query *q, struct select_stmt *s,
                              int explain, struct sbuf *plan) {
    if (s->next)
        return run_compound(q, s, explain, plan);
    int64_t limit, offset;
    if (prepare_core(q, s, 1) != ST_OK || eval_limits(q, s, &limit, &offset) != ST_OK)
        return q->err->code;
    if (explain) {
        explain_core(q, plan, 0);
        return ST_OK;
    }
    if (run_core(q) != ST_OK)
        return q->err->code;
    apply_limit(q, limit, offset);
    return ST_OK;
}

/* ====================================================================== */
/* Subqueries                                                             */
/* ====================================================================== */

/* Resolves a subquery once to learn which rows of q it depends on. */
static enum status subquery_probe(struct query *q, struct expr *e) {
    struct query *sub = query_new(q->db, q);
    if (prepare_select(sub, e->sub) == ST_OK) {
        e->outer_mask = sub->parent_mask;
        e->correlated = sub->correlated;
        if (e->kind != E_EXISTS && sub->ncols != 1) {
            char num[24];
            fmt_i64(num, sub->ncols);
            err_set(q->err, ST_SYNTAX, "sub-select returns ", num,
                    " columns - expected 1");
        }
    }
    query_delete(sub);
    return q->err->code;
}

/* Runs the subquery unless an uncorrelated result is already cached. */
static void subquery_fill(struct query *q, struct expr *e) {
    if (e->cache_state == 1)
        return;
    struct query *sub = query_new(q->db, q);
    if (run_select(sub, e->sub, 0, NULL) == ST_OK) {
        const struct result *r = &sub->res;
        switch (e->kind) {
        case E_EXISTS:
            e->cached = v_bool(r->nrows > 0);
            break;
        case E_SUBQUERY:
            e->cached = r->nrows > 0 ? value_dup_arena(q->arena, &r->rows[0][0])
                                     : v_null();
            break;
        default:
            e->cached_set = vset_new(q->arena, 16);
            e->cached_has_null = 0;
            for (size_t i = 0; i < r->nrows; i++) {
                if (r->rows[i][0].type == VT_NULL)
                    e->cached_has_null = 1;
                else
                    vset_add(q->arena, e->cached_set, &r->rows[i][0]);
            }
            break;
        }
        e->cache_state = e->correlated ? 0 : 1;
    }
    query_delete(sub);
}

static struct value eval_subquery(struct query *q, const struct expr *ce) {
    struct expr *e = (struct expr *)ce; /* the cache lives in the tree */
    subquery_fill(q, e);
    if (q_failed(q))
        return v_null();
    return e->cached;
}

/* x IN (SELECT ...): 1, 0, or -1 for NULL. */
static int in_subquery(struct query *q, const struct expr *ce,
                       const struct value *v) {
    struct expr *e = (struct expr *)ce;
    subquery_fill(q, e);
    if (q_failed(q) || !e->cached_set)
        return -1;
    if (vset_contains(e->cached_set, v))
        return 1;
    return e->cached_has_null ? -1 : 0;
}
/* ====================================================================== */
/* Result rendering                                                       */
/* ====================================================================== */

static size_t text_width(const char *s) { return strlen(s); }

static void render_columns(struct arena *a, const struct result *r,
                           struct sbuf *out) {
    size_t width[MAX_COLS * MAX_JOIN];
    for (int c = 0; c < r->ncols; c++)
        width[c] = text_width(r->names[c]);
    for (size_t i = 0; i < r->nrows; i++) {
        for (int c = 0; c < r->ncols; c++) {
            size_t w = text_width(value_to_text(a, &r->rows[i][c]));
            if (w > width[c])
                width[c] = w;
        }
    }
    for (int c = 0; c < r->ncols; c++) {
        if (c)
            sb_puts(out, "  ");
        sb_puts(out, r->names[c]);
        if (c + 1 < r->ncols)
            sb_repeat(out, ' ', width[c] - text_width(r->names[c]));
    }
    sb_putc(out, '\n');
    for (int c = 0; c < r->ncols; c++) {
        if (c)
            sb_puts(out, "  ");
        sb_repeat(out, '-', width[c]);
    }
    sb_putc(out, '\n');
    for (size_t i = 0; i < r->nrows; i++) {
        for (int c = 0; c < r->ncols; c++) {
            const struct value *v = &r->rows[i][c];
            const char *s = value_to_text(a, v);
            size_t pad = width[c] - text_width(s);
            if (c)
                sb_puts(out, "  ");
            if (v->type == VT_INT) {
                sb_repeat(out, ' ', pad);
                sb_puts(out, s);
            } else {
                sb_puts(out, s);
                if (c + 1 < r->ncols)
                    sb_repeat(out, ' ', pad);
            }
        }
        sb_putc(out, '\n');
    }
    sb_putc(out, '(');
    sb_put_i64(out, (int64_t)r->nrows);
    sb_puts(out, r->nrows == 1 ? " row)\n" : " rows)\n");
}

static void put_separated(struct arena *a, const struct result *r,
                          struct sbuf *out, const char *sep, int header) {
    if (header) {
        for (int c = 0; c < r->ncols; c++) {
            if (c)
                sb_puts(out, sep);
            sb_puts(out, r->names[c]);
        }
        sb_putc(out, '\n');
    }
    for (size_t i = 0; i < r->nrows; i++) {
        for (int c = 0; c < r->ncols; c++) {
            if (c)
                sb_puts(out, sep);
            if (r->rows[i][c].type != VT_NULL)
                sb_puts(out, value_to_text(a, &r->rows[i][c]));
        }
        sb_putc(out, '\n');
    }
}

static void put_csv_field(struct sbuf *out, const char *s) {
    int needs_quotes = *s == ' ' || (*s && s[strlen(s) - 1] == ' ');
    for (const char *p = s; *p && !needs_quotes; p++)
        if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
            needs_quotes = 1;
    if (!needs_quotes) {
        sb_puts(out, s);
        return;
    }
    sb_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"')
            sb_putc(out, '"');
        sb_putc(out, *s);
    }
    sb_putc(out, '"');
}

static void render_csv(struct arena *a, const struct result *r, struct sbuf *out) {
    for (int c = 0; c < r->ncols; c++) {
        if (c)
            sb_putc(out, ',');
        put_csv_field(out, r->names[c]);
    }
    sb_puts(out, "\r\n");
    for (size_t i = 0; i < r->nrows; i++) {
        for (int c = 0; c < r->ncols; c++) {
            if (c)
                sb_putc(out, ',');
            if (r->rows[i][c].type != VT_NULL)
                put_csv_field(out, value_to_text(a, &r->rows[i][c]));
        }
        sb_puts(out, "\r\n");
    }
}

static void put_json_string(struct sbuf *out, const char *s) {
    static const char hex[] = "0123456789abcdef";
    sb_putc(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': sb_puts(out, "\\\""); break;
        case '\\': sb_puts(out, "\\\\"); break;
        case '\n': sb_puts(out, "\\n"); break;
        case '\r': sb_puts(out, "\\r"); break;
        case '\t': sb_puts(out, "\\t"); break;
        case '\b': sb_puts(out, "\\b"); break;
        case '\f': sb_puts(out, "\\f"); break;
        default:
            if (c < 0x20) {
                char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15u], 0};
                sb_puts(out, esc);
            } else {
                sb_putc(out, (char)c);
            }
        }
    }
    sb_putc(out, '"');
}

static void render_json(const struct result *r, struct sbuf *out) {
    sb_putc(out, '[');
    for (size_t i = 0; i < r->nrows; i++) {
        sb_puts(out, i ? ",\n{" : "{");
        for (int c = 0; c < r->ncols; c++) {
            const struct value *v = &r->rows[i][c];
            if (c)
                sb_putc(out, ',');
            put_json_string(out, r->names[c]);
            sb_putc(out, ':');
            if (v->type == VT_NULL)
                sb_puts(out, "null");
            else if (v->type == VT_INT)
                sb_put_i64(out, v->i);
            else
                put_json_string(out, v->s);
        }
        sb_putc(out, '}');
    }
    sb_puts(out, "]\n");
}

static void render_line(struct arena *a, const struct result *r,
                        struct sbuf *out) {
    size_t w = 0;
    for (int c = 0; c < r->ncols; c++)
        if (strlen(r->names[c]) > w)
            w = strlen(r->names[c]);
    for (size_t i = 0; i < r->nrows; i++) {
        if (i)
            sb_putc(out, '\n');
        for (int c = 0; c < r->ncols; c++) {
            sb_repeat(out, ' ', w - strlen(r->names[c]));
            sb_puts(out, r->names[c]);
            sb_puts(out, " = ");
            sb_puts(out, value_to_text(a, &r->rows[i][c]));
            sb_putc(out, '\n');
        }
    }
}

static void compute_widths(struct arena *a, const struct result *r,
                           size_t *width) {
    for (int c = 0; c < r->ncols; c++)
        width[c] = strlen(r->names[c]);
    for (size_t i = 0; i < r->nrows; i++)
        for (int c = 0; c < r->ncols; c++) {
            size_t w = strlen(value_to_text(a, &r->rows[i][c]));
            if (w > width[c])
                width[c] = w;
        }
}

static void put_cell(struct sbuf *out, const char *s, size_t width, int right) {
    size_t n = strlen(s);
    if (right)
        sb_repeat(out, ' ', width - n);
    sb_puts(out, s);
    if (!right)
        sb_repeat(out, ' ', width - n);
}

static void box_rule(struct sbuf *out, const size_t *width, int ncols) {
    sb_putc(out, '+');
    for (int c = 0; c < ncols; c++) {
        sb_repeat(out, '-', width[c] + 2);
        sb_putc(out, '+');
    }
    sb_putc(out, '\n');
}

static void render_box(struct arena *a, const struct result *r, struct sbuf *out,
                       int markdown) {
    size_t width[MAX_COLS * MAX_JOIN];
    compute_widths(a, r, width);
    if (!markdown)
        box_rule(out, width, r->ncols);
    sb_putc(out, '|');
    for (int c = 0; c < r->ncols; c++) {
        sb_putc(out, ' ');
        put_cell(out, r->names[c], width[c], 0);
        sb_puts(out, " |");
    }
    sb_putc(out, '\n');
    if (markdown) {
        sb_putc(out, '|');
        for (int c = 0; c < r->ncols; c++) {
            int numeric = r->nrows > 0 && r->rows[0][c].type == VT_INT;
            sb_repeat(out, '-', width[c] + (numeric ? 1 : 2));
            sb_puts(out, numeric ? ":|" : "|");
        }
        sb_putc(out, '\n');
    } else {
        box_rule(out, width, r->ncols);
    }
    for (size_t i = 0; i < r->nrows; i++) {
        sb_putc(out, '|');
        for (int c = 0; c < r->ncols; c++) {
            const struct value *v = &r->rows[i][c];
            sb_putc(out, ' ');
            put_cell(out, value_to_text(a, v), width[c], v->type == VT_INT);
            sb_puts(out, " |");
        }
        sb_putc(out, '\n');
    }
    if (!markdown)
        box_rule(out, width, r->ncols);
}

static void put_html_escaped(struct sbuf *out, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '<': sb_puts(out, "&lt;"); break;
        case '>': sb_puts(out, "&gt;"); break;
        case '&': sb_puts(out, "&amp;"); break;
        case '"': sb_puts(out, "&quot;"); break;
        case '\'': sb_puts(out, "&#39;"); break;
        default: sb_putc(out, *s); break;
        }
    }
}

static void render_html(struct arena *a, const struct result *r,
                        struct sbuf *out) {
    sb_puts(out, "<TR>");
    for (int c = 0; c < r->ncols; c++) {
        sb_puts(out, "<TH>");
        put_html_escaped(out, r->names[c]);
        sb_puts(out, "</TH>");
    }
    sb_puts(out, "\n</TR>\n");
    for (size_t i = 0; i < r->nrows; i++) {
        sb_puts(out, "<TR>");
        for (int c = 0; c < r->ncols; c++) {
            sb_puts(out, "<TD>");
            put_html_escaped(out, value_to_text(a, &r->rows[i][c]));
            sb_puts(out, "</TD>");
        }
        sb_puts(out, "\n</TR>\n");
    }
}

static void put_sql_literal(struct sbuf *out, const struct value *v) {
    if (v->type == VT_TEXT)
        sb_put_quoted(out, v->s);
    else
        sb_put_value(out, v);
}

static void render_insert(const struct result *r, struct sbuf *out) {
    for (size_t i = 0; i < r->nrows; i++) {
        sb_puts(out, "INSERT INTO \"table\" VALUES(");
        for (int c = 0; c < r->ncols; c++) {
            if (c)
                sb_putc(out, ',');
            put_sql_literal(out, &r->rows[i][c]);
        }
        sb_puts(out, ");\n");
    }
}

static void render_quote(const struct result *r, struct sbuf *out) {
    for (int c = 0; c < r->ncols; c++) {
        if (c)
            sb_putc(out, ',');
        sb_put_quoted(out, r->names[c]);
    }
    sb_putc(out, '\n');
    for (size_t i = 0; i < r->nrows; i++) {
        for (int c = 0; c < r->ncols; c++) {
            if (c)
                sb_putc(out, ',');
            put_sql_literal(out, &r->rows[i][c]);
        }
        sb_putc(out, '\n');
    }
}

static void render_result(struct db *db, const struct result *r,
                          struct sbuf *out) {
    struct arena *a = &db->arena;
    switch (db->mode) {
    case MODE_COLUMN:
        render_columns(a, r, out);
        break;
    case MODE_LIST:
        put_separated(a, r, out, "|", 1);
        break;
    case MODE_TABS:
        put_separated(a, r, out, "\t", 1);
        break;
    case MODE_CSV:
        render_csv(a, r, out);
        break;
    case MODE_JSON:
        render_json(r, out);
        break;
    case MODE_LINE:
        render_line(a, r, out);
        break;
    case MODE_BOX:
        render_box(a, r, out, 0);
        break;
    case MODE_MARKDOWN:
        render_box(a, r, out, 1);
        break;
    case MODE_HTML:
        render_html(a, r, out);
        break;
    case MODE_INSERT:
        render_insert(r, out);
        break;
    case MODE_QUOTE:
        render_quote(r, out);
        break;
    case MODE_COUNT:
        break;
    }
}

/* ====================================================================== */
/* Statement execution                                                    */
/* ====================================================================== */

struct stmt_result {
    enum stmt_kind kind;
    int explain;
    enum status status;
    size_t nrows;
    int64_t changes;
    uint32_t text_hash;      /* of the rendered output */
    uint32_t unordered_hash; /* order independent digest of result rows */
    int64_t first_int;       /* first column of the first row, if integer */
    int has_first_int;
    size_t out_start, out_len; /* slice of the transcript */
};

static enum status store_value(struct db *db, struct table *t, int col,
                               struct value *v) {
    if (!apply_affinity(&db->arena, &t->cols[col], v))
        return err_set(&db->err, ST_TYPE, "datatype mismatch for column ",
                       t->cols[col].name, NULL);
    return ST_OK;
}

static enum status map_columns(struct db *db, struct table *t,
                               const char *const *names, int n, int *map) {
    for (int i = 0; i < n; i++) {
        map[i] = table_find_column(t, names[i]);
        if (map[i] < 0)
            return err_set4(&db->err, ST_NO_COLUMN, "table ", t->name,
                            " has no column named ", names[i]);
        for (int j = 0; j < i; j++)
            if (map[j] == map[i])
                return err_set(&db->err, ST_SYNTAX, "column listed twice: ",
                               names[i], NULL);
    }
    return ST_OK;
}

/* DO UPDATE of an upsert: SET expressions see the stored row unqualified
 * and the proposed row as "excluded". */
static enum status upsert_update(struct db *db, struct table *t, int64_t rowid,
                                 const struct value *proposed,
                                 const struct stmt *st) {
    struct row *existing = table_get_row(t, rowid);
    struct row *excluded = arena_alloc(&db->arena, sizeof *excluded +
                                                       sizeof(struct value) * (size_t)t->ncols);
    int map[MAX_COLS];
    excluded->rowid = rowid;
    excluded->ncols = t->ncols;
    memcpy(excluded->vals, proposed, sizeof(struct value) * (size_t)t->ncols);
    if (map_columns(db, t, st->set_cols, st->nset, map) != ST_OK)
        return db->err.code;
    struct query *q = query_new(db, NULL);
    q->nslots = 2;
    q->tables[0] = t;
    q->tables[1] = t;
    q->alias[1] = "excluded";
    q->hidden[1] = 1;
    q->cur[0] = existing;
    q->cur[1] = excluded;
    struct value vals[MAX_COLS];
    int apply = 1;
    for (int i = 0; i < st->nset && db->err.code == ST_OK; i++)
        resolve_expr(q, st->set_exprs[i], 0);
    if (db->err.code == ST_OK && st->where &&
        resolve_expr(q, st->where, 0) == ST_OK)
        apply = eval_truth(q, st->where);
    if (db->err.code == ST_OK && apply) {
        for (int c = 0; c < t->ncols; c++)
            vals[c] = existing->vals[c];
        for (int i = 0; i < st->nset && db->err.code == ST_OK; i++) {
            struct value v = eval(q, st->set_exprs[i]);
            if (store_value(db, t, map[i], &v) == ST_OK)
                vals[map[i]] = v;
        }
        if (db->err.code == ST_OK && table_update(db, t, rowid, vals) == ST_OK)
            db->changes++;
    }
    query_delete(q);
    return db->err.code;
}

/* Finds a stored row that the proposed values would collide with. */
static int64_t find_conflict(struct table *t, const struct value *vals,
                             int only_col) {
    for (int i = 0; i < t->nindexes; i++) {
        struct index *ix = t->indexes[i];
        if (!ix->unique || vals[ix->col].type == VT_NULL ||
            (only_col >= 0 && ix->col != only_col))
            continue;
        int64_t rowid = index_first_rowid(ix, &vals[ix->col], INT64_MIN);
        if (rowid != INT64_MIN)
            return rowid;
    }
    return INT64_MIN;
}

static enum status insert_values(struct db *db, struct table *t, const int *map,
                                 int n, const struct value *supplied,
                                 enum conflict_mode mode,
                                 const struct stmt *st) {
    struct value vals[MAX_COLS];
    for (int c = 0; c < t->ncols; c++)
        vals[c] = t->cols[c].has_default ? t->cols[c].def : v_null();
    for (int i = 0; i < n; i++) {
        struct value v = supplied[i];
        if (store_value(db, t, map[i], &v) != ST_OK)
            return db->err.code;
        vals[map[i]] = v;
    }
    if (st->upsert != UPSERT_NONE) {
        int only = st->conflict_col ? table_find_column(t, st->conflict_col) : -1;
        int64_t other = find_conflict(t, vals, only);
        if (other != INT64_MIN)
            return st->upsert == UPSERT_NOTHING
                       ? ST_OK
                       : upsert_update(db, t, other, vals, st);
    }
    if (mode == CONFLICT_REPLACE) {
        /* remove every row that would violate a uniqueness constraint */
        for (int i = 0; i < t->nindexes; i++) {
            struct index *ix = t->indexes[i];
            if (!ix->unique || vals[ix->col].type == VT_NULL)
                continue;
            int64_t victim = index_first_rowid(ix, &vals[ix->col], INT64_MIN);
            if (victim != INT64_MIN && table_delete(db, t, victim) != ST_OK)
                return db->err.code;
        }
    }
    if (table_insert(db, t, vals, NULL) != ST_OK) {
        if (mode == CONFLICT_IGNORE && db->err.code == ST_CONSTRAINT) {
            err_clear(&db->err);
            return ST_OK;
        }
        return db->err.code;
    }
    db->changes++;
    return ST_OK;
}

static enum status exec_insert(struct db *db, struct stmt *st) {
    struct table *t = db_find_table(db, st->name);
    if (!t)
        return err_set(&db->err, ST_NO_TABLE, "no such table: ", st->name, NULL);
    int map[MAX_COLS], n;
    if (st->conflict_col) {
        int c = table_find_column(t, st->conflict_col);
        struct index *ix = c >= 0 ? table_index_on(t, c) : NULL;
        if (!ix || !ix->unique)
            return err_set(&db->err, ST_MISUSE, "ON CONFLICT clause does not "
                           "match any PRIMARY KEY or UNIQUE constraint", NULL,
                           NULL);
    }
    if (st->nins_cols > 0) {
        n = st->nins_cols;
        if (map_columns(db, t, st->ins_cols, n, map) != ST_OK)
            return db->err.code;
    } else {
        n = t->ncols;
        for (int i = 0; i < n; i++)
            map[i] = i;
    }
    if (st->select) {
        struct query *sq = query_new(db, NULL);
        if (run_select(sq, st->select, 0, NULL) == ST_OK) {
            if (sq->res.ncols != n)
                err_set(&db->err, ST_SYNTAX, "table ", t->name,
                        " has a different number of columns than the query");
            for (size_t r = 0; r < sq->res.nrows && db->err.code == ST_OK; r++)
                insert_values(db, t, map, n, sq->res.rows[r], st->conflict, st);
        }
        query_delete(sq);
        return db->err.code;
    }
    if (st->nvals != n)
        return err_set(&db->err, ST_SYNTAX, "table ", t->name,
                       " has a different number of columns than values supplied");
    struct query q;
    query_init(&q, db);
    for (int r = 0; r < st->nrows; r++) {
        struct value vals[MAX_COLS];
        for (int i = 0; i < n; i++) {
            if (resolve_expr(&q, st->rows[r][i], 0) != ST_OK)
                return db->err.code;
            vals[i] = eval(&q, st->rows[r][i]);
        }
        if (db->err.code != ST_OK ||
            insert_values(db, t, map, n, vals, st->conflict, st) != ST_OK)
            return db->err.code;
    }
    return ST_OK;
}

/* Shared by UPDATE and DELETE: binds the single table, plans and collects
 * the rowids that satisfy WHERE. */
static enum status collect_rowids(struct db *db, struct query *q,
                                  struct table *t, struct expr *where,
                                  int explain, struct sbuf *plan) {
    q->nslots = 1;
    q->tables[0] = t;
    q->alias[0] = NULL;
    if (resolve_expr(q, where, 0) != ST_OK || add_terms(q, where, -1) != ST_OK)
        return db->err.code;
    plan_query(q);
    if (explain) {
        explain_path(q, 0, plan);
        sb_putc(plan, '\n');
        return ST_OK;
    }
    q->collect = 1;
    run_scan(q);
    return db->err.code;
}

static enum status exec_update(struct db *db, struct stmt *st, struct sbuf *plan) {
    struct table *t = db_find_table(db, st->name);
    if (!t)
        return err_set(&db->err, ST_NO_TABLE, "no such table: ", st->name, NULL);
    int map[MAX_COLS];
    if (map_columns(db, t, st->set_cols, st->nset, map) != ST_OK)
        return db->err.code;
    struct query q;
    query_init(&q, db);
    q.nslots = 1;
    q.tables[0] = t;
    for (int i = 0; i < st->nset; i++)
        if (resolve_expr(&q, st->set_exprs[i], 0) != ST_OK)
            return db->err.code;
    if (collect_rowids(db, &q, t, st->where, st->explain, plan) != ST_OK ||
        st->explain)
        return db->err.code;
    for (size_t i = 0; i < q.nrowids; i++) {
        struct row *r = table_get_row(t, q.rowids[i]);
        if (!r)
            continue;
        struct value vals[MAX_COLS];
        q.cur[0] = r;
        for (int c = 0; c < t->ncols; c++)
            vals[c] = r->vals[c];
        for (int k = 0; k < st->nset; k++) {
            struct value v = eval(&q, st->set_exprs[k]);
            if (db->err.code != ST_OK ||
                store_value(db, t, map[k], &v) != ST_OK)
                return db->err.code;
            vals[map[k]] = v;
        }
        if (table_update(db, t, r->rowid, vals) != ST_OK)
            return db->err.code;
        q.cur[0] = NULL;
        db->changes++;
    }
    return ST_OK;
}

static enum status exec_delete(struct db *db, struct stmt *st, struct sbuf *plan) {
    struct table *t = db_find_table(db, st->name);
    if (!t)
        return err_set(&db->err, ST_NO_TABLE, "no such table: ", st->name, NULL);
    struct query q;
    query_init(&q, db);
    if (collect_rowids(db, &q, t, st->where, st->explain, plan) != ST_OK ||
        st->explain)
        return db->err.code;
    for (size_t i = 0; i < q.nrowids; i++) {
        if (table_delete(db, t, q.rowids[i]) != ST_OK)
            return db->err.code;
        db->changes++;
    }
    return ST_OK;
}

/* Parses a CHECK expression of t once per statement. */
static struct expr *table_check_tree(struct db *db, struct table *t, int i) {
    if (t->check_stamp != db->stats.statements) {
        memset(t->check_tree, 0, sizeof t->check_tree);
        t->check_stamp = db->stats.statements;
    }
    if (t->check_tree[i])
        return t->check_tree[i];
    struct parser p;
    memset(&p, 0, sizeof p);
    lex_init(&p.lx, t->checks[i], &db->arena, &db->err);
    p.arena = &db->arena;
    p.err = &db->err;
    p_advance(&p);
    struct expr *e = parse_expr(&p);
    if (e && p.cur.type != T_EOF) {
        p_error_near(&p, "unexpected text in CHECK constraint");
        e = NULL;
    }
    t->check_tree[i] = e;
    return e;
}

/* A CHECK constraint fails only when its expression is false (NULL is
 * accepted, as in SQL). */
static enum status check_row_checks(struct db *db, struct table *t,
                                    const struct value *vals) {
    struct row *r = arena_alloc(&db->arena, sizeof *r +
                                                sizeof(struct value) * (size_t)t->ncols);
    r->rowid = 0;
    r->ncols = t->ncols;
    memcpy(r->vals, vals, sizeof(struct value) * (size_t)t->ncols);
    struct query *q = query_new(db, NULL);
    q->nslots = 1;
    q->tables[0] = t;
    q->cur[0] = r;
    for (int i = 0; i < t->nchecks && db->err.code == ST_OK; i++) {
        struct expr *e = table_check_tree(db, t, i);
        if (!e || resolve_expr(q, e, 0) != ST_OK)
            break;
        struct value v = eval(q, e);
        if (db->err.code == ST_OK && value_truth(&v) == 0)
            err_set4(&db->err, ST_CONSTRAINT, "CHECK constraint failed: ",
                     t->name, ": ", t->checks[i]);
    }
    query_delete(q);
    return db->err.code;
}

/* CREATE TABLE ... AS SELECT: the new table takes the query's columns. */
static enum status create_table_as(struct db *db, struct stmt *st) {
    struct query *q = query_new(db, NULL);
    struct table *t = materialize(q, NULL, st->name, st->select);
    query_delete(q);
    if (!t)
        return db->err.code;
    for (int c = 0; c < t->ncols; c++)
        for (int k = 0; k < c; k++)
            if (str_ieq(t->cols[c].name, t->cols[k].name)) {
                err_set(&db->err, ST_SYNTAX, "duplicate column name: ",
                        t->cols[c].name, NULL);
                temp_table_free(t);
                return db->err.code;
            }
    db->tables[db->ntables++] = t;
    db->changes = (int64_t)t->rows.count;
    return ST_OK;
}

static enum status exec_create_table(struct db *db, struct stmt *st) {
    if (db_find_table(db, st->name) || db_find_view(db, st->name)) {
        if (st->if_exists)
            return ST_OK;
        return err_set(&db->err, ST_EXISTS, "table ", st->name,
                       " already exists");
    }
    if (db->ntables == MAX_TABLES)
        return err_set(&db->err, ST_LIMIT, "too many tables", NULL, NULL);
    if (strlen(st->name) >= MAX_NAME)
        return err_set(&db->err, ST_LIMIT, "table name too long: ", st->name,
                       NULL);
    int primaries = 0;
    for (int i = 0; i < st->ncols; i++) {
        primaries += st->cols[i].primary;
        for (int j = 0; j < i; j++)
            if (str_ieq(st->cols[i].name, st->cols[j].name))
                return err_set(&db->err, ST_SYNTAX, "duplicate column name: ",
                               st->cols[i].name, NULL);
    }
    if (primaries > 1)
        return err_set(&db->err, ST_SYNTAX, "table \"", st->name,
                       "\" has more than one primary key");
    if (st->select)
        return create_table_as(db, st);
    struct table *t = xmalloc(sizeof *t);
    memset(t, 0, sizeof *t);
    str_copy_name(t->name, st->name);
    t->ncols = st->ncols;
    t->next_rowid = 1;
    bt_init(&t->rows);
    for (int i = 0; i < st->ncols; i++) {
        struct column *c = &t->cols[i];
        const struct column_def *d = &st->cols[i];
        str_copy_name(c->name, d->name);
        c->type = d->type;
        c->not_null = d->not_null;
        c->unique = d->unique;
        c->primary = d->primary;
        c->def = v_null();
        if (d->has_default) {
            struct value v = d->def;
            if (!apply_affinity(&db->arena, c, &v)) {
                err_set(&db->err, ST_TYPE, "default value has wrong type: ",
                        d->name, NULL);
                bt_destroy(&t->rows, NULL, NULL);
                free(t);
                return db->err.code;
            }
            c->has_default = 1;
            c->def = value_dup_heap(&v);
        }
    }
    for (int i = 0; i < st->nchecks; i++)
        t->checks[t->nchecks++] = heap_strdup(st->checks[i]);
    db->tables[db->ntables++] = t;
    int auto_no = 0;
    for (int i = 0; i < t->ncols; i++) {
        if (!t->cols[i].unique)
            continue;
        struct sbuf name;
        sb_init(&name);
        sb_puts(&name, "autoindex_");
        sb_puts(&name, t->name);
        sb_putc(&name, '_');
        sb_put_i64(&name, ++auto_no);
        struct index *ix = index_create(db, t, sb_str(&name), i, 1, 1);
        sb_free(&name);
        if (!ix)
            return db->err.code;
    }
    return ST_OK;
}

static enum status exec_create_index(struct db *db, struct stmt *st) {
    if (db_find_index(db, st->name)) {
        if (st->if_exists)
            return ST_OK;
        return err_set(&db->err, ST_EXISTS, "index ", st->name, " already exists");
    }
    struct table *t = db_find_table(db, st->table);
    if (!t)
        return err_set(&db->err, ST_NO_TABLE, "no such table: ", st->table, NULL);
    int col = table_find_column(t, st->column);
    if (col < 0)
        return err_set(&db->err, ST_NO_COLUMN, "no such column: ", st->column,
                       NULL);
    if (!index_create(db, t, st->name, col, st->unique, 0))
        return db->err.code;
    return ST_OK;
}

static enum status exec_drop(struct db *db, struct stmt *st) {
    if (st->kind == S_DROP_TABLE) {
        struct table *t = db_find_table(db, st->name);
        if (!t)
            return st->if_exists ? ST_OK
                                 : err_set(&db->err, ST_NO_TABLE,
                                           "no such table: ", st->name, NULL);
        table_destroy(db, t);
        return ST_OK;
    }
    struct index *ix = db_find_index(db, st->name);
    if (!ix)
        return st->if_exists ? ST_OK
                             : err_set(&db->err, ST_NO_TABLE, "no such index: ",
                                       st->name, NULL);
    if (ix->automatic)
        return err_set(&db->err, ST_MISUSE, "index associated with UNIQUE or "
                       "PRIMARY KEY constraint cannot be dropped", NULL, NULL);
    index_destroy(db, ix);
    return ST_OK;
}

static enum status exec_create_view(struct db *db, struct stmt *st) {
    if (db_find_view(db, st->name) || db_find_table(db, st->name)) {
        if (st->if_exists)
            return ST_OK;
        return err_set(&db->err, ST_EXISTS, "view or table ", st->name,
                       " already exists");
    }
    if (db->nviews == MAX_TABLES)
        return err_set(&db->err, ST_LIMIT, "too many views", NULL, NULL);
    /* make sure the definition refers to existing tables and columns */
    struct sbuf scratch;
    sb_init(&scratch);
    struct query *q = query_new(db, NULL);
    run_select(q, st->select, 1, &scratch);
    query_delete(q);
    sb_free(&scratch);
    if (db->err.code != ST_OK)
        return db->err.code;
    struct view *v = xmalloc(sizeof *v);
    str_copy_name(v->name, st->name);
    v->sql = heap_strdup(st->view_sql);
    db->views[db->nviews++] = v;
    return ST_OK;
}

static enum status exec_drop_view(struct db *db, struct stmt *st) {
    for (int i = 0; i < db->nviews; i++) {
        if (!str_ieq(db->views[i]->name, st->name))
            continue;
        free(db->views[i]->sql);
        free(db->views[i]);
        memmove(&db->views[i], &db->views[i + 1],
                sizeof db->views[0] * (size_t)(db->nviews - i - 1));
        db->nviews--;
        return ST_OK;
    }
    if (st->if_exists)
        return ST_OK;
    return err_set(&db->err, ST_NO_TABLE, "no such view: ", st->name, NULL);
}

static enum status alter_add_column(struct db *db, struct table *t,
                                    const struct column_def *d) {
    if (table_find_column(t, d->name) >= 0)
        return err_set(&db->err, ST_SYNTAX, "duplicate column name: ", d->name,
                       NULL);
    if (t->ncols == MAX_COLS)
        return err_set(&db->err, ST_LIMIT, "too many columns on ", t->name, NULL);
    if (d->primary || d->unique)
        return err_set(&db->err, ST_MISUSE, "Cannot add a UNIQUE column", NULL,
                       NULL);
    struct column col;
    memset(&col, 0, sizeof col);
    str_copy_name(col.name, d->name);
    col.type = d->type;
    col.not_null = d->not_null;
    col.def = v_null();
    if (d->has_default) {
        struct value v = d->def;
        if (!apply_affinity(&db->arena, &col, &v))
            return err_set(&db->err, ST_TYPE, "default value has wrong type: ",
                           d->name, NULL);
        col.def = v;
        col.has_default = 1;
    }
    if (col.not_null && col.def.type == VT_NULL)
        return err_set(&db->err, ST_CONSTRAINT,
                       "Cannot add a NOT NULL column with default value NULL",
                       NULL, NULL);
    col.def = value_dup_heap(&col.def);
    int c = t->ncols;
    t->cols[c] = col;
    t->ncols++;
    /* widen every stored row */
    struct bt_cursor cur;
    for (bt_cursor_first(&cur, &t->rows); bt_cursor_valid(&cur);
         bt_cursor_next(&cur)) {
        struct bt_entry *e = bt_cursor_entry(&cur);
        struct row *old = e->payload;
        struct row *r = row_alloc(t->ncols);
        r->rowid = old->rowid;
        memcpy(r->vals, old->vals, sizeof(struct value) * (size_t)old->ncols);
        r->vals[c] = value_dup_heap(&t->cols[c].def);
        free(old); /* values were moved, not copied */
        e->payload = r;
    }
    return ST_OK;
}

static enum status exec_alter(struct db *db, struct stmt *st) {
    struct table *t = db_find_table(db, st->name);
    if (!t)
        return err_set(&db->err, ST_NO_TABLE, "no such table: ", st->name, NULL);
    switch (st->alter) {
    case ALTER_ADD_COLUMN:
        return alter_add_column(db, t, &st->cols[0]);
    case ALTER_RENAME_TABLE:
        if (db_find_table(db, st->new_name) || db_find_view(db, st->new_name))
            return err_set(&db->err, ST_EXISTS, "there is already another "
                           "table or view named ", st->new_name, NULL);
        str_copy_name(t->name, st->new_name);
        return ST_OK;
    case ALTER_RENAME_COLUMN: {
        int c = table_find_column(t, st->column);
        if (c < 0)
            return err_set(&db->err, ST_NO_COLUMN, "no such column: \"",
                           st->column, "\"");
        if (table_find_column(t, st->new_name) >= 0)
            return err_set(&db->err, ST_SYNTAX, "duplicate column name: ",
                           st->new_name, NULL);
        str_copy_name(t->cols[c].name, st->new_name);
        return ST_OK;
    }
    }
    return ST_OK;
}

/* ---------------------------------------------------------------------- */
/* PRAGMA statements produce ordinary result sets                         */

static void pragma_columns(struct query *q, int n, const char *const *names) {
    q->ncols = n;
    q->res.ncols = n;
    for (int i = 0; i < n; i++)
        q->res.names[i] = names[i];
}

static struct value *pragma_row(struct query *q) {
    struct value *vals = arena_alloc(q->arena, sizeof(struct value) * (size_t)(q->res.ncols + 1));
    for (int i = 0; i < q->res.ncols; i++)
        vals[i] = v_null();
    result_push(q, vals, NULL);
    return vals;
}

static const char *default_text(struct arena *a, const struct column *c) {
    if (!c->has_default)
        return NULL;
    if (c->def.type != VT_TEXT)
        return value_to_text(a, &c->def);
    struct sbuf b;
    sb_init(&b);
    sb_put_quoted(&b, c->def.s);
    const char *r = arena_strdup(a, sb_str(&b));
    sb_free(&b);
    return r;
}

static enum status exec_pragma(struct db *db, struct stmt *st, struct query *q) {
    const char *name = st->name;
    if (str_ieq(name, "mode")) {
        if (!st->has_pragma_value) {
            static const char *const cols[] = {"mode"};
            pragma_columns(q, 1, cols);
            pragma_row(q)[0] = v_text(mode_names[db->mode]);
            return ST_OK;
        }
        const char *want = value_to_text(&db->arena, &st->pragma_value);
        for (int m = 0; m < MODE_COUNT; m++) {
            if (str_ieq(want, mode_names[m])) {
                db->mode = (enum output_mode)m;
                return ST_OK;
            }
        }
        return err_set(&db->err, ST_MISUSE, "unknown output mode: ", want, NULL);
    }
    if (str_ieq(name, "table_list")) {
        static const char *const cols[] = {"name", "type", "ncol", "nrow"};
        pragma_columns(q, 4, cols);
        for (int i = 0; i < db->ntables; i++) {
            struct value *r = pragma_row(q);
            r[0] = v_text(db->tables[i]->name);
            r[1] = v_text("table");
            r[2] = v_int(db->tables[i]->ncols);
            r[3] = v_int((int64_t)db->tables[i]->rows.count);
        }
        for (int i = 0; i < db->nviews; i++) {
            struct value *r = pragma_row(q);
            r[0] = v_text(db->views[i]->name);
            r[1] = v_text("view");
        }
        return ST_OK;
    }
    if (str_ieq(name, "integrity_check")) {
        static const char *const cols[] = {"integrity_check"};
        struct sbuf report;
        sb_init(&report);
        pragma_columns(q, 1, cols);
        int ok = db_integrity_check(db, &report);
        pragma_row(q)[0] = v_text(ok ? "ok" : arena_strdup(&db->arena, sb_str(&report)));
        sb_free(&report);
        return ST_OK;
    }
    if (!st->pragma_arg)
        return err_set(&db->err, ST_SYNTAX, "unknown pragma: ", name, NULL);
    if (str_ieq(name, "index_info")) {
        static const char *const cols[] = {"seqno", "cid", "name"};
        struct index *ix = db_find_index(db, st->pragma_arg);
        if (!ix)
            return err_set(&db->err, ST_NO_TABLE, "no such index: ",
                           st->pragma_arg, NULL);
        pragma_columns(q, 3, cols);
        struct value *r = pragma_row(q);
        r[0] = v_int(0);
        r[1] = v_int(ix->col);
        r[2] = v_text(ix->table->cols[ix->col].name);
        return ST_OK;
    }
    struct table *t = db_find_table(db, st->pragma_arg);
    if (!t)
        return err_set(&db->err, ST_NO_TABLE, "no such table: ", st->pragma_arg,
                       NULL);
    if (str_ieq(name, "table_info")) {
        static const char *const cols[] = {"cid", "name", "type", "notnull",
                                           "dflt_value", "pk"};
        pragma_columns(q, 6, cols);
        for (int c = 0; c < t->ncols; c++) {
            struct value *r = pragma_row(q);
            const char *def = default_text(&db->arena, &t->cols[c]);
            r[0] = v_int(c);
            r[1] = v_text(t->cols[c].name);
            r[2] = v_text(t->cols[c].type == VT_INT ? "INTEGER" : "TEXT");
            r[3] = v_int(t->cols[c].not_null);
            r[4] = def ? v_text(def) : v_null();
            r[5] = v_int(t->cols[c].primary);
        }
        return ST_OK;
    }
    if (str_ieq(name, "index_list")) {
        static const char *const cols[] = {"seq", "name", "unique", "origin",
                                           "entries"};
        pragma_columns(q, 5, cols);
        for (int i = 0; i < t->nindexes; i++) {
            const struct index *ix = t->indexes[i];
            struct value *r = pragma_row(q);
            r[0] = v_int(i);
            r[1] = v_text(ix->name);
            r[2] = v_int(ix->unique);
            r[3] = v_text(!ix->automatic ? "c"
                          : t->cols[ix->col].primary ? "pk" : "u");
            r[4] = v_int((int64_t)ix->tree.count);
        }
        return ST_OK;
    }
    if (str_ieq(name, "btree_info")) {
        static const char *const cols[] = {"tree", "kind", "entries", "valid"};
        pragma_columns(q, 4, cols);
        struct value *r = pragma_row(q);
        r[0] = v_text(t->name);
        r[1] = v_text("table");
        r[2] = v_int((int64_t)t->rows.count);
        r[3] = v_int(bt_check(&t->rows));
        for (int i = 0; i < t->nindexes; i++) {
            r = pragma_row(q);
            r[0] = v_text(t->indexes[i]->name);
            r[1] = v_text("index");
            r[2] = v_int((int64_t)t->indexes[i]->tree.count);
            r[3] = v_int(bt_check(&t->indexes[i]->tree));
        }
        return ST_OK;
    }
    return err_set(&db->err, ST_SYNTAX, "unknown pragma: ", name, NULL);
}

/* ANALYZE: counts distinct keys of every index for the planner. */
static enum status exec_analyze(struct db *db) {
    for (int i = 0; i < db->nindexes; i++) {
        struct index *ix = db->indexes[i];
        struct bt_cursor c;
        struct value prev = v_null();
        int64_t distinct = 0;
        int first = 1;
        for (bt_cursor_first(&c, &ix->tree); bt_cursor_valid(&c);
             bt_cursor_next(&c)) {
            const struct bt_entry *e = bt_cursor_entry(&c);
            if (first || !value_eq(&prev, &e->key))
                distinct++;
            prev = e->key;
            first = 0;
        }
        ix->distinct = distinct;
        ix->analyzed = 1;
    }
    return ST_OK;
}

/* Rebuilds a B-tree compactly from its entries in key order. */
static void btree_rebuild(struct btree *t) {
    struct bt_cursor c;
    size_t n = 0;
    struct bt_entry *all = xmalloc(sizeof *all * (t->count + 1));
    for (bt_cursor_first(&c, t); bt_cursor_valid(&c); bt_cursor_next(&c))
        all[n++] = *bt_cursor_entry(&c);
    bt_bulk_load(t, all, n); /* the entries move to the new nodes */
    free(all);
}

static enum status exec_vacuum(struct db *db) {
    for (int i = 0; i < db->ntables; i++) {
        struct table *t = db->tables[i];
        btree_rebuild(&t->rows);
        for (int k = 0; k < t->nindexes; k++)
            btree_rebuild(&t->indexes[k]->tree);
    }
    return ST_OK;
}

static struct savepoint *find_savepoint(struct db *db, const char *name) {
    for (int i = db->nsavepoints - 1; i >= 0; i--)
        if (str_ieq(db->savepoints[i].name, name))
            return &db->savepoints[i];
    return NULL;
}

static enum status exec_savepoint(struct db *db, struct stmt *st) {
    if (st->kind == S_SAVEPOINT) {
        if (db->nsavepoints == MAX_SAVEPOINTS)
            return err_set(&db->err, ST_LIMIT, "too many savepoints", NULL, NULL);
        struct savepoint *sp = &db->savepoints[db->nsavepoints++];
        str_copy_name(sp->name, st->name);
        sp->mark = db->nlog;
        sp->began_txn = !db->in_txn;
        db->in_txn = 1;
        return ST_OK;
    }
    struct savepoint *sp = find_savepoint(db, st->name);
    if (!sp)
        return err_set(&db->err, ST_MISUSE, "no such savepoint: ", st->name, NULL);
    int index = (int)(sp - db->savepoints);
    if (st->kind == S_ROLLBACK_TO) {
        undo_rollback(db, sp->mark);
        db->nsavepoints = index + 1; /* the savepoint itself stays open */
        return ST_OK;
    }
    /* RELEASE: forget this savepoint and everything newer */
    int began = sp->began_txn;
    db->nsavepoints = index;
    if (began) {
        undo_commit(db);
        db->in_txn = 0;
    }
    return ST_OK;
}

static uint32_t result_unordered_hash(const struct result *r) {
    uint32_t acc = (uint32_t)r->nrows * 2654435761u;
    for (size_t i = 0; i < r->nrows; i++)
        acc += row_hash(r->rows[i], r->ncols) * 0x9E3779B1u;
    return acc;
}

/* Executes one parsed statement, appending its textual output. */
static void exec_statement(struct db *db, struct stmt *st,
                           struct stmt_result *res) {
    size_t mark = db->nlog;
    size_t out_start = db->out.len;
    struct sbuf plan;
    sb_init(&plan);
    db->changes = 0;
    db->stats.statements++;
    memset(res, 0, sizeof *res);
    res->kind = st->kind;
    res->explain = st->explain;
    int schema_change = st->kind == S_CREATE_TABLE ||
                        st->kind == S_CREATE_INDEX ||
                        st->kind == S_DROP_TABLE || st->kind == S_DROP_INDEX ||
                        st->kind == S_CREATE_VIEW || st->kind == S_DROP_VIEW ||
                        st->kind == S_ALTER || st->kind == S_VACUUM;
    int has_rows = st->kind == S_SELECT || st->kind == S_PRAGMA;
    struct query q;
    query_init(&q, db);
    if (schema_change && db->in_txn) {
        err_set(&db->err, ST_MISUSE, "cannot change the schema inside a "
                "transaction", NULL, NULL);
    } else {
        switch (st->kind) {
        case S_CREATE_TABLE:
            exec_create_table(db, st);
            break;
        case S_CREATE_INDEX:
            exec_create_index(db, st);
            break;
        case S_DROP_TABLE:
        case S_DROP_INDEX:
            exec_drop(db, st);
            break;
        case S_INSERT:
            exec_insert(db, st);
            break;
        case S_UPDATE:
            exec_update(db, st, &plan);
            break;
        case S_DELETE:
            exec_delete(db, st, &plan);
            break;
        case S_SELECT:
            run_select(&q, st->select, st->explain, &plan);
            break;
        case S_CREATE_VIEW:
            exec_create_view(db, st);
            break;
        case S_DROP_VIEW:
            exec_drop_view(db, st);
            break;
        case S_ALTER:
            exec_alter(db, st);
            break;
        case S_PRAGMA:
            exec_pragma(db, st, &q);
            break;
        case S_ANALYZE:
            exec_analyze(db);
            break;
        case S_VACUUM:
            exec_vacuum(db);
            break;
        case S_BEGIN:
            if (db->in_txn)
                err_set(&db->err, ST_MISUSE, "cannot start a transaction "
                        "within a transaction", NULL, NULL);
            db->in_txn = 1;
            break;
        case S_COMMIT:
            if (!db->in_txn)
                err_set(&db->err, ST_MISUSE, "cannot commit - no transaction "
                        "is active", NULL, NULL);
            undo_commit(db);
            db->in_txn = 0;
            db->nsavepoints = 0;
            break;
        case S_ROLLBACK:
            if (!db->in_txn)
                err_set(&db->err, ST_MISUSE, "cannot rollback - no transaction "
                        "is active", NULL, NULL);
            undo_rollback(db, 0);
            db->in_txn = 0;
            db->nsavepoints = 0;
            break;
        case S_SAVEPOINT:
        case S_RELEASE:
        case S_ROLLBACK_TO:
            exec_savepoint(db, st);
            break;
        }
    }
    res->status = db->err.code;
    if (db->err.code != ST_OK) {
        undo_rollback(db, mark);
        db->stats.errors++;
        sb_puts(&db->out, "error (");
        sb_puts(&db->out, status_names[db->err.code]);
        sb_puts(&db->out, "): ");
        sb_puts(&db->out, db->err.msg);
        sb_putc(&db->out, '\n');
    } else {
        if (!db->in_txn)
            undo_commit(db);
        if (st->explain) {
            sb_puts(&db->out, "QUERY PLAN\n");
            sb_puts(&db->out, sb_str(&plan));
        } else if (has_rows && (st->kind == S_SELECT || q.res.ncols > 0)) {
            render_result(db, &q.res, &db->out);
            res->nrows = q.res.nrows;
            res->unordered_hash = result_unordered_hash(&q.res);
            if (q.res.nrows > 0 && q.res.ncols > 0 &&
                q.res.rows[0][0].type == VT_INT) {
                res->first_int = q.res.rows[0][0].i;
                res->has_first_int = 1;
            }
        } else if (st->kind == S_INSERT || st->kind == S_UPDATE ||
                   st->kind == S_DELETE) {
            db->last_changes = db->changes;
            db->total_changes += db->changes;
            sb_puts(&db->out, "changes: ");
            sb_put_i64(&db->out, db->changes);
            sb_putc(&db->out, '\n');
        } else {
            sb_puts(&db->out, stmt_names[st->kind]);
            sb_puts(&db->out, ": ok\n");
        }
    }
    res->changes = db->changes;
    res->out_start = out_start;
    res->out_len = db->out.len - out_start;
    res->text_hash = hash_bytes(2166136261u, db->out.data + out_start,
                                db->out.len - out_start);
    query_release(&q);
    sb_free(&plan);
}

/* ====================================================================== */
/* Script driver                                                          */
/* ====================================================================== */

struct exec_log {
    struct stmt_result *items;
    size_t n, cap;
};

static void exec_log_push(struct exec_log *log, const struct stmt_result *r) {
    if (!log)
        return;
    if (log->n == log->cap) {
        log->cap = log->cap ? log->cap * 2 : 64;
        log->items = xrealloc(log->items, log->cap * sizeof *log->items);
    }
    log->items[log->n++] = *r;
}

/* Runs every statement of a script; returns the number of failed ones. */
static int db_exec(struct db *db, const char *sql, struct exec_log *log) {
    struct arena lex_arena = {NULL, 0, 0};
    struct parser p;
    int failures = 0;
    memset(&p, 0, sizeof p);
    lex_init(&p.lx, sql, &lex_arena, &db->err);
    p.arena = &db->arena;
    p.err = &db->err;
    err_clear(&db->err);
    p_advance(&p);
    for (;;) {
        int at_end;
        struct stmt_result res;
        struct stmt *st = parse_statement(&p, &at_end);
        if (at_end)
            break;
        if (!st) {
            memset(&res, 0, sizeof res);
            res.status = db->err.code;
            res.out_start = db->out.len;
            sb_puts(&db->out, "error (");
            sb_puts(&db->out, status_names[db->err.code]);
            sb_puts(&db->out, "): ");
            sb_puts(&db->out, db->err.msg);
            sb_putc(&db->out, '\n');
            res.out_len = db->out.len - res.out_start;
            res.text_hash = hash_str(2166136261u, db->err.msg);
            db->stats.errors++;
            db->stats.statements++;
        } else {
            exec_statement(db, st, &res);
        }
        if (res.status != ST_OK)
            failures++;
        exec_log_push(log, &res);
        err_clear(&db->err);
        /* the statement arena is recycled; tokens live in lex_arena */
        arena_reset(&db->arena);
    }
    arena_reset(&db->arena);
    arena_reset(&lex_arena);
    return failures;
}

/* Runs a single query and returns the first column of its first row. */
static int db_query_int(struct db *db, const char *sql, int64_t *out) {
    struct exec_log log = {NULL, 0, 0};
    size_t before = db->out.len;
    int ok = db_exec(db, sql, &log) == 0 && log.n == 1 &&
             log.items[0].has_first_int;
    if (ok)
        *out = log.items[0].first_int;
    free(log.items);
    /* keep helper queries out of the transcript */
    db->out.len = before;
    if (db->out.data)
        db->out.data[before] = '\0';
    return ok;
}

/* ====================================================================== */
/* SQL text dump                                                          */
/* ====================================================================== */

static int ident_needs_quotes(const char *s) {
    if (!ch_is_alpha((unsigned char)*s))
        return 1;
    for (const char *p = s; *p; p++)
        if (!ch_is_alnum((unsigned char)*p))
            return 1;
    return keyword_lookup(s, strlen(s)) != T_IDENT;
}

static void sb_put_ident(struct sbuf *b, const char *s) {
    if (!ident_needs_quotes(s)) {
        sb_puts(b, s);
        return;
    }
    sb_putc(b, '"');
    sb_puts(b, s);
    sb_putc(b, '"');
}

static void dump_table_schema(struct sbuf *b, const struct table *t) {
    sb_puts(b, "CREATE TABLE ");
    sb_put_ident(b, t->name);
    sb_puts(b, " (");
    for (int c = 0; c < t->ncols; c++) {
        const struct column *col = &t->cols[c];
        if (c)
            sb_puts(b, ", ");
        sb_put_ident(b, col->name);
        sb_puts(b, col->type == VT_INT ? " INTEGER" : " TEXT");
        if (col->primary) {
            sb_puts(b, " PRIMARY KEY");
        } else {
            if (col->not_null)
                sb_puts(b, " NOT NULL");
            if (col->unique)
                sb_puts(b, " UNIQUE");
        }
        if (col->has_default) {
            sb_puts(b, " DEFAULT ");
            if (col->def.type == VT_TEXT)
                sb_put_quoted(b, col->def.s);
            else
                sb_put_value(b, &col->def);
        }
    }
    for (int i = 0; i < t->nchecks; i++) {
        sb_puts(b, ", CHECK (");
        sb_puts(b, t->checks[i]);
        sb_putc(b, ')');
    }
    sb_puts(b, ");\n");
}

static void dump_table_rows(struct sbuf *b, const struct table *t) {
    struct bt_cursor c;
    for (bt_cursor_first(&c, &t->rows); bt_cursor_valid(&c); bt_cursor_next(&c)) {
        const struct row *r = bt_cursor_entry(&c)->payload;
        sb_puts(b, "INSERT INTO ");
        sb_put_ident(b, t->name);
        sb_puts(b, " VALUES(");
        for (int i = 0; i < r->ncols; i++) {
            if (i)
                sb_putc(b, ',');
            if (r->vals[i].type == VT_TEXT)
                sb_put_quoted(b, r->vals[i].s);
            else
                sb_put_value(b, &r->vals[i]);
        }
        sb_puts(b, ");\n");
    }
}

/* Writes SQL that recreates the database: schema, data, then indexes and
 * views. DDL stays outside the transaction because the engine does not
 * allow schema changes inside one. */
static void db_dump(const struct db *db, struct sbuf *b) {
    for (int i = 0; i < db->ntables; i++)
        dump_table_schema(b, db->tables[i]);
    sb_puts(b, "BEGIN;\n");
    for (int i = 0; i < db->ntables; i++)
        dump_table_rows(b, db->tables[i]);
    sb_puts(b, "COMMIT;\n");
    for (int i = 0; i < db->ntables; i++) {
        const struct table *t = db->tables[i];
        for (int k = 0; k < t->nindexes; k++) {
            const struct index *ix = t->indexes[k];
            if (ix->automatic)
                continue;
            sb_puts(b, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
            sb_put_ident(b, ix->name);
            sb_puts(b, " ON ");
            sb_put_ident(b, t->name);
            sb_puts(b, " (");
            sb_put_ident(b, t->cols[ix->col].name);
            sb_puts(b, ");\n");
        }
    }
    for (int i = 0; i < db->nviews; i++) {
        sb_puts(b, "CREATE VIEW ");
        sb_put_ident(b, db->views[i]->name);
        sb_puts(b, " AS ");
        sb_puts(b, db->views[i]->sql);
        sb_puts(b, ";\n");
    }
}

/* ====================================================================== */
/* Binary database image with varints and a CRC-32 trailer                */
/* ====================================================================== */

static uint32_t crc_table[256];
static int crc_ready;

static void crc32_init(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++)
            c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
    crc_ready = 1;
}

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n) {
    if (!crc_ready)
        crc32_init();
    crc = ~crc;
    for (size_t i = 0; i < n; i++)
        crc = crc_table[(crc ^ p[i]) & 0xFFu] ^ (crc >> 8);
    return ~crc;
}

struct bytebuf {
    uint8_t *data;
    size_t len, cap;
};

static void bb_put(struct bytebuf *b, const void *src, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
    memcpy(b->data + b->len, src, n);
    b->len += n;
}

static void bb_u8(struct bytebuf *b, unsigned v) {
    uint8_t c = (uint8_t)v;
    bb_put(b, &c, 1);
}

/* SQLite-style varint: big-endian groups of 7 bits, the ninth byte holds
 * a full 8 bits. */
static int varint_encode(uint8_t *p, uint64_t v) {
    if (v <= 0x7Fu) {
        p[0] = (uint8_t)v;
        return 1;
    }
    if (v > 0x00FFFFFFFFFFFFFFull) {
        p[8] = (uint8_t)v;
        v >>= 8;
        for (int i = 7; i >= 0; i--) {
            p[i] = (uint8_t)((v & 0x7Fu) | 0x80u);
            v >>= 7;
        }
        return 9;
    }
    uint8_t tmp[10];
    int n = 0;
    do {
        tmp[n++] = (uint8_t)((v & 0x7Fu) | 0x80u);
        v >>= 7;
    } while (v);
    tmp[0] &= 0x7Fu;
    for (int i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

static int varint_decode(const uint8_t *p, size_t avail, uint64_t *out) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        if ((size_t)i >= avail)
            return 0;
        v = (v << 7) | (p[i] & 0x7Fu);
        if (!(p[i] & 0x80u)) {
            *out = v;
            return i + 1;
        }
    }
    if (avail < 9)
        return 0;
    *out = (v << 8) | p[8];
    return 9;
}

static uint64_t zigzag_encode(int64_t v) {
    uint64_t u = (uint64_t)v;
    return (u << 1) ^ (0u - (u >> 63));
}

static int64_t zigzag_decode(uint64_t z) {
    uint64_t mag = z >> 1;
    return (z & 1u) ? -(int64_t)mag - 1 : (int64_t)mag;
}

static void bb_varint(struct bytebuf *b, uint64_t v) {
    uint8_t tmp[9];
    bb_put(b, tmp, (size_t)varint_encode(tmp, v));
}

static void bb_string(struct bytebuf *b, const char *s) {
    size_t n = strlen(s);
    bb_varint(b, n);
    bb_put(b, s, n);
}

static void bb_value(struct bytebuf *b, const struct value *v) {
    bb_u8(b, (unsigned)v->type);
    if (v->type == VT_INT)
        bb_varint(b, zigzag_encode(v->i));
    else if (v->type == VT_TEXT)
        bb_string(b, v->s);
}

/* Row record: serial types first (0 null, 1 integer, 13 + 2n text of n
 * bytes), then the payload. */
static void bb_record(struct bytebuf *b, const struct row *r) {
    struct bytebuf body = {NULL, 0, 0};
    bb_varint(b, (uint64_t)r->ncols);
    for (int c = 0; c < r->ncols; c++) {
        const struct value *v = &r->vals[c];
        switch (v->type) {
        case VT_NULL:
            bb_varint(b, 0);
            break;
        case VT_INT:
            bb_varint(b, 1);
            bb_varint(&body, zigzag_encode(v->i));
            break;
        case VT_TEXT: {
            size_t n = strlen(v->s);
            bb_varint(b, 13 + 2 * (uint64_t)n);
            bb_put(&body, v->s, n);
            break;
        }
        }
    }
    if (body.len)
        bb_put(b, body.data, body.len);
    free(body.data);
}

static const uint8_t image_magic[8] = {'S', 'Q', 'L', 'K', 'V', '1', 0, 0};

static void db_serialize(const struct db *db, struct bytebuf *b) {
    bb_put(b, image_magic, sizeof image_magic);
    bb_varint(b, (uint64_t)db->ntables);
    for (int i = 0; i < db->ntables; i++) {
        const struct table *t = db->tables[i];
        bb_string(b, t->name);
        bb_varint(b, (uint64_t)t->ncols);
        for (int c = 0; c < t->ncols; c++) {
            const struct column *col = &t->cols[c];
            bb_string(b, col->name);
            bb_u8(b, (unsigned)col->type);
            bb_u8(b, (unsigned)(col->not_null | col->unique << 1 |
                                col->primary << 2 | col->has_default << 3));
            if (col->has_default)
                bb_value(b, &col->def);
        }
        bb_varint(b, (uint64_t)t->nchecks);
        for (int k = 0; k < t->nchecks; k++)
            bb_string(b, t->checks[k]);
        bb_varint(b, zigzag_encode(t->next_rowid));
        bb_varint(b, (uint64_t)t->rows.count);
        struct bt_cursor cur;
        for (bt_cursor_first(&cur, &t->rows); bt_cursor_valid(&cur);
             bt_cursor_next(&cur)) {
            const struct row *r = bt_cursor_entry(&cur)->payload;
            bb_varint(b, zigzag_encode(r->rowid));
            bb_record(b, r);
        }
        bb_varint(b, (uint64_t)t->nindexes);
        for (int k = 0; k < t->nindexes; k++) {
            bb_string(b, t->indexes[k]->name);
            bb_varint(b, (uint64_t)t->indexes[k]->col);
            bb_u8(b, (unsigned)(t->indexes[k]->unique | t->indexes[k]->automatic << 1));
        }
    }
    bb_varint(b, (uint64_t)db->nviews);
    for (int i = 0; i < db->nviews; i++) {
        bb_string(b, db->views[i]->name);
        bb_string(b, db->views[i]->sql);
    }
    uint32_t crc = crc32_update(0, b->data, b->len);
    uint8_t trailer[4] = {(uint8_t)crc, (uint8_t)(crc >> 8), (uint8_t)(crc >> 16),
                          (uint8_t)(crc >> 24)};
    bb_put(b, trailer, 4);
}

struct reader {
    const uint8_t *p;
    size_t len, pos;
    int bad;
    const char *why;
};

static void rd_fail(struct reader *r, const char *why) {
    if (!r->bad) {
        r->bad = 1;
        r->why = why;
    }
}

static uint64_t rd_varint(struct reader *r) {
    uint64_t v = 0;
    if (r->bad)
        return 0;
    int n = varint_decode(r->p + r->pos, r->len - r->pos, &v);
    if (!n) {
        rd_fail(r, "truncated varint");
        return 0;
    }
    r->pos += (size_t)n;
    return v;
}

static unsigned rd_u8(struct reader *r) {
    if (r->bad || r->pos >= r->len) {
        rd_fail(r, "truncated byte");
        return 0;
    }
    return r->p[r->pos++];
}

static uint64_t rd_count(struct reader *r, uint64_t limit, const char *what) {
    uint64_t n = rd_varint(r);
    if (n > limit)
        rd_fail(r, what);
    return r->bad ? 0 : n;
}

/* Reads a length-prefixed string into a heap buffer (caller frees). */
static char *rd_string(struct reader *r) {
    uint64_t n = rd_varint(r);
    if (r->bad || n > r->len - r->pos) {
        rd_fail(r, "string overruns image");
        return NULL;
    }
    char *s = xmalloc((size_t)n + 1);
    memcpy(s, r->p + r->pos, (size_t)n);
    s[n] = '\0';
    r->pos += (size_t)n;
    if (strlen(s) != n) {
        rd_fail(r, "embedded NUL in string");
        free(s);
        return NULL;
    }
    return s;
}

static void rd_name(struct reader *r, char *dst) {
    char *s = rd_string(r);
    if (!s)
        return;
    if (strlen(s) >= MAX_NAME || !*s)
        rd_fail(r, "bad name");
    else
        str_copy_name(dst, s);
    free(s);
}

static struct value rd_value(struct reader *r) {
    unsigned type = rd_u8(r);
    switch (type) {
    case VT_NULL:
        return v_null();
    case VT_INT:
        return v_int(zigzag_decode(rd_varint(r)));
    case VT_TEXT: {
        char *s = rd_string(r);
        return s ? v_text(s) : v_null();
    }
    default:
        rd_fail(r, "bad value type");
        return v_null();
    }
}

static struct row *rd_record(struct reader *r, int ncols) {
    uint64_t n = rd_varint(r);
    if (r->bad || n != (uint64_t)ncols) {
        rd_fail(r, "record has wrong column count");
        return NULL;
    }
    uint64_t types[MAX_COLS];
    for (int c = 0; c < ncols; c++) {
        types[c] = rd_varint(r);
        if (types[c] != 0 && types[c] != 1 && (types[c] < 13 || !(types[c] & 1u)))
            rd_fail(r, "bad serial type");
    }
    if (r->bad)
        return NULL;
    struct row *row = row_alloc(ncols);
    for (int c = 0; c < ncols && !r->bad; c++) {
        if (types[c] == 1) {
            row->vals[c] = v_int(zigzag_decode(rd_varint(r)));
        } else if (types[c] >= 13) {
            uint64_t len = (types[c] - 13) / 2;
            if (len > r->len - r->pos) {
                rd_fail(r, "text overruns image");
                break;
            }
            char *s = xmalloc((size_t)len + 1);
            memcpy(s, r->p + r->pos, (size_t)len);
            s[len] = '\0';
            r->pos += (size_t)len;
            row->vals[c] = v_text(s);
        }
    }
    if (r->bad) {
        row_free(row);
        return NULL;
    }
    return row;
}

/* Loads an image into an empty database. Returns 1 on success; on failure
 * whatever was built stays owned by db and is released by db_close. */
static int db_deserialize(struct db *db, const uint8_t *data, size_t len,
                          const char **why) {
    struct reader r = {data, len, 0, 0, NULL};
    *why = NULL;
    if (len < sizeof image_magic + 4 ||
        memcmp(data, image_magic, sizeof image_magic) != 0) {
        *why = "not a database image";
        return 0;
    }
    uint32_t stored = (uint32_t)data[len - 4] | (uint32_t)data[len - 3] << 8 |
                      (uint32_t)data[len - 2] << 16 | (uint32_t)data[len - 1] << 24;
    if (crc32_update(0, data, len - 4) != stored) {
        *why = "checksum mismatch";
        return 0;
    }
    r.len = len - 4;
    r.pos = sizeof image_magic;
    uint64_t ntables = rd_count(&r, MAX_TABLES, "too many tables");
    for (uint64_t i = 0; i < ntables && !r.bad; i++) {
        struct table *t = xmalloc(sizeof *t);
        memset(t, 0, sizeof *t);
        bt_init(&t->rows);
        db->tables[db->ntables++] = t;
        rd_name(&r, t->name);
        t->ncols = (int)rd_count(&r, MAX_COLS, "too many columns");
        for (int c = 0; c < t->ncols && !r.bad; c++) {
            struct column *col = &t->cols[c];
            rd_name(&r, col->name);
            unsigned type = rd_u8(&r), flags = rd_u8(&r);
            if (type != VT_INT && type != VT_TEXT)
                rd_fail(&r, "bad column type");
            col->type = (enum vtype)type;
            col->not_null = flags & 1u;
            col->unique = (flags >> 1) & 1u;
            col->primary = (flags >> 2) & 1u;
            col->has_default = (flags >> 3) & 1u;
            col->def = col->has_default ? rd_value(&r) : v_null();
        }
        uint64_t nchecks = rd_count(&r, MAX_CHECKS, "too many checks");
        for (uint64_t k = 0; k < nchecks && !r.bad; k++) {
            char *text = rd_string(&r);
            if (text)
                t->checks[t->nchecks++] = text;
        }
        t->next_rowid = zigzag_decode(rd_varint(&r));
        uint64_t nrows = rd_count(&r, r.len, "too many rows");
        for (uint64_t k = 0; k < nrows && !r.bad; k++) {
            int64_t rowid = zigzag_decode(rd_varint(&r));
            struct row *row = rd_record(&r, t->ncols);
            if (!row)
                break;
            row->rowid = rowid;
            if (table_get_row(t, rowid)) {
                row_free(row);
                rd_fail(&r, "duplicate rowid");
                break;
            }
            table_link_row(t, row);
        }
        uint64_t nidx = rd_count(&r, MAX_INDEXES, "too many indexes");
        for (uint64_t k = 0; k < nidx && !r.bad; k++) {
            char name[MAX_NAME] = "";
            rd_name(&r, name);
            uint64_t col = rd_varint(&r);
            unsigned flags = rd_u8(&r);
            if (col >= (uint64_t)t->ncols)
                rd_fail(&r, "index column out of range");
            if (r.bad)
                break;
            if (!index_create(db, t, name, (int)col, (int)(flags & 1u),
                              (int)((flags >> 1) & 1u)))
                rd_fail(&r, "index could not be rebuilt");
        }
    }
    uint64_t nviews = rd_count(&r, MAX_TABLES, "too many views");
    for (uint64_t i = 0; i < nviews && !r.bad; i++) {
        char name[MAX_NAME] = "";
        rd_name(&r, name);
        char *sql = rd_string(&r);
        if (r.bad) {
            free(sql);
            break;
        }
        struct view *v = xmalloc(sizeof *v);
        str_copy_name(v->name, name);
        v->sql = sql;
        db->views[db->nviews++] = v;
    }
    if (!r.bad && r.pos != r.len)
        rd_fail(&r, "trailing bytes");
    *why = r.why;
    return !r.bad;
}

/* ====================================================================== */
/* Test data                                                              */
/* ====================================================================== */

#define N_DEPT 12
#define N_EMP 800
#define N_PROJ 30
#define N_ASG 700

struct emp_rec {
    int64_t id;
    char name[24];
    int64_t dept_id; /* 0 = NULL */
    int64_t salary;  /* -1 = NULL */
    int64_t hired;
    const char *title;
    int64_t manager_id; /* 0 = NULL */
};

struct asg_rec {
    int64_t emp_id, project_id, hours;
};

struct dataset {
    struct emp_rec emp[N_EMP];
    struct asg_rec asg[N_ASG];
    int64_t dept_budget[N_DEPT];
    int64_t proj_budget[N_PROJ];
};

static uint64_t data_rng = 0x9E3779B97F4A7C15ull;

static uint32_t data_rand(void) {
    data_rng ^= data_rng >> 12;
    data_rng ^= data_rng << 25;
    data_rng ^= data_rng >> 27;
    return (uint32_t)((data_rng * 2685821657736338717ull) >> 32);
}

static const char *const dept_names[N_DEPT] = {
    "Engineering", "Sales",   "Marketing", "Finance", "Legal",   "Support",
    "Research",    "Quality", "Logistics", "Design",  "Security", "Facilities",
};

static const char *const cities[] = {"Berlin", "Lisbon", "Austin",
                                     "Osaka",  "Nairobi", "Quito"};

static const char *const titles[] = {"engineer", "engineer", "engineer",
                                     "analyst",  "manager",  "intern",
                                     "clerk",    "director"};

static const char *const syllables[] = {"ka", "ri", "to", "mo", "la", "ne",
                                        "su", "vi", "da", "ro", "pe", "shi",
                                        "an", "el", "yo", "zu"};

static const char *const project_words[] = {"Alpha", "Beta",  "Gamma", "Delta",
                                            "Omega", "Sigma", "Kappa", "Zeta",
                                            "Theta", "Lambda"};

static void make_dataset(struct dataset *d) {
    data_rng = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < N_DEPT; i++)
        d->dept_budget[i] = 100000 + (int64_t)(data_rand() % 900000u);
    for (int i = 0; i < N_EMP; i++) {
        struct emp_rec *e = &d->emp[i];
        e->id = i + 1;
        int parts = 2 + (int)(data_rand() % 2u);
        e->name[0] = '\0';
        for (int k = 0; k < parts; k++) {
            const char *syl = syllables[data_rand() % 16u];
            size_t len = strlen(e->name);
            memcpy(e->name + len, syl, strlen(syl) + 1);
        }
        e->name[0] = (char)ch_upper((unsigned char)e->name[0]);
        if (i == 76)
            memcpy(e->name, "O'Brien", 8);
        e->dept_id = data_rand() % 25u == 0 ? 0 : 1 + (int64_t)(data_rand() % N_DEPT);
        e->salary = data_rand() % 40u == 0 ? -1 : 30000 + (int64_t)(data_rand() % 120000u);
        e->hired = 1990 + (int64_t)(data_rand() % 34u);
        e->title = titles[data_rand() % 8u];
        e->manager_id = i >= 10 ? 1 + (int64_t)(data_rand() % (uint32_t)i) : 0;
    }
    for (int i = 0; i < N_PROJ; i++)
        d->proj_budget[i] = 5000 + (int64_t)(data_rand() % 100000u);
    for (int i = 0; i < N_ASG; i++) {
        d->asg[i].emp_id = 1 + (int64_t)(data_rand() % N_EMP);
        d->asg[i].project_id = 1 + (int64_t)(data_rand() % N_PROJ);
        d->asg[i].hours = 1 + (int64_t)(data_rand() % 200u);
    }
}

static const char schema_sql[] =
    "-- schema for the benchmark database\n"
    "CREATE TABLE dept (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,\n"
    "                   budget INTEGER DEFAULT 0, city TEXT);\n"
    "CREATE TABLE emp (id INTEGER PRIMARY KEY, name TEXT NOT NULL,\n"
    "                  dept_id INTEGER, salary INTEGER,\n"
    "                  hired INTEGER NOT NULL DEFAULT 2000,\n"
    "                  title TEXT DEFAULT 'engineer', manager_id INTEGER);\n"
    "CREATE INDEX emp_dept ON emp(dept_id);\n"
    "CREATE INDEX emp_salary ON emp (salary);\n"
    "CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT UNIQUE,\n"
    "                       budget INTEGER);\n"
    "CREATE TABLE assignments (emp_id INTEGER NOT NULL,\n"
    "                          project_id INTEGER NOT NULL, hours INTEGER);\n"
    "CREATE INDEX asg_emp ON assignments(emp_id);\n"
    "CREATE INDEX asg_proj ON assignments(project_id);\n";

static void sb_put_nullable(struct sbuf *b, int64_t v, int is_null) {
    if (is_null)
        sb_puts(b, "NULL");
    else
        sb_put_i64(b, v);
}

/* Builds the data-loading script as batched multi-row INSERTs. */
static void build_load_script(const struct dataset *d, struct sbuf *b) {
    sb_puts(b, "INSERT INTO dept (id, name, budget, city) VALUES\n");
    for (int i = 0; i < N_DEPT; i++) {
        sb_puts(b, i ? ",\n  (" : "  (");
        sb_put_i64(b, i + 1);
        sb_puts(b, ", ");
        sb_put_quoted(b, dept_names[i]);
        sb_puts(b, ", ");
        sb_put_i64(b, d->dept_budget[i]);
        sb_puts(b, ", ");
        sb_put_quoted(b, cities[i % 6]);
        sb_putc(b, ')');
    }
    sb_puts(b, ";\n");
    for (int i = 0; i < N_EMP; i++) {
        const struct emp_rec *e = &d->emp[i];
        if (i % 50 == 0)
            sb_puts(b, "INSERT INTO emp VALUES\n  (");
        else
            sb_puts(b, ",\n  (");
        sb_put_i64(b, e->id);
        sb_puts(b, ", ");
        sb_put_quoted(b, e->name);
        sb_puts(b, ", ");
        sb_put_nullable(b, e->dept_id, e->dept_id == 0);
        sb_puts(b, ", ");
        sb_put_nullable(b, e->salary, e->salary < 0);
        sb_puts(b, ", ");
        sb_put_i64(b, e->hired);
        sb_puts(b, ", ");
        sb_put_quoted(b, e->title);
        sb_puts(b, ", ");
        sb_put_nullable(b, e->manager_id, e->manager_id == 0);
        sb_putc(b, ')');
        if (i % 50 == 49 || i == N_EMP - 1)
            sb_puts(b, ";\n");
    }
    for (int i = 0; i < N_PROJ; i++) {
        /* text ids exercise the INTEGER affinity conversion */
        sb_puts(b, "INSERT INTO projects (name, id, budget) VALUES (");
        sb_putc(b, '\'');
        sb_puts(b, project_words[i % 10]);
        sb_putc(b, '-');
        sb_put_i64(b, i / 10 + 1);
        sb_puts(b, "', '");
        sb_put_i64(b, i + 1);
        sb_puts(b, "', ");
        sb_put_i64(b, d->proj_budget[i]);
        sb_puts(b, ");\n");
    }
    for (int i = 0; i < N_ASG; i++) {
        if (i % 100 == 0)
            sb_puts(b, "INSERT INTO assignments VALUES ");
        else
            sb_puts(b, ", ");
        sb_putc(b, '(');
        sb_put_i64(b, d->asg[i].emp_id);
        sb_puts(b, ", ");
        sb_put_i64(b, d->asg[i].project_id);
        sb_puts(b, ", ");
        sb_put_i64(b, d->asg[i].hours);
        sb_putc(b, ')');
        if (i % 100 == 99 || i == N_ASG - 1)
            sb_puts(b, ";\n");
    }
}

static const char query_script[] =
    "SELECT COUNT(*), SUM(salary), MIN(salary), MAX(salary), AVG(salary) FROM emp;\n"
    "SELECT dept_id, COUNT(*) AS n, SUM(salary) AS total FROM emp\n"
    "  GROUP BY dept_id ORDER BY dept_id;\n"
    "SELECT name, salary FROM emp WHERE dept_id = 3 ORDER BY salary DESC, name LIMIT 5;\n"
    "SELECT id, name, salary FROM emp WHERE salary BETWEEN 60000 AND 61000 ORDER BY id;\n"
    "SELECT COUNT(*) FROM emp WHERE salary > 100000 AND hired >= 2010;\n"
    "SELECT title, COUNT(*) FROM emp GROUP BY title HAVING COUNT(*) > 100 ORDER BY 2 DESC;\n"
    "SELECT e.id, e.name, d.name AS dept FROM emp e JOIN dept d ON e.dept_id = d.id\n"
    "  WHERE e.id < 15 ORDER BY e.id;\n"
    "SELECT d.city, COUNT(*) AS staff, SUM(e.salary) FROM emp AS e INNER JOIN dept AS d\n"
    "  ON d.id = e.dept_id GROUP BY d.city ORDER BY d.city;\n"
    "SELECT p.name, SUM(a.hours) AS total, COUNT(*) FROM assignments a, projects p\n"
    "  WHERE a.project_id = p.id GROUP BY p.name ORDER BY total DESC, p.name LIMIT 6;\n"
    "SELECT e.name, m.name AS manager FROM emp e JOIN emp m ON e.manager_id = m.id\n"
    "  WHERE e.id BETWEEN 100 AND 108 ORDER BY e.id;\n"
    "SELECT e.id, p.name, a.hours FROM emp e JOIN assignments a ON a.emp_id = e.id\n"
    "  JOIN projects p ON p.id = a.project_id WHERE e.id < 24 ORDER BY e.id, p.name, a.hours;\n"
    "SELECT DISTINCT title FROM emp ORDER BY title;\n"
    "SELECT DISTINCT dept_id FROM emp WHERE dept_id IS NOT NULL ORDER BY 1 DESC LIMIT 3 OFFSET 1;\n"
    "SELECT COUNT(*) FROM emp WHERE dept_id IS NULL;\n"
    "SELECT COUNT(*) FROM emp WHERE salary IS NULL OR dept_id IS NULL;\n"
    "SELECT name FROM emp WHERE name LIKE 'ka%' ORDER BY name, id LIMIT 5;\n"
    "SELECT COUNT(*) FROM emp WHERE name NOT LIKE '%a%';\n"
    "SELECT id, UPPER(name), LENGTH(name), SUBSTR(name, 2, 3), lower(title) FROM emp\n"
    "  WHERE id IN (5, 10, 15, 10, 77) ORDER BY id;\n"
    "SELECT printf('%05d|%-8s|%x|%5s|%%', id, name, salary, title) FROM emp WHERE id <= 3;\n"
    "SELECT CASE WHEN salary >= 100000 THEN 'high' WHEN salary >= 60000 THEN 'mid'\n"
    "  WHEN salary IS NULL THEN 'unknown' ELSE 'low' END AS band, COUNT(*)\n"
    "  FROM emp GROUP BY band ORDER BY band;\n"
    "SELECT CASE title WHEN 'intern' THEN 1 WHEN 'clerk' THEN 2 ELSE 3 END AS grade,\n"
    "  COUNT(*), MIN(hired), MAX(hired) FROM emp GROUP BY 1 ORDER BY 1;\n"
    "SELECT CAST(salary / 1000 AS TEXT) || 'k', CAST('12abc' AS INTEGER) FROM emp WHERE id = 7;\n"
    "SELECT COALESCE(dept_id, -1) AS d, COUNT(*) FROM emp GROUP BY d ORDER BY 2 DESC, 1 LIMIT 4;\n"
    "SELECT typeof(name), typeof(salary), typeof(NULL), typeof(hired + 1) FROM emp LIMIT 1;\n"
    "SELECT MAX(name), MIN(name), MIN(salary) FROM emp;\n"
    "SELECT COUNT(DISTINCT dept_id), COUNT(dept_id), COUNT(*), SUM(DISTINCT hired) FROM emp;\n"
    "SELECT group_concat(name, ';') FROM dept WHERE id < 5;\n"
    "SELECT group_concat(DISTINCT city) FROM dept;\n"
    "SELECT total(hours), sum(hours), avg(hours), count(hours) FROM assignments WHERE hours > 1000;\n"
    "SELECT 1 + 2 * 3, 7 / 2, 7 % 3, -5 / 2, 10 / 0, 'abc' || 123, 2 - -2, (1 + 2) * 3;\n"
    "SELECT abs(-42), sign(-3), min(3, 1, 2), max('a', 'b'), nullif(1, 1), ifnull(NULL, 'x'),\n"
    "  instr('hello', 'll'), replace('a-b-c', '-', '+'), trim('  hi  '), hex('AB');\n"
    "SELECT substr('database', -4), substr('database', 0, 3), substr('database', 3);\n"
    "SELECT 1 = 1, 1 < 2, 'a' < 'b', 3 <> 3, NULL = NULL, NULL IS NULL, 5 BETWEEN 1 AND 9,\n"
    "  2 IN (1, 2), 3 NOT IN (1, 2), NOT 0, 1 AND NULL, 0 AND NULL, 1 OR NULL;\n"
    "SELECT 9223372036854775807 + 1;\n"
    "SELECT -9223372036854775807 - 1, abs(-9223372036854775807);\n"
    "SELECT * FROM nosuch;\n"
    "SELECT nosuchcol FROM emp;\n"
    "SELECT name FROM emp WHERE COUNT(*) > 1;\n"
    "SELEC 1;\n"
    "SELECT id FROM emp e JOIN dept d ON e.dept_id = d.id WHERE id = 1;\n"
    "INSERT INTO dept VALUES (1, 'Dup', 0, 'X');\n"
    "INSERT INTO dept VALUES (99, 'Sales', 0, 'X');\n"
    "INSERT INTO emp (id, name) VALUES (5000, NULL);\n"
    "INSERT INTO emp (id, name, salary) VALUES (5001, 'Zed', 'lots');\n"
    "INSERT INTO emp (id, name, nosuch) VALUES (5002, 'Zed', 1);\n"
    "INSERT INTO emp (id, name) VALUES (5003);\n"
    "INSERT INTO emp (id, name) VALUES (5004, 'Defaults');\n"
    "SELECT id, name, dept_id, salary, hired, title, manager_id FROM emp WHERE id = 5004;\n"
    "UPDATE emp SET salary = salary + 1000 WHERE dept_id = 4;\n"
    "SELECT SUM(salary), COUNT(salary) FROM emp WHERE dept_id = 4;\n"
    "DELETE FROM assignments WHERE hours < 5;\n"
    "SELECT COUNT(*), SUM(hours) FROM assignments;\n"
    "BEGIN;\n"
    "UPDATE emp SET salary = 0 WHERE title = 'intern';\n"
    "DELETE FROM emp WHERE hired < 1995;\n"
    "INSERT INTO emp (id, name, dept_id, salary, hired) VALUES (9001, 'Temp', 1, 1, 2024);\n"
    "SELECT COUNT(*), SUM(salary) FROM emp;\n"
    "INSERT INTO emp (id, name) VALUES (1, 'Clash');\n"
    "SELECT COUNT(*) FROM emp WHERE id = 9001;\n"
    "ROLLBACK;\n"
    "SELECT COUNT(*), SUM(salary) FROM emp;\n"
    "BEGIN;\n"
    "INSERT INTO dept (id, name, budget, city) VALUES (13, 'Outreach', 500000, 'Oslo');\n"
    "UPDATE emp SET dept_id = 13, title = 'liaison' WHERE id % 50 = 0;\n"
    "CREATE TABLE nope (x INTEGER);\n"
    "BEGIN;\n"
    "COMMIT;\n"
    "COMMIT;\n"
    "ROLLBACK;\n"
    "SELECT d.name, COUNT(*), group_concat(e.id) FROM emp e JOIN dept d ON d.id = e.dept_id\n"
    "  WHERE d.id = 13 GROUP BY d.name;\n"
    "CREATE INDEX emp_hired ON emp(hired);\n"
    "CREATE INDEX emp_hired ON emp(hired);\n"
    "CREATE INDEX IF NOT EXISTS emp_hired ON emp(hired);\n"
    "EXPLAIN SELECT name FROM emp WHERE hired = 2000;\n"
    "SELECT COUNT(*), MIN(id), MAX(id) FROM emp WHERE hired = 2000;\n"
    "EXPLAIN SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id WHERE e.salary > 140000;\n"
    "SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id\n"
    "  WHERE e.salary > 145000 ORDER BY e.salary DESC, e.name;\n"
    "EXPLAIN SELECT id FROM emp WHERE dept_id IN (2, 4) AND hired BETWEEN 2000 AND 2005;\n"
    "SELECT COUNT(*), SUM(id) FROM emp WHERE dept_id IN (2, 4) AND hired BETWEEN 2000 AND 2005;\n"
    "EXPLAIN UPDATE emp SET salary = 1 WHERE id = 3;\n"
    "EXPLAIN DELETE FROM emp WHERE salary < 31000;\n"
    "EXPLAIN SELECT COUNT(*) FROM emp WHERE title = 'clerk' GROUP BY dept_id ORDER BY 1;\n"
    "EXPLAIN INSERT INTO dept VALUES (50, 'x', 1, 'y');\n"
    "DROP INDEX emp_hired;\n"
    "DROP INDEX autoindex_emp_1;\n"
    "DROP INDEX IF EXISTS emp_hired;\n"
    "DROP INDEX emp_hired;\n"
    "UPDATE emp SET id = 1 WHERE id = 2;\n"
    "UPDATE emp SET name = NULL WHERE id = 2;\n"
    "UPDATE emp SET hired = 'soon' WHERE id = 2;\n"
    "UPDATE nosuch SET x = 1;\n"
    "UPDATE emp SET nosuch = 1;\n"
    "INSERT INTO projects SELECT id + 100, name || '-copy', budget / 2 FROM projects WHERE id <= 5;\n"
    "SELECT COUNT(*), SUM(budget), MAX(name) FROM projects;\n"
    "INSERT INTO projects SELECT id, name FROM projects;\n"
    "CREATE TABLE scratch (k INTEGER PRIMARY KEY, v TEXT DEFAULT 'none', n INTEGER);\n"
    "CREATE TABLE scratch (k INTEGER);\n"
    "CREATE TABLE IF NOT EXISTS scratch (k INTEGER);\n"
    "CREATE TABLE bad (a INTEGER, a TEXT);\n"
    "CREATE TABLE bad2 (a INTEGER PRIMARY KEY, b INTEGER PRIMARY KEY);\n"
    "CREATE TABLE bad3 (a INTEGER DEFAULT 'abc');\n"
    "INSERT INTO scratch (k, n) VALUES (3, 30), (1, 10), (2, 20), (5, NULL), (4, 40);\n"
    "INSERT INTO scratch VALUES (6, 'six', 60), (6, 'dup', 0);\n"
    "SELECT k, v, n, n * k AS prod FROM scratch ORDER BY prod DESC;\n"
    "SELECT * FROM scratch WHERE k > 2 AND k <= 4;\n"
    "SELECT scratch.*, 1 FROM scratch WHERE n IS NULL;\n"
    "SELECT k FROM scratch WHERE k > 10;\n"
    "SELECT COUNT(*), SUM(n), MAX(v) FROM scratch WHERE k > 10;\n"
    "UPDATE scratch SET n = n + 1, v = v || '!' WHERE k IN (1, 3);\n"
    "SELECT k, v, n FROM scratch ORDER BY k;\n"
    "DELETE FROM scratch WHERE n IS NULL OR n > 35;\n"
    "SELECT k, v, n FROM scratch ORDER BY k DESC;\n"
    "DELETE FROM scratch;\n"
    "SELECT COUNT(*) FROM scratch;\n"
    "DROP TABLE scratch;\n"
    "SELECT * FROM scratch;\n"
    "DROP TABLE IF EXISTS scratch;\n"
    "DROP TABLE scratch;\n"
    "SELECT e.* FROM emp e WHERE e.id = 1;\n"
    "SELECT x.* FROM emp e;\n"
    "SELECT e.* FROM emp e WHERE e.* = 1;\n"
    "SELECT * FROM dept ORDER BY budget DESC LIMIT 3;\n"
    "SELECT id FROM emp WHERE id > 795 OR id < 3 ORDER BY id DESC;\n"
    "SELECT COUNT(*) FROM emp WHERE NOT (salary > 50000);\n"
    "SELECT COUNT(*) FROM emp WHERE salary NOT BETWEEN 50000 AND 100000;\n"
    "SELECT COUNT(*) FROM emp WHERE dept_id NOT IN (1, 2, 3);\n"
    "SELECT COUNT(*) FROM emp WHERE dept_id IN (1, 2, NULL);\n"
    "SELECT COUNT(*) FROM emp WHERE 1 = 0;\n"
    "SELECT COUNT(*) FROM emp WHERE 1 = 1 AND id < 11;\n"
    "SELECT id FROM emp WHERE salary >= 149000 ORDER BY salary, id;\n"
    "SELECT id FROM emp WHERE salary < 31000 ORDER BY salary DESC, id LIMIT 2, 3;\n"
    "SELECT id FROM emp WHERE 30500 > salary ORDER BY id;\n"
    "SELECT id, name FROM emp WHERE name = 'O''Brien';\n"
    "SELECT COUNT(*) FROM emp WHERE manager_id IN (1, 2, 3, 4, 5);\n"
    "SELECT m.id, COUNT(*) AS reports FROM emp m JOIN emp e ON m.id = e.manager_id\n"
    "  WHERE m.id <= 12 GROUP BY m.id HAVING COUNT(*) >= 8 ORDER BY reports DESC, m.id;\n"
    "SELECT hired / 10 * 10 AS decade, COUNT(*), SUM(CASE WHEN salary > 90000 THEN 1 ELSE 0 END)\n"
    "  FROM emp GROUP BY decade ORDER BY decade;\n"
    "SELECT title, AVG(salary), MAX(salary) - MIN(salary) AS spread FROM emp\n"
    "  WHERE salary IS NOT NULL GROUP BY title ORDER BY spread DESC, title;\n"
    "SELECT dept_id, hired, COUNT(*) FROM emp WHERE dept_id <= 2 AND hired >= 2020\n"
    "  GROUP BY dept_id, hired ORDER BY dept_id, hired;\n"
    "SELECT 'x' || NULL, NULL + 1, length(NULL), upper(NULL), COALESCE(NULL, NULL, 3);\n"
    "SELECT COUNT(*) FROM emp HAVING COUNT(*) > 0;\n"
    "SELECT id FROM emp HAVING id > 0;\n"
    "SELECT id FROM emp ORDER BY 9;\n"
    "SELECT id FROM emp LIMIT 'x';\n"
    "SELECT id FROM emp LIMIT id;\n"
    "SELECT COUNT(*) FROM emp WHERE name LIKE '_a%' AND title LIKE 'ENG%';\n"
    "SELECT printf('%d items at %s', COUNT(*), MAX(city)) FROM dept;\n"
    "SELECT id, name FROM projects WHERE name LIKE '%-copy' ORDER BY id;\n"
    "/* comments are skipped */ SELECT 42; -- trailing comment\n"
    "SELECT \"name\" FROM emp WHERE \"id\" = 2;\n"
    "SELECT @;\n"
    "SELECT 1 +;\n"
    "SELECT (1;\n"
    "SELECT CASE END;\n"
    "SELECT nosuchfunc(1);\n"
    "SELECT length(1, 2);\n"
    "SELECT sum(*) FROM emp;\n"
    "SELECT 99999999999999999999;\n"
    "SELECT name, salary FROM emp WHERE salary = (SELECT MAX(salary) FROM emp);\n"
    "SELECT COUNT(*) FROM emp WHERE dept_id IN (SELECT id FROM dept WHERE city = 'Berlin');\n"
    "SELECT d.name, (SELECT COUNT(*) FROM emp e WHERE e.dept_id = d.id) AS staff\n"
    "  FROM dept d ORDER BY staff DESC, d.name LIMIT 5;\n"
    "SELECT d.name FROM dept d WHERE EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id\n"
    "  AND e.salary > 149000) ORDER BY 1;\n"
    "SELECT d.name FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id)\n"
    "  ORDER BY 1;\n"
    "SELECT COUNT(*), SUM(id) FROM emp e WHERE e.id <= 24 AND salary >\n"
    "  (SELECT AVG(x.salary) FROM emp x WHERE x.dept_id = e.dept_id);\n"
    "SELECT (SELECT name FROM dept WHERE id = 1), (SELECT COUNT(*) FROM projects),\n"
    "  (SELECT id FROM emp WHERE id > 1000000);\n"
    "SELECT (SELECT id, name FROM dept);\n"
    "SELECT name FROM projects WHERE id NOT IN\n"
    "  (SELECT project_id FROM assignments WHERE hours > 150) ORDER BY name;\n"
    "SELECT 5 IN (SELECT NULL), 5 NOT IN (SELECT 1 UNION SELECT NULL), 1 IN (SELECT 1);\n"
    "SELECT e.id, (SELECT COUNT(*) FROM assignments a WHERE a.emp_id = e.id AND a.hours >\n"
    "  (SELECT AVG(hours) FROM assignments)) AS busy FROM emp e WHERE e.id < 8 ORDER BY e.id;\n"
    "EXPLAIN SELECT d.name FROM dept d WHERE EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id);\n"
    "SELECT city FROM dept UNION SELECT title FROM emp ORDER BY 1;\n"
    "SELECT dept_id FROM emp WHERE id < 5 UNION ALL SELECT id FROM dept WHERE id < 3\n"
    "  ORDER BY 1 DESC;\n"
    "SELECT id FROM dept INTERSECT SELECT dept_id FROM emp WHERE salary > 145000 ORDER BY id;\n"
    "SELECT id FROM dept EXCEPT SELECT dept_id FROM emp WHERE hired > 2021 ORDER BY 1;\n"
    "SELECT 1, 2 UNION SELECT 3;\n"
    "SELECT name AS n FROM dept WHERE id <= 2 UNION SELECT name FROM projects WHERE id <= 2\n"
    "  ORDER BY n LIMIT 3;\n"
    "SELECT id FROM dept UNION SELECT id FROM projects ORDER BY nosuch;\n"
    "SELECT COUNT(*) FROM (SELECT dept_id FROM emp UNION SELECT id FROM dept) AS u;\n"
    "EXPLAIN SELECT id FROM dept WHERE id > 3 UNION ALL SELECT id FROM projects WHERE id = 2;\n"
    "SELECT d.id, d.name, COUNT(e.id) FROM dept d LEFT JOIN emp e\n"
    "  ON e.dept_id = d.id AND e.hired >= 2022 GROUP BY d.id ORDER BY d.id;\n"
    "SELECT p.id, a.emp_id FROM projects p LEFT OUTER JOIN assignments a\n"
    "  ON a.project_id = p.id AND a.hours > 195 WHERE p.id <= 8 ORDER BY p.id, a.emp_id;\n"
    "SELECT COUNT(*) FROM emp e LEFT JOIN dept d ON d.id = e.dept_id WHERE d.id IS NULL;\n"
    "SELECT d.name, e.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id AND e.salary > 149300\n"
    "  ORDER BY d.name, e.name;\n"
    "EXPLAIN SELECT d.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id WHERE e.id = 3;\n"
    "SELECT t.title, t.n FROM (SELECT title, COUNT(*) AS n FROM emp GROUP BY title) AS t\n"
    "  WHERE t.n > 90 ORDER BY t.n DESC;\n"
    "SELECT * FROM (SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, 'y') AS pair ORDER BY a DESC;\n"
    "SELECT * FROM (SELECT 1);\n"
    "CREATE VIEW rich AS SELECT id, name, salary, dept_id FROM emp WHERE salary > 140000;\n"
    "SELECT COUNT(*), MIN(salary) FROM rich;\n"
    "SELECT r.name, d.name FROM rich r JOIN dept d ON d.id = r.dept_id\n"
    "  WHERE r.salary > 148000 ORDER BY r.salary DESC;\n"
    "CREATE VIEW rich AS SELECT 1;\n"
    "CREATE VIEW broken AS SELECT nosuch FROM emp;\n"
    "CREATE VIEW dept_summary AS SELECT dept_id, COUNT(*) AS n, SUM(salary) AS total\n"
    "  FROM emp GROUP BY dept_id;\n"
    "SELECT * FROM dept_summary WHERE n > 64 ORDER BY total DESC;\n"
    "CREATE VIEW top_summary AS SELECT * FROM dept_summary WHERE total > 5700000;\n"
    "SELECT COUNT(*), SUM(n) FROM top_summary;\n"
    "DROP VIEW top_summary;\n"
    "DROP VIEW dept_summary;\n"
    "SELECT * FROM dept_summary;\n"
    "DROP VIEW IF EXISTS dept_summary;\n"
    "DROP VIEW dept_summary;\n"
    "INSERT OR IGNORE INTO dept VALUES (1, 'Again', 0, 'Nowhere'), (14, 'Audit', 1000, 'Perth');\n"
    "INSERT OR REPLACE INTO dept VALUES (2, 'Sales', 777, 'Lima');\n"
    "REPLACE INTO dept (id, name, budget, city) VALUES (15, 'Legal', 1, 'Rome');\n"
    "SELECT id, name, budget, city FROM dept ORDER BY id;\n"
    "INSERT OR IGNORE INTO emp (id, name) VALUES (20, NULL);\n"
    "INSERT OR FAIL INTO emp (id, name) VALUES (21, 'x');\n"
    "ALTER TABLE projects ADD COLUMN status TEXT DEFAULT 'active';\n"
    "ALTER TABLE projects ADD COLUMN code INTEGER NOT NULL;\n"
    "ALTER TABLE projects ADD COLUMN ref INTEGER UNIQUE;\n"
    "ALTER TABLE projects ADD COLUMN status TEXT;\n"
    "ALTER TABLE projects RENAME COLUMN budget TO funds;\n"
    "UPDATE projects SET status = 'done' WHERE funds < 20000;\n"
    "SELECT status, COUNT(*), SUM(funds) FROM projects GROUP BY status ORDER BY status;\n"
    "ALTER TABLE projects RENAME TO initiatives;\n"
    "SELECT COUNT(*) FROM initiatives WHERE status = 'active';\n"
    "SELECT COUNT(*) FROM projects;\n"
    "ALTER TABLE initiatives RENAME TO dept;\n"
    "ALTER TABLE initiatives RENAME COLUMN nosuch TO x;\n"
    "ALTER TABLE nosuch ADD COLUMN x INTEGER;\n"
    "PRAGMA table_info(emp);\n"
    "PRAGMA index_list(emp);\n"
    "PRAGMA index_info(emp_salary);\n"
    "PRAGMA table_list;\n"
    "PRAGMA integrity_check;\n"
    "PRAGMA btree_info(assignments);\n"
    "PRAGMA nosuch;\n"
    "PRAGMA table_info(nosuch);\n"
    "PRAGMA mode;\n"
    "PRAGMA mode = csv;\n"
    "SELECT id, name, city, 'a,b' AS tricky, NULL AS nothing FROM dept WHERE id < 4 ORDER BY id;\n"
    "PRAGMA mode = json;\n"
    "SELECT id, name, 'say \"hi\"' AS q, NULL AS z FROM dept WHERE id < 3 ORDER BY id;\n"
    "PRAGMA mode = line;\n"
    "SELECT id, name, budget FROM dept WHERE id < 3 ORDER BY id;\n"
    "PRAGMA mode = box;\n"
    "SELECT id, name FROM dept WHERE id IN (3, 4) ORDER BY id;\n"
    "PRAGMA mode = markdown;\n"
    "SELECT id, name FROM dept WHERE id IN (3, 4) ORDER BY id;\n"
    "PRAGMA mode = html;\n"
    "SELECT id, '<b>' || name || '</b>' AS html FROM dept WHERE id = 6;\n"
    "PRAGMA mode = insert;\n"
    "SELECT id, name, NULL FROM dept WHERE id < 3 ORDER BY id;\n"
    "PRAGMA mode = quote;\n"
    "SELECT id, name FROM dept WHERE id < 3 ORDER BY id;\n"
    "PRAGMA mode = list;\n"
    "SELECT id, name, NULL FROM dept WHERE id < 3 ORDER BY id;\n"
    "PRAGMA mode = tabs;\n"
    "SELECT id, name FROM dept WHERE id < 3 ORDER BY id;\n"
    "PRAGMA mode = bogus;\n"
    "PRAGMA mode = column;\n"
    "SELECT ltrim('xxabcxx', 'x'), rtrim('xxabcxx', 'x'), trim('--a--', '-'),\n"
    "  quote('it''s'), quote(12), quote(NULL), char(72, 105), unicode('A');\n"
    "SELECT iif(1 > 2, 'yes', 'no'), concat('a', NULL, 'b', 1), concat_ws('-', 'a', NULL, 'b'),\n"
    "  format('%3d|', 7), reverse('abc'), replace('aaa', 'a', 'bb');\n"
    "SELECT COUNT(*) FROM emp WHERE name GLOB 'K*';\n"
    "SELECT glob('a?c', 'abc'), like('A%', 'abc'), 'abc' GLOB '[a-c]*', 'abc' NOT GLOB '*d',\n"
    "  'x]' GLOB '*[]]', 'b' GLOB '[^a]';\n"
    "CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL CHECK (amount <> 0),\n"
    "  kind TEXT CHECK (kind IN ('debit', 'credit')), CHECK (kind = 'credit' OR amount < 0));\n"
    "INSERT INTO ledger VALUES (1, -50, 'debit'), (2, 75, 'credit');\n"
    "INSERT INTO ledger VALUES (3, 0, 'debit');\n"
    "INSERT INTO ledger VALUES (4, 10, 'debit');\n"
    "INSERT INTO ledger VALUES (5, -5, 'loan');\n"
    "INSERT INTO ledger (id, amount) VALUES (6, 99);\n"
    "INSERT OR IGNORE INTO ledger VALUES (7, 0, 'debit'), (8, -1, 'debit');\n"
    "UPDATE ledger SET amount = 0 WHERE id = 2;\n"
    "UPDATE ledger SET amount = amount * 2 WHERE kind = 'credit';\n"
    "SELECT * FROM ledger ORDER BY id;\n"
    "CREATE TABLE dept_copy AS SELECT id, name, budget * 2 AS doubled FROM dept WHERE id < 6;\n"
    "SELECT * FROM dept_copy ORDER BY id;\n"
    "PRAGMA table_info(dept_copy);\n"
    "CREATE TABLE dept_copy AS SELECT 1;\n"
    "CREATE TABLE pairs AS SELECT 1 AS a, 2 AS a;\n"
    "CREATE INDEX initiatives_status ON initiatives(status);\n"
    "CREATE INDEX emp_title ON emp(title);\n"
    "EXPLAIN SELECT id FROM initiatives WHERE status = 'active';\n"
    "EXPLAIN SELECT COUNT(*) FROM emp WHERE title = 'engineer';\n"
    "ANALYZE;\n"
    "EXPLAIN SELECT id FROM initiatives WHERE status = 'active';\n"
    "EXPLAIN SELECT COUNT(*) FROM emp WHERE title = 'engineer';\n"
    "EXPLAIN SELECT COUNT(*) FROM emp WHERE title = 'director' AND dept_id = 3;\n"
    "SELECT COUNT(*), SUM(salary) FROM emp WHERE title = 'director' AND dept_id = 3;\n"
    "SELECT COUNT(*) FROM initiatives WHERE status = 'active';\n"
    "VACUUM;\n"
    "PRAGMA integrity_check;\n"
    "SAVEPOINT outer_sp;\n"
    "INSERT INTO ledger VALUES (10, -10, 'debit');\n"
    "SAVEPOINT inner_sp;\n"
    "INSERT INTO ledger VALUES (11, -11, 'debit');\n"
    "UPDATE ledger SET amount = amount - 1 WHERE amount < 0;\n"
    "SELECT changes(), last_insert_rowid(), COUNT(*), SUM(amount) FROM ledger;\n"
    "ROLLBACK TO inner_sp;\n"
    "SELECT COUNT(*), SUM(amount) FROM ledger;\n"
    "INSERT INTO ledger VALUES (12, 12, 'credit');\n"
    "RELEASE inner_sp;\n"
    "ROLLBACK TO nosuch;\n"
    "RELEASE SAVEPOINT outer_sp;\n"
    "RELEASE outer_sp;\n"
    "SELECT id, amount FROM ledger ORDER BY id;\n"
    "SAVEPOINT solo;\n"
    "DELETE FROM ledger;\n"
    "ROLLBACK;\n"
    "SELECT COUNT(*), total_changes() > 0 FROM ledger;\n"
    "SELECT id, kind FROM ledger ORDER BY kind NULLS FIRST, id;\n"
    "SELECT id, kind FROM ledger ORDER BY kind DESC NULLS LAST, id;\n"
    "SELECT dept_id, COUNT(*) FROM emp GROUP BY dept_id ORDER BY dept_id DESC NULLS FIRST LIMIT 3;\n"
    "SELECT COUNT(*) FROM emp WHERE dept_id IS 3;\n"
    "SELECT COUNT(*) FROM emp WHERE dept_id IS NOT manager_id;\n"
    "SELECT NULL IS NULL, NULL IS 1, 1 IS NOT 1, 'a' IS 'a';\n"
    "CREATE TABLE counters (name TEXT PRIMARY KEY, hits INTEGER DEFAULT 0, note TEXT);\n"
    "INSERT INTO counters (name, hits) VALUES ('a', 1), ('b', 1);\n"
    "INSERT INTO counters (name, hits) VALUES ('a', 5), ('c', 2)\n"
    "  ON CONFLICT (name) DO UPDATE SET hits = hits + excluded.hits, note = 'merged';\n"
    "INSERT INTO counters (name, hits) VALUES ('b', 100) ON CONFLICT DO NOTHING;\n"
    "INSERT INTO counters (name, hits) VALUES ('c', 7)\n"
    "  ON CONFLICT (name) DO UPDATE SET hits = excluded.hits WHERE excluded.hits > hits;\n"
    "INSERT INTO counters (name, hits) VALUES ('c', 1)\n"
    "  ON CONFLICT (name) DO UPDATE SET hits = excluded.hits WHERE excluded.hits > hits;\n"
    "INSERT INTO counters (name) VALUES ('z') ON CONFLICT (hits) DO NOTHING;\n"
    "INSERT INTO counters SELECT name || '2', hits * 10, NULL FROM counters WHERE 1\n"
    "  ON CONFLICT DO NOTHING;\n"
    "INSERT INTO counters SELECT name, 1, 'again' FROM counters WHERE hits > 50\n"
    "  ON CONFLICT (name) DO UPDATE SET note = excluded.note || '!';\n"
    "SELECT * FROM counters ORDER BY name;\n"
    "DELETE FROM emp WHERE id > 790;\n"
    "UPDATE emp SET manager_id = NULL WHERE manager_id > 790;\n"
    "SELECT COUNT(*), MAX(id), COUNT(manager_id) FROM emp;\n"
    "END;\n"
    "SELECT 'unterminated;\n";

/* ====================================================================== */
/* Driver                                                                 */
/* ====================================================================== */

struct run_summary {
    size_t statements;
    size_t failures;
    uint32_t transcript_hash;
    uint64_t rows_out;
};

static int load_database(struct db *db, const struct dataset *d) {
    struct sbuf script;
    sb_init(&script);
    build_load_script(d, &script);
    int failures = db_exec(db, schema_sql, NULL);
    failures += db_exec(db, sb_str(&script), NULL);
    sb_free(&script);
    return failures;
}

/* Compares query answers with values computed directly from the data. */
static int verify_loaded(struct db *db, const struct dataset *d) {
    int ok = 1;
    int64_t v;
    int64_t sum = 0, nonnull = 0, per_dept[N_DEPT + 1] = {0};
    int64_t window = 0, hours7 = 0, top = 0;
    for (int i = 0; i < N_EMP; i++) {
        const struct emp_rec *e = &d->emp[i];
        if (e->salary >= 0) {
            sum += e->salary;
            nonnull++;
            if (e->salary > top)
                top = e->salary;
            if (e->salary >= 50000 && e->salary <= 70000 && e->hired > 2005)
                window++;
        }
        per_dept[e->dept_id]++;
    }
    for (int i = 0; i < N_ASG; i++)
        if (d->asg[i].project_id == 7)
            hours7 += d->asg[i].hours;

    ok &= db_query_int(db, "SELECT COUNT(*) FROM emp", &v) && v == N_EMP;
    ok &= db_query_int(db, "SELECT SUM(salary) FROM emp", &v) && v == sum;
    ok &= db_query_int(db, "SELECT COUNT(salary) FROM emp", &v) && v == nonnull;
    ok &= db_query_int(db, "SELECT MAX(salary) FROM emp", &v) && v == top;
    ok &= db_query_int(db, "SELECT COUNT(*) FROM emp WHERE dept_id IS NULL", &v) &&
          v == per_dept[0];
    ok &= db_query_int(db,
                       "SELECT COUNT(*) FROM emp WHERE salary BETWEEN 50000 AND "
                       "70000 AND hired > 2005",
                       &v) &&
          v == window;
    ok &= db_query_int(db,
                       "SELECT SUM(hours) FROM assignments WHERE project_id = 7",
                       &v) &&
          v == hours7;
    for (int dpt = 1; dpt <= N_DEPT; dpt++) {
        struct sbuf q;
        sb_init(&q);
        sb_puts(&q, "SELECT COUNT(*) FROM emp WHERE dept_id = ");
        sb_put_i64(&q, dpt);
        ok &= db_query_int(db, sb_str(&q), &v) && v == per_dept[dpt];
        sb_free(&q);
    }
    return ok;
}

static void run_queries(struct db *db, struct exec_log *log,
                        struct run_summary *sum) {
    size_t start = db->out.len;
    db_exec(db, query_script, log);
    sum->statements = log->n;
    sum->failures = 0;
    sum->rows_out = 0;
    for (size_t i = 0; i < log->n; i++) {
        if (log->items[i].status != ST_OK)
            sum->failures++;
        sum->rows_out += log->items[i].nrows;
    }
    sum->transcript_hash =
        hash_bytes(2166136261u, db->out.data + start, db->out.len - start);
}

static void print_slice(const struct db *db, const struct stmt_result *r) {
    fwrite(db->out.data + r->out_start, 1, r->out_len, stdout);
}

/* Dumps db as SQL, reloads the text into a fresh database and checks that
 * the reloaded database dumps to the same text. */
static int check_dump_round_trip(struct db *db, struct sbuf *dump) {
    static struct db copy;
    struct sbuf again;
    sb_init(&again);
    db_dump(db, dump);
    db_init(&copy);
    int failures = db_exec(&copy, sb_str(dump), NULL);
    db_dump(&copy, &again);
    int ok = failures == 0 && strcmp(sb_str(dump), sb_str(&again)) == 0;
    sb_free(&again);
    db_close(&copy);
    return ok;
}

/* Serializes db, restores the image into a fresh database, and checks the
 * restored content and that damaged images are refused. */
static int check_image_round_trip(struct db *db, const struct sbuf *dump,
                                  size_t *image_size, uint32_t *image_crc) {
    static struct db restored, damaged;
    struct bytebuf image = {NULL, 0, 0};
    const char *why = NULL;
    int ok = 1;
    db_serialize(db, &image);
    *image_size = image.len;
    *image_crc = crc32_update(0, image.data, image.len - 4);

    db_init(&restored);
    if (!db_deserialize(&restored, image.data, image.len, &why)) {
        printf("image rejected: %s\n", why ? why : "?");
        ok = 0;
    } else {
        struct sbuf again;
        sb_init(&again);
        db_dump(&restored, &again);
        if (strcmp(sb_str(dump), sb_str(&again)) != 0)
            ok = 0;
        sb_free(&again);
        int64_t a = 0, b = 0;
        const char *probe = "SELECT SUM(salary) + COUNT(*) FROM emp e JOIN dept d "
                            "ON d.id = e.dept_id WHERE e.hired BETWEEN 2000 AND 2010";
        if (!db_query_int(db, probe, &a) || !db_query_int(&restored, probe, &b) ||
            a != b)
            ok = 0;
    }
    db_close(&restored);

    /* a flipped bit must be caught by the checksum */
    image.data[image.len / 2] ^= 0x10u;
    db_init(&damaged);
    if (db_deserialize(&damaged, image.data, image.len, &why))
        ok = 0;
    db_close(&damaged);
    image.data[image.len / 2] ^= 0x10u;

    /* a truncated image with a recomputed checksum must fail to parse */
    size_t cut = image.len / 3;
    uint32_t crc = crc32_update(0, image.data, cut);
    uint8_t *shortened = xmalloc(cut + 4);
    memcpy(shortened, image.data, cut);
    shortened[cut] = (uint8_t)crc;
    shortened[cut + 1] = (uint8_t)(crc >> 8);
    shortened[cut + 2] = (uint8_t)(crc >> 16);
    shortened[cut + 3] = (uint8_t)(crc >> 24);
    db_init(&damaged);
    if (db_deserialize(&damaged, shortened, cut + 4, &why))
        ok = 0;
    db_close(&damaged);
    free(shortened);
    free(image.data);
    return ok;
}

int main(void) {
    static struct dataset data;
    static struct db db1, db2;
    struct exec_log log1 = {NULL, 0, 0}, log2 = {NULL, 0, 0};
    struct run_summary s1, s2;
    int ok = 1;

    if (!keyword_table_valid()) {
        printf("keyword table is not sorted\n");
        return 1;
    }
    make_dataset(&data);

    db_init(&db1);
    db_init(&db2);
    db2.use_indexes = 0;
    if (load_database(&db1, &data) != 0 || load_database(&db2, &data) != 0) {
        printf("loading failed\n%s", sb_str(&db1.out));
        ok = 0;
    }
    if (!verify_loaded(&db1, &data) || !verify_loaded(&db2, &data)) {
        printf("loaded data does not match the generator\n");
        ok = 0;
    }

    run_queries(&db1, &log1, &s1);
    run_queries(&db2, &log2, &s2);

    /* the planner must never change answers, only how they are found */
    size_t compared = 0, mismatches = 0;
    if (log1.n != log2.n) {
        ok = 0;
    } else {
        for (size_t i = 0; i < log1.n; i++) {
            const struct stmt_result *a = &log1.items[i], *b = &log2.items[i];
            if (a->explain)
                continue;
            compared++;
            if (a->status != b->status || a->nrows != b->nrows ||
                a->changes != b->changes || a->unordered_hash != b->unordered_hash) {
                printf("statement %zu differs between index and scan plans\n", i);
                mismatches++;
            }
        }
    }
    if (mismatches)
        ok = 0;

    struct sbuf report;
    sb_init(&report);
    if (!db_integrity_check(&db1, &report) || !db_integrity_check(&db2, &report)) {
        printf("integrity check failed:\n%s", sb_str(&report));
        ok = 0;
    }
    sb_free(&report);

    /* persistence: SQL dump and binary image round trips */
    struct sbuf dump;
    sb_init(&dump);
    size_t image_size = 0;
    uint32_t image_crc = 0;
    if (!check_dump_round_trip(&db1, &dump)) {
        printf("dump round trip failed\n");
        ok = 0;
    }
    if (!check_image_round_trip(&db1, &dump, &image_size, &image_crc)) {
        printf("image round trip failed\n");
        ok = 0;
    }
    uint32_t dump_hash = hash_bytes(2166136261u, sb_str(&dump), dump.len);
    size_t dump_size = dump.len;
    sb_free(&dump);

    /* show a few representative answers */
    static const size_t shown[] = {5};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
        if (shown[i] < log1.n)
            print_slice(&db1, &log1.items[shown[i]]);

    struct table *emp = db_find_table(&db1, "emp");
    printf("statements %zu, failed as expected %zu, rows returned %llu\n",
           s1.statements, s1.failures, (unsigned long long)s1.rows_out);
    printf("compared %zu statements across plans, %zu mismatches\n", compared,
           mismatches);
    printf("emp rows %zu, row tree height %d, nodes %zu\n",
           emp ? emp->rows.count : (size_t)0, emp ? bt_height(&emp->rows) : 0,
           emp ? emp->rows.nodes : (size_t)0);
    printf("index probes %llu vs %llu, rows scanned %llu vs %llu\n",
           (unsigned long long)db1.stats.index_probes,
           (unsigned long long)db2.stats.index_probes,
           (unsigned long long)db1.stats.rows_scanned,
           (unsigned long long)db2.stats.rows_scanned);
    printf("transcript hash %08x (indexes) %08x (scans)\n",
           (unsigned)s1.transcript_hash, (unsigned)s2.transcript_hash);
    printf("dump %zu bytes hash %08x, image %zu bytes crc %08x\n", dump_size,
           (unsigned)dump_hash, image_size, (unsigned)image_crc);

    /* reference values recorded from a verified run */
    const uint32_t expected_hash = 0xa0bf4e0fu, expected_scan_hash = 0x31f9f221u;
    const uint32_t expected_dump_hash = 0xc8a9c486u, expected_crc = 0x10307796u;
    const size_t expected_statements = 320, expected_failures = 76;
    const uint64_t expected_rows = 489;
    if (s1.transcript_hash != expected_hash ||
        s2.transcript_hash != expected_scan_hash ||
        s1.statements != expected_statements ||
        s1.failures != expected_failures || s2.failures != s1.failures ||
        s1.rows_out != expected_rows || dump_hash != expected_dump_hash ||
        image_crc != expected_crc)
        ok = 0;

    free(log1.items);
    free(log2.items);
    db_close(&db1);
    db_close(&db2);
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
