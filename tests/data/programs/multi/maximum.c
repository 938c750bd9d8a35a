#include "stats.h"

int maximum(const int *values, int n) {
    int best = values[0];
    for (int i = 1; i < n; i++)
        if (values[i] > best)
            best = values[i];
    return best;
}
