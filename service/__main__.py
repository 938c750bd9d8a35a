"""``python -m service``: run the compiler service."""

import sys

from service.server import main

sys.exit(main())
