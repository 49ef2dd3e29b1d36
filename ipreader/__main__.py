"""Entry point for ``python -m ipreader``."""

from ipreader.cli import main

raise SystemExit(main())
