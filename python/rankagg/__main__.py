"""``python -m rankagg`` runs the ``rankagg`` command."""

import sys

from rankagg.cli import main

sys.exit(main())
