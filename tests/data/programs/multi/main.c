/* Several translation units: statistics over a table, checked by main. */
#include <stdio.h>
#include "stats.h"

static const int samples[] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};

int main(void) {
    int n = (int)(sizeof samples / sizeof samples[0]);
    long total = sum(samples, n);
    int top = maximum(samples, n);
    printf("sum=%ld max=%d\n", total, top);
    return total == 44 && top == 9 ? 0 : 1;
}
