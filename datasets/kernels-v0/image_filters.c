// kernels-v0: grayscale image kernels: 3x3 blur, Sobel edges, histogram equalization, median filter
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W 192
#define H 160

struct image {
    int width, height;
    uint8_t *px;
};

static int image_alloc(struct image *img, int w, int h) {
    img->width = w;
    img->height = h;
    img->px = calloc((size_t)w * (size_t)h, 1);
    return img->px != NULL;
}

static void image_free(struct image *img) {
    free(img->px);
    img->px = NULL;
}

/* Clamp-to-edge pixel access. */
static int pixel_at(const struct image *img, int x, int y) {
    if (x < 0)
        x = 0;
    if (x >= img->width)
        x = img->width - 1;
    if (y < 0)
        y = 0;
    if (y >= img->height)
        y = img->height - 1;
    return img->px[(size_t)y * (size_t)img->width + (size_t)x];
}

static uint8_t clamp_u8(int v) {
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static uint32_t rng = 0xA5A5A5A5u;
static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* A synthetic scene: gradient background, a few rectangles and disks,
 * salt-and-pepper noise. */
static void generate(struct image *img) {
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            img->px[y * img->width + x] = (uint8_t)((x * 3 + y) / 4 + 20);
    for (int r = 0; r < 6; r++) {
        int x0 = (int)(next_rand() % (uint32_t)img->width);
        int y0 = (int)(next_rand() % (uint32_t)img->height);
        int w = 10 + (int)(next_rand() % 40u), h = 10 + (int)(next_rand() % 40u);
        uint8_t v = (uint8_t)(next_rand() & 0xFFu);
        for (int y = y0; y < y0 + h && y < img->height; y++)
            for (int x = x0; x < x0 + w && x < img->width; x++)
                img->px[y * img->width + x] = v;
    }
    for (int d = 0; d < 4; d++) {
        int cx = (int)(next_rand() % (uint32_t)img->width);
        int cy = (int)(next_rand() % (uint32_t)img->height);
        int rad = 8 + (int)(next_rand() % 24u);
        uint8_t v = (uint8_t)(next_rand() & 0xFFu);
        for (int y = cy - rad; y <= cy + rad; y++)
            for (int x = cx - rad; x <= cx + rad; x++)
                if (x >= 0 && y >= 0 && x < img->width && y < img->height &&
                    (x - cx) * (x - cx) + (y - cy) * (y - cy) <= rad * rad)
                    img->px[y * img->width + x] = v;
    }
    int noise = img->width * img->height / 50;
    for (int n = 0; n < noise; n++) {
        uint32_t r = next_rand();
        size_t idx = r % (uint32_t)(img->width * img->height);
        img->px[idx] = (r >> 20) & 1u ? 255 : 0;
    }
}

typedef void (*filter_fn)(const struct image *src, struct image *dst);

static const int blur_kernel[3][3] = {{1, 2, 1}, {2, 4, 2}, {1, 2, 1}};

static void filter_blur(const struct image *src, struct image *dst) {
    for (int y = 0; y < src->height; y++) {
        for (int x = 0; x < src->width; x++) {
            int acc = 0;
            for (int ky = -1; ky <= 1; ky++)
                for (int kx = -1; kx <= 1; kx++)
                    acc += blur_kernel[ky + 1][kx + 1] *
                           pixel_at(src, x + kx, y + ky);
            dst->px[y * dst->width + x] = (uint8_t)((acc + 8) / 16);
        }
    }
}

static void filter_sobel(const struct image *src, struct image *dst) {
    static const int gx[3][3] = {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}};
    static const int gy[3][3] = {{-1, -2, -1}, {0, 0, 0}, {1, 2, 1}};
    for (int y = 0; y < src->height; y++) {
        for (int x = 0; x < src->width; x++) {
            int sx = 0, sy = 0;
            for (int ky = 0; ky < 3; ky++) {
                for (int kx = 0; kx < 3; kx++) {
                    int p = pixel_at(src, x + kx - 1, y + ky - 1);
                    sx += gx[ky][kx] * p;
                    sy += gy[ky][kx] * p;
                }
            }
            int mag = (sx < 0 ? -sx : sx) + (sy < 0 ? -sy : sy);
            dst->px[y * dst->width + x] = clamp_u8(mag / 2);
        }
    }
}

static void histogram(const struct image *img, uint32_t hist[256]) {
    memset(hist, 0, 256 * sizeof hist[0]);
    size_t n = (size_t)img->width * (size_t)img->height;
    for (size_t i = 0; i < n; i++)
        hist[img->px[i]]++;
}

static void filter_equalize(const struct image *src, struct image *dst) {
    uint32_t hist[256], cdf[256];
    uint8_t map[256];
    histogram(src, hist);
    uint32_t run = 0, cdf_min = 0;
    for (int v = 0; v < 256; v++) {
        run += hist[v];
        cdf[v] = run;
        if (cdf_min == 0 && run != 0)
            cdf_min = run;
    }
    uint32_t total = run;
    for (int v = 0; v < 256; v++) {
        if (total == cdf_min || cdf[v] < cdf_min)
            map[v] = 0;
        else
            map[v] = (uint8_t)(((uint64_t)(cdf[v] - cdf_min) * 255u +
                                (total - cdf_min) / 2) /
                               (total - cdf_min));
    }
    size_t n = (size_t)src->width * (size_t)src->height;
    for (size_t i = 0; i < n; i++)
        dst->px[i] = map[src->px[i]];
}

static int median9(int v[9]) {
    for (int i = 1; i < 9; i++) {
        int key = v[i], j = i - 1;
        while (j >= 0 && v[j] > key) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = key;
    }
    return v[4];
}

static void filter_median(const struct image *src, struct image *dst) {
    for (int y = 0; y < src->height; y++) {
        for (int x = 0; x < src->width; x++) {
            int win[9], k = 0;
            for (int ky = -1; ky <= 1; ky++)
                for (int kx = -1; kx <= 1; kx++)
                    win[k++] = pixel_at(src, x + kx, y + ky);
            dst->px[y * dst->width + x] = (uint8_t)median9(win);
        }
    }
}

static uint32_t image_hash(const struct image *img) {
    uint32_t h = 2166136261u;
    size_t n = (size_t)img->width * (size_t)img->height;
    for (size_t i = 0; i < n; i++) {
        h ^= img->px[i];
        h *= 16777619u;
    }
    return h;
}

static uint64_t image_sum(const struct image *img) {
    uint64_t s = 0;
    size_t n = (size_t)img->width * (size_t)img->height;
    for (size_t i = 0; i < n; i++)
        s += img->px[i];
    return s;
}

struct stage {
    const char *name;
    filter_fn fn;
    uint32_t expected_hash;
};

int main(void) {
    struct image src, a, b;
    if (!image_alloc(&src, W, H) || !image_alloc(&a, W, H) ||
        !image_alloc(&b, W, H))
        return 1;
    generate(&src);
    int ok = 1;

    /* Each stage filters the original; results are chained afterwards. */
    static const struct stage stages[] = {
        {"blur", filter_blur, 0xc2383e56u},
        {"sobel", filter_sobel, 0x3d8a38bbu},
        {"equalize", filter_equalize, 0x84608847u},
        {"median", filter_median, 0xc92b1e58u},
    };
    printf("source   sum=%llu hash=%08x\n", (unsigned long long)image_sum(&src),
           (unsigned)image_hash(&src));
    for (size_t s = 0; s < sizeof stages / sizeof stages[0]; s++) {
        stages[s].fn(&src, &a);
        uint32_t h = image_hash(&a);
        printf("%-8s sum=%llu hash=%08x\n", stages[s].name,
               (unsigned long long)image_sum(&a), (unsigned)h);
        if (h != stages[s].expected_hash)
            ok = 0;
    }

    /* Property: blurring preserves mean brightness within rounding. */
    filter_blur(&src, &a);
    uint64_t s0 = image_sum(&src), s1 = image_sum(&a);
    uint64_t diff = s0 > s1 ? s0 - s1 : s1 - s0;
    if (diff * 100 > s0) {
        printf("blur changed brightness too much\n");
        ok = 0;
    }

    /* Property: equalization is monotone in the input value. */
    filter_equalize(&src, &a);
    int map_of[256];
    for (int v = 0; v < 256; v++)
        map_of[v] = -1;
    for (size_t i = 0; i < (size_t)W * H; i++)
        map_of[src.px[i]] = a.px[i];
    int last = -1;
    for (int v = 0; v < 256; v++) {
        if (map_of[v] < 0)
            continue;
        if (map_of[v] < last) {
            printf("equalization not monotone at %d\n", v);
            ok = 0;
        }
        last = map_of[v];
    }

    /* Property: median removes isolated salt-and-pepper pixels, so the
     * filtered image has far fewer extreme values. */
    filter_median(&src, &a);
    uint32_t hs[256], hm[256];
    histogram(&src, hs);
    histogram(&a, hm);
    printf("extremes before=%u after=%u\n", (unsigned)(hs[0] + hs[255]),
           (unsigned)(hm[0] + hm[255]));
    if (hm[0] + hm[255] >= hs[0] + hs[255])
        ok = 0;

    /* Pipeline: median -> blur -> sobel -> equalize */
    filter_median(&src, &a);
    filter_blur(&a, &b);
    filter_sobel(&b, &a);
    filter_equalize(&a, &b);
    uint32_t hp = image_hash(&b);
    printf("pipeline hash=%08x\n", (unsigned)hp);
    if (hp != 0x3f36cf7bu)
        ok = 0;

    image_free(&src);
    image_free(&a);
    image_free(&b);
    printf(ok ? "OK\n" : "FAIL\n");
    return ok ? 0 : 1;
}
