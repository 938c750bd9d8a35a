/* C as written before C99: implicit int, K&R definitions, undeclared functions. */
static table[16];

fill(n)
    int n;
{
    register i;
    for (i = 0; i < n; i++)
        table[i] = i * i;
    return n;
}

total(n)
{
    int i, s = 0;
    for (i = 0; i < n; i++)
        s += table[i];
    return s;
}

main()
{
    fill(10);
    return total(10) == 285 ? 0 : 1;
}
