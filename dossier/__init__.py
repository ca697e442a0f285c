"""dossier: the one-stop counter's tool to digitize, check, sign and submit citizens' dossiers."""

from __future__ import annotations

__version__ = "0.1.0"
