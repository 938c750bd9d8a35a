#ifndef TABLE_H
#define TABLE_H
static inline int table_value(int i) { return 2 * i + 1; }
#define TABLE_EXPECTED (TABLE_SIZE * TABLE_SIZE)
#endif
