#include <stdio.h>
#include <string.h>

#include "minilang.h"

static char sym_names[ML_MAX_SYMS][ML_NAME_LEN];
static int nsyms;

void ml_reset_symbols(void) { nsyms = 0; }

int ml_intern(const char *name, size_t len) {
    if (len >= ML_NAME_LEN) return -1;
    for (int i = 0; i < nsyms; i++)
        if (strlen(sym_names[i]) == len && memcmp(sym_names[i], name, len) == 0) return i;
    if (nsyms == ML_MAX_SYMS) return -1;
    memcpy(sym_names[nsyms], name, len);
    sym_names[nsyms][len] = '\0';
    return nsyms++;
}

const char *ml_symbol_name(int sym) { return sym >= 0 && sym < nsyms ? sym_names[sym] : "?"; }

static const struct {
    const char *word;
    token_type type;
} keywords[] = {
    {"while", T_WHILE}, {"if", T_IF},         {"else", T_ELSE},   {"print", T_PRINT},
    {"func", T_FUNC},   {"return", T_RETURN}, {"array", T_ARRAY},
};

const char *ml_token_name(token_type t) {
    static const char *names[] = {
        "end of input", "number", "identifier", "while", "if", "else", "print", "func", "return", "array",
        "+", "-", "*", "/", "%", "(", ")", "{", "}", "[", "]", ";", ",", "=",
        "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!"};
    return (size_t)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Maps one- and two-character operators; returns the length consumed or 0. */
static int match_operator(const char *p, token_type *type) {
    static const struct {
        char text[3];
        token_type type;
    } ops[] = {
        {"==", T_EQ}, {"!=", T_NE}, {"<=", T_LE}, {">=", T_GE}, {"&&", T_AND}, {"||", T_OR},
        {"+", T_PLUS}, {"-", T_MINUS}, {"*", T_STAR}, {"/", T_SLASH}, {"%", T_PERCENT},
        {"(", T_LPAREN}, {")", T_RPAREN}, {"{", T_LBRACE}, {"}", T_RBRACE}, {"[", T_LBRACKET},
        {"]", T_RBRACKET}, {";", T_SEMI}, {",", T_COMMA}, {"=", T_ASSIGN}, {"<", T_LT}, {">", T_GT},
        {"!", T_NOT},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t n = strlen(ops[i].text);
        if (strncmp(p, ops[i].text, n) == 0) {
            *type = ops[i].type;
            return (int)n;
        }
    }
    return 0;
}

int ml_lex(const char *src, token *out, int max_tokens, char *err, size_t errlen) {
    const char *p = src;
    int n = 0, line = 1;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '#') {
            if (*p == '#') /* comment to end of line */
                while (*p && *p != '\n') p++;
            else if (*p++ == '\n')
                line++;
        }
        if (n == max_tokens) {
            snprintf(err, errlen, "line %d: too many tokens", line);
            return -1;
        }
        token *t = &out[n];
        t->line = line;
        t->value = 0;
        t->sym = -1;
        if (*p == '\0') {
            t->type = T_EOF;
            return n + 1;
        }
        if (is_digit(*p)) {
            uint64_t v = 0;
            while (is_digit(*p)) {
                uint64_t digit = (uint64_t)(*p++ - '0');
                if (v > ((uint64_t)INT64_MAX - digit) / 10u) {
                    snprintf(err, errlen, "line %d: number too large", line);
                    return -1;
                }
                v = v * 10u + digit;
            }
            t->type = T_NUM;
            t->value = (int64_t)v;
        } else if (is_alpha(*p)) {
            const char *start = p;
            while (is_alpha(*p) || is_digit(*p)) p++;
            size_t len = (size_t)(p - start);
            t->type = T_IDENT;
            for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++)
                if (strlen(keywords[k].word) == len && memcmp(keywords[k].word, start, len) == 0)
                    t->type = keywords[k].type;
            if (t->type == T_IDENT && (t->sym = ml_intern(start, len)) < 0) {
                snprintf(err, errlen, "line %d: bad identifier", line);
                return -1;
            }
        } else {
            int len = match_operator(p, &t->type);
            if (len == 0) {
                snprintf(err, errlen, "line %d: unexpected character '%c'", line, *p);
                return -1;
            }
            p += len;
        }
        n++;
    }
}
