"""Portal client, outbox and sandbox portal: not built yet, see issue 5."""
