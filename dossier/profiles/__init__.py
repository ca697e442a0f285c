"""Procedure checklists (thành phần hồ sơ) and validation: not built yet, see issue 3."""
