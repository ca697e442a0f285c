"""Colour bands of the indicators: thresholds from `[supervise.thresholds]` in the configuration file.

No national green/yellow/orange/red scale is confirmed, so these defaults are the tool's own convention. Each
entry is three numbers: for a "higher is better" rate [green, yellow, orange] lower bounds (value >= green is
green, >= yellow yellow, >= orange orange, below red), strictly decreasing; for a "lower is better" value
[green, yellow, orange] upper bounds (value <= green is green ...), strictly increasing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dossier.config import config_path, config_section
from dossier.errors import ConfigError
from dossier.i18n import _


class Band(StrEnum):
    green = "green"
    yellow = "yellow"
    orange = "orange"
    red = "red"


@dataclass(frozen=True)
class Thresholds:
    higher_is_better: bool
    green: float
    yellow: float
    orange: float
    percent: bool = True

    def band(self, value: float | None) -> Band | None:
        if value is None:
            return None
        if self.higher_is_better:
            if value >= self.green:
                return Band.green
            if value >= self.yellow:
                return Band.yellow
            return Band.orange if value >= self.orange else Band.red
        if value <= self.green:
            return Band.green
        if value <= self.yellow:
            return Band.yellow
        return Band.orange if value <= self.orange else Band.red


# Our own defaults (documented in the README); rates are percentages.
DEFAULTS: MappingProxyType[str, Thresholds] = MappingProxyType(
    {
        "on_time_rate": Thresholds(True, 95, 90, 80),
        "digitized_rate": Thresholds(True, 90, 75, 50),
        "signed_rate": Thresholds(True, 90, 75, 50),
        "apology_rate": Thresholds(True, 100, 90, 75),
        "overdue_open_rate": Thresholds(False, 2, 5, 10),
        "second_supplement_requests": Thresholds(False, 0, 1, 2, percent=False),
    }
)


def load_thresholds(path: Path | None = None) -> MappingProxyType[str, Thresholds]:
    """The defaults under `[supervise.thresholds]`; a bad entry is a ConfigError naming key and values."""
    where = path if path is not None else config_path()
    section = config_section("supervise", path)
    table: Any = section.get("thresholds", {})
    unknown_sections = sorted(set(section) - {"thresholds"})
    if unknown_sections:
        raise ConfigError(
            _("Khóa không biết trong mục [supervise]: {keys}").format(keys=", ".join(unknown_sections)), where
        )
    if not isinstance(table, dict):
        raise ConfigError(_("[supervise.thresholds] phải là một bảng."), where)
    result = dict(DEFAULTS)
    for key, value in table.items():
        if key not in DEFAULTS:
            raise ConfigError(
                _("Chỉ số không biết trong [supervise.thresholds]: {key}").format(key=key),
                where,
                hint=_("Chỉ số có ngưỡng: {keys}").format(keys=", ".join(DEFAULTS)),
            )
        result[key] = _parse(key, value, DEFAULTS[key], where)
    return MappingProxyType(result)


def _parse(key: str, value: Any, default: Thresholds, where: Path) -> Thresholds:
    shown = repr(value)
    if (
        not isinstance(value, list)
        or len(value) != 3
        or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)
    ):
        raise ConfigError(
            _("[supervise.thresholds] {key} = {value}: cần ba số [xanh, vàng, cam].").format(
                key=key, value=shown
            ),
            where,
        )
    green, yellow, orange = (float(v) for v in value)
    if default.higher_is_better and not green > yellow > orange:
        raise ConfigError(
            _(
                "[supervise.thresholds] {key} = {value}: ngưỡng không đúng thứ tự, cần xanh > vàng > cam "
                "(chỉ số càng cao càng tốt)."
            ).format(key=key, value=shown),
            where,
        )
    if not default.higher_is_better and not green < yellow < orange:
        raise ConfigError(
            _(
                "[supervise.thresholds] {key} = {value}: ngưỡng không đúng thứ tự, cần xanh < vàng < cam "
                "(chỉ số càng thấp càng tốt)."
            ).format(key=key, value=shown),
            where,
        )
    if default.percent and not all(0 <= v <= 100 for v in (green, yellow, orange)):
        raise ConfigError(
            _("[supervise.thresholds] {key} = {value}: tỉ lệ phải từ 0 đến 100.").format(
                key=key, value=shown
            ),
            where,
        )
    return Thresholds(default.higher_is_better, green, yellow, orange, default.percent)
