"""`python -m dossier` runs the command-line tool."""

from __future__ import annotations

from dossier.cli import main

if __name__ == "__main__":
    main()
