// kernels-v0: Jacobi 2D 5-point stencil and explicit 3D 7-point heat stencil with fixed iterations, bounds and checksum checks
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NX 130
#define NY 130
#define ITER2D 60
#define NZ3 34
#define ITER3D 30

static double grid_a[NX][NY], grid_b[NX][NY];
static double vol_a[NZ3][NZ3][NZ3], vol_b[NZ3][NZ3][NZ3];

static uint32_t rng = 0x1f123bb5u;
static double rand01(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return (rng >> 8) / 16777216.0;
}

/* One Jacobi sweep; returns the max change. Boundary cells are copied unchanged. */
static double jacobi_step(double (*dst)[NY], double (*src)[NY]) {
    double delta = 0.0;
    for (int i = 1; i < NX - 1; i++)
        for (int j = 1; j < NY - 1; j++) {
            double v = 0.25 * (src[i - 1][j] + src[i + 1][j] + src[i][j - 1] + src[i][j + 1]);
            double d = fabs(v - src[i][j]);
            if (d > delta) delta = d;
            dst[i][j] = v;
        }
    return delta;
}

static void heat_step(double (*dst)[NZ3][NZ3], double (*src)[NZ3][NZ3], double alpha) {
    for (int z = 1; z < NZ3 - 1; z++)
        for (int y = 1; y < NZ3 - 1; y++)
            for (int x = 1; x < NZ3 - 1; x++) {
                double c = src[z][y][x];
                double nb = src[z - 1][y][x] + src[z + 1][y][x] + src[z][y - 1][x] + src[z][y + 1][x] +
                            src[z][y][x - 1] + src[z][y][x + 1];
                dst[z][y][x] = c + alpha * (nb - 6.0 * c);
            }
}

static double sum2d(double (*g)[NY], double *lo, double *hi) {
    double s = 0.0;
    *lo = g[1][1];
    *hi = g[1][1];
    for (int i = 1; i < NX - 1; i++)
        for (int j = 1; j < NY - 1; j++) {
            s += g[i][j];
            if (g[i][j] < *lo) *lo = g[i][j];
            if (g[i][j] > *hi) *hi = g[i][j];
        }
    return s;
}

int main(void) {
    int fails = 0;

    /* 2D: hot top edge, cold other edges, random interior in [0,1). */
    for (int i = 0; i < NX; i++)
        for (int j = 0; j < NY; j++)
            grid_a[i][j] = (i == 0) ? 100.0 : (i == NX - 1 || j == 0 || j == NY - 1) ? 0.0 : rand01();
    memcpy(grid_b, grid_a, sizeof grid_a);
    double first = 0.0, last = 0.0;
    double (*src)[NY] = grid_a, (*dst)[NY] = grid_b;
    for (int it = 0; it < ITER2D; it++) {
        last = jacobi_step(dst, src);
        if (it == 0) first = last;
        double (*t)[NY] = src;
        src = dst;
        dst = t;
    }
    double lo, hi;
    double s2 = sum2d(src, &lo, &hi);
    printf("jacobi2d: sum %.6f min %.6f max %.6f\n", s2, lo, hi);
    if (lo < 0.0 || hi > 100.0 || !(last < first) || fabs(s2 - 55535.18294851297) > 1e-9 * fabs(s2)) fails++;

    /* 3D: one hot face and a hot cube in the middle, cold elsewhere. */
    for (int z = 0; z < NZ3; z++)
        for (int y = 0; y < NZ3; y++)
            for (int x = 0; x < NZ3; x++) {
                int centre = z > 12 && z < 20 && y > 12 && y < 20 && x > 12 && x < 20;
                vol_a[z][y][x] = (z == 0) ? 50.0 : centre ? 80.0 : 0.0;
            }
    memcpy(vol_b, vol_a, sizeof vol_a);
    for (int it = 0; it < ITER3D; it += 2) {
        heat_step(vol_b, vol_a, 0.125);
        heat_step(vol_a, vol_b, 0.125);
    }
    double s3 = 0.0, vmax = 0.0, vmin = 1e300;
    for (int z = 1; z < NZ3 - 1; z++)
        for (int y = 1; y < NZ3 - 1; y++)
            for (int x = 1; x < NZ3 - 1; x++) {
                double v = vol_a[z][y][x];
                s3 += v;
                if (v > vmax) vmax = v;
                if (v < vmin) vmin = v;
            }
    printf("heat3d: sum %.6f min %.6f max %.6f centre %.6f\n", s3, vmin, vmax, vol_a[16][16][16]);
    if (vmin < 0.0 || vmax > 80.0 || fabs(s3 - 106914.12985559113) > 1e-9 * fabs(s3)) fails++;

    printf("%s\n", fails ? "FAIL" : "OK");
    return fails ? 1 : 0;
}
