"""``python -m aegis_core.cli``: the same as the ``aegis`` console script."""

import sys

from aegis_core.cli import main

sys.exit(main())
