// kernels-v0: tiny interpreted language (lexer, recursive-descent parser, tree-walking evaluator) running embedded programs
#include <stdio.h>
#include <string.h>

#include "minilang.h"

enum { EXPECT_OK, EXPECT_SYNTAX_ERROR, EXPECT_RUNTIME_ERROR };

typedef struct {
    const char *name;
    const char *source;
    int expect;
    const char *error_text; /* substring of the expected error message */
    int noutput;
    int64_t output[6];
    long step_limit; /* 0 selects the default */
} test_program;

#define DEFAULT_STEP_LIMIT 1000000

static const test_program programs[] = {
    {"factorial",
     "# iterative and recursive factorial\n"
     "func fact(n) {\n"
     "    if (n <= 1) return 1;\n"
     "    return n * fact(n - 1);\n"
     "}\n"
     "i = 1; f = 1;\n"
     "while (i <= 20) { f = f * i; i = i + 1; }\n"
     "print f;\n"
     "print fact(10);\n"
     "print fact(20) == f;\n",
     EXPECT_OK, NULL, 3, {2432902008176640000, 3628800, 1}, 0},

    {"sieve",
     "n = 3000;\n"
     "array composite[n];\n"
     "i = 2; count = 0; sum = 0;\n"
     "while (i < n) {\n"
     "    if (!composite[i]) {\n"
     "        count = count + 1;\n"
     "        sum = sum + i;\n"
     "        j = i * i;\n"
     "        while (j < n) { composite[j] = 1; j = j + i; }\n"
     "    }\n"
     "    i = i + 1;\n"
     "}\n"
     "print count;\n"
     "print sum;\n",
     EXPECT_OK, NULL, 2, {430, 593823}, 0},

    {"fibonacci",
     "func fib(n) { if (n < 2) return n; return fib(n - 1) + fib(n - 2); }\n"
     "func fib_iter(n) {\n"
     "    a = 0; b = 1;\n"
     "    while (n > 0) { t = a + b; a = b; b = t; n = n - 1; }\n"
     "    return a;\n"
     "}\n"
     "array memo[100];\n"
     "func fib_memo(n) {\n"
     "    if (n < 2) return n;\n"
     "    if (memo[n] == 0) memo[n] = fib_memo(n - 1) + fib_memo(n - 2);\n"
     "    return memo[n];\n"
     "}\n"
     "print fib_iter(90);\n"
     "print fib(18);\n"
     "print fib_memo(60);\n"
     "print fib_memo(60) == fib_iter(60) && fib(15) == fib_iter(15);\n",
     EXPECT_OK, NULL, 4, {2880067194370816120, 2584, 1548008755920, 1}, 0},

    {"gcd_collatz",
     "func gcd(a, b) { if (b == 0) return a; return gcd(b, a % b); }\n"
     "func steps(x) {\n"
     "    s = 0;\n"
     "    while (x != 1) {\n"
     "        if (x % 2 == 0) x = x / 2; else x = 3 * x + 1;\n"
     "        s = s + 1;\n"
     "    }\n"
     "    return s;\n"
     "}\n"
     "print gcd(1071, 462);\n"
     "p = 1; k = 0; while (k < 40) { p = p * 2; k = k + 1; }\n"
     "q = 1; k = 0; while (k < 20) { q = q * 6; k = k + 1; }\n"
     "print gcd(p, q);\n"
     "best = 0; arg = 0; x = 1;\n"
     "while (x < 500) {\n"
     "    s = steps(x);\n"
     "    if (s > best) { best = s; arg = x; }\n"
     "    x = x + 1;\n"
     "}\n"
     "print arg; print best;\n",
     EXPECT_OK, NULL, 4, {21, 1048576, 327, 143}, 0},

    {"insertion_sort",
     "n = 200;\n"
     "array a[n];\n"
     "seed = 12345; i = 0;\n"
     "while (i < n) {\n"
     "    seed = (seed * 1103515245 + 12345) % 2147483648;\n"
     "    a[i] = seed % 1000;\n"
     "    i = i + 1;\n"
     "}\n"
     "i = 1;\n"
     "while (i < n) {\n"
     "    v = a[i]; j = i - 1;\n"
     "    while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j = j - 1; }\n"
     "    a[j + 1] = v;\n"
     "    i = i + 1;\n"
     "}\n"
     "ok = 1; i = 1; check = a[0];\n"
     "while (i < n) { if (a[i - 1] > a[i]) ok = 0; check = (check + a[i] * (i + 1)) % 1000000007; i = i + 1; }\n"
     "print ok; print check; print a[0]; print a[n - 1];\n",
     EXPECT_OK, NULL, 4, {1, 13098402, 0, 995}, 0},

    {"syntax_error", "x = 1;\ny = (x + 2;\nprint y;\n", EXPECT_SYNTAX_ERROR, "line 2: expected )", 0, {0}, 0},
    {"bad_character", "x = 1 $ 2;\n", EXPECT_SYNTAX_ERROR, "unexpected character", 0, {0}, 0},
    {"division_by_zero", "x = 10; y = x - 10;\nprint x;\nprint x / y;\n", EXPECT_RUNTIME_ERROR,
     "line 3: division by zero", 1, {10}, 0},
    {"undefined", "func f(a) { return a + b; }\nprint f(1);\n", EXPECT_RUNTIME_ERROR, "undefined variable b", 0, {0}, 0},
    {"out_of_range", "array v[4]; i = 0;\nwhile (i <= 4) { v[i] = i; i = i + 1; }\n", EXPECT_RUNTIME_ERROR,
     "index out of range for v", 0, {0}, 0},
    {"runaway", "x = 0;\nwhile (1) { x = x + 1; }\n", EXPECT_RUNTIME_ERROR, "step limit exceeded", 0, {0},
     20000},
};

static token tokens[ML_MAX_TOKENS];

static int run_program(const test_program *tp) {
    char err[128] = "";
    ml_result res;
    ml_reset_symbols();
    int ntok = ml_lex(tp->source, tokens, ML_MAX_TOKENS, err, sizeof err);
    node *ast = ntok < 0 ? NULL : ml_parse(tokens, ntok, err, sizeof err);
    if (!ast) {
        printf("%-16s syntax error: %s\n", tp->name, err);
        return tp->expect == EXPECT_SYNTAX_ERROR && strstr(err, tp->error_text) != NULL;
    }
    int nodes = ml_count_nodes(ast);
    ml_run(ast, tp->step_limit ? tp->step_limit : DEFAULT_STEP_LIMIT, &res);
    ml_free(ast);

    printf("%-16s tokens %4d nodes %4d steps %7ld output", tp->name, ntok, nodes, res.steps);
    for (int i = 0; i < res.noutput; i++) printf(" %lld", (long long)res.output[i]);
    printf("\n");
    if (res.error) printf("%-16s runtime error: %s\n", tp->name, res.message);

    int ok = res.noutput == tp->noutput;
    for (int i = 0; ok && i < res.noutput; i++) ok = res.output[i] == tp->output[i];
    if (tp->expect == EXPECT_OK) return ok && !res.error;
    return ok && tp->expect == EXPECT_RUNTIME_ERROR && res.error && strstr(res.message, tp->error_text) != NULL;
}

int main(void) {
    int passed = 0;
    int total = (int)(sizeof programs / sizeof programs[0]);
    for (int i = 0; i < total; i++) {
        if (run_program(&programs[i])) passed++;
        else printf("%-16s FAILED\n", programs[i].name);
    }
    printf("%d/%d programs behaved as expected\n", passed, total);
    printf("%s\n", passed == total ? "OK" : "FAIL");
    return passed == total ? 0 : 1;
}
