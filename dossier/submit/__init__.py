"""Submission: the registry and its event log, the durable outbox, the portal client, the sandbox portal.

A dossier is snapshotted into the outbox and committed with its idempotency key before anything is sent, so a
crash, a lost answer or a dropped connection never loses it nor files it twice (sync.py, outbox.py, rest.py).
"""
