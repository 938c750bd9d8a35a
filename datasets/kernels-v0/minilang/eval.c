#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minilang.h"

#define MAX_LOCALS 16
#define MAX_DEPTH 200

typedef struct {
    int64_t *data;
    int64_t len;
} array_value;

typedef struct {
    int syms[MAX_LOCALS];
    int64_t vals[MAX_LOCALS];
    int n;
} frame;

typedef enum { X_NORMAL, X_RETURN, X_ERROR } exec_status;

static struct {
    int64_t globals[ML_MAX_SYMS];
    unsigned char defined[ML_MAX_SYMS];
    array_value arrays[ML_MAX_SYMS];
    const node *funcs[ML_MAX_SYMS];
    frame *current; /* NULL at top level */
    int depth;
    int64_t return_value;
    long step_limit;
    ml_result *res;
} vm;

static int runtime_error(const node *n, const char *msg, const char *detail) {
    if (!vm.res->error) {
        vm.res->error = 1;
        snprintf(vm.res->message, sizeof vm.res->message, "line %d: %s%s", n->line, msg, detail);
    }
    return 0;
}

static exec_status exec_error(const node *n, const char *msg, const char *detail) {
    runtime_error(n, msg, detail);
    return X_ERROR;
}

/* Two's-complement wrap-around without relying on signed overflow. */
static int64_t wrap(uint64_t u) { return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(UINT64_MAX - u) - 1; }

static int64_t *lookup(int sym, int create) {
    frame *f = vm.current;
    if (f) {
        for (int i = 0; i < f->n; i++)
            if (f->syms[i] == sym) return &f->vals[i];
        if (create) {
            if (f->n == MAX_LOCALS) return NULL;
            f->syms[f->n] = sym;
            f->vals[f->n] = 0;
            return &f->vals[f->n++];
        }
    }
    if (!f && create) vm.defined[sym] = 1;
    return vm.defined[sym] ? &vm.globals[sym] : NULL;
}

static int eval(const node *n, int64_t *out);
static exec_status exec(const node *n);

static int element(const node *n, int64_t **slot) {
    int64_t index;
    array_value *arr = &vm.arrays[n->sym];
    if (!eval(n->a, &index)) return 0;
    if (!arr->data) return runtime_error(n, "undefined array ", ml_symbol_name(n->sym));
    if (index < 0 || index >= arr->len) return runtime_error(n, "index out of range for ", ml_symbol_name(n->sym));
    *slot = &arr->data[index];
    return 1;
}

static int call(const node *n, int64_t *out) {
    const node *f = vm.funcs[n->sym];
    if (!f) return runtime_error(n, "undefined function ", ml_symbol_name(n->sym));
    if (f->nparams != n->count) return runtime_error(n, "wrong number of arguments to ", ml_symbol_name(n->sym));
    if (n->count > MAX_LOCALS) return runtime_error(n, "too many arguments to ", ml_symbol_name(n->sym));
    if (vm.depth == MAX_DEPTH) return runtime_error(n, "recursion too deep in ", ml_symbol_name(n->sym));
    frame fr;
    fr.n = 0;
    for (int i = 0; i < n->count; i++) {
        if (!eval(n->list[i], &fr.vals[i])) return 0;
        fr.syms[i] = f->params[i];
        fr.n++;
    }
    frame *saved = vm.current;
    vm.current = &fr;
    vm.depth++;
    exec_status st = exec(f->a);
    vm.depth--;
    vm.current = saved;
    if (st == X_ERROR) return 0;
    *out = st == X_RETURN ? vm.return_value : 0;
    return 1;
}

static int binary(const node *n, int64_t *out) {
    int64_t x, y;
    if (!eval(n->a, &x)) return 0;
    if (n->op == T_AND || n->op == T_OR) { /* short-circuit */
        if ((n->op == T_AND) != (x != 0)) {
            *out = x != 0;
            return 1;
        }
        if (!eval(n->b, &y)) return 0;
        *out = y != 0;
        return 1;
    }
    if (!eval(n->b, &y)) return 0;
    switch (n->op) {
    case T_PLUS: *out = wrap((uint64_t)x + (uint64_t)y); break;
    case T_MINUS: *out = wrap((uint64_t)x - (uint64_t)y); break;
    case T_STAR: *out = wrap((uint64_t)x * (uint64_t)y); break;
    case T_SLASH:
    case T_PERCENT:
        if (y == 0) return runtime_error(n, "division by zero", "");
        if (x == INT64_MIN && y == -1) return runtime_error(n, "division overflow", "");
        *out = n->op == T_SLASH ? x / y : x % y;
        break;
    case T_EQ: *out = x == y; break;
    case T_NE: *out = x != y; break;
    case T_LT: *out = x < y; break;
    case T_LE: *out = x <= y; break;
    case T_GT: *out = x > y; break;
    case T_GE: *out = x >= y; break;
    default: return runtime_error(n, "bad operator ", ml_token_name(n->op));
    }
    return 1;
}

static int eval(const node *n, int64_t *out) {
    int64_t *slot;
    if (++vm.res->steps > vm.step_limit) return runtime_error(n, "step limit exceeded", "");
    switch (n->kind) {
    case N_NUM:
        *out = n->value;
        return 1;
    case N_VAR:
        if (!(slot = lookup(n->sym, 0))) return runtime_error(n, "undefined variable ", ml_symbol_name(n->sym));
        *out = *slot;
        return 1;
    case N_INDEX:
        if (!element(n, &slot)) return 0;
        *out = *slot;
        return 1;
    case N_CALL:
        return call(n, out);
    case N_UNARY:
        if (!eval(n->a, out)) return 0;
        *out = n->op == T_MINUS ? wrap(0u - (uint64_t)*out) : !*out;
        return 1;
    case N_BINARY:
        return binary(n, out);
    default:
        return runtime_error(n, "not an expression", "");
    }
}

static exec_status exec(const node *n) {
    int64_t v, *slot;
    if (++vm.res->steps > vm.step_limit) return exec_error(n, "step limit exceeded", "");
    switch (n->kind) {
    case N_BLOCK:
        for (int i = 0; i < n->count; i++) {
            exec_status st = exec(n->list[i]);
            if (st != X_NORMAL) return st;
        }
        return X_NORMAL;
    case N_ASSIGN:
        if (!eval(n->b, &v)) return X_ERROR;
        if (!(slot = lookup(n->sym, 1))) return exec_error(n, "too many locals", "");
        *slot = v;
        return X_NORMAL;
    case N_ASSIGN_INDEX:
        if (!eval(n->b, &v) || !element(n, &slot)) return X_ERROR;
        *slot = v;
        return X_NORMAL;
    case N_ARRAY_DECL: {
        array_value *arr = &vm.arrays[n->sym];
        if (!eval(n->a, &v)) return X_ERROR;
        if (v <= 0 || v > 1000000) return exec_error(n, "bad array size for ", ml_symbol_name(n->sym));
        free(arr->data);
        arr->data = calloc((size_t)v, sizeof *arr->data);
        arr->len = arr->data ? v : 0;
        return arr->data ? X_NORMAL : exec_error(n, "out of memory", "");
    }
    case N_WHILE:
        for (;;) {
            if (!eval(n->a, &v)) return X_ERROR;
            if (!v) return X_NORMAL;
            exec_status st = exec(n->b);
            if (st != X_NORMAL) return st;
        }
    case N_IF:
        if (!eval(n->a, &v)) return X_ERROR;
        if (v) return exec(n->b);
        return n->c ? exec(n->c) : X_NORMAL;
    case N_PRINT:
        if (!eval(n->a, &v)) return X_ERROR;
        if (vm.res->noutput == ML_MAX_OUTPUT) return exec_error(n, "too much output", "");
        vm.res->output[vm.res->noutput++] = v;
        return X_NORMAL;
    case N_RETURN:
        if (n->a && !eval(n->a, &vm.return_value)) return X_ERROR;
        if (!n->a) vm.return_value = 0;
        return X_RETURN;
    case N_EXPR_STMT:
        return eval(n->a, &v) ? X_NORMAL : X_ERROR;
    case N_FUNC:
        return X_NORMAL; /* registered before execution starts */
    default:
        return exec_error(n, "not a statement", "");
    }
}

void ml_run(const node *program, long step_limit, ml_result *res) {
    memset(&vm, 0, sizeof vm);
    memset(res, 0, sizeof *res);
    vm.res = res;
    vm.step_limit = step_limit;
    for (int i = 0; i < program->count; i++)
        if (program->list[i]->kind == N_FUNC) vm.funcs[program->list[i]->sym] = program->list[i];
    exec(program);
    for (int s = 0; s < ML_MAX_SYMS; s++) free(vm.arrays[s].data);
}
