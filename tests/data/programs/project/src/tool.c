/* A second program of the same build, with a main of its own. */
int main(void) { return 0; }
