#define N 256
#include "kernel.h"
