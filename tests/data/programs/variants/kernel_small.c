/* One of two variants of a program: each has its own main. */
#define N 16
#include "kernel.h"
