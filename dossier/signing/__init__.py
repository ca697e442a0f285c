"""PAdES signing and verification: not built yet, see issue 4."""
