"""``python -m compiler_env.cli``: the compiler-env command."""

import sys

from compiler_env.cli import main

sys.exit(main())
