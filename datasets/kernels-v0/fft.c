// kernels-v0: iterative radix-2 complex FFT and inverse: round trip, naive DFT comparison, Parseval, tone peaks and convolution
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N_BIG 4096
#define N_DFT 256
#define N_CONV 1024

typedef struct {
    double re, im;
} cplx;

static const double PI = 3.14159265358979323846;

static cplx c_add(cplx a, cplx b) { return (cplx){a.re + b.re, a.im + b.im}; }
static cplx c_sub(cplx a, cplx b) { return (cplx){a.re - b.re, a.im - b.im}; }
static cplx c_mul(cplx a, cplx b) { return (cplx){a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re}; }
static double c_abs2(cplx a) { return a.re * a.re + a.im * a.im; }

static void bit_reverse(cplx *x, size_t n) {
    for (size_t i = 1, j = 0; i < n; i++) {
        size_t bit = n >> 1;
        for (; j & bit; bit >>= 1) j ^= bit;
        j ^= bit;
        if (i < j) {
            cplx t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
    }
}

/* In-place transform; sign = -1 forward, +1 inverse (unscaled). */
static void fft(cplx *x, size_t n, int sign) {
    bit_reverse(x, n);
    for (size_t len = 2; len <= n; len <<= 1) {
        double ang = sign * 2.0 * PI / (double)len;
        cplx wlen = {cos(ang), sin(ang)};
        for (size_t start = 0; start < n; start += len) {
            cplx w = {1.0, 0.0};
            for (size_t k = 0; k < len / 2; k++) {
                cplx u = x[start + k];
                cplx v = c_mul(x[start + k + len / 2], w);
                x[start + k] = c_add(u, v);
                x[start + k + len / 2] = c_sub(u, v);
                /* recompute periodically to limit drift of the twiddle recurrence */
                w = (k % 32 == 31) ? (cplx){cos(ang * (double)(k + 1)), sin(ang * (double)(k + 1))} : c_mul(w, wlen);
            }
        }
    }
}

static void ifft(cplx *x, size_t n) {
    fft(x, n, +1);
    for (size_t i = 0; i < n; i++) {
        x[i].re /= (double)n;
        x[i].im /= (double)n;
    }
}

static void naive_dft(const cplx *in, cplx *out, size_t n) {
    for (size_t k = 0; k < n; k++) {
        cplx s = {0.0, 0.0};
        for (size_t t = 0; t < n; t++) {
            double ang = -2.0 * PI * (double)((k * t) % n) / (double)n;
            s = c_add(s, c_mul(in[t], (cplx){cos(ang), sin(ang)}));
        }
        out[k] = s;
    }
}

static uint64_t lcg_state = 7;
static uint64_t lcg_next(void) {
    lcg_state = lcg_state * 6364136223846793005u + 1442695040888963407u;
    return lcg_state;
}

static double uniform(void) { return (double)(lcg_next() >> 11) / 9007199254740992.0 * 2.0 - 1.0; }

static double max_diff(const cplx *a, const cplx *b, size_t n) {
    double m = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = sqrt(c_abs2(c_sub(a[i], b[i])));
        if (d > m) m = d;
    }
    return m;
}

int main(void) {
    static cplx sig[N_BIG], work[N_BIG], ref[N_DFT], fa[N_CONV], fb[N_CONV];
    static int32_t ia[N_CONV / 2], ib[N_CONV / 2];
    static int64_t direct[N_CONV];
    int fails = 0;

    /* 1. round trip and Parseval on random complex data */
    double energy_t = 0.0, energy_f = 0.0;
    for (size_t i = 0; i < N_BIG; i++) {
        sig[i].re = uniform();
        sig[i].im = uniform();
        energy_t += c_abs2(sig[i]);
    }
    memcpy(work, sig, sizeof sig);
    fft(work, N_BIG, -1);
    for (size_t i = 0; i < N_BIG; i++) energy_f += c_abs2(work[i]);
    ifft(work, N_BIG);
    double rt = max_diff(work, sig, N_BIG);
    double parseval = fabs(energy_f / N_BIG - energy_t) / energy_t;
    printf("round trip n=%d: error below 1e-12: %s, parseval below 1e-12: %s\n", N_BIG, rt < 1e-12 ? "yes" : "no",
           parseval < 1e-12 ? "yes" : "no");
    if (rt >= 1e-12 || parseval >= 1e-12) fails++;

    /* 2. FFT against the O(n^2) DFT */
    memcpy(work, sig, N_DFT * sizeof(cplx));
    fft(work, N_DFT, -1);
    naive_dft(sig, ref, N_DFT);
    double dd = max_diff(work, ref, N_DFT);
    printf("fft vs dft n=%d: difference below 1e-9: %s\n", N_DFT, dd < 1e-9 ? "yes" : "no");
    if (dd >= 1e-9) fails++;

    /* 3. two real tones land in their bins with the expected magnitude */
    for (size_t i = 0; i < N_BIG; i++) {
        work[i].re = 3.0 * cos(2.0 * PI * 37.0 * (double)i / N_BIG) + 1.5 * sin(2.0 * PI * 500.0 * (double)i / N_BIG);
        work[i].im = 0.0;
    }
    fft(work, N_BIG, -1);
    size_t peak1 = 0, peak2 = 0;
    for (size_t k = 1; k < N_BIG / 2; k++) {
        double m = c_abs2(work[k]);
        if (m > c_abs2(work[peak1])) {
            peak2 = peak1;
            peak1 = k;
        } else if (m > c_abs2(work[peak2])) {
            peak2 = k;
        }
    }
    long mag1 = lround(sqrt(c_abs2(work[peak1])) * 2.0 / N_BIG * 1000.0);
    long mag2 = lround(sqrt(c_abs2(work[peak2])) * 2.0 / N_BIG * 1000.0);
    printf("tones: bin %zu amplitude %ld/1000, bin %zu amplitude %ld/1000\n", peak1, mag1, peak2, mag2);
    if (peak1 != 37 || peak2 != 500 || mag1 != 3000 || mag2 != 1500) fails++;

    /* 4. integer convolution through the FFT equals the direct sum */
    for (int i = 0; i < N_CONV / 2; i++) {
        ia[i] = (int32_t)((lcg_next() >> 40) % 200u) - 100;
        ib[i] = (int32_t)((lcg_next() >> 40) % 200u) - 100;
    }
    memset(direct, 0, sizeof direct);
    for (int i = 0; i < N_CONV / 2; i++)
        for (int j = 0; j < N_CONV / 2; j++)
            direct[i + j] += (int64_t)ia[i] * ib[j];
    for (int i = 0; i < N_CONV; i++) {
        fa[i] = (cplx){i < N_CONV / 2 ? ia[i] : 0, 0.0};
        fb[i] = (cplx){i < N_CONV / 2 ? ib[i] : 0, 0.0};
    }
    fft(fa, N_CONV, -1);
    fft(fb, N_CONV, -1);
    for (int i = 0; i < N_CONV; i++) fa[i] = c_mul(fa[i], fb[i]);
    ifft(fa, N_CONV);
    int bad = 0;
    uint64_t h = 1469598103934665603u;
    for (int i = 0; i < N_CONV; i++) {
        if (llround(fa[i].re) != direct[i]) bad++;
        h = (h ^ (uint64_t)direct[i]) * 1099511628211u;
    }
    printf("convolution: mismatches %d hash %016llx\n", bad, (unsigned long long)h);
    if (bad || h != 0xda557835f30076a3u) fails++;

    printf("%s\n", fails ? "FAIL" : "OK");
    return fails ? 1 : 0;
}
