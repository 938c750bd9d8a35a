/* A project built by CMake: its compile_commands.json gives each file its flags. */
#include <stdio.h>
#include "vec.h"

int main(void) {
    struct vec a, b;
    vec_fill(&a, 1.0, 1.0);
    vec_fill(&b, 1.0, 0.0);
    double dot = vec_dot(&a, &b);
    printf("%s %g\n", GREETING, dot);
    return dot == VEC_SIZE * (VEC_SIZE + 1) / 2 ? 0 : 1;
}
