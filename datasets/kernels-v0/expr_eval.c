// kernels-v0: recursive-descent and shunting-yard evaluation of generated arithmetic expressions
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUM_VARS 5
#define MAX_TOKENS 2048
#define MAX_TEXT 8192
#define NUM_EXPRS 1500

/* ---------------- checked 64-bit arithmetic ---------------- */

struct value {
    int64_t v;
    int err; /* sticky: overflow or division by zero somewhere */
};

static struct value mkval(int64_t v) {
    struct value r = {v, 0};
    return r;
}

static struct value apply_binary(char op, struct value a, struct value b) {
    struct value r = {0, a.err | b.err};
    if (r.err)
        return r;
    int64_t x = a.v, y = b.v;
    switch (op) {
    case '+':
        if ((y > 0 && x > INT64_MAX - y) || (y < 0 && x < INT64_MIN - y))
            r.err = 1;
        else
            r.v = x + y;
        break;
    case '-':
        if ((y < 0 && x > INT64_MAX + y) || (y > 0 && x < INT64_MIN + y))
            r.err = 1;
        else
            r.v = x - y;
        break;
    case '*': {
        if (x == 0 || y == 0) {
            r.v = 0;
            break;
        }
        if (x == INT64_MIN || y == INT64_MIN) {
            if (x == 1 || y == 1)
                r.v = x == 1 ? y : x;
            else
                r.err = 1;
            break;
        }
        int64_t ax = x < 0 ? -x : x, ay = y < 0 ? -y : y;
        if (ax > INT64_MAX / ay)
            r.err = 1;
        else
            r.v = x * y;
        break;
    }
    case '/':
    case '%':
        if (y == 0 || (x == INT64_MIN && y == -1))
            r.err = 1;
        else
            r.v = op == '/' ? x / y : x % y;
        break;
    default:
        r.err = 1;
        break;
    }
    return r;
}

static struct value apply_negate(struct value a) {
    struct value r = a;
    if (!a.err) {
        if (a.v == INT64_MIN)
            r.err = 1;
        else
            r.v = -a.v;
    }
    return r;
}

/* ---------------- expression generator with its own tree evaluator ------- */

enum node_kind { N_NUM, N_VAR, N_NEG, N_BIN };

struct node {
    enum node_kind kind;
    char op;
    int64_t num;
    int var;
    struct node *lhs, *rhs;
};

#define POOL_SIZE 4096
static struct node pool[POOL_SIZE];
static size_t pool_used;

static uint64_t rng_state = 88172645463325252ull;

static uint32_t rnd(uint32_t n) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static struct node *new_node(enum node_kind k) {
    if (pool_used >= POOL_SIZE)
        return NULL;
    struct node *n = &pool[pool_used++];
    memset(n, 0, sizeof *n);
    n->kind = k;
    return n;
}

static struct node *gen(int depth) {
    uint32_t r = rnd(100);
    if (depth <= 0 || r < 20) {
        if (r & 1u) {
            struct node *n = new_node(N_VAR);
            if (n)
                n->var = (int)rnd(NUM_VARS);
            return n;
        }
        struct node *n = new_node(N_NUM);
        if (n)
            n->num = (int64_t)rnd(r < 10 ? 10000 : 50);
        return n;
    }
    if (r < 30) {
        struct node *n = new_node(N_NEG);
        if (n && !(n->lhs = gen(depth - 1)))
            return NULL;
        return n;
    }
    static const char ops[] = "+-*/%+-*";
    struct node *n = new_node(N_BIN);
    if (!n)
        return NULL;
    n->op = ops[rnd(8)];
    n->lhs = gen(depth - 1);
    n->rhs = gen(depth - 1);
    return n->lhs && n->rhs ? n : NULL;
}

static struct value tree_eval(const struct node *n, const int64_t *vars) {
    switch (n->kind) {
    case N_NUM:
        return mkval(n->num);
    case N_VAR:
        return mkval(vars[n->var]);
    case N_NEG:
        return apply_negate(tree_eval(n->lhs, vars));
    case N_BIN:
        return apply_binary(n->op, tree_eval(n->lhs, vars),
                            tree_eval(n->rhs, vars));
    }
    return mkval(0);
}

static int prec_of(const struct node *n) {
    if (n->kind == N_BIN)
        return (n->op == '+' || n->op == '-') ? 1 : 2;
    return 3;
}

struct sbuf {
    char text[MAX_TEXT];
    size_t len;
    int overflow;
};

static void sb_putc(struct sbuf *sb, char c) {
    if (sb->len + 1 >= MAX_TEXT) {
        sb->overflow = 1;
        return;
    }
    sb->text[sb->len++] = c;
    sb->text[sb->len] = '\0';
}

static void sb_puts(struct sbuf *sb, const char *s) {
    while (*s)
        sb_putc(sb, *s++);
}

static void print_node(struct sbuf *sb, const struct node *n, int parens) {
    char tmp[24];
    if (parens)
        sb_putc(sb, '(');
    switch (n->kind) {
    case N_NUM:
        snprintf(tmp, sizeof tmp, "%lld", (long long)n->num);
        sb_puts(sb, tmp);
        break;
    case N_VAR:
        sb_putc(sb, (char)('a' + n->var));
        break;
    case N_NEG:
        sb_putc(sb, '-');
        print_node(sb, n->lhs, n->lhs->kind == N_BIN || rnd(8) == 0);
        break;
    case N_BIN: {
        int p = prec_of(n);
        print_node(sb, n->lhs, prec_of(n->lhs) < p || rnd(10) == 0);
        if (rnd(3) == 0)
            sb_putc(sb, ' ');
        sb_putc(sb, n->op);
        if (rnd(3) == 0)
            sb_putc(sb, ' ');
        print_node(sb, n->rhs, prec_of(n->rhs) <= p || rnd(10) == 0);
        break;
    }
    }
    if (parens)
        sb_putc(sb, ')');
}

/* ---------------- lexer shared by both parsers ---------------- */

enum tok_kind { T_NUM, T_VAR, T_OP, T_LPAREN, T_RPAREN, T_END, T_BAD };

struct token {
    enum tok_kind kind;
    char op;
    int64_t num;
    int var;
};

static int tokenize(const char *s, struct token *toks, int max) {
    int n = 0;
    while (n < max) {
        while (*s == ' ')
            s++;
        struct token t = {T_END, 0, 0, 0};
        if (*s == '\0') {
            toks[n++] = t;
            return n;
        }
        if (*s >= '0' && *s <= '9') {
            t.kind = T_NUM;
            while (*s >= '0' && *s <= '9') {
                if (t.num > (INT64_MAX - 9) / 10)
                    return -1;
                t.num = t.num * 10 + (*s++ - '0');
            }
        } else if (*s >= 'a' && *s < 'a' + NUM_VARS) {
            t.kind = T_VAR;
            t.var = *s++ - 'a';
        } else if (strchr("+-*/%", *s)) {
            t.kind = T_OP;
            t.op = *s++;
        } else if (*s == '(') {
            t.kind = T_LPAREN;
            s++;
        } else if (*s == ')') {
            t.kind = T_RPAREN;
            s++;
        } else {
            return -1;
        }
        toks[n++] = t;
    }
    return -1;
}

/* ---------------- evaluator 1: recursive descent ---------------- */

struct parser {
    const struct token *toks;
    int pos;
    const int64_t *vars;
    int syntax_error;
};

static struct value parse_expr(struct parser *p);

static struct value parse_primary(struct parser *p) {
    const struct token *t = &p->toks[p->pos];
    switch (t->kind) {
    case T_NUM:
        p->pos++;
        return mkval(t->num);
    case T_VAR:
        p->pos++;
        return mkval(p->vars[t->var]);
    case T_LPAREN: {
        p->pos++;
        struct value v = parse_expr(p);
        if (p->toks[p->pos].kind != T_RPAREN)
            p->syntax_error = 1;
        else
            p->pos++;
        return v;
    }
    default:
        p->syntax_error = 1;
        return mkval(0);
    }
}

static struct value parse_unary(struct parser *p) {
    if (p->toks[p->pos].kind == T_OP && p->toks[p->pos].op == '-') {
        p->pos++;
        return apply_negate(parse_unary(p));
    }
    return parse_primary(p);
}

static struct value parse_term(struct parser *p) {
    struct value v = parse_unary(p);
    while (!p->syntax_error && p->toks[p->pos].kind == T_OP &&
           strchr("*/%", p->toks[p->pos].op)) {
        char op = p->toks[p->pos++].op;
        v = apply_binary(op, v, parse_unary(p));
    }
    return v;
}

static struct value parse_expr(struct parser *p) {
    struct value v = parse_term(p);
    while (!p->syntax_error && p->toks[p->pos].kind == T_OP &&
           (p->toks[p->pos].op == '+' || p->toks[p->pos].op == '-')) {
        char op = p->toks[p->pos++].op;
        v = apply_binary(op, v, parse_term(p));
    }
    return v;
}

static int eval_descent(const struct token *toks, const int64_t *vars,
                        struct value *out) {
    struct parser p = {toks, 0, vars, 0};
    *out = parse_expr(&p);
    return !p.syntax_error && toks[p.pos].kind == T_END;
}

/* ---------------- evaluator 2: shunting-yard to RPN ---------------- */

#define UNARY_MINUS 'n'

static int op_prec(char op) {
    switch (op) {
    case '+':
    case '-':
        return 1;
    case '*':
    case '/':
    case '%':
        return 2;
    case UNARY_MINUS:
        return 3;
    default:
        return 0;
    }
}

static int eval_shunting(const struct token *toks, const int64_t *vars,
                         struct value *out) {
    struct token rpn[MAX_TOKENS];
    char opstack[MAX_TOKENS];
    int nr = 0, no = 0;
    int expect_operand = 1;
    for (int i = 0; toks[i].kind != T_END; i++) {
        const struct token *t = &toks[i];
        switch (t->kind) {
        case T_NUM:
        case T_VAR:
            if (!expect_operand)
                return 0;
            rpn[nr++] = *t;
            expect_operand = 0;
            break;
        case T_OP: {
            char op = t->op;
            if (expect_operand) {
                if (op != '-')
                    return 0;
                opstack[no++] = UNARY_MINUS; /* right associative prefix */
                break;
            }
            while (no > 0 && opstack[no - 1] != '(' &&
                   op_prec(opstack[no - 1]) >= op_prec(op)) {
                struct token o = {T_OP, opstack[--no], 0, 0};
                rpn[nr++] = o;
            }
            opstack[no++] = op;
            expect_operand = 1;
            break;
        }
        case T_LPAREN:
            if (!expect_operand)
                return 0;
            opstack[no++] = '(';
            break;
        case T_RPAREN:
            if (expect_operand)
                return 0;
            while (no > 0 && opstack[no - 1] != '(') {
                struct token o = {T_OP, opstack[--no], 0, 0};
                rpn[nr++] = o;
            }
            if (no == 0)
                return 0;
            no--; /* pop '(' */
            break;
        default:
            return 0;
        }
    }
    if (expect_operand)
        return 0;
    while (no > 0) {
        if (opstack[no - 1] == '(')
            return 0;
        struct token o = {T_OP, opstack[--no], 0, 0};
        rpn[nr++] = o;
    }

    struct value stack[MAX_TOKENS];
    int sp = 0;
    for (int i = 0; i < nr; i++) {
        const struct token *t = &rpn[i];
        if (t->kind == T_NUM) {
            stack[sp++] = mkval(t->num);
        } else if (t->kind == T_VAR) {
            stack[sp++] = mkval(vars[t->var]);
        } else if (t->op == UNARY_MINUS) {
            if (sp < 1)
                return 0;
            stack[sp - 1] = apply_negate(stack[sp - 1]);
        } else {
            if (sp < 2)
                return 0;
            struct value b = stack[--sp];
            stack[sp - 1] = apply_binary(t->op, stack[sp - 1], b);
        }
    }
    if (sp != 1)
        return 0;
    *out = stack[0];
    return 1;
}

/* ---------------- driver ---------------- */

static const char *const fixed_cases[] = {
    "1+2*3", "(1+2)*3", "-2*-3", "--7", "100/7%3", "2*(3+4)*(5-6)",
    "a*b-c/d+e%7", "-(a+b)*-(c-d)", "8/0", "((((1))))",
};

static const int64_t fixed_expected[] = {7, 9, 6, 7, 2, -14, 12, -7, 0, 1};

int main(void) {
    static struct token toks[MAX_TOKENS];
    int ok = 1;

    /* fixed cases with hand-computed answers (vars 3, 4, 5, 6, 7) */
    int64_t fvars[NUM_VARS] = {3, 4, 5, 6, 7};
    for (size_t i = 0; i < sizeof fixed_cases / sizeof fixed_cases[0]; i++) {
        struct value v1, v2;
        if (tokenize(fixed_cases[i], toks, MAX_TOKENS) < 0 ||
            !eval_descent(toks, fvars, &v1) ||
            !eval_shunting(toks, fvars, &v2)) {
            printf("fixed case %zu: parse error\n", i);
            ok = 0;
            continue;
        }
        int64_t want = fixed_expected[i];
        int want_err = i == 8;
        if (v1.err != want_err || v2.err != want_err ||
            (!want_err && (v1.v != want || v2.v != want))) {
            printf("fixed case %zu (%s) wrong\n", i, fixed_cases[i]);
            ok = 0;
        }
    }

    uint64_t checksum = 0;
    int errors = 0, total_len = 0;
    static struct sbuf sb;
    for (int e = 0; e < NUM_EXPRS; e++) {
        int64_t vars[NUM_VARS];
        for (int k = 0; k < NUM_VARS; k++)
            vars[k] = (int64_t)rnd(200) - 100;
        pool_used = 0;
        struct node *root = gen(2 + (int)rnd(6));
        if (!root) {
            printf("generator ran out of nodes\n");
            return 1;
        }
        sb.len = 0;
        sb.text[0] = '\0';
        sb.overflow = 0;
        print_node(&sb, root, 0);
        if (sb.overflow) {
            printf("expression too long\n");
            return 1;
        }
        total_len += (int)sb.len;
        struct value v0 = tree_eval(root, vars), v1, v2;
        if (tokenize(sb.text, toks, MAX_TOKENS) < 0 ||
            !eval_descent(toks, vars, &v1) || !eval_shunting(toks, vars, &v2)) {
            printf("parse failure on %s\n", sb.text);
            ok = 0;
            continue;
        }
        if (v0.err != v1.err || v1.err != v2.err ||
            (!v0.err && (v0.v != v1.v || v1.v != v2.v))) {
            printf("disagreement on %s\n", sb.text);
            ok = 0;
            continue;
        }
        if (v0.err)
            errors++;
        else
            checksum = checksum * 1000003u + (uint64_t)v0.v;
    }
    printf("expressions: %d, total chars: %d, errors: %d\n", NUM_EXPRS,
           total_len, errors);
    printf("checksum: %016llx\n", (unsigned long long)checksum);
    if (checksum != 0xd2571b5ce6116ad5ull || errors != 175 || total_len != 69663)
        ok = 0;
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
