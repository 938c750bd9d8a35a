#include "vec.h"

double vec_dot(const struct vec *a, const struct vec *b) {
    double total = 0;
    for (int i = 0; i < VEC_SIZE; i++)
        total += a->v[i] * b->v[i];
    return total;
}

void vec_fill(struct vec *a, double start, double step) {
    for (int i = 0; i < VEC_SIZE; i++)
        a->v[i] = start + i * step;
}
