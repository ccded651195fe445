"""``python -m heard`` runs the CLI."""

import sys

from heard.cli import main

sys.exit(main())
