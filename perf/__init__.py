"""The performance harness: ``python -m perf`` (see perf/README.md)."""
