#ifndef MINILANG_H
#define MINILANG_H

#include <stddef.h>
#include <stdint.h>

#define ML_MAX_TOKENS 4096
#define ML_MAX_SYMS 128
#define ML_NAME_LEN 24
#define ML_MAX_OUTPUT 64

/* ---- lexer ---- */
typedef enum {
    T_EOF, T_NUM, T_IDENT,
    T_WHILE, T_IF, T_ELSE, T_PRINT, T_FUNC, T_RETURN, T_ARRAY,
    T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT,
    T_LPAREN, T_RPAREN, T_LBRACE, T_RBRACE, T_LBRACKET, T_RBRACKET,
    T_SEMI, T_COMMA, T_ASSIGN,
    T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_AND, T_OR, T_NOT
} token_type;

typedef struct {
    token_type type;
    int64_t value; /* T_NUM */
    int sym;       /* T_IDENT: interned symbol id */
    int line;
} token;

int ml_intern(const char *name, size_t len);
const char *ml_symbol_name(int sym);
void ml_reset_symbols(void);
/* Returns the number of tokens (the last one is T_EOF) or -1 on a lexical error. */
int ml_lex(const char *src, token *out, int max_tokens, char *err, size_t errlen);
const char *ml_token_name(token_type t);

/* ---- syntax tree ---- */
typedef enum {
    N_NUM, N_VAR, N_INDEX, N_CALL, N_BINARY, N_UNARY,
    N_ASSIGN, N_ASSIGN_INDEX, N_ARRAY_DECL, N_WHILE, N_IF, N_BLOCK,
    N_PRINT, N_RETURN, N_EXPR_STMT, N_FUNC
} node_kind;

typedef struct node {
    node_kind kind;
    token_type op;      /* operator for N_BINARY / N_UNARY */
    int64_t value;      /* N_NUM */
    int sym;            /* variable, array or function name */
    int line;
    struct node *a, *b, *c;
    struct node **list; /* block statements or call arguments */
    int count;
    int *params;        /* N_FUNC parameter symbols */
    int nparams;
} node;

/* Parses a whole program into an N_BLOCK; returns NULL and fills err on a syntax error. */
node *ml_parse(const token *toks, int ntoks, char *err, size_t errlen);
void ml_free(node *n);
int ml_count_nodes(const node *n);

/* ---- evaluator ---- */
typedef struct {
    int64_t output[ML_MAX_OUTPUT];
    int noutput;
    long steps;
    int error;
    char message[96];
} ml_result;

void ml_run(const node *program, long step_limit, ml_result *res);

#endif
