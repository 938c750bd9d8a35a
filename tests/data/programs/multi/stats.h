#ifndef STATS_H
#define STATS_H
long sum(const int *values, int n);
int maximum(const int *values, int n);
#endif
