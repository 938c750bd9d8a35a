/* Headers from a subfolder and from a sibling folder. */
#include "sub/config.h"
#include "../common/ring.h"

int main(void) {
    struct ring r;
    ring_init(&r);
    for (int i = 0; i < 3 * RING_SIZE; i++)
        ring_push(&r, i);
    return ring_sum(&r) == (2 * RING_SIZE) * RING_SIZE + RING_SIZE * (RING_SIZE - 1) / 2 ? 0 : 1;
}
