/* Needs -DTABLE_SIZE=... and -Iinc, as its Makefile gives them. */
#include <table.h>

#ifndef TABLE_SIZE
#error "compile with -DTABLE_SIZE=<n>"
#endif

int main(void) {
    int acc = 0;
    for (int i = 0; i < TABLE_SIZE; i++)
        acc += table_value(i);
    return acc == TABLE_EXPECTED ? 0 : 1;
}
