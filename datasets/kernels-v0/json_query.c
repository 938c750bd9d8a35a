// kernels-v0: JSON parser, serializer, path queries and aggregates over embedded documents
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A small JSON toolkit:
 *   - tokenizer and recursive-descent parser building a DOM; objects keep
 *     their keys in insertion order,
 *   - numbers are int64 or fixed-point decimals with DEC_DIGITS fractional
 *     digits, parsed and printed without floating point,
 *   - compact and pretty serializers, deep equality and a canonical hash
 *     (both ignore object key order and treat 1 and 1.0 as equal),
 *   - a path query language: $.a.b, $['a'], [2], [-1], [1:3], [*], .*, ..,
 *     filters [?(@.x > 3 && !(@.y == 'z'))] and count/sum/min/max/avg.
 * All texts handed to the lexer are NUL-terminated at their length.
 * The exit status is 0 only when every check passes and every allocation
 * has been released.
 */

#define DEC_SCALE 1000000
#define DEC_DIGITS 6
#define MAX_DEPTH 64

/* ---------------------------------------------------------------- */
/* allocation with leak accounting, byte buffers                     */
/* ---------------------------------------------------------------- */

static long live_blocks;

static void *xrealloc(void *p, size_t n)
{
    if (!p)
        live_blocks++;
    p = realloc(p, n ? n : 1);
    if (!p) {
        printf("out of memory\n");
        exit(1);
    }
    return p;
}

static void *xzalloc(size_t n)
{
    void *p = xrealloc(NULL, n);
    memset(p, 0, n);
    return p;
}

static void xfree(void *p)
{
    if (p) {
        live_blocks--;
        free(p);
    }
}

/* room for one more element in a growable array */
static void *grow(void *p, size_t len, size_t *cap, size_t elem)
{
    if (len < *cap)
        return p;
    *cap = *cap ? *cap * 2 : 4;
    return xrealloc(p, *cap * elem);
}

static char *xmemdup(const char *s, size_t n)
{
    char *p = xrealloc(NULL, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = 0;
    return p;
}

struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 64;
        while (nc < b->len + n + 1)
            nc *= 2;
        b->p = xrealloc(b->p, nc);
        b->cap = nc;
    }
    if (n)
        memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void sb_putc(struct sbuf *b, char c) { sb_putn(b, &c, 1); }
static void sb_puts(struct sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }
static const char *sb_str(const struct sbuf *b) { return b->p ? b->p : ""; }

static void sb_free(struct sbuf *b)
{
    xfree(b->p);
    memset(b, 0, sizeof *b);
}

static void sb_put_u64(struct sbuf *b, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        sb_putc(b, tmp[--n]);
}

static uint64_t magnitude(int64_t v) { return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; }

static void sb_put_i64(struct sbuf *b, int64_t v)
{
    if (v < 0)
        sb_putc(b, '-');
    sb_put_u64(b, magnitude(v));
}

/* fixed-point value as "int.frac" with trailing zeros removed (at least one digit) */
static void sb_put_micro(struct sbuf *b, int64_t v)
{
    uint64_t m = magnitude(v), f = m % DEC_SCALE;
    char frac[DEC_DIGITS];
    size_t n = DEC_DIGITS;
    if (v < 0)
        sb_putc(b, '-');
    sb_put_u64(b, m / DEC_SCALE);
    sb_putc(b, '.');
    for (int i = DEC_DIGITS - 1; i >= 0; i--, f /= 10)
        frac[i] = (char)('0' + f % 10);
    while (n > 1 && frac[n - 1] == '0')
        n--;
    sb_putn(b, frac, n);
}

/* ---------------------------------------------------------------- */
/* checked arithmetic                                                */
/* ---------------------------------------------------------------- */

static int add_i64(int64_t a, int64_t b, int64_t *out)
{
    if ((b > 0 && a > INT64_MAX - b) || (b < 0 && a < INT64_MIN - b))
        return 0;
    *out = a + b;
    return 1;
}

static int int_to_micro(int64_t i, int64_t *out)
{
    if (i > INT64_MAX / DEC_SCALE || i < INT64_MIN / DEC_SCALE)
        return 0;
    *out = i * DEC_SCALE;
    return 1;
}

static int cmp_i64(int64_t x, int64_t y) { return (x > y) - (x < y); }

/* ---------------------------------------------------------------- */
/* DOM                                                               */
/* ---------------------------------------------------------------- */

enum jtype { J_NULL, J_BOOL, J_INT, J_DEC, J_STR, J_ARR, J_OBJ };

struct jvalue;

struct jmember {
    char *key;
    size_t klen;
    struct jvalue *val;
};

struct jvalue {
    enum jtype type;
    int b;                 /* J_BOOL */
    int64_t num;           /* J_INT value, J_DEC value * DEC_SCALE */
    char *s;               /* J_STR bytes (UTF-8, may contain NUL) */
    size_t slen;
    struct jvalue **items; /* J_ARR elements */
    struct jmember *mem;   /* J_OBJ members in insertion order */
    size_t len, cap;
};

static struct jvalue *jv_new(enum jtype t, int64_t num)
{
    struct jvalue *v = xzalloc(sizeof *v);
    v->type = t;
    v->num = num;
    v->b = t == J_BOOL && num;
    return v;
}

static struct jvalue *jv_string(const char *s, size_t n)
{
    struct jvalue *v = jv_new(J_STR, 0);
    v->s = xmemdup(s, n);
    v->slen = n;
    return v;
}

static int is_num(const struct jvalue *v) { return v->type == J_INT || v->type == J_DEC; }
static int is_container(const struct jvalue *v) { return v->type == J_ARR || v->type == J_OBJ; }

static struct jvalue *child(const struct jvalue *v, size_t i)
{
    return v->type == J_ARR ? v->items[i] : v->mem[i].val;
}

static void arr_push(struct jvalue *a, struct jvalue *v)
{
    a->items = grow(a->items, a->len, &a->cap, sizeof *a->items);
    a->items[a->len++] = v;
}

static struct jvalue *obj_find(const struct jvalue *o, const char *k, size_t n)
{
    for (size_t i = 0; i < o->len; i++)
        if (o->mem[i].klen == n && (n == 0 || memcmp(o->mem[i].key, k, n) == 0))
            return o->mem[i].val;
    return NULL;
}

/* takes ownership of key and v, unless the key already exists (returns 0) */
static int obj_put(struct jvalue *o, char *key, size_t klen, struct jvalue *v)
{
    if (obj_find(o, key, klen))
        return 0;
    o->mem = grow(o->mem, o->len, &o->cap, sizeof *o->mem);
    o->mem[o->len].key = key;
    o->mem[o->len].klen = klen;
    o->mem[o->len++].val = v;
    return 1;
}

static void jv_free(struct jvalue *v)
{
    if (!v)
        return;
    for (size_t i = 0; is_container(v) && i < v->len; i++) {
        jv_free(child(v, i));
        if (v->type == J_OBJ)
            xfree(v->mem[i].key);
    }
    xfree(v->items);
    xfree(v->mem);
    xfree(v->s);
    xfree(v);
}

/* ---------------------------------------------------------------- */
/* tokenizer                                                         */
/* ---------------------------------------------------------------- */

enum tok {
    T_LBRACE, T_RBRACE, T_LBRACK, T_RBRACK, T_COLON, T_COMMA,
    T_STRING, T_INT, T_DEC, T_TRUE, T_FALSE, T_NULL, T_EOF, T_ERROR
};

struct lexer {
    const char *src;  /* src[len] == 0 */
    size_t len, pos;
    enum tok kind;
    size_t start;     /* offset of the current token */
    int64_t num;      /* T_INT / T_DEC payload */
    struct sbuf str;  /* T_STRING payload, decoded */
    const char *err;  /* first error */
    size_t err_pos;
};

static void lex_fail(struct lexer *lx, size_t pos, const char *msg)
{
    lx->kind = T_ERROR;
    if (!lx->err) {
        lx->err = msg;
        lx->err_pos = pos;
    }
}

static int read_hex4(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char)s[i], d;
        if (!isxdigit(c))
            return 0; /* also stops at the terminating NUL */
        d = isdigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
        v = v * 16 + (uint32_t)d;
    }
    *out = v;
    return 1;
}

static void utf8_put(struct sbuf *b, uint32_t cp)
{
    int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0, 0xC0, 0xE0, 0xF0};
    if (n == 1) {
        sb_putc(b, (char)cp);
        return;
    }
    sb_putc(b, (char)(lead[n] | (cp >> (6 * (n - 1)))));
    for (int i = n - 2; i >= 0; i--)
        sb_putc(b, (char)(0x80 | ((cp >> (6 * i)) & 0x3F)));
}

/* length of a well-formed UTF-8 sequence at s (NUL-terminated), 0 if malformed */
static size_t utf8_seq_len(const unsigned char *s)
{
    size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
                                 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t cp = s[0] & (0x7Fu >> n);
    if (n <= 1)
        return n;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static void lex_string(struct lexer *lx)
{
    static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
    const char *s = lx->src;
    size_t p = lx->pos + 1;
    lx->str.len = 0;
    sb_putn(&lx->str, "", 0);
    for (;;) {
        unsigned char c = (unsigned char)s[p];
        size_t esc = p;
        uint32_t cp, lo;
        const char *e;
        if (p >= lx->len) {
            lex_fail(lx, p, "unterminated string");
            return;
        }
        if (c == '"')
            break;
        if (c < 0x20) {
            lex_fail(lx, p, "control character in string");
            return;
        }
        if (c != '\\') {
            size_t n = utf8_seq_len((const unsigned char *)s + p);
            if (n == 0) {
                lex_fail(lx, p, "invalid UTF-8");
                return;
            }
            sb_putn(&lx->str, s + p, n);
            p += n;
            continue;
        }
        p += 2;
        if (s[esc + 1] && (e = strchr(esc_in, s[esc + 1])) != NULL) {
            sb_putc(&lx->str, esc_out[e - esc_in]);
            continue;
        }
        if (s[esc + 1] != 'u') {
            lex_fail(lx, esc, "invalid escape");
            return;
        }
        if (!read_hex4(s + p, &cp)) {
            lex_fail(lx, esc, "bad unicode escape");
            return;
        }
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && s[p] == '\\' && s[p + 1] == 'u' &&
            read_hex4(s + p + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) {
            lex_fail(lx, esc, "unpaired surrogate");
            return;
        }
        utf8_put(&lx->str, cp);
    }
    lx->pos = p + 1;
    lx->kind = T_STRING;
}

/* appends the digits at s[*p] to *acc while it has room and counts the
 * ones that did not fit in *dropped; returns the number of digits read */
static int64_t lex_digits(const char *s, size_t *p, uint64_t *acc, int64_t *dropped)
{
    int64_t n = 0;
    for (; isdigit((unsigned char)s[*p]); (*p)++, n++) {
        if (*acc > (UINT64_MAX - 9) / 10)
            (*dropped)++;
        else
            *acc = *acc * 10 + (uint64_t)(s[*p] - '0');
    }
    return n;
}

/* integer or fixed-point decimal without floating point: the digits form
 * mant, scaled by a power of ten and truncated toward zero */
static void lex_number(struct lexer *lx)
{
    const char *s = lx->src;
    int neg = s[lx->pos] == '-', is_dec = 0, eneg = 0, overflow;
    size_t p = lx->pos + (size_t)neg;
    uint64_t mant = 0, e = 0, limit = ((uint64_t)1 << 63) - 1 + (uint64_t)neg;
    int64_t int_drop = 0, frac_drop = 0, frac = 0;
    char *end;
    if (s[p] == '0' && isdigit((unsigned char)s[p + 1])) {
        lex_fail(lx, p, "leading zero");
        return;
    }
    if (lex_digits(s, &p, &mant, &int_drop) == 0)
        goto need_digit;
    if (s[p] == '.') {
        is_dec = 1;
        p++;
        if ((frac = lex_digits(s, &p, &mant, &frac_drop)) == 0)
            goto need_digit;
    }
    if (s[p] == 'e' || s[p] == 'E') {
        is_dec = 1;
        p++;
        if (s[p] == '+' || s[p] == '-')
            eneg = s[p++] == '-';
        if (!isdigit((unsigned char)s[p]))
            goto need_digit;
        e = strtoull(s + p, &end, 10); /* saturates on overflow */
        p = (size_t)(end - s);
        if (e > 99999) /* the value over- or underflows anyway */
            e = 99999;
    }
    overflow = !is_dec && int_drop > 0;
    if (is_dec) {
        int64_t shift = DEC_DIGITS + int_drop - (frac - frac_drop) + (eneg ? -(int64_t)e : (int64_t)e);
        for (; shift > 0 && mant && !overflow; shift--) {
            overflow = mant > UINT64_MAX / 10;
            mant *= 10;
        }
        for (; shift < 0 && mant; shift++)
            mant /= 10;
    }
    if (overflow || mant > limit) {
        lex_fail(lx, lx->pos, "number out of range");
        return;
    }
    lx->num = !neg ? (int64_t)mant : mant > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)mant;
    lx->kind = is_dec ? T_DEC : T_INT;
    lx->pos = p;
    return;
need_digit:
    lex_fail(lx, p, "digit expected");
}

static void lex_next(struct lexer *lx)
{
    static const char punct[] = "{}[]:,";
    static const char *const words[] = {"true", "false", "null"};
    const char *s = lx->src, *q;
    if (lx->err) {
        lx->kind = T_ERROR;
        return;
    }
    while (s[lx->pos] && strchr(" \t\n\r", s[lx->pos]))
        lx->pos++;
    lx->start = lx->pos;
    char c = s[lx->pos];
    if (lx->pos >= lx->len) {
        lx->kind = T_EOF;
    } else if (c && (q = strchr(punct, c)) != NULL) {
        lx->kind = (enum tok)(T_LBRACE + (q - punct));
        lx->pos++;
    } else if (c == '"') {
        lex_string(lx);
    } else if (c == '-' || isdigit((unsigned char)c)) {
        lex_number(lx);
    } else {
        for (int w = 0; w < 3; w++) {
            size_t n = strlen(words[w]);
            if (strncmp(s + lx->pos, words[w], n) == 0 && !isalnum((unsigned char)s[lx->pos + n])) {
                lx->kind = (enum tok)(T_TRUE + w);
                lx->pos += n;
                return;
            }
        }
        lex_fail(lx, lx->pos, isalpha((unsigned char)c) ? "invalid literal" : "unexpected character");
    }
}

/* ---------------------------------------------------------------- */
/* parser                                                            */
/* ---------------------------------------------------------------- */

struct jerror {
    const char *msg;
    int line, col;
};

static void expect_fail(struct lexer *lx, const char *msg)
{
    if (lx->kind != T_ERROR)
        lex_fail(lx, lx->start, lx->kind == T_EOF ? "unexpected end of input" : msg);
}

static struct jvalue *parse_value(struct lexer *lx, int depth);

/* arrays and objects share one loop; objects read "key :" before each value */
static struct jvalue *parse_container(struct lexer *lx, int depth)
{
    int is_obj = lx->kind == T_LBRACE;
    enum tok close = is_obj ? T_RBRACE : T_RBRACK;
    struct jvalue *c = jv_new(is_obj ? J_OBJ : J_ARR, 0), *v;
    lex_next(lx);
    if (lx->kind == close) {
        lex_next(lx);
        return c;
    }
    for (;;) {
        char *key = NULL;
        size_t klen = 0, key_pos = 0;
        if (is_obj) {
            if (lx->kind != T_STRING) {
                expect_fail(lx, "expected string key");
                break;
            }
            key_pos = lx->start;
            klen = lx->str.len;
            key = xmemdup(lx->str.p, klen);
            lex_next(lx);
            if (lx->kind != T_COLON) {
                expect_fail(lx, "expected ':'");
                xfree(key);
                break;
            }
            lex_next(lx);
        }
        v = parse_value(lx, depth + 1);
        if (!v) {
            xfree(key);
            break;
        }
        if (!is_obj) {
            arr_push(c, v);
        } else if (!obj_put(c, key, klen, v)) {
            lex_fail(lx, key_pos, "duplicate key");
            xfree(key);
            jv_free(v);
            break;
        }
        if (lx->kind == T_COMMA) {
            lex_next(lx);
        } else if (lx->kind == close) {
            lex_next(lx);
            return c;
        } else {
            expect_fail(lx, is_obj ? "expected ',' or '}'" : "expected ',' or ']'");
            break;
        }
    }
    jv_free(c);
    return NULL;
}

static struct jvalue *parse_value(struct lexer *lx, int depth)
{
    struct jvalue *v;
    switch (lx->kind) {
    case T_LBRACE:
    case T_LBRACK:
        if (depth < MAX_DEPTH)
            return parse_container(lx, depth);
        lex_fail(lx, lx->start, "nesting too deep");
        return NULL;
    case T_STRING: v = jv_string(lx->str.p, lx->str.len); break;
    case T_INT: v = jv_new(J_INT, lx->num); break;
    case T_DEC: v = jv_new(J_DEC, lx->num); break;
    case T_TRUE:
    case T_FALSE: v = jv_new(J_BOOL, lx->kind == T_TRUE); break;
    case T_NULL: v = jv_new(J_NULL, 0); break;
    default:
        expect_fail(lx, "unexpected token");
        return NULL;
    }
    lex_next(lx);
    return v;
}

static struct jvalue *json_parse(const char *src, size_t len, struct jerror *err)
{
    struct lexer lx;
    memset(&lx, 0, sizeof lx);
    lx.src = src;
    lx.len = len;
    lex_next(&lx);
    struct jvalue *v = parse_value(&lx, 0);
    if (v && lx.kind != T_EOF) {
        lex_fail(&lx, lx.start, "trailing characters");
        jv_free(v);
        v = NULL;
    }
    err->msg = v ? NULL : lx.err;
    err->line = err->col = 1;
    for (size_t i = 0; !v && i < lx.err_pos; i++) {
        err->col = src[i] == '\n' ? 1 : err->col + 1;
        err->line += src[i] == '\n';
    }
    sb_free(&lx.str);
    return v;
}

/* ---------------------------------------------------------------- */
/* serializer                                                        */
/* ---------------------------------------------------------------- */

static void ser_string(struct sbuf *b, const char *s, size_t n)
{
    static const char special[] = "\"\\\b\f\n\r\t", names[] = "\"\\bfnrt";
    sb_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *e = c ? strchr(special, c) : NULL;
        if (e) {
            sb_putc(b, '\\');
            sb_putc(b, names[e - special]);
        } else if (c < 0x20) {
            sb_puts(b, "\\u00");
            sb_putc(b, "0123456789abcdef"[c >> 4]);
            sb_putc(b, "0123456789abcdef"[c & 15]);
        } else {
            sb_putc(b, (char)c);
        }
    }
    sb_putc(b, '"');
}

static void ser_indent(struct sbuf *b, int level)
{
    sb_putc(b, '\n');
    for (int i = 0; i < level; i++)
        sb_puts(b, "  ");
}

/* pretty: one element per line, two spaces per level */
static void ser_value(struct sbuf *b, const struct jvalue *v, int pretty, int level)
{
    int obj = v->type == J_OBJ;
    switch (v->type) {
    case J_NULL: sb_puts(b, "null"); break;
    case J_BOOL: sb_puts(b, v->b ? "true" : "false"); break;
    case J_INT: sb_put_i64(b, v->num); break;
    case J_DEC: sb_put_micro(b, v->num); break;
    case J_STR: ser_string(b, v->s, v->slen); break;
    case J_ARR:
    case J_OBJ:
        sb_putc(b, obj ? '{' : '[');
        for (size_t i = 0; i < v->len; i++) {
            if (i)
                sb_putc(b, ',');
            if (pretty)
                ser_indent(b, level + 1);
            if (obj) {
                ser_string(b, v->mem[i].key, v->mem[i].klen);
                sb_puts(b, pretty ? ": " : ":");
            }
            ser_value(b, child(v, i), pretty, level + 1);
        }
        if (pretty && v->len)
            ser_indent(b, level);
        sb_putc(b, obj ? '}' : ']');
        break;
    }
}

/* ---------------------------------------------------------------- */
/* ordering, equality, canonical hash                                */
/* ---------------------------------------------------------------- */

static int num_cmp(const struct jvalue *a, const struct jvalue *b)
{
    int sign = 1;
    if (a->type == b->type)
        return cmp_i64(a->num, b->num);
    if (a->type == J_DEC) { /* make a the integer */
        const struct jvalue *t = a;
        a = b, b = t, sign = -1;
    }
    int64_t q = b->num / DEC_SCALE, r = b->num % DEC_SCALE;
    return sign * (a->num != q ? cmp_i64(a->num, q) : cmp_i64(0, r));
}

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    int c = an && bn ? memcmp(a, b, an < bn ? an : bn) : 0;
    return c ? (c < 0 ? -1 : 1) : cmp_i64((int64_t)an, (int64_t)bn);
}

static int jv_equal(const struct jvalue *a, const struct jvalue *b)
{
    if (is_num(a) && is_num(b))
        return num_cmp(a, b) == 0;
    if (a->type != b->type || a->b != b->b || a->len != b->len)
        return 0;
    if (a->type == J_STR)
        return bytes_cmp(a->s, a->slen, b->s, b->slen) == 0;
    for (size_t i = 0; i < a->len; i++) {
        const struct jvalue *o = a->type == J_ARR ? b->items[i]
                                                  : obj_find(b, a->mem[i].key, a->mem[i].klen);
        if (!o || !jv_equal(child(a, i), o))
            return 0;
    }
    return 1;
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    return x ^ (x >> 33);
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return mix64(h ^ n);
}

/* equal values hash equally: numbers hash by value, object members are
 * combined with a commutative sum so key order does not matter */
static uint64_t jv_hash(const struct jvalue *v)
{
    int64_t m = v->num;
    uint64_t h = (uint64_t)v->type << 56, acc = 0;
    switch (v->type) {
    case J_NULL:
    case J_BOOL:
        return mix64(h + (uint64_t)v->b + 1);
    case J_INT:
        if (!int_to_micro(v->num, &m)) /* too large to equal any decimal */
            return mix64(h ^ mix64((uint64_t)v->num));
        /* fall through */
    case J_DEC:
        return mix64(((uint64_t)J_DEC << 56) ^ mix64((uint64_t)m));
    case J_STR:
        return hash_bytes(h, v->s, v->slen);
    case J_ARR:
        for (size_t i = 0; i < v->len; i++)
            h = mix64(h + jv_hash(v->items[i]));
        return mix64(h ^ v->len);
    case J_OBJ:
        for (size_t i = 0; i < v->len; i++)
            acc += mix64(hash_bytes(0, v->mem[i].key, v->mem[i].klen) ^ jv_hash(v->mem[i].val));
        return mix64(h ^ acc ^ v->len);
    }
    return h;
}

/* ---------------------------------------------------------------- */
/* path queries: compiler                                            */
/* ---------------------------------------------------------------- */

enum seg_kind { S_CHILD, S_SLICE, S_WILD, S_FILTER };
enum fx_op { FX_CMP, FX_EXISTS, FX_NOT, FX_AND, FX_OR };
enum cmp_op { C_EQ, C_NE, C_LE, C_GE, C_LT, C_GT };

struct fexpr;

struct seg {
    enum seg_kind kind;
    int descend;      /* ".." : apply to the node and all its descendants */
    char *name;       /* S_CHILD */
    size_t nlen;
    int64_t a, b;     /* S_SLICE [a:b], bounds optional */
    int has_a, has_b;
    struct fexpr *filter;
};

struct path {
    struct seg *v;
    size_t len, cap;
};

struct operand {
    int from;         /* 0: literal, 1: path from @, 2: path from $ */
    struct path path;
    struct jvalue *lit;
};

struct fexpr {
    enum fx_op op;
    enum cmp_op cmp;
    struct fexpr *l, *r;
    struct operand x, y;
};

static void fx_free(struct fexpr *e);

static void path_free(struct path *p)
{
    for (size_t i = 0; i < p->len; i++) {
        xfree(p->v[i].name);
        fx_free(p->v[i].filter);
    }
    xfree(p->v);
    memset(p, 0, sizeof *p);
}

static void fx_free(struct fexpr *e)
{
    if (!e)
        return;
    fx_free(e->l);
    fx_free(e->r);
    path_free(&e->x.path);
    path_free(&e->y.path);
    jv_free(e->x.lit);
    jv_free(e->y.lit);
    xfree(e);
}

static struct seg *path_add(struct path *p, enum seg_kind kind, int descend)
{
    p->v = grow(p->v, p->len, &p->cap, sizeof *p->v);
    struct seg *s = &p->v[p->len++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->descend = descend;
    return s;
}

struct qparser {
    const char *q;
    size_t pos, len;
    const char *err;
    size_t err_pos;
};

static int qp_fail(struct qparser *qp, const char *msg)
{
    if (!qp->err) {
        qp->err = msg;
        qp->err_pos = qp->pos;
    }
    return 0;
}

static char qp_peek(struct qparser *qp)
{
    while (qp->q[qp->pos] == ' ')
        qp->pos++;
    return qp->q[qp->pos];
}

static int qp_match(struct qparser *qp, const char *s)
{
    size_t n = strlen(s);
    qp_peek(qp);
    if (strncmp(qp->q + qp->pos, s, n) != 0)
        return 0;
    qp->pos += n;
    return 1;
}

static int is_name_char(char c) { return isalnum((unsigned char)c) || c == '_' || c == '-'; }

static int qp_int(struct qparser *qp, int64_t *out)
{
    char *end;
    qp_peek(qp);
    if (!isdigit((unsigned char)qp->q[qp->pos + (qp->q[qp->pos] == '-')]))
        return qp_fail(qp, "expected integer");
    *out = strtoll(qp->q + qp->pos, &end, 10);
    if (*out > 1000000000 || *out < -1000000000)
        return qp_fail(qp, "index out of range");
    qp->pos = (size_t)(end - qp->q);
    return 1;
}

/* 'name' or "name" without escapes */
static char *qp_quoted(struct qparser *qp, size_t *outlen)
{
    const char *st = qp->q + qp->pos + 1, *end = strchr(st, qp->q[qp->pos]);
    if (!end) {
        qp_fail(qp, "unterminated string");
        return NULL;
    }
    qp->pos = (size_t)(end + 1 - qp->q);
    *outlen = (size_t)(end - st);
    return xmemdup(st, *outlen);
}

static int qp_path(struct qparser *qp, struct path *p);
static struct fexpr *qp_binary(struct qparser *qp, enum fx_op op);

static int qp_operand(struct qparser *qp, struct operand *o)
{
    char c = qp_peek(qp), *s;
    size_t n;
    if (c == '@' || c == '$') {
        qp->pos++;
        o->from = c == '@' ? 1 : 2;
        return qp_path(qp, &o->path);
    }
    if (c == '\'') {
        if (!(s = qp_quoted(qp, &n)))
            return 0;
        o->lit = jv_string(s, n);
        xfree(s);
        return 1;
    }
    /* any other operand is a JSON scalar: reuse the document tokenizer */
    struct lexer lx;
    memset(&lx, 0, sizeof lx);
    lx.src = qp->q;
    lx.len = qp->len;
    lx.pos = qp->pos;
    lex_next(&lx);
    if (lx.kind >= T_STRING && lx.kind <= T_NULL) {
        o->lit = parse_value(&lx, 0); /* also looks at the next token */
        qp->pos = lx.start;
    }
    sb_free(&lx.str);
    return o->lit ? 1 : qp_fail(qp, "expected operand");
}

static struct fexpr *qp_unary(struct qparser *qp)
{
    static const char *const ops[] = {"==", "!=", "<=", ">=", "<", ">"};
    struct fexpr *e;
    if (qp_match(qp, "!")) {
        if (!(e = qp_unary(qp)))
            return NULL;
        struct fexpr *n = xzalloc(sizeof *n);
        n->op = FX_NOT;
        n->l = e;
        return n;
    }
    if (qp_match(qp, "(")) {
        if (!(e = qp_binary(qp, FX_OR)))
            return NULL;
        if (qp_match(qp, ")"))
            return e;
        fx_free(e);
        qp_fail(qp, "expected ')'");
        return NULL;
    }
    e = xzalloc(sizeof *e);
    if (!qp_operand(qp, &e->x))
        goto fail;
    for (int k = 0; k < 6; k++) {
        if (qp_match(qp, ops[k])) {
            e->cmp = (enum cmp_op)k;
            if (!qp_operand(qp, &e->y))
                goto fail;
            return e;
        }
    }
    if (e->x.from) {
        e->op = FX_EXISTS;
        return e;
    }
    qp_fail(qp, "expected comparison");
fail:
    fx_free(e);
    return NULL;
}

/* FX_OR: a || b, FX_AND: a && b; && binds tighter */
static struct fexpr *qp_binary(struct qparser *qp, enum fx_op op)
{
    const char *tok = op == FX_OR ? "||" : "&&";
    struct fexpr *l = op == FX_OR ? qp_binary(qp, FX_AND) : qp_unary(qp), *r, *e;
    while (l && qp_match(qp, tok)) {
        r = op == FX_OR ? qp_binary(qp, FX_AND) : qp_unary(qp);
        if (!r) {
            fx_free(l);
            return NULL;
        }
        e = xzalloc(sizeof *e);
        e->op = op;
        e->l = l;
        e->r = r;
        l = e;
    }
    return l;
}

/* inside [ ... ] */
static int qp_bracket(struct qparser *qp, struct path *p, int descend)
{
    struct seg *s;
    struct fexpr *f;
    char c = qp_peek(qp), *name;
    size_t n;
    int64_t a = 0, b = 0;
    int ha = 0, hb;
    if (c == '*') {
        qp->pos++;
        path_add(p, S_WILD, descend);
    } else if (c == '\'' || c == '"') {
        if (!(name = qp_quoted(qp, &n)))
            return 0;
        s = path_add(p, S_CHILD, descend);
        s->name = name;
        s->nlen = n;
    } else if (c == '?') {
        qp->pos++;
        if (!(f = qp_binary(qp, FX_OR)))
            return 0;
        path_add(p, S_FILTER, descend)->filter = f;
    } else if (c == '-' || c == ':' || isdigit((unsigned char)c)) {
        /* an index i is the slice [i:i+1], or [-1:] for the last element */
        if (c != ':' && !(ha = qp_int(qp, &a)))
            return 0;
        b = a + 1;
        hb = a != -1;
        if (qp_match(qp, ":")) {
            hb = qp_peek(qp) != ']';
            if (hb && !qp_int(qp, &b))
                return 0;
        }
        s = path_add(p, S_SLICE, descend);
        s->a = a;
        s->b = b;
        s->has_a = ha;
        s->has_b = hb;
    } else {
        return qp_fail(qp, "bad bracket expression");
    }
    return qp_match(qp, "]") ? 1 : qp_fail(qp, "expected ']'");
}

/* segments following '$' or '@' */
static int qp_path(struct qparser *qp, struct path *p)
{
    const char *q = qp->q;
    for (;;) {
        char c = q[qp->pos];
        int dot = c == '.', desc = dot && q[qp->pos + 1] == '.';
        if (!dot && c != '[')
            return 1;
        qp->pos += (size_t)(dot + desc);
        c = q[qp->pos];
        if (c == '[' && (desc || !dot)) {
            qp->pos++;
            if (!qp_bracket(qp, p, desc))
                return 0;
        } else if (c == '*' && dot) {
            qp->pos++;
            path_add(p, S_WILD, desc);
        } else if (is_name_char(c) && dot) {
            size_t st = qp->pos;
            while (is_name_char(q[qp->pos]))
                qp->pos++;
            struct seg *s = path_add(p, S_CHILD, desc);
            s->nlen = qp->pos - st;
            s->name = xmemdup(q + st, s->nlen);
        } else {
            return qp_fail(qp, "expected member name");
        }
    }
}

static int query_compile(const char *q, struct path *p, struct qparser *qp)
{
    memset(qp, 0, sizeof *qp);
    memset(p, 0, sizeof *p);
    qp->q = q;
    qp->len = strlen(q);
    if (!qp_match(qp, "$"))
        return qp_fail(qp, "query must start with '$'");
    if (!qp_path(qp, p))
        return 0;
    return qp_peek(qp) ? qp_fail(qp, "unexpected character in query") : 1;
}

/* ---------------------------------------------------------------- */
/* path queries: evaluation                                          */
/* ---------------------------------------------------------------- */

struct nodeset {
    const struct jvalue **v;
    size_t len, cap;
};

static void ns_push(struct nodeset *ns, const struct jvalue *v)
{
    ns->v = grow(ns->v, ns->len, &ns->cap, sizeof *ns->v);
    ns->v[ns->len++] = v;
}

static void eval_path(const struct path *p, const struct jvalue *start, const struct jvalue *root,
                      struct nodeset *out);

static int compare_values(const struct jvalue *x, const struct jvalue *y, enum cmp_op op)
{
    /* bit (c + 1) tells whether comparison result c in {-1, 0, 1} satisfies op */
    static const unsigned char accept[] = {2, 5, 3, 6, 1, 4};
    int c;
    if (is_num(x) && is_num(y))
        c = num_cmp(x, y);
    else if (x->type == J_STR && y->type == J_STR)
        c = bytes_cmp(x->s, x->slen, y->s, y->slen);
    else if (op == C_EQ || op == C_NE)
        c = !jv_equal(x, y);
    else
        return 0; /* no ordering between different kinds of values */
    return (accept[op] >> (c + 1)) & 1;
}

static void operand_eval(const struct operand *o, const struct jvalue *cur,
                         const struct jvalue *root, struct nodeset *out)
{
    if (o->from)
        eval_path(&o->path, o->from == 1 ? cur : root, root, out);
    else
        ns_push(out, o->lit);
}

/* a comparison holds if any pair of selected values satisfies it */
static int fx_eval(const struct fexpr *e, const struct jvalue *cur, const struct jvalue *root)
{
    struct nodeset xs = {0}, ys = {0};
    int r = 0;
    switch (e->op) {
    case FX_OR: return fx_eval(e->l, cur, root) || fx_eval(e->r, cur, root);
    case FX_AND: return fx_eval(e->l, cur, root) && fx_eval(e->r, cur, root);
    case FX_NOT: return !fx_eval(e->l, cur, root);
    case FX_EXISTS:
    case FX_CMP:
        operand_eval(&e->x, cur, root, &xs);
        if (e->op == FX_EXISTS) {
            r = xs.len > 0;
            break;
        }
        operand_eval(&e->y, cur, root, &ys);
        for (size_t i = 0; i < xs.len * ys.len && !r; i++)
            r = compare_values(xs.v[i / ys.len], ys.v[i % ys.len], e->cmp);
        break;
    }
    xfree(xs.v);
    xfree(ys.v);
    return r;
}

static void apply_seg(const struct seg *s, const struct jvalue *v, const struct jvalue *root,
                      struct nodeset *out)
{
    int64_t n = (int64_t)v->len, lo, hi;
    const struct jvalue *c;
    switch (s->kind) {
    case S_CHILD:
        if (v->type == J_OBJ && (c = obj_find(v, s->name, s->nlen)) != NULL)
            ns_push(out, c);
        break;
    case S_SLICE:
        if (v->type != J_ARR)
            break;
        lo = !s->has_a ? 0 : s->a < 0 ? s->a + n : s->a;
        hi = !s->has_b ? n : s->b < 0 ? s->b + n : s->b;
        for (int64_t i = lo < 0 ? 0 : lo; i < hi && i < n; i++)
            ns_push(out, v->items[i]);
        break;
    case S_WILD:
    case S_FILTER:
        for (size_t i = 0; is_container(v) && i < v->len; i++)
            if (s->kind == S_WILD || fx_eval(s->filter, child(v, i), root))
                ns_push(out, child(v, i));
        break;
    }
}

static void apply_descend(const struct seg *s, const struct jvalue *v, const struct jvalue *root,
                          struct nodeset *out)
{
    apply_seg(s, v, root, out);
    for (size_t i = 0; is_container(v) && i < v->len; i++)
        apply_descend(s, child(v, i), root, out);
}

static void eval_path(const struct path *p, const struct jvalue *start, const struct jvalue *root,
                      struct nodeset *out)
{
    struct nodeset cur = {0}, next = {0}, tmp;
    ns_push(&cur, start);
    for (size_t i = 0; i < p->len && cur.len; i++) {
        next.len = 0;
        for (size_t j = 0; j < cur.len; j++)
            (p->v[i].descend ? apply_descend : apply_seg)(&p->v[i], cur.v[j], root, &next);
        tmp = cur, cur = next, next = tmp;
    }
    for (size_t j = 0; j < cur.len; j++)
        ns_push(out, cur.v[j]);
    xfree(cur.v);
    xfree(next.v);
}

/* ---------------------------------------------------------------- */
/* aggregates                                                        */
/* ---------------------------------------------------------------- */

struct agg {
    size_t count, numeric;
    int sum_ok;
    int64_t sum; /* fixed point */
    const struct jvalue *min, *max;
};

static void aggregate(const struct nodeset *ns, struct agg *a)
{
    memset(a, 0, sizeof *a);
    a->sum_ok = 1;
    a->count = ns->len;
    for (size_t i = 0; i < ns->len; i++) {
        const struct jvalue *v = ns->v[i];
        int64_t m = v->num;
        if (!is_num(v))
            continue;
        a->numeric++;
        if (!(v->type == J_DEC || int_to_micro(v->num, &m)) || !add_i64(a->sum, m, &a->sum))
            a->sum_ok = 0;
        if (!a->min || num_cmp(v, a->min) < 0)
            a->min = v;
        if (!a->max || num_cmp(v, a->max) > 0)
            a->max = v;
    }
}

static void agg_format(const struct agg *a, struct sbuf *b)
{
    sb_puts(b, "count=");
    sb_put_u64(b, a->count);
    sb_puts(b, " sum=");
    if (a->sum_ok)
        sb_put_micro(b, a->sum);
    else
        sb_puts(b, "overflow");
    for (int k = 0; k < 2; k++) {
        const struct jvalue *v = k ? a->max : a->min;
        sb_puts(b, k ? " max=" : " min=");
        if (v)
            ser_value(b, v, 0, 0);
        else
            sb_puts(b, "null");
    }
    sb_puts(b, " avg=");
    if (a->sum_ok && a->numeric)
        sb_put_micro(b, a->sum / (int64_t)a->numeric);
    else
        sb_puts(b, "null");
}

/* compiles and runs a query; agg > 0: aggregate line, 0: compact list, < 0: pretty values */
static int run_query(const struct jvalue *doc, const char *q, int agg, struct sbuf *out, struct agg *a)
{
    struct path p;
    struct qparser qp;
    struct nodeset ns = {0};
    memset(a, 0, sizeof *a);
    if (!query_compile(q, &p, &qp)) {
        path_free(&p);
        sb_puts(out, "ERR");
        return 0;
    }
    eval_path(&p, doc, doc, &ns);
    if (agg > 0) {
        aggregate(&ns, a);
        agg_format(a, out);
    } else {
        sb_puts(out, agg ? "" : "[");
        for (size_t i = 0; i < ns.len; i++) {
            sb_puts(out, i == 0 ? "" : agg ? "\n" : ",");
            ser_value(out, ns.v[i], agg != 0, 0);
        }
        sb_puts(out, agg ? "" : "]");
    }
    xfree(ns.v);
    path_free(&p);
    return 1;
}

/* ---------------------------------------------------------------- */
/* deterministic document generators                                 */
/* ---------------------------------------------------------------- */

static uint64_t rng_state = 0x2545F4914F6CDD1DULL;

static uint32_t rng_below(uint32_t n)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (uint32_t)((z ^ (z >> 31)) % n);
}

static void gen_inventory(struct sbuf *b, uint32_t n)
{
    static const char *const tag_sets[] = {"", "\"t0\"", "\"t1\", \"t0\"", "\"t2\"",
                                           "\"t3\", \"t4\"", "\"t5\", \"t2\", \"t1\""};
    char line[256], name[12];
    sb_puts(b, "{\"warehouse\": \"generated\",\n \"items\": [\n");
    for (uint32_t i = 0; i < n; i++) {
        uint32_t qty = rng_below(21), cents = 100 + rng_below(99900), w = 1 + rng_below(50);
        uint32_t len = 3 + rng_below(6), tags = rng_below(6);
        for (uint32_t k = 0; k < len; k++)
            name[k] = (char)('a' + rng_below(26));
        name[len] = 0;
        snprintf(line, sizeof line,
                 "  {\"id\": %u, \"name\": \"%s\", \"price\": %u.%02u, \"qty\": %u, \"tags\": [%s], "
                 "\"dims\": {\"w\": %u, \"h\": %u}}%s\n",
                 i, name, cents / 100, cents % 100, qty, tag_sets[tags], w, 1 + rng_below(30),
                 i + 1 < n ? "," : "");
        sb_puts(b, line);
    }
    snprintf(line, sizeof line, " ],\n \"count\": %u}\n", n);
    sb_puts(b, line);
}

/* ---------------------------------------------------------------- */
/* embedded documents and expected results                           */
/* ---------------------------------------------------------------- */

static const char store_doc[] =
    "{\n"
    "  \"store\": {\n"
    "    \"name\": \"Corner Books & Tools\",\n"
    "    \"book\": [\n"
    "      {\"category\": \"reference\", \"author\": \"A. Lindqvist\",\n"
    "       \"title\": \"Field Guide to Lichens\", \"price\": 8.95, \"qty\": 4,\n"
    "       \"isbn\": \"0-111-22222-3\"},\n"
    "      {\"category\": \"fiction\", \"author\": \"M. Okafor\",\n"
    "       \"title\": \"The Salt Road\", \"price\": 12.99, \"qty\": 0},\n"
    "      {\"category\": \"fiction\", \"author\": \"R. Tanaka\",\n"
    "       \"title\": \"Winter Harbour\", \"price\": 8.99, \"qty\": 7,\n"
    "       \"isbn\": \"0-333-44444-5\"},\n"
    "      {\"category\": \"fiction\", \"author\": \"J. Moreau\",\n"
    "       \"title\": \"Caf\\u00e9 at Midnight\", \"price\": 22.99, \"qty\": 2,\n"
    "       \"isbn\": \"0-555-66666-7\"},\n"
    "      {\"category\": \"science\", \"author\": \"P. Ivanova\",\n"
    "       \"title\": \"Small Numbers\", \"price\": 15, \"qty\": 11}\n"
    "    ],\n"
    "    \"tools\": [\n"
    "      {\"name\": \"hammer\", \"price\": 19.5, \"qty\": 3, \"tags\": [\"steel\", \"hand\"]},\n"
    "      {\"name\": \"saw\", \"price\": 24.25, \"qty\": 5, \"tags\": [\"hand\"]},\n"
    "      {\"name\": \"drill\", \"price\": 89.0, \"qty\": 1, \"tags\": [\"power\", \"cordless\"]}\n"
    "    ],\n"
    "    \"open\": true,\n"
    "    \"manager\": null\n"
    "  },\n"
    "  \"expensive\": 10\n"
    "}\n";

static const char orders_doc[] =
    "{\"orders\": [\n"
    " {\"id\": 1001, \"customer\": {\"name\": \"Ana\", \"tier\": \"gold\"},\n"
    "  \"items\": [{\"sku\": \"A-1\", \"price\": 2.50, \"qty\": 4},\n"
    "            {\"sku\": \"B-7\", \"price\": 10, \"qty\": 1}],\n"
    "  \"discount\": -1.25, \"paid\": true},\n"
    " {\"id\": 1002, \"customer\": {\"name\": \"Bo\", \"tier\": \"silver\"},\n"
    "  \"items\": [{\"sku\": \"C-3\", \"price\": 1.5e1, \"qty\": 2}],\n"
    "  \"discount\": 0, \"paid\": false},\n"
    " {\"id\": 1003, \"customer\": {\"name\": \"Chidi\", \"tier\": \"gold\"},\n"
    "  \"items\": [{\"sku\": \"A-1\", \"price\": 2.5, \"qty\": 10},\n"
    "            {\"sku\": \"D-2\", \"price\": 0.125, \"qty\": 8},\n"
    "            {\"sku\": \"E-9\", \"price\": 99.99, \"qty\": 1}],\n"
    "  \"discount\": -12.5E-1, \"paid\": true},\n"
    " {\"id\": 1004, \"customer\": {\"name\": \"Dana\", \"tier\": \"bronze\"},\n"
    "  \"items\": [], \"discount\": 0, \"paid\": null}\n"
    "],\n"
    "\"meta\": {\"currency\": \"EUR\",\n"
    "  \"note\": \"tab\\there \\\"quoted\\\" back\\\\slash \\/ \\u00e9\\u263A\\ud83d\\ude00\",\n"
    "  \"ctrl\": \"\\b\\f\\r\\n\\u0001\\u001F\\u0000end\",\n"
    "  \"version\": 3, \"big\": 9223372036854775807, \"neg\": -9223372036854775808,\n"
    "  \"tiny\": 1.25e-4, \"zero\": -0.0, \"sci\": 4E2}}\n";

enum { DOC_STORE, DOC_ORDERS, DOC_INVENTORY, DOC_COUNT };

struct qcase {
    int doc;
    int agg; /* as for run_query */
    const char *query;
    const char *expect;
};

static const struct qcase qcases[] = {
    {DOC_STORE, 0, "$.store.book[2].title", "[\"Winter Harbour\"]"},
    {DOC_STORE, 0, "$.store.book[*].author",
     "[\"A. Lindqvist\",\"M. Okafor\",\"R. Tanaka\",\"J. Moreau\",\"P. Ivanova\"]"},
    {DOC_STORE, 0, "$.store.book[-1].price", "[15]"},
    {DOC_STORE, 0, "$.store.book[?(@.qty > 3)].title",
     "[\"Field Guide to Lichens\",\"Winter Harbour\",\"Small Numbers\"]"},
    {DOC_STORE, 0, "$.store.book[?(@.isbn)].qty", "[4,7,2]"},
    {DOC_STORE, 0, "$..price", "[8.95,12.99,8.99,22.99,15,19.5,24.25,89.0]"},
    {DOC_STORE, 0, "$.store.book[1:3].author", "[\"M. Okafor\",\"R. Tanaka\"]"},
    {DOC_STORE, 0, "$.store.book[?(@.category == 'fiction' && @.price < 20)].title",
     "[\"The Salt Road\",\"Winter Harbour\"]"},
    {DOC_STORE, 0, "$.store.tools[*].tags[0]", "[\"steel\",\"hand\",\"power\"]"},
    {DOC_STORE, 0, "$['store'][\"name\"]", "[\"Corner Books & Tools\"]"},
    {DOC_STORE, 0, "$.store.book[3].title", "[\"Caf\xc3\xa9 at Midnight\"]"},
    {DOC_STORE, 0, "$.store.missing.deeper", "[]"},
    {DOC_STORE, 0, "$.store.book[?(@.price > 20 || @.qty == 0)].author",
     "[\"M. Okafor\",\"J. Moreau\"]"},
    {DOC_STORE, 0, "$.store.book[?(!(@.category == 'fiction'))].title",
     "[\"Field Guide to Lichens\",\"Small Numbers\"]"},
    {DOC_STORE, 0, "$..tools[?(@.qty >= 3)].name", "[\"hammer\",\"saw\"]"},
    {DOC_STORE, 0, "$.store.tools[?(@.tags[*] == 'hand')].price", "[19.5,24.25]"},
    {DOC_STORE, 0, "$.store.book[?(@.price > $.expensive)].qty", "[0,2,11]"},
    {DOC_STORE, 0, "$.store[?(@ == true)]", "[true]"},
    {DOC_STORE, -1, "$.store.tools[?(@.name == 'hammer')]",
     "{\n  \"name\": \"hammer\",\n  \"price\": 19.5,\n  \"qty\": 3,\n"
     "  \"tags\": [\n    \"steel\",\n    \"hand\"\n  ]\n}"},
    {DOC_STORE, -1, "$.store.book[0:2].qty", "4\n0"},
    {DOC_STORE, 1, "$.store.book[*].price",
     "count=5 sum=68.92 min=8.95 max=22.99 avg=13.784"},
    {DOC_STORE, 1, "$..qty", "count=8 sum=33.0 min=0 max=11 avg=4.125"},
    {DOC_STORE, 1, "$.store.*", "count=5 sum=0.0 min=null max=null avg=null"},
    {DOC_ORDERS, 0, "$.orders[?(@.customer.tier == 'gold')].id", "[1001,1003]"},
    {DOC_ORDERS, 0, "$..sku", "[\"A-1\",\"B-7\",\"C-3\",\"A-1\",\"D-2\",\"E-9\"]"},
    {DOC_ORDERS, 0, "$.meta.ctrl", "[\"\\b\\f\\r\\n\\u0001\\u001f\\u0000end\"]"},
    {DOC_ORDERS, 0, "$.meta.note",
     "[\"tab\\there \\\"quoted\\\" back\\\\slash / \xc3\xa9\xe2\x98\xba\xf0\x9f\x98\x80\"]"},
    {DOC_ORDERS, 0, "$.orders[?(@.paid == null)].customer.name", "[\"Dana\"]"},
    {DOC_ORDERS, 0, "$.orders[?(@.discount < 0)].id", "[1001,1003]"},
    {DOC_ORDERS, 0, "$.orders[-2:].id", "[1003,1004]"},
    {DOC_ORDERS, 0, "$.orders[?(@.items[?(@.qty >= 8)])].id", "[1003]"},
    {DOC_ORDERS, 0, "$.orders[?(@.discount == -1.25)].customer.name", "[\"Ana\",\"Chidi\"]"},
    {DOC_ORDERS, 0, "$.meta[tiny]", "ERR"},
    {DOC_ORDERS, 0, "$.meta['tiny']", "[0.000125]"},
    {DOC_ORDERS, 0, "$..[0].sku", "[\"A-1\",\"C-3\",\"A-1\"]"},
    {DOC_ORDERS, 1, "$.orders[*].items[*].price",
     "count=6 sum=130.115 min=0.125 max=99.99 avg=21.685833"},
    {DOC_ORDERS, 1, "$.meta.*",
     "count=9 sum=overflow min=-9223372036854775808 max=9223372036854775807 avg=null"},
    {DOC_ORDERS, 1, "$.orders[*].discount", "count=4 sum=-2.5 min=-1.25 max=0 avg=-0.625"},
    {DOC_ORDERS, 0, "$.meta[?(@ >= 3)]", "[3,9223372036854775807,400.0]"},
    {DOC_ORDERS, 1, "$.meta[?(@ >= 3)]", "count=3 sum=overflow min=3 max=9223372036854775807 avg=null"},
    {DOC_INVENTORY, 1, "$.items[*].qty",
     "count=120 sum=1099.0 min=0 max=20 avg=9.158333"},
    {DOC_INVENTORY, 1, "$.items[*].price",
     "count=120 sum=60455.42 min=4.7 max=991.76 avg=503.795166"},
    {DOC_INVENTORY, 1, "$.items[?(@.qty > 10 && @.dims.w < 10)].price",
     "count=14 sum=8090.37 min=4.7 max=933.54 avg=577.883571"},
    {DOC_INVENTORY, 0, "$.items[7].name", "[\"vggn\"]"},
    {DOC_INVENTORY, 0, "$.items[?(@.price < 50)].id", "[11,70,105,110]"},
    {DOC_INVENTORY, 0, "$.items[-3:].tags[*]",
     "[\"t0\",\"t5\",\"t2\",\"t1\",\"t5\",\"t2\",\"t1\"]"},
};

/* malformed documents (line >= 1) and queries (line 0, col = offset) */
struct bad_input {
    const char *text;
    int line, col;
    const char *msg;
};

static const struct bad_input bad_inputs[] = {
    {"{\"a\": 1,}", 1, 9, "expected string key"},
    {"[1, 2", 1, 6, "unexpected end of input"},
    {"{\n  \"a\" 1\n}", 2, 7, "expected ':'"},
    {"[\"abc\\x\"]", 1, 6, "invalid escape"},
    {"[01]", 1, 2, "leading zero"},
    {"{\"k\": tru}", 1, 7, "invalid literal"},
    {"[\n\"\\ud800x\"]", 2, 2, "unpaired surrogate"},
    {"{\"a\":1,\"a\":2}", 1, 8, "duplicate key"},
    {"[1] 2", 1, 5, "trailing characters"},
    {"[1] x", 1, 5, "invalid literal"},
    {"[1,]", 1, 4, "unexpected token"},
    {"\n\n  [99999999999999999999]", 3, 4, "number out of range"},
    {"[\"a\tb\"]", 1, 4, "control character in string"},
    {"[\"\xff\"]", 1, 3, "invalid UTF-8"},
    {"[1.]", 1, 4, "digit expected"},
    {"[-]", 1, 3, "digit expected"},
    {"[2e+]", 1, 5, "digit expected"},
    {"[1e400]", 1, 2, "number out of range"},
    {"[0, 9223372036854.775808]", 1, 5, "number out of range"},
    {"{\"n\": -9223372036854775809}", 1, 7, "number out of range"},
    {"", 1, 1, "unexpected end of input"},
    {"{\"a\": [1, 2}", 1, 12, "expected ',' or ']'"},
    {"[1, ?]", 1, 5, "unexpected character"},
    {"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", 1, MAX_DEPTH + 1,
     "nesting too deep"},
    {"$.store.book[", 0, 13, "bad bracket expression"},
    {"$.a[?(@.x >)]", 0, 11, "expected operand"},
    {"store.book", 0, 0, "query must start with '$'"},
    {"$..", 0, 3, "expected member name"},
    {"$.a[1", 0, 5, "expected ']'"},
    {"$.a[?(@.b == 'x']", 0, 16, "expected ')'"},
    {"$.a b", 0, 4, "unexpected character in query"},
    {"$.a[?(3)]", 0, 7, "expected comparison"},
};

struct eq_pair {
    const char *a, *b;
    int equal;
};

static const struct eq_pair eq_pairs[] = {
    {"{\"a\":1,\"b\":[2.50,{\"x\":null,\"y\":\"s\"}]}",
     "{\"b\":[2.5,{\"y\":\"s\",\"x\":null}],\"a\":1.0}", 1},
    {"[1,2,3]", "[1,3,2]", 0},
    {"{\"\\u00e9\":\"\\ud83d\\ude00\"}", "{\"\xc3\xa9\":\"\xf0\x9f\x98\x80\"}", 1},
    {"{\"a\":1}", "{\"a\":1,\"b\":null}", 0},
    {"[9223372036854]", "[9223372036854.0]", 1},
    {"[9223372036855]", "[9223372036854.775807]", 0},
    {"[\"a\\u0000b\"]", "[\"a\"]", 0},
    {"[true,false]", "[true,0]", 0},
    {"{}", "[]", 0},
    {"[-0.0, 1e-7, 25e-1]", "[0, 0, 2.5]", 1},
    {"[1e2, 1E+2, 0.1e3, 1e0000000000000000002]", "[100, 100, 100, 100.000]", 1},
    {"[123.4567891, -0.0000019]", "[123.456789, -0.000001]", 1},
    {"[39.90968460E+1, 0.00000000000000000000000000001e30, -9223372036854.775808]",
     "[399.096846, 10, -9223372036854.775808]", 1},
};

#define INV_ITEMS 120

static int failures;

static void fail(const char *what, const char *detail)
{
    failures++;
    printf("FAILED: %s -- %s\n", what, detail ? detail : "?");
}

/* compact and pretty output both reparse to an equal document with the same
 * hash, and compacting the reparsed document reproduces the same text */
static int round_trip(const struct jvalue *v, struct sbuf *compact)
{
    struct sbuf again = {0}, pretty = {0};
    struct jerror err;
    ser_value(compact, v, 0, 0);
    ser_value(&pretty, v, 1, 0);
    struct jvalue *a = json_parse(compact->p, compact->len, &err);
    struct jvalue *b = json_parse(pretty.p, pretty.len, &err);
    int ok = a && b;
    if (ok) {
        ser_value(&again, a, 0, 0);
        ok = jv_equal(v, a) && jv_equal(v, b) && jv_hash(v) == jv_hash(a) &&
             jv_hash(v) == jv_hash(b) && strcmp(compact->p, again.p) == 0;
    }
    jv_free(a);
    jv_free(b);
    sb_free(&again);
    sb_free(&pretty);
    return ok;
}

int main(void)
{
    static const char *const names[DOC_COUNT] = {"store", "orders", "inventory"};
    static const uint64_t want_hash[DOC_COUNT] = {0x859d0fc8d8d09e0fULL, 0x34c505067a3beaceULL,
                                                   0x60922c600f104541ULL};
    struct sbuf text[DOC_COUNT] = {{0}}, out = {0};
    struct jvalue *docs[DOC_COUNT] = {0}, *x, *y;
    struct jerror err;
    struct agg a;
    size_t passed = 0, n;
    uint64_t h;

    sb_puts(&text[DOC_STORE], store_doc);
    sb_puts(&text[DOC_ORDERS], orders_doc);
    gen_inventory(&text[DOC_INVENTORY], INV_ITEMS);

    /* parse, round trip and fingerprint each document */
    for (int d = 0; d < DOC_COUNT; d++) {
        docs[d] = json_parse(text[d].p, text[d].len, &err);
        out.len = 0;
        if (!docs[d] || !round_trip(docs[d], &out)) {
            fail(names[d], docs[d] ? "round trip" : err.msg);
            continue;
        }
        h = hash_bytes(jv_hash(docs[d]), out.p, out.len);
        printf("%-9s %5zu bytes, %5zu compact, hash %016llx\n", names[d], text[d].len, out.len,
               (unsigned long long)h);
        if (h != want_hash[d])
            fail(names[d], "unexpected hash");
    }
    if (failures)
        goto done;

    /* path queries against hard-coded results */
    n = sizeof qcases / sizeof qcases[0];
    for (size_t i = 0; i < n; i++) {
        out.len = 0;
        run_query(docs[qcases[i].doc], qcases[i].query, qcases[i].agg, &out, &a);
        if (strcmp(sb_str(&out), qcases[i].expect) == 0)
            passed++;
        else
            fail(qcases[i].query, sb_str(&out));
    }
    printf("queries: %zu/%zu as expected\n", passed, n);

    /* malformed documents and queries are rejected at the expected place */
    passed = 0;
    n = sizeof bad_inputs / sizeof bad_inputs[0];
    for (size_t i = 0; i < n; i++) {
        const struct bad_input *b = &bad_inputs[i];
        struct path p;
        struct qparser qp;
        const char *msg;
        int line = 0, col;
        if (b->line) {
            x = json_parse(b->text, strlen(b->text), &err);
            msg = x ? NULL : err.msg;
            jv_free(x);
            line = err.line;
            col = err.col;
        } else {
            msg = query_compile(b->text, &p, &qp) ? NULL : qp.err;
            col = (int)qp.err_pos;
            path_free(&p);
        }
        if (msg && strcmp(msg, b->msg) == 0 && line == b->line && col == b->col)
            passed++;
        else
            fail(b->text, msg);
    }
    printf("malformed inputs: %zu/%zu rejected at the expected position\n", passed, n);

    /* deep equality and hashing ignore key order and number spelling */
    passed = 0;
    n = sizeof eq_pairs / sizeof eq_pairs[0];
    for (size_t i = 0; i < n; i++) {
        x = json_parse(eq_pairs[i].a, strlen(eq_pairs[i].a), &err);
        y = json_parse(eq_pairs[i].b, strlen(eq_pairs[i].b), &err);
        if (!x || !y || jv_equal(x, y) != eq_pairs[i].equal ||
            (jv_hash(x) == jv_hash(y)) != eq_pairs[i].equal)
            fail(eq_pairs[i].a, eq_pairs[i].b);
        else
            passed++;
        jv_free(x);
        jv_free(y);
    }
    printf("equality pairs: %zu/%zu as expected\n", passed, n);

done:
    for (int d = 0; d < DOC_COUNT; d++) {
        jv_free(docs[d]);
        sb_free(&text[d]);
    }
    sb_free(&out);
    if (live_blocks != 0)
        fail("allocations", "not all memory was released");
    printf(failures ? "FAIL\n" : "OK\n");
    return failures ? 1 : 0;
}
