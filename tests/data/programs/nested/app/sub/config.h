#ifndef CONFIG_H
#define CONFIG_H
#define RING_SIZE 8
#endif
