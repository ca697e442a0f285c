"""The progress callbacks the library calls and the CLI draws (`cli_common.progress_bar`), declared once."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

ProgressCallback = Callable[[int, int], None]  # (units done so far, units in all): files signed, verified
StageProgress = Callable[[str, int, int], None]  # (stage, done, total): a scan's "acquired", then "pages"
ByteProgress = Callable[[int], None]  # bytes just accepted by the portal (added to what was sent before)
ProgressFactory = Callable[[int], AbstractContextManager[ByteProgress]]  # total bytes -> a progress context
