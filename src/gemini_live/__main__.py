"""``python -m gemini_live`` runs the CLI."""

from gemini_live.cli import main

raise SystemExit(main())
