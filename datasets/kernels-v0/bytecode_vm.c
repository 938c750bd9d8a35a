// kernels-v0: stack-based bytecode virtual machine with switch dispatch running several embedded programs
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Instruction set                                                    */
/* ------------------------------------------------------------------ */

enum opcode {
    OP_HALT,
    OP_PUSH,   /* imm   : push immediate                    */
    OP_POP,    /*       : drop top                          */
    OP_DUP,    /*       : duplicate top                     */
    OP_SWAP,   /*       : swap two top values               */
    OP_OVER,   /*       : copy second value to top          */
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,    /* unsigned division, traps on zero          */
    OP_MOD,
    OP_NEG,
    OP_AND,
    OP_OR,
    OP_XOR,
    OP_SHL,
    OP_SHR,
    OP_EQ,
    OP_NE,
    OP_LT,     /* signed comparison                         */
    OP_LE,
    OP_GT,
    OP_NOT,    /* logical not                               */
    OP_JMP,    /* addr                                      */
    OP_JZ,     /* addr  : pop, jump if zero                 */
    OP_JNZ,    /* addr  : pop, jump if non-zero             */
    OP_CALL,   /* addr nargs                                */
    OP_RET,    /*       : return top of stack               */
    OP_ENTER,  /* n     : reserve n zeroed locals           */
    OP_LOADL,  /* slot  : push local/argument               */
    OP_STOREL, /* slot  : pop into local/argument           */
    OP_LOADM,  /*       : addr -> mem[addr]                 */
    OP_STOREM, /*       : addr value -> (mem[addr] = value) */
    OP_INC,    /* slot  : local += 1                        */
    OP_OUT,    /*       : pop and append to output          */
    OP_COUNT
};

struct op_info {
    const char *name;
    int operands;
};

static const struct op_info op_table[OP_COUNT] = {
    [OP_HALT] = {"halt", 0},   [OP_PUSH] = {"push", 1},
    [OP_POP] = {"pop", 0},     [OP_DUP] = {"dup", 0},
    [OP_SWAP] = {"swap", 0},   [OP_OVER] = {"over", 0},
    [OP_ADD] = {"add", 0},     [OP_SUB] = {"sub", 0},
    [OP_MUL] = {"mul", 0},     [OP_DIV] = {"div", 0},
    [OP_MOD] = {"mod", 0},     [OP_NEG] = {"neg", 0},
    [OP_AND] = {"and", 0},     [OP_OR] = {"or", 0},
    [OP_XOR] = {"xor", 0},     [OP_SHL] = {"shl", 0},
    [OP_SHR] = {"shr", 0},     [OP_EQ] = {"eq", 0},
    [OP_NE] = {"ne", 0},       [OP_LT] = {"lt", 0},
    [OP_LE] = {"le", 0},       [OP_GT] = {"gt", 0},
    [OP_NOT] = {"not", 0},     [OP_JMP] = {"jmp", 1},
    [OP_JZ] = {"jz", 1},       [OP_JNZ] = {"jnz", 1},
    [OP_CALL] = {"call", 2},   [OP_RET] = {"ret", 0},
    [OP_ENTER] = {"enter", 1}, [OP_LOADL] = {"loadl", 1},
    [OP_STOREL] = {"storel", 1}, [OP_LOADM] = {"loadm", 0},
    [OP_STOREM] = {"storem", 0}, [OP_INC] = {"inc", 1},
    [OP_OUT] = {"out", 0},
};

/* ------------------------------------------------------------------ */
/* Virtual machine                                                    */
/* ------------------------------------------------------------------ */

#define STACK_SIZE 1024
#define FRAME_DEPTH 256
#define MEM_SIZE 1024
#define OUT_SIZE 64

enum vm_status {
    VM_OK,
    VM_STACK_OVERFLOW,
    VM_STACK_UNDERFLOW,
    VM_DIV_ZERO,
    VM_BAD_OPCODE,
    VM_BAD_ADDRESS,
    VM_STEP_LIMIT,
};

static const char *const status_names[] = {
    "ok", "stack overflow", "stack underflow", "division by zero",
    "bad opcode", "bad address", "step limit",
};

struct frame {
    size_t return_pc;
    size_t saved_fp;
};

struct vm {
    const uint32_t *code;
    size_t code_len;
    uint32_t stack[STACK_SIZE];
    size_t sp;
    size_t fp;
    struct frame frames[FRAME_DEPTH];
    size_t depth;
    uint32_t mem[MEM_SIZE];
    uint32_t out[OUT_SIZE];
    size_t out_len;
    uint64_t steps;
    uint64_t op_counts[OP_COUNT];
};

static void vm_init(struct vm *m, const uint32_t *code, size_t len) {
    memset(m, 0, sizeof *m);
    m->code = code;
    m->code_len = len;
}

static int is_signed_less(uint32_t a, uint32_t b) {
    return (a ^ 0x80000000u) < (b ^ 0x80000000u);
}

#define NEED(n)                                                                \
    do {                                                                       \
        if (m->sp < (size_t)(n)) {                                             \
            status = VM_STACK_UNDERFLOW;                                       \
            goto done;                                                         \
        }                                                                      \
    } while (0)

#define ROOM(n)                                                                \
    do {                                                                       \
        if (m->sp + (size_t)(n) > STACK_SIZE) {                                \
            status = VM_STACK_OVERFLOW;                                        \
            goto done;                                                         \
        }                                                                      \
    } while (0)

#define OPERAND(k)                                                             \
    (pc + (k) < m->code_len ? m->code[pc + (k)] : 0u)

static enum vm_status vm_run(struct vm *m, uint64_t max_steps) {
    size_t pc = 0;
    enum vm_status status = VM_OK;
    for (;;) {
        if (pc >= m->code_len) {
            status = VM_BAD_ADDRESS;
            break;
        }
        if (++m->steps > max_steps) {
            status = VM_STEP_LIMIT;
            break;
        }
        uint32_t op = m->code[pc];
        if (op >= OP_COUNT) {
            status = VM_BAD_OPCODE;
            break;
        }
        m->op_counts[op]++;
        size_t next = pc + 1 + (size_t)op_table[op].operands;
        uint32_t a, b;
        switch ((enum opcode)op) {
        case OP_HALT:
            goto done;
        case OP_PUSH:
            ROOM(1);
            m->stack[m->sp++] = OPERAND(1);
            break;
        case OP_POP:
            NEED(1);
            m->sp--;
            break;
        case OP_DUP:
            NEED(1);
            ROOM(1);
            m->stack[m->sp] = m->stack[m->sp - 1];
            m->sp++;
            break;
        case OP_SWAP:
            NEED(2);
            a = m->stack[m->sp - 1];
            m->stack[m->sp - 1] = m->stack[m->sp - 2];
            m->stack[m->sp - 2] = a;
            break;
        case OP_OVER:
            NEED(2);
            ROOM(1);
            m->stack[m->sp] = m->stack[m->sp - 2];
            m->sp++;
            break;
        case OP_ADD:
        case OP_SUB:
        case OP_MUL:
        case OP_DIV:
        case OP_MOD:
        case OP_AND:
        case OP_OR:
        case OP_XOR:
        case OP_SHL:
        case OP_SHR:
        case OP_EQ:
        case OP_NE:
        case OP_LT:
        case OP_LE:
        case OP_GT: {
            NEED(2);
            b = m->stack[--m->sp];
            a = m->stack[m->sp - 1];
            uint32_t r = 0;
            switch ((enum opcode)op) {
            case OP_ADD: r = a + b; break;
            case OP_SUB: r = a - b; break;
            case OP_MUL: r = a * b; break;
            case OP_DIV:
            case OP_MOD:
                if (b == 0) {
                    status = VM_DIV_ZERO;
                    goto done;
                }
                r = op == OP_DIV ? a / b : a % b;
                break;
            case OP_AND: r = a & b; break;
            case OP_OR: r = a | b; break;
            case OP_XOR: r = a ^ b; break;
            case OP_SHL: r = a << (b & 31u); break;
            case OP_SHR: r = a >> (b & 31u); break;
            case OP_EQ: r = a == b; break;
            case OP_NE: r = a != b; break;
            case OP_LT: r = (uint32_t)is_signed_less(a, b); break;
            case OP_LE: r = (uint32_t)!is_signed_less(b, a); break;
            case OP_GT: r = (uint32_t)is_signed_less(b, a); break;
            default: break;
            }
            m->stack[m->sp - 1] = r;
            break;
        }
        case OP_NEG:
            NEED(1);
            m->stack[m->sp - 1] = 0u - m->stack[m->sp - 1];
            break;
        case OP_NOT:
            NEED(1);
            m->stack[m->sp - 1] = m->stack[m->sp - 1] == 0;
            break;
        case OP_JMP:
            next = OPERAND(1);
            break;
        case OP_JZ:
        case OP_JNZ:
            NEED(1);
            a = m->stack[--m->sp];
            if ((a == 0) == (op == OP_JZ))
                next = OPERAND(1);
            break;
        case OP_CALL: {
            uint32_t nargs = OPERAND(2);
            NEED(nargs);
            if (m->depth == FRAME_DEPTH) {
                status = VM_STACK_OVERFLOW;
                goto done;
            }
            m->frames[m->depth].return_pc = next;
            m->frames[m->depth].saved_fp = m->fp;
            m->depth++;
            m->fp = m->sp - nargs;
            next = OPERAND(1);
            break;
        }
        case OP_RET:
            NEED(1);
            if (m->depth == 0) {
                status = VM_STACK_UNDERFLOW;
                goto done;
            }
            a = m->stack[m->sp - 1];
            m->depth--;
            m->sp = m->fp;
            m->fp = m->frames[m->depth].saved_fp;
            next = m->frames[m->depth].return_pc;
            m->stack[m->sp++] = a;
            break;
        case OP_ENTER:
            a = OPERAND(1);
            ROOM(a);
            for (uint32_t i = 0; i < a; i++)
                m->stack[m->sp++] = 0;
            break;
        case OP_LOADL:
        case OP_STOREL:
        case OP_INC: {
            size_t slot = m->fp + OPERAND(1);
            if (slot >= m->sp) {
                status = VM_BAD_ADDRESS;
                goto done;
            }
            if (op == OP_LOADL) {
                ROOM(1);
                m->stack[m->sp++] = m->stack[slot];
            } else if (op == OP_STOREL) {
                /* the stored value must lie above the target slot */
                if (slot + 1 >= m->sp) {
                    status = VM_BAD_ADDRESS;
                    goto done;
                }
                m->stack[slot] = m->stack[--m->sp];
            } else {
                m->stack[slot] += 1u;
            }
            break;
        }
        case OP_LOADM:
            NEED(1);
            a = m->stack[m->sp - 1];
            if (a >= MEM_SIZE) {
                status = VM_BAD_ADDRESS;
                goto done;
            }
            m->stack[m->sp - 1] = m->mem[a];
            break;
        case OP_STOREM:
            NEED(2);
            b = m->stack[--m->sp]; /* value */
            a = m->stack[--m->sp]; /* address */
            if (a >= MEM_SIZE) {
                status = VM_BAD_ADDRESS;
                goto done;
            }
            m->mem[a] = b;
            break;
        case OP_OUT:
            NEED(1);
            a = m->stack[--m->sp];
            if (m->out_len < OUT_SIZE)
                m->out[m->out_len++] = a;
            break;
        case OP_COUNT:
        default:
            status = VM_BAD_OPCODE;
            goto done;
        }
        pc = next;
    }
done:
    return status;
}

/* ------------------------------------------------------------------ */
/* A tiny assembler with forward labels                               */
/* ------------------------------------------------------------------ */

#define CODE_MAX 2048
#define LABEL_MAX 64
#define FIXUP_MAX 256

struct assembler {
    uint32_t code[CODE_MAX];
    size_t len;
    long labels[LABEL_MAX];
    int nlabels;
    struct {
        size_t at;
        int label;
    } fixups[FIXUP_MAX];
    int nfixups;
    int error;
};

static void as_init(struct assembler *as) {
    memset(as, 0, sizeof *as);
}

static void as_word(struct assembler *as, uint32_t w) {
    if (as->len >= CODE_MAX) {
        as->error = 1;
        return;
    }
    as->code[as->len++] = w;
}

static void op0(struct assembler *as, enum opcode op) { as_word(as, op); }

static void op1(struct assembler *as, enum opcode op, uint32_t x) {
    as_word(as, op);
    as_word(as, x);
}

static int label(struct assembler *as) {
    if (as->nlabels >= LABEL_MAX) {
        as->error = 1;
        return 0;
    }
    as->labels[as->nlabels] = -1;
    return as->nlabels++;
}

static void bind(struct assembler *as, int l) { as->labels[l] = (long)as->len; }

static void label_ref(struct assembler *as, int l) {
    if (as->nfixups >= FIXUP_MAX) {
        as->error = 1;
        return;
    }
    as->fixups[as->nfixups].at = as->len;
    as->fixups[as->nfixups].label = l;
    as->nfixups++;
    as_word(as, 0);
}

static void jump(struct assembler *as, enum opcode op, int l) {
    as_word(as, op);
    label_ref(as, l);
}

static void call(struct assembler *as, int l, uint32_t nargs) {
    as_word(as, OP_CALL);
    label_ref(as, l);
    as_word(as, nargs);
}

static int as_finish(struct assembler *as) {
    for (int i = 0; i < as->nfixups; i++) {
        long target = as->labels[as->fixups[i].label];
        if (target < 0)
            return 0;
        as->code[as->fixups[i].at] = (uint32_t)target;
    }
    return !as->error;
}

/* ------------------------------------------------------------------ */
/* Embedded programs                                                  */
/* ------------------------------------------------------------------ */

/* sum of i*i for i = 1..n, and sum of odd i; both output. */
static void prog_loop_sum(struct assembler *as, uint32_t n) {
    int loop = label(as), body_end = label(as), done = label(as);
    op1(as, OP_ENTER, 3); /* 0: i, 1: squares, 2: odds */
    op1(as, OP_PUSH, 1);
    op1(as, OP_STOREL, 0);
    bind(as, loop);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, n);
    op0(as, OP_GT);
    jump(as, OP_JNZ, done);
    op1(as, OP_LOADL, 0);
    op0(as, OP_DUP);
    op0(as, OP_MUL);
    op1(as, OP_LOADL, 1);
    op0(as, OP_ADD);
    op1(as, OP_STOREL, 1);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, 1);
    op0(as, OP_AND);
    jump(as, OP_JZ, body_end);
    op1(as, OP_LOADL, 0);
    op1(as, OP_LOADL, 2);
    op0(as, OP_ADD);
    op1(as, OP_STOREL, 2);
    bind(as, body_end);
    op1(as, OP_INC, 0);
    jump(as, OP_JMP, loop);
    bind(as, done);
    op1(as, OP_LOADL, 1);
    op0(as, OP_OUT);
    op1(as, OP_LOADL, 2);
    op0(as, OP_OUT);
    op0(as, OP_HALT);
}

/* fib(n) computed recursively, for several n. */
static void prog_fib(struct assembler *as) {
    int fib = label(as), base = label(as), main_loop = label(as),
        main_done = label(as);
    /* main: for k = 0; k <= 20; k += 5: out(fib(k)) */
    op1(as, OP_ENTER, 1);
    bind(as, main_loop);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, 20);
    op0(as, OP_GT);
    jump(as, OP_JNZ, main_done);
    op1(as, OP_LOADL, 0);
    call(as, fib, 1);
    op0(as, OP_OUT);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, 5);
    op0(as, OP_ADD);
    op1(as, OP_STOREL, 0);
    jump(as, OP_JMP, main_loop);
    bind(as, main_done);
    op0(as, OP_HALT);

    /* fib(n): n < 2 ? n : fib(n-1) + fib(n-2) */
    bind(as, fib);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, 2);
    op0(as, OP_LT);
    jump(as, OP_JNZ, base);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, 1);
    op0(as, OP_SUB);
    call(as, fib, 1);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, 2);
    op0(as, OP_SUB);
    call(as, fib, 1);
    op0(as, OP_ADD);
    op0(as, OP_RET);
    bind(as, base);
    op1(as, OP_LOADL, 0);
    op0(as, OP_RET);
}

/* Fill mem[0..n) with an LCG, bubble sort it, output a checksum and a
 * sortedness flag computed inside the VM. */
static void prog_bubble(struct assembler *as, uint32_t n, uint32_t seed) {
    int fill = label(as), outer = label(as), inner = label(as),
        no_swap = label(as), inner_done = label(as), sorted = label(as),
        check = label(as), check_done = label(as), bad = label(as);
    op1(as, OP_ENTER, 4); /* 0: i, 1: x, 2: j, 3: swapped/acc */
    op1(as, OP_PUSH, seed);
    op1(as, OP_STOREL, 1);
    /* fill */
    bind(as, fill);
    op1(as, OP_LOADL, 1);
    op1(as, OP_PUSH, 1103515245u);
    op0(as, OP_MUL);
    op1(as, OP_PUSH, 12345u);
    op0(as, OP_ADD);
    op1(as, OP_STOREL, 1);
    op1(as, OP_LOADL, 0);
    op1(as, OP_LOADL, 1);
    op1(as, OP_PUSH, 16);
    op0(as, OP_SHR);
    op1(as, OP_PUSH, 10000);
    op0(as, OP_MOD);
    op0(as, OP_STOREM);
    op1(as, OP_INC, 0);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, n);
    op0(as, OP_LT);
    jump(as, OP_JNZ, fill);
    /* bubble sort: repeat passes until no swap */
    bind(as, outer);
    op1(as, OP_PUSH, 0);
    op1(as, OP_STOREL, 3);
    op1(as, OP_PUSH, 0);
    op1(as, OP_STOREL, 2);
    bind(as, inner);
    op1(as, OP_LOADL, 2);
    op1(as, OP_PUSH, n - 1);
    op0(as, OP_LT);
    jump(as, OP_JZ, inner_done);
    /* if mem[j] > mem[j+1] swap */
    op1(as, OP_LOADL, 2);
    op0(as, OP_LOADM);
    op1(as, OP_LOADL, 2);
    op1(as, OP_PUSH, 1);
    op0(as, OP_ADD);
    op0(as, OP_LOADM);
    op0(as, OP_OVER);
    op0(as, OP_OVER);
    op0(as, OP_GT); /* a b (a>b) */
    jump(as, OP_JZ, no_swap);
    /* stack: a b -> mem[j] = b, mem[j+1] = a */
    op1(as, OP_STOREL, 1); /* x = b */
    op1(as, OP_LOADL, 2);
    op1(as, OP_PUSH, 1);
    op0(as, OP_ADD);
    op0(as, OP_SWAP);
    op0(as, OP_STOREM); /* mem[j+1] = a */
    op1(as, OP_LOADL, 2);
    op1(as, OP_LOADL, 1);
    op0(as, OP_STOREM); /* mem[j] = b */
    op1(as, OP_PUSH, 1);
    op1(as, OP_STOREL, 3);
    op1(as, OP_INC, 2);
    jump(as, OP_JMP, inner);
    bind(as, no_swap);
    op0(as, OP_POP);
    op0(as, OP_POP);
    op1(as, OP_INC, 2);
    jump(as, OP_JMP, inner);
    bind(as, inner_done);
    op1(as, OP_LOADL, 3);
    jump(as, OP_JNZ, outer);
    bind(as, sorted);
    /* checksum: acc = acc * 31 + mem[i]; also verify order */
    op1(as, OP_PUSH, 0);
    op1(as, OP_STOREL, 3);
    op1(as, OP_PUSH, 0);
    op1(as, OP_STOREL, 0);
    bind(as, check);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, n);
    op0(as, OP_LT);
    jump(as, OP_JZ, check_done);
    op1(as, OP_LOADL, 3);
    op1(as, OP_PUSH, 31);
    op0(as, OP_MUL);
    op1(as, OP_LOADL, 0);
    op0(as, OP_LOADM);
    op0(as, OP_ADD);
    op1(as, OP_STOREL, 3);
    op1(as, OP_INC, 0);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, n);
    op0(as, OP_LT);
    jump(as, OP_JZ, check);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, 1);
    op0(as, OP_SUB);
    op0(as, OP_LOADM);
    op1(as, OP_LOADL, 0);
    op0(as, OP_LOADM);
    op0(as, OP_GT);
    jump(as, OP_JNZ, bad);
    jump(as, OP_JMP, check);
    bind(as, check_done);
    op1(as, OP_LOADL, 3);
    op0(as, OP_OUT);
    op1(as, OP_PUSH, 1);
    op0(as, OP_OUT);
    op0(as, OP_HALT);
    bind(as, bad);
    op1(as, OP_LOADL, 3);
    op0(as, OP_OUT);
    op1(as, OP_PUSH, 0);
    op0(as, OP_OUT);
    op0(as, OP_HALT);
}

/* Euclid's gcd as a VM function, called on a grid of pairs; outputs the
 * sum of gcds and the number of coprime pairs.  Uses signed negatives
 * through NEG and XOR to exercise more opcodes. */
static void prog_gcd(struct assembler *as, uint32_t limit) {
    int gcd = label(as), gloop = label(as), gdone = label(as),
        outer = label(as), inner = label(as), inner_done = label(as),
        outer_done = label(as), not_coprime = label(as);
    op1(as, OP_ENTER, 4); /* 0: a, 1: b, 2: sum, 3: coprime */
    op1(as, OP_PUSH, 1);
    op1(as, OP_STOREL, 0);
    bind(as, outer);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, limit);
    op0(as, OP_LE);
    jump(as, OP_JZ, outer_done);
    op1(as, OP_PUSH, 1);
    op1(as, OP_STOREL, 1);
    bind(as, inner);
    op1(as, OP_LOADL, 1);
    op1(as, OP_PUSH, limit);
    op0(as, OP_LE);
    jump(as, OP_JZ, inner_done);
    /* pass -a and b; gcd negates again (tests NEG on wrapped values) */
    op1(as, OP_LOADL, 0);
    op0(as, OP_NEG);
    op1(as, OP_LOADL, 1);
    call(as, gcd, 2);
    op0(as, OP_DUP);
    op1(as, OP_LOADL, 2);
    op0(as, OP_ADD);
    op1(as, OP_STOREL, 2);
    op1(as, OP_PUSH, 1);
    op0(as, OP_NE);
    jump(as, OP_JNZ, not_coprime);
    op1(as, OP_INC, 3);
    bind(as, not_coprime);
    op1(as, OP_INC, 1);
    jump(as, OP_JMP, inner);
    bind(as, inner_done);
    op1(as, OP_INC, 0);
    jump(as, OP_JMP, outer);
    bind(as, outer_done);
    op1(as, OP_LOADL, 2);
    op0(as, OP_OUT);
    op1(as, OP_LOADL, 3);
    op0(as, OP_OUT);
    op1(as, OP_LOADL, 2);
    op1(as, OP_LOADL, 3);
    op0(as, OP_XOR);
    op1(as, OP_PUSH, 3);
    op0(as, OP_SHL);
    op1(as, OP_PUSH, 0xFFFFu);
    op0(as, OP_AND);
    op1(as, OP_LOADL, 3);
    op0(as, OP_NOT);
    op0(as, OP_OR);
    op0(as, OP_OUT);
    op0(as, OP_HALT);

    /* gcd(x, y) with x given negated */
    bind(as, gcd);
    op1(as, OP_LOADL, 0);
    op0(as, OP_NEG);
    op1(as, OP_STOREL, 0);
    bind(as, gloop);
    op1(as, OP_LOADL, 1);
    jump(as, OP_JZ, gdone);
    op1(as, OP_LOADL, 0);
    op1(as, OP_LOADL, 1);
    op0(as, OP_MOD);
    op1(as, OP_LOADL, 1);
    op1(as, OP_STOREL, 0);
    op1(as, OP_STOREL, 1);
    jump(as, OP_JMP, gloop);
    bind(as, gdone);
    op1(as, OP_LOADL, 0);
    op0(as, OP_RET);
}

/* Sieve of Eratosthenes in VM memory: outputs number of primes < n and
 * the sum of those primes; then divides by the count. */
static void prog_sieve(struct assembler *as, uint32_t n) {
    int outer = label(as), skip = label(as), mark = label(as),
        mark_done = label(as), outer_done = label(as), count = label(as),
        not_prime = label(as), count_done = label(as);
    op1(as, OP_ENTER, 4); /* 0: i, 1: j, 2: count, 3: sum */
    op1(as, OP_PUSH, 2);
    op1(as, OP_STOREL, 0);
    bind(as, outer);
    op1(as, OP_LOADL, 0);
    op0(as, OP_DUP);
    op0(as, OP_MUL);
    op1(as, OP_PUSH, n);
    op0(as, OP_LT);
    jump(as, OP_JZ, outer_done);
    op1(as, OP_LOADL, 0);
    op0(as, OP_LOADM);
    jump(as, OP_JNZ, skip);
    op1(as, OP_LOADL, 0);
    op0(as, OP_DUP);
    op0(as, OP_MUL);
    op1(as, OP_STOREL, 1);
    bind(as, mark);
    op1(as, OP_LOADL, 1);
    op1(as, OP_PUSH, n);
    op0(as, OP_LT);
    jump(as, OP_JZ, mark_done);
    op1(as, OP_LOADL, 1);
    op1(as, OP_PUSH, 1);
    op0(as, OP_STOREM);
    op1(as, OP_LOADL, 1);
    op1(as, OP_LOADL, 0);
    op0(as, OP_ADD);
    op1(as, OP_STOREL, 1);
    jump(as, OP_JMP, mark);
    bind(as, mark_done);
    bind(as, skip);
    op1(as, OP_INC, 0);
    jump(as, OP_JMP, outer);
    bind(as, outer_done);
    op1(as, OP_PUSH, 2);
    op1(as, OP_STOREL, 0);
    bind(as, count);
    op1(as, OP_LOADL, 0);
    op1(as, OP_PUSH, n);
    op0(as, OP_LT);
    jump(as, OP_JZ, count_done);
    op1(as, OP_LOADL, 0);
    op0(as, OP_LOADM);
    jump(as, OP_JNZ, not_prime);
    op1(as, OP_INC, 2);
    op1(as, OP_LOADL, 3);
    op1(as, OP_LOADL, 0);
    op0(as, OP_ADD);
    op1(as, OP_STOREL, 3);
    bind(as, not_prime);
    op1(as, OP_INC, 0);
    jump(as, OP_JMP, count);
    bind(as, count_done);
    op1(as, OP_LOADL, 2);
    op0(as, OP_OUT);
    op1(as, OP_LOADL, 3);
    op0(as, OP_OUT);
    op1(as, OP_LOADL, 3);
    op1(as, OP_LOADL, 2);
    op0(as, OP_DIV);
    op0(as, OP_OUT);
    op0(as, OP_HALT);
}

/* A deliberately faulty program: division by zero must be trapped. */
static void prog_fault(struct assembler *as) {
    op1(as, OP_PUSH, 7);
    op1(as, OP_PUSH, 0);
    op0(as, OP_DIV);
    op0(as, OP_OUT);
    op0(as, OP_HALT);
}

/* ------------------------------------------------------------------ */
/* Reference computations in C                                        */
/* ------------------------------------------------------------------ */

static uint32_t ref_fib(uint32_t n) {
    uint32_t a = 0, b = 1;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = a + b;
        a = b;
        b = t;
    }
    return a;
}

static uint32_t ref_gcd(uint32_t a, uint32_t b) {
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int cmp_u32(const void *pa, const void *pb) {
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    return (a > b) - (a < b);
}

typedef void (*build_fn)(struct assembler *as);

static void build_loop(struct assembler *as) { prog_loop_sum(as, 3000); }
static void build_fib(struct assembler *as) { prog_fib(as); }
static void build_bubble(struct assembler *as) { prog_bubble(as, 120, 2024); }
static void build_gcd(struct assembler *as) { prog_gcd(as, 40); }
static void build_sieve(struct assembler *as) { prog_sieve(as, 1000); }
static void build_fault(struct assembler *as) { prog_fault(as); }

struct test_program {
    const char *name;
    build_fn build;
    enum vm_status expect_status;
    size_t expect_outputs;
    uint32_t expect[6];
};

int main(void) {
    struct test_program tests[6] = {
        {"loop_sum", build_loop, VM_OK, 2, {0}},
        {"fib", build_fib, VM_OK, 5, {0}},
        {"bubble", build_bubble, VM_OK, 2, {0}},
        {"gcd", build_gcd, VM_OK, 3, {0}},
        {"sieve", build_sieve, VM_OK, 3, {0}},
        {"fault", build_fault, VM_DIV_ZERO, 0, {0}},
    };

    /* Expected values computed independently in C. */
    uint32_t sq = 0, odd = 0;
    for (uint32_t i = 1; i <= 3000; i++) {
        sq += i * i;
        if (i & 1)
            odd += i;
    }
    tests[0].expect[0] = sq;
    tests[0].expect[1] = odd;
    for (int k = 0; k < 5; k++)
        tests[1].expect[k] = ref_fib((uint32_t)k * 5);
    {
        uint32_t arr[120], x = 2024, acc = 0;
        for (int i = 0; i < 120; i++) {
            x = x * 1103515245u + 12345u;
            arr[i] = (x >> 16) % 10000u;
        }
        qsort(arr, 120, sizeof arr[0], cmp_u32);
        for (int i = 0; i < 120; i++)
            acc = acc * 31u + arr[i];
        tests[2].expect[0] = acc;
        tests[2].expect[1] = 1;
    }
    {
        uint32_t sum = 0, cop = 0;
        for (uint32_t a = 1; a <= 40; a++)
            for (uint32_t b = 1; b <= 40; b++) {
                uint32_t g = ref_gcd(a, b);
                sum += g;
                cop += g == 1;
            }
        tests[3].expect[0] = sum;
        tests[3].expect[1] = cop;
        tests[3].expect[2] = (((sum ^ cop) << 3) & 0xFFFFu) | (cop == 0);
    }
    {
        uint32_t cnt = 0, sum = 0;
        for (uint32_t i = 2; i < 1000; i++) {
            uint32_t p = 1;
            for (uint32_t d = 2; d * d <= i; d++)
                if (i % d == 0) {
                    p = 0;
                    break;
                }
            if (p) {
                cnt++;
                sum += i;
            }
        }
        tests[4].expect[0] = cnt;
        tests[4].expect[1] = sum;
        tests[4].expect[2] = sum / cnt;
    }

    static struct assembler as;
    static struct vm machine;
    int ok = 1;
    uint64_t total_steps = 0;
    uint32_t out_hash = 2166136261u;
    for (size_t t = 0; t < sizeof tests / sizeof tests[0]; t++) {
        as_init(&as);
        tests[t].build(&as);
        if (!as_finish(&as)) {
            printf("%s: assembly failed\n", tests[t].name);
            ok = 0;
            continue;
        }
        vm_init(&machine, as.code, as.len);
        enum vm_status st = vm_run(&machine, 5000000);
        total_steps += machine.steps;
        printf("%-9s %-16s code=%3zu steps=%7llu out:", tests[t].name,
               status_names[st], as.len, (unsigned long long)machine.steps);
        for (size_t i = 0; i < machine.out_len; i++) {
            printf(" %u", (unsigned)machine.out[i]);
            out_hash = (out_hash ^ machine.out[i]) * 16777619u;
        }
        printf("\n");
        if (st != tests[t].expect_status ||
            machine.out_len != tests[t].expect_outputs) {
            ok = 0;
            continue;
        }
        for (size_t i = 0; i < machine.out_len; i++)
            if (machine.out[i] != tests[t].expect[i])
                ok = 0;
        if (t == 0) {
            /* every opcode used by the first program is counted */
            for (int op = 0; op < OP_COUNT; op++)
                if (machine.op_counts[op] > 50000)
                    printf("  hot opcode %s: %llu\n", op_table[op].name,
                           (unsigned long long)machine.op_counts[op]);
        }
    }
    printf("total steps %llu, output hash %08x\n",
           (unsigned long long)total_steps, (unsigned)out_hash);
    if (out_hash != 0x9a7c896cu || total_steps != 658506u)
        ok = 0;
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
