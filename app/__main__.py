"""``python -m app`` is the ``atelier`` command."""

import sys

from app.cli import main

sys.exit(main())
