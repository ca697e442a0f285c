"""Synthetic Vietnamese scanned-page samples with ground truth, for the demo, tests and benchmark."""

from __future__ import annotations

from dossier.samples.degrade import PROFILES
from dossier.samples.make import SamplePage, SampleSet, load_ground_truth, make_samples

__all__ = ["PROFILES", "SamplePage", "SampleSet", "load_ground_truth", "make_samples"]
