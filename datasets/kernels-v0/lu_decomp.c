// kernels-v0: LU decomposition with partial pivoting: solve, inverse, determinant and residual checks
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 64
#define ND 12

static uint32_t rng = 0x2545f491u;
static uint32_t xorshift32(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* In-place LU factorisation of the n x n row-major matrix a (PA = LU, L unit lower).
   Returns the permutation sign, or 0 if the matrix is numerically singular. */
static int lu_factor(double *a, int n, int *perm) {
    int sign = 1;
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int k = 0; k < n; k++) {
        int p = k;
        double best = fabs(a[k * n + k]);
        for (int i = k + 1; i < n; i++) {
            double v = fabs(a[i * n + k]);
            if (v > best) {
                best = v;
                p = i;
            }
        }
        if (best < 1e-300) return 0;
        if (p != k) {
            for (int j = 0; j < n; j++) {
                double t = a[k * n + j];
                a[k * n + j] = a[p * n + j];
                a[p * n + j] = t;
            }
            int t = perm[k];
            perm[k] = perm[p];
            perm[p] = t;
            sign = -sign;
        }
        double pivot = a[k * n + k];
        for (int i = k + 1; i < n; i++) {
            double f = a[i * n + k] / pivot;
            a[i * n + k] = f;
            for (int j = k + 1; j < n; j++)
                a[i * n + j] -= f * a[k * n + j];
        }
    }
    return sign;
}

static void lu_solve(const double *lu, const int *perm, int n, const double *b, double *x) {
    for (int i = 0; i < n; i++) {
        double s = b[perm[i]];
        for (int j = 0; j < i; j++)
            s -= lu[i * n + j] * x[j];
        x[i] = s;
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = x[i];
        for (int j = i + 1; j < n; j++)
            s -= lu[i * n + j] * x[j];
        x[i] = s / lu[i * n + i];
    }
}

static double lu_determinant(const double *lu, int n, int sign) {
    double d = sign;
    for (int i = 0; i < n; i++) d *= lu[i * n + i];
    return d;
}

static void matvec(const double *a, int n, const double *x, double *y) {
    for (int i = 0; i < n; i++) {
        double s = 0.0;
        for (int j = 0; j < n; j++) s += a[i * n + j] * x[j];
        y[i] = s;
    }
}

static double norm_inf(const double *v, int n) {
    double m = 0.0;
    for (int i = 0; i < n; i++)
        if (fabs(v[i]) > m) m = fabs(v[i]);
    return m;
}

int main(void) {
    static double a[N * N], lu[N * N], inv[N * N];
    double x_true[N], b[N], x[N], r[N], col[N], e[N];
    int perm[N];
    int fails = 0;

    for (int i = 0; i < N * N; i++) a[i] = (double)(int)(xorshift32() % 19u) - 9.0;
    for (int i = 0; i < N; i++) x_true[i] = (double)(i % 7) - 3.0;
    matvec(a, N, x_true, b); /* exact: small integers */

    memcpy(lu, a, sizeof a);
    int sign = lu_factor(lu, N, perm);
    if (sign == 0) {
        printf("singular\n");
        return 1;
    }
    lu_solve(lu, perm, N, b, x);
    matvec(a, N, x, r);
    for (int i = 0; i < N; i++) r[i] -= b[i];
    double rel_res = norm_inf(r, N) / (norm_inf(b, N) + 1e-300);
    long xsum = 0;
    double max_err = 0.0;
    for (int i = 0; i < N; i++) {
        xsum += lround(x[i]) * (i + 1);
        if (fabs(x[i] - x_true[i]) > max_err) max_err = fabs(x[i] - x_true[i]);
    }
    printf("solve: weighted sum of rounded x %ld, error below 1e-9: %s, residual below 1e-12: %s\n", xsum,
           max_err < 1e-9 ? "yes" : "no", rel_res < 1e-12 ? "yes" : "no");
    if (max_err >= 1e-9 || rel_res >= 1e-12 || xsum != 60) fails++;

    /* Inverse column by column, then check A * inv(A) = I. */
    for (int j = 0; j < N; j++) {
        for (int i = 0; i < N; i++) e[i] = (i == j);
        lu_solve(lu, perm, N, e, col);
        for (int i = 0; i < N; i++) inv[i * N + j] = col[i];
    }
    double max_dev = 0.0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0.0;
            for (int k = 0; k < N; k++) s += a[i * N + k] * inv[k * N + j];
            double dev = fabs(s - (i == j));
            if (dev > max_dev) max_dev = dev;
        }
    printf("inverse: max |A*inv(A) - I| below 1e-10: %s\n", max_dev < 1e-10 ? "yes" : "no");
    if (max_dev >= 1e-10) fails++;

    /* Determinant of a matrix built as a row permutation of L*U with known diagonal. */
    static const double diag[ND] = {2, -1, 3, 1, -2, 1, 4, -1, 1, 2, -3, 1};
    static const int rows[ND] = {3, 0, 7, 1, 11, 2, 9, 4, 10, 5, 8, 6};
    double L[ND * ND], U[ND * ND], m[ND * ND];
    int pd[ND];
    for (int i = 0; i < ND; i++)
        for (int j = 0; j < ND; j++) {
            L[i * ND + j] = i == j ? 1.0 : (j < i ? (double)(int)(xorshift32() % 5u) - 2.0 : 0.0);
            U[i * ND + j] = i == j ? diag[i] : (j > i ? (double)(int)(xorshift32() % 5u) - 2.0 : 0.0);
        }
    for (int i = 0; i < ND; i++)
        for (int j = 0; j < ND; j++) {
            double s = 0.0;
            for (int k = 0; k < ND; k++) s += L[i * ND + k] * U[k * ND + j];
            m[rows[i] * ND + j] = s;
        }
    /* rows[] has cycle structure (0 3 1)(2 7 4 11 6 9 5)(8 10): parity even * even * odd = odd. */
    double want = -1.0;
    for (int i = 0; i < ND; i++) want *= diag[i];
    int sd = lu_factor(m, ND, pd);
    double det = lu_determinant(m, ND, sd);
    printf("determinant: %ld (expected %ld)\n", lround(det), lround(want));
    if (fabs(det - want) > 1e-9 * fabs(want) || lround(want) != -288) fails++;

    printf("%s\n", fails ? "FAIL" : "OK");
    return fails ? 1 : 0;
}
