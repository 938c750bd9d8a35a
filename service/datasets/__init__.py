"""Resolving benchmark URIs: datasets, generators, archives and user programs.

``service.benchmarks`` is the entry point (``resolve``); the modules here hold
one concept each:

- ``cache``: where compiled benchmarks and downloads are kept.
- ``compile``: C sources and IR files into one module of bitcode.
- ``manifests``: the datasets described by ``datasets/<name>/manifest.json``.
- ``archives``: datasets downloaded once from a URL, verified and unpacked.
- ``generators``: programs made from a seed by Csmith or ``llvm-stress``.
- ``inline``: user programs whose content travels inside their URI.
"""

__all__: list[str] = []
