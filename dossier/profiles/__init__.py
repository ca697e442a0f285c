"""Procedure knowledge: the working-day calendar now; checklists and validation next (issue 3)."""
