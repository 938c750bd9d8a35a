#ifndef RING_H
#define RING_H
#include "ring_impl.h"
#endif
