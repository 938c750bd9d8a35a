// kernels-v0: sparse matrix-vector products in COO and CSR form and conjugate gradient on a generated SPD matrix
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GRID 40
#define N (GRID * GRID)
#define EXTRA 800
#define MAX_NNZ (5 * N + 4 * EXTRA)

typedef struct {
    int nnz;
    int row[MAX_NNZ], col[MAX_NNZ];
    double val[MAX_NNZ];
} coo_matrix;

typedef struct {
    int n, nnz;
    int rowptr[N + 1];
    int col[MAX_NNZ];
    double val[MAX_NNZ];
} csr_matrix;

static coo_matrix coo;
static csr_matrix csr;

static uint32_t rng = 0xc0ffee11u;
static uint32_t xorshift32(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static void coo_add(coo_matrix *m, int r, int c, double v) {
    m->row[m->nnz] = r;
    m->col[m->nnz] = c;
    m->val[m->nnz] = v;
    m->nnz++;
}

/* Shifted 2D Laplacian plus random symmetric couplings, diagonally dominant => SPD.
   Entries are appended in no particular order and may repeat a position. */
static void build_coo(coo_matrix *m) {
    static double diag[N];
    m->nnz = 0;
    for (int i = 0; i < N; i++) diag[i] = 1.0;
    for (int y = 0; y < GRID; y++)
        for (int x = 0; x < GRID; x++) {
            int i = y * GRID + x;
            static const int dx[4] = {1, -1, 0, 0}, dy[4] = {0, 0, 1, -1};
            for (int d = 0; d < 4; d++) {
                int nx = x + dx[d], ny = y + dy[d];
                if (nx < 0 || nx >= GRID || ny < 0 || ny >= GRID) continue;
                coo_add(m, i, ny * GRID + nx, -1.0);
                diag[i] += 1.0;
            }
        }
    /* Offsets 1 and GRID coincide with Laplacian neighbours, creating duplicate positions. */
    static const int offsets[4] = {1, GRID, 2, GRID + 1};
    for (int k = 0; k < EXTRA; k++) {
        int i = (int)(xorshift32() % (N - GRID - 1));
        int j = i + offsets[xorshift32() % 4u];
        double v = -(double)(1 + xorshift32() % 3u);
        coo_add(m, i, j, v);
        coo_add(m, j, i, v);
        diag[i] -= v;
        diag[j] -= v;
    }
    for (int i = N - 1; i >= 0; i--) coo_add(m, i, i, diag[i]);
}

/* Counting sort by row, insertion sort by column inside each row, then merge duplicates. */
static void coo_to_csr(const coo_matrix *m, csr_matrix *a) {
    static int fill[N + 1];
    memset(a->rowptr, 0, sizeof a->rowptr);
    for (int k = 0; k < m->nnz; k++) a->rowptr[m->row[k] + 1]++;
    for (int i = 0; i < N; i++) a->rowptr[i + 1] += a->rowptr[i];
    memcpy(fill, a->rowptr, sizeof fill);
    for (int k = 0; k < m->nnz; k++) {
        int p = fill[m->row[k]]++;
        a->col[p] = m->col[k];
        a->val[p] = m->val[k];
    }
    int out = 0;
    for (int i = 0; i < N; i++) {
        int start = a->rowptr[i], end = a->rowptr[i + 1];
        for (int p = start + 1; p < end; p++) {
            int c = a->col[p];
            double v = a->val[p];
            int q = p;
            while (q > start && a->col[q - 1] > c) {
                a->col[q] = a->col[q - 1];
                a->val[q] = a->val[q - 1];
                q--;
            }
            a->col[q] = c;
            a->val[q] = v;
        }
        a->rowptr[i] = out;
        for (int p = start; p < end; p++) {
            if (out > a->rowptr[i] && a->col[out - 1] == a->col[p]) {
                a->val[out - 1] += a->val[p];
            } else {
                a->col[out] = a->col[p];
                a->val[out] = a->val[p];
                out++;
            }
        }
    }
    a->rowptr[N] = out;
    a->nnz = out;
    a->n = N;
}

static void spmv_coo(const coo_matrix *m, const double *x, double *y) {
    for (int i = 0; i < N; i++) y[i] = 0.0;
    for (int k = 0; k < m->nnz; k++) y[m->row[k]] += m->val[k] * x[m->col[k]];
}

static void spmv_csr(const csr_matrix *a, const double *x, double *y) {
    for (int i = 0; i < a->n; i++) {
        double s = 0.0;
        for (int p = a->rowptr[i]; p < a->rowptr[i + 1]; p++) s += a->val[p] * x[a->col[p]];
        y[i] = s;
    }
}

/* y = A^T x computed by scattering rows. */
static void spmv_csr_transposed(const csr_matrix *a, const double *x, double *y) {
    for (int i = 0; i < a->n; i++) y[i] = 0.0;
    for (int i = 0; i < a->n; i++)
        for (int p = a->rowptr[i]; p < a->rowptr[i + 1]; p++) y[a->col[p]] += a->val[p] * x[i];
}

static double dot(const double *a, const double *b, int n) {
    double s = 0.0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static void axpy(double alpha, const double *x, double *y, int n) {
    for (int i = 0; i < n; i++) y[i] += alpha * x[i];
}

/* Conjugate gradient from x = 0; returns the iteration count. */
static int conjugate_gradient(const csr_matrix *a, const double *b, double *x, double tol, int max_iter) {
    static double r[N], p[N], ap[N];
    int n = a->n;
    memset(x, 0, (size_t)n * sizeof *x);
    memcpy(r, b, (size_t)n * sizeof *r);
    memcpy(p, b, (size_t)n * sizeof *p);
    double rr = dot(r, r, n), stop = tol * tol * rr;
    int it = 0;
    while (it < max_iter && rr > stop) {
        spmv_csr(a, p, ap);
        double alpha = rr / dot(p, ap, n);
        axpy(alpha, p, x, n);
        axpy(-alpha, ap, r, n);
        double rr_new = dot(r, r, n);
        double beta = rr_new / rr;
        for (int i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
        rr = rr_new;
        it++;
    }
    return it;
}

int main(void) {
    static double x[N], y1[N], y2[N], y3[N], b[N], sol[N];
    int fails = 0;

    build_coo(&coo);
    coo_to_csr(&coo, &csr);

    /* Integer-valued vector: all products are exact, so every format must agree bit for bit. */
    for (int i = 0; i < N; i++) x[i] = (double)(int)(xorshift32() % 21u) - 10.0;
    spmv_coo(&coo, x, y1);
    spmv_csr(&csr, x, y2);
    spmv_csr_transposed(&csr, x, y3);
    int mismatch = 0;
    uint32_t h = 0;
    for (int i = 0; i < N; i++) {
        if (y1[i] != y2[i] || y2[i] != y3[i]) mismatch++;
        h = h * 1000003u + (uint32_t)(int32_t)y2[i];
    }
    printf("coo nnz %d, csr nnz %d, spmv mismatches %d, checksum %08x\n", coo.nnz, csr.nnz, mismatch, (unsigned)h);
    if (mismatch || h != 0x6e21438au || coo.nnz != 9440 || csr.nnz != 8594) fails++;

    /* Solve A sol = A x with CG and compare against x. */
    memcpy(b, y2, sizeof b);
    int iters = conjugate_gradient(&csr, b, sol, 1e-12, 2 * N);
    spmv_csr(&csr, sol, y1);
    double res = 0.0, err = 0.0;
    for (int i = 0; i < N; i++) {
        res = fmax(res, fabs(y1[i] - b[i]));
        err = fmax(err, fabs(sol[i] - x[i]));
    }
    printf("cg: %d iterations\n", iters);
    printf("cg: converged in fewer than 400 iterations: %s, residual below 1e-8: %s, error below 1e-9: %s\n",
           iters < 400 ? "yes" : "no", res < 1e-8 ? "yes" : "no", err < 1e-9 ? "yes" : "no");
    if (iters >= 400 || res >= 1e-8 || err >= 1e-9) fails++;

    printf("%s\n", fails ? "FAIL" : "OK");
    return fails ? 1 : 0;
}
