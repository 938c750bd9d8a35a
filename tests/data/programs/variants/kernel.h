static int data[N];

int main(void) {
    for (int i = 0; i < N; i++)
        data[i] = (i * 7) % N;
    int sorted = 1;
    for (int i = 0; i < N; i++)
        for (int j = i + 1; j < N; j++)
            if (data[j] < data[i]) {
                int t = data[i];
                data[i] = data[j];
                data[j] = t;
            }
    for (int i = 1; i < N; i++)
        sorted &= data[i - 1] <= data[i];
    return sorted ? 0 : 1;
}
