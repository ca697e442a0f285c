"""Supervision above the counter: deadlines, one apology per overdue dossier, indicators, the dashboard."""
