"""The local SQLite store: one private database file under DOSSIER_HOME, grown by named migrations."""

from __future__ import annotations
