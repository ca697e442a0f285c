"""Digitizing: acquire pages, clean them, OCR them and write small searchable PDF/A files."""
