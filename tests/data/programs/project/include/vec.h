#ifndef VEC_H
#define VEC_H
#ifndef VEC_SIZE
#error "the build gives -DVEC_SIZE"
#endif
struct vec { double v[VEC_SIZE]; };
double vec_dot(const struct vec *a, const struct vec *b);
void vec_fill(struct vec *a, double start, double step);
#endif
