#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minilang.h"

typedef struct {
    const token *toks;
    int pos, ntoks;
    int in_function;
    char *err;
    size_t errlen;
    int failed;
} parser;

static const token *peek(const parser *p) { return &p->toks[p->pos < p->ntoks ? p->pos : p->ntoks - 1]; }

static const token *advance(parser *p) {
    const token *t = peek(p);
    if (p->pos < p->ntoks - 1) p->pos++;
    return t;
}

static int accept(parser *p, token_type type) {
    if (peek(p)->type != type) return 0;
    advance(p);
    return 1;
}

static int fail(parser *p, const char *what) {
    if (!p->failed) {
        const token *t = peek(p);
        snprintf(p->err, p->errlen, "line %d: expected %s but found %s", t->line, what, ml_token_name(t->type));
        p->failed = 1;
    }
    return 0;
}

static int expect(parser *p, token_type type) { return accept(p, type) || fail(p, ml_token_name(type)); }

static node *new_node(node_kind kind, int line) {
    node *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = kind;
    n->line = line;
    n->sym = -1;
    return n;
}

static int append(node *parent, node *child) {
    node **grown = realloc(parent->list, (size_t)(parent->count + 1) * sizeof *grown);
    if (!grown) return 0;
    parent->list = grown;
    parent->list[parent->count++] = child;
    return 1;
}

void ml_free(node *n) {
    if (!n) return;
    ml_free(n->a);
    ml_free(n->b);
    ml_free(n->c);
    for (int i = 0; i < n->count; i++) ml_free(n->list[i]);
    free(n->list);
    free(n->params);
    free(n);
}

int ml_count_nodes(const node *n) {
    if (!n) return 0;
    int c = 1 + ml_count_nodes(n->a) + ml_count_nodes(n->b) + ml_count_nodes(n->c);
    for (int i = 0; i < n->count; i++) c += ml_count_nodes(n->list[i]);
    return c;
}

static node *parse_expr(parser *p);
static node *parse_statement(parser *p);

static node *parse_primary(parser *p) {
    const token *t = peek(p);
    node *n;
    switch (t->type) {
    case T_NUM:
        advance(p);
        if ((n = new_node(N_NUM, t->line))) n->value = t->value;
        return n;
    case T_LPAREN:
        advance(p);
        n = parse_expr(p);
        if (n && !expect(p, T_RPAREN)) {
            ml_free(n);
            return NULL;
        }
        return n;
    case T_IDENT:
        advance(p);
        if (accept(p, T_LPAREN)) {
            if (!(n = new_node(N_CALL, t->line))) return NULL;
            n->sym = t->sym;
            if (!accept(p, T_RPAREN)) {
                do {
                    node *arg = parse_expr(p);
                    if (!arg || !append(n, arg)) {
                        ml_free(arg);
                        ml_free(n);
                        return NULL;
                    }
                } while (accept(p, T_COMMA));
                if (!expect(p, T_RPAREN)) {
                    ml_free(n);
                    return NULL;
                }
            }
            return n;
        }
        if (accept(p, T_LBRACKET)) {
            if (!(n = new_node(N_INDEX, t->line))) return NULL;
            n->sym = t->sym;
            n->a = parse_expr(p);
            if (!n->a || !expect(p, T_RBRACKET)) {
                ml_free(n);
                return NULL;
            }
            return n;
        }
        if ((n = new_node(N_VAR, t->line))) n->sym = t->sym;
        return n;
    default:
        fail(p, "an expression");
        return NULL;
    }
}

static node *parse_unary(parser *p) {
    const token *t = peek(p);
    if (t->type == T_MINUS || t->type == T_NOT) {
        advance(p);
        node *operand = parse_unary(p);
        if (!operand) return NULL;
        node *n = new_node(N_UNARY, t->line);
        if (!n) {
            ml_free(operand);
            return NULL;
        }
        n->op = t->type;
        n->a = operand;
        return n;
    }
    return parse_primary(p);
}

/* Binary operator precedence levels, loosest first; every level is left-associative. */
static const token_type levels[][5] = {
    {T_OR},
    {T_AND},
    {T_EQ, T_NE},
    {T_LT, T_LE, T_GT, T_GE},
    {T_PLUS, T_MINUS},
    {T_STAR, T_SLASH, T_PERCENT},
};
#define NLEVELS ((int)(sizeof levels / sizeof levels[0]))

static int in_level(int level, token_type t) {
    for (int i = 0; i < 5 && levels[level][i] != T_EOF; i++)
        if (levels[level][i] == t) return 1;
    return 0;
}

static node *parse_level(parser *p, int level) {
    if (level == NLEVELS) return parse_unary(p);
    node *lhs = parse_level(p, level + 1);
    while (lhs && in_level(level, peek(p)->type)) {
        const token *op = advance(p);
        node *rhs = parse_level(p, level + 1);
        node *n = rhs ? new_node(N_BINARY, op->line) : NULL;
        if (!n) {
            ml_free(lhs);
            ml_free(rhs);
            return NULL;
        }
        n->op = op->type;
        n->a = lhs;
        n->b = rhs;
        lhs = n;
    }
    return lhs;
}

static node *parse_expr(parser *p) { return parse_level(p, 0); }

static node *parse_block(parser *p) {
    int line = peek(p)->line;
    if (!expect(p, T_LBRACE)) return NULL;
    node *block = new_node(N_BLOCK, line);
    if (!block) return NULL;
    while (!accept(p, T_RBRACE)) {
        if (peek(p)->type == T_EOF) {
            fail(p, "'}'");
            ml_free(block);
            return NULL;
        }
        node *s = parse_statement(p);
        if (!s || !append(block, s)) {
            ml_free(s);
            ml_free(block);
            return NULL;
        }
    }
    return block;
}

static node *parse_function(parser *p, int line) {
    const token *name = peek(p);
    if (!expect(p, T_IDENT) || !expect(p, T_LPAREN)) return NULL;
    node *f = new_node(N_FUNC, line);
    if (!f) return NULL;
    f->sym = name->sym;
    if (!accept(p, T_RPAREN)) {
        do {
            const token *param = peek(p);
            int *grown = realloc(f->params, (size_t)(f->nparams + 1) * sizeof *grown);
            if (!grown || !expect(p, T_IDENT)) {
                if (grown) f->params = grown;
                ml_free(f);
                return NULL;
            }
            f->params = grown;
            f->params[f->nparams++] = param->sym;
        } while (accept(p, T_COMMA));
        if (!expect(p, T_RPAREN)) {
            ml_free(f);
            return NULL;
        }
    }
    p->in_function = 1;
    f->a = parse_block(p);
    p->in_function = 0;
    if (!f->a) {
        ml_free(f);
        return NULL;
    }
    return f;
}

static node *parse_statement(parser *p) {
    const token *t = peek(p);
    node *n = NULL;
    switch (t->type) {
    case T_LBRACE:
        return parse_block(p);
    case T_WHILE:
    case T_IF:
        advance(p);
        if (!expect(p, T_LPAREN) || !(n = new_node(t->type == T_WHILE ? N_WHILE : N_IF, t->line))) return NULL;
        if (!(n->a = parse_expr(p)) || !expect(p, T_RPAREN) || !(n->b = parse_statement(p))) break;
        if (t->type == T_IF && accept(p, T_ELSE) && !(n->c = parse_statement(p))) break;
        return n;
    case T_PRINT:
    case T_RETURN:
        advance(p);
        if (!(n = new_node(t->type == T_PRINT ? N_PRINT : N_RETURN, t->line))) return NULL;
        if (t->type == T_RETURN && !p->in_function) {
            fail(p, "return inside a function");
            break;
        }
        if (t->type == T_RETURN && peek(p)->type == T_SEMI) {
            advance(p);
            return n;
        }
        if (!(n->a = parse_expr(p)) || !expect(p, T_SEMI)) break;
        return n;
    case T_ARRAY:
        advance(p);
        if (!(n = new_node(N_ARRAY_DECL, t->line))) return NULL;
        n->sym = peek(p)->sym;
        if (!expect(p, T_IDENT) || !expect(p, T_LBRACKET) || !(n->a = parse_expr(p)) || !expect(p, T_RBRACKET) ||
            !expect(p, T_SEMI))
            break;
        return n;
    case T_FUNC:
        advance(p);
        if (p->in_function) {
            fail(p, "a statement (nested functions are not allowed)");
            return NULL;
        }
        return parse_function(p, t->line);
    default: {
        node *e = parse_expr(p);
        if (!e) return NULL;
        if (accept(p, T_ASSIGN)) {
            if (e->kind != N_VAR && e->kind != N_INDEX) {
                fail(p, "an assignable expression");
                ml_free(e);
                return NULL;
            }
            e->kind = e->kind == N_VAR ? N_ASSIGN : N_ASSIGN_INDEX;
            n = e;
            if (!(n->b = parse_expr(p)) || !expect(p, T_SEMI)) break;
            return n;
        }
        if (!(n = new_node(N_EXPR_STMT, t->line))) {
            ml_free(e);
            return NULL;
        }
        n->a = e;
        if (!expect(p, T_SEMI)) break;
        return n;
    }
    }
    ml_free(n);
    return NULL;
}

node *ml_parse(const token *toks, int ntoks, char *err, size_t errlen) {
    parser p = {toks, 0, ntoks, 0, err, errlen, 0};
    node *program = new_node(N_BLOCK, 1);
    if (!program) return NULL;
    while (peek(&p)->type != T_EOF) {
        node *s = parse_statement(&p);
        if (!s || !append(program, s)) {
            ml_free(s);
            ml_free(program);
            if (!p.failed) snprintf(err, errlen, "out of memory");
            return NULL;
        }
    }
    return program;
}
