"""``python -m projectmap``: the same as the ``projectmap`` command."""

import sys

from projectmap.cli import main

sys.exit(main())
