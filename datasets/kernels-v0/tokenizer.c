// kernels-v0: C-like lexer over an embedded source text, counting token kinds
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum token_kind {
    TK_EOF,
    TK_IDENT,
    TK_KEYWORD,
    TK_INT,
    TK_FLOAT,
    TK_STRING,
    TK_CHAR,
    TK_OPERATOR,
    TK_PUNCT,
    TK_PREPROC,
    TK_ERROR,
    TK_COUNT
};

static const char *const kind_names[TK_COUNT] = {
    "eof",      "ident", "keyword",  "int",     "float", "string",
    "char",     "op",    "punct",    "preproc", "error",
};

struct token {
    enum token_kind kind;
    const char *start;
    size_t len;
    int line;
};

struct lexer {
    const char *src;
    size_t pos;
    size_t len;
    int line;
    size_t skipped; /* bytes of whitespace and comments */
};

static const char *const keywords[] = {
    "auto",   "break",   "case",     "char",   "const",    "continue",
    "default", "do",     "double",   "else",   "enum",     "extern",
    "float",  "for",     "goto",     "if",     "int",      "long",
    "return", "short",   "signed",   "sizeof", "static",   "struct",
    "switch", "typedef", "union",    "unsigned", "void",   "while",
};

/* Operators, longest first so that greedy matching works. */
static const char *const operators[] = {
    "<<=", ">>=", "...", "->", "++", "--", "<<", ">>", "<=", ">=", "==",
    "!=",  "&&",  "||",  "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
    "+",   "-",   "*",   "/",  "%",  "<",  ">",  "=",  "!",  "~",  "&",
    "|",   "^",   "?",   ":",  ".",
};

static const char source_text[] =
    "#include <stdio.h>\n"
    "#define MAX 100\n"
    "/* A small program used as lexer input.\n"
    "   It contains most of the token kinds. */\n"
    "typedef struct node {\n"
    "    int value;\n"
    "    struct node *next;\n"
    "} node_t;\n"
    "\n"
    "static unsigned long hash(const char *s) {\n"
    "    unsigned long h = 5381UL;\n"
    "    while (*s != '\\0') {\n"
    "        h = ((h << 5) + h) ^ (unsigned char)*s++; // djb2 variant\n"
    "    }\n"
    "    return h & 0xFFFFFFFFul;\n"
    "}\n"
    "\n"
    "double average(const int *xs, int n) {\n"
    "    double sum = 0.0;\n"
    "    for (int i = 0; i < n; ++i)\n"
    "        sum += xs[i] * 1.5e-3 + .25;\n"
    "    return n > 0 ? sum / n : -1.0f;\n"
    "}\n"
    "\n"
    "int main(int argc, char **argv) {\n"
    "    node_t nodes[MAX];\n"
    "    char msg[] = \"hello, \\\"world\\\"\\n\";\n"
    "    int count = 0x1F, mask = 0777, shift = 3;\n"
    "    count <<= shift; mask >>= 1;\n"
    "    for (int i = 0; i < MAX && i != 42 || 0; i++) {\n"
    "        nodes[i].value = i % 7 - (i / 3);\n"
    "        nodes[i].next = i + 1 < MAX ? &nodes[i + 1] : 0;\n"
    "        if (nodes[i].value >= 2) continue; else if (i <= 1) break;\n"
    "    }\n"
    "    switch (argc) {\n"
    "    case 1: count -= 2; break;\n"
    "    case 2: count *= 3; /* fallthrough */\n"
    "    default: count |= 4; count &= ~1; count ^= 0xAB;\n"
    "    }\n"
    "    node_t *p = &nodes[0];\n"
    "    while (p != 0 && p->value != -1) p = p->next;\n"
    "    printf(\"%d %s %c\\n\", count, msg, 'x');\n"
    "    return sizeof(node_t) == 16 ? 0 : !count;\n"
    "}\n"
    "int bad = 3 @ 4; char c = '\\t'; float f = 6.02E+23F;\n";

static int is_alpha(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static int is_hex(int c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int peek(const struct lexer *lx, size_t ahead) {
    size_t p = lx->pos + ahead;
    return p < lx->len ? (unsigned char)lx->src[p] : '\0';
}

static void skip_space_and_comments(struct lexer *lx) {
    for (;;) {
        int c = peek(lx, 0);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (c == '\n')
                lx->line++;
            lx->pos++;
            lx->skipped++;
        } else if (c == '/' && peek(lx, 1) == '/') {
            while (peek(lx, 0) != '\n' && peek(lx, 0) != '\0') {
                lx->pos++;
                lx->skipped++;
            }
        } else if (c == '/' && peek(lx, 1) == '*') {
            lx->pos += 2;
            lx->skipped += 2;
            while (peek(lx, 0) != '\0' &&
                   !(peek(lx, 0) == '*' && peek(lx, 1) == '/')) {
                if (peek(lx, 0) == '\n')
                    lx->line++;
                lx->pos++;
                lx->skipped++;
            }
            if (peek(lx, 0) != '\0') {
                lx->pos += 2;
                lx->skipped += 2;
            }
        } else {
            return;
        }
    }
}

static int is_keyword(const char *s, size_t len) {
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
        if (strlen(keywords[i]) == len && memcmp(keywords[i], s, len) == 0)
            return 1;
    }
    return 0;
}

static enum token_kind lex_number(struct lexer *lx) {
    enum token_kind kind = TK_INT;
    if (peek(lx, 0) == '0' && (peek(lx, 1) == 'x' || peek(lx, 1) == 'X')) {
        lx->pos += 2;
        while (is_hex(peek(lx, 0)))
            lx->pos++;
    } else {
        while (is_digit(peek(lx, 0)))
            lx->pos++;
        if (peek(lx, 0) == '.') {
            kind = TK_FLOAT;
            lx->pos++;
            while (is_digit(peek(lx, 0)))
                lx->pos++;
        }
        if (peek(lx, 0) == 'e' || peek(lx, 0) == 'E') {
            kind = TK_FLOAT;
            lx->pos++;
            if (peek(lx, 0) == '+' || peek(lx, 0) == '-')
                lx->pos++;
            while (is_digit(peek(lx, 0)))
                lx->pos++;
        }
    }
    /* suffixes */
    while (peek(lx, 0) == 'u' || peek(lx, 0) == 'U' || peek(lx, 0) == 'l' ||
           peek(lx, 0) == 'L' || peek(lx, 0) == 'f' || peek(lx, 0) == 'F') {
        if (peek(lx, 0) == 'f' || peek(lx, 0) == 'F')
            kind = TK_FLOAT;
        lx->pos++;
    }
    return kind;
}

static enum token_kind lex_quoted(struct lexer *lx, char quote) {
    lx->pos++; /* opening quote */
    while (peek(lx, 0) != quote) {
        int c = peek(lx, 0);
        if (c == '\0' || c == '\n')
            return TK_ERROR;
        if (c == '\\')
            lx->pos++;
        lx->pos++;
    }
    lx->pos++; /* closing quote */
    return quote == '"' ? TK_STRING : TK_CHAR;
}

static struct token next_token(struct lexer *lx) {
    struct token t;
    skip_space_and_comments(lx);
    t.start = lx->src + lx->pos;
    t.line = lx->line;
    int c = peek(lx, 0);
    size_t begin = lx->pos;
    if (c == '\0') {
        t.kind = TK_EOF;
    } else if (c == '#') {
        while (peek(lx, 0) != '\n' && peek(lx, 0) != '\0')
            lx->pos++;
        t.kind = TK_PREPROC;
    } else if (is_alpha(c)) {
        while (is_alnum(peek(lx, 0)))
            lx->pos++;
        t.kind = is_keyword(t.start, lx->pos - begin) ? TK_KEYWORD : TK_IDENT;
    } else if (is_digit(c) || (c == '.' && is_digit(peek(lx, 1)))) {
        t.kind = lex_number(lx);
    } else if (c == '"' || c == '\'') {
        t.kind = lex_quoted(lx, (char)c);
    } else if (strchr("(){}[];,", c) != NULL) {
        lx->pos++;
        t.kind = TK_PUNCT;
    } else {
        t.kind = TK_ERROR;
        for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
            size_t ol = strlen(operators[i]);
            if (lx->pos + ol <= lx->len &&
                memcmp(lx->src + lx->pos, operators[i], ol) == 0) {
                lx->pos += ol;
                t.kind = TK_OPERATOR;
                break;
            }
        }
        if (t.kind == TK_ERROR)
            lx->pos++;
    }
    t.len = lx->pos - begin;
    return t;
}

static uint32_t fnv1a(uint32_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

int main(void) {
    static const unsigned expected_counts[TK_COUNT] = {
        1, 85, 46, 33, 5, 2, 3, 81, 104, 2, 1};
    const uint32_t expected_hash = 0x8207c208u;
    unsigned counts[TK_COUNT] = {0};
    uint32_t hash = 2166136261u;
    size_t token_bytes = 0;
    int last_line = 0;
    int passes = 200; /* lex the text several times to make it a real workload */

    for (int rep = 0; rep < passes; rep++) {
        struct lexer lx = {source_text, 0, sizeof source_text - 1, 1, 0};
        unsigned local[TK_COUNT] = {0};
        size_t bytes = 0;
        struct token t;
        do {
            t = next_token(&lx);
            local[t.kind]++;
            bytes += t.len;
            if (rep == 0)
                hash = fnv1a(hash ^ (uint32_t)t.kind, t.start, t.len);
        } while (t.kind != TK_EOF);
        /* every byte is either part of a token or skipped */
        if (bytes + lx.skipped != lx.len) {
            printf("byte accounting failed: %zu + %zu != %zu\n", bytes,
                   lx.skipped, lx.len);
            return 1;
        }
        if (rep == 0) {
            memcpy(counts, local, sizeof counts);
            token_bytes = bytes;
            last_line = lx.line;
        } else if (memcmp(counts, local, sizeof counts) != 0) {
            printf("lexing is not repeatable\n");
            return 1;
        }
    }

    int ok = 1;
    unsigned total = 0;
    for (int k = 0; k < TK_COUNT; k++) {
        printf("%-8s %u\n", kind_names[k], counts[k]);
        total += counts[k];
        if (counts[k] != expected_counts[k])
            ok = 0;
    }
    printf("tokens %u, token bytes %zu, lines %d\n", total, token_bytes,
           last_line);
    printf("hash %08x\n", (unsigned)hash);
    if (hash != expected_hash)
        ok = 0;
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
