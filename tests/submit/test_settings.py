"""The [portal] section: typed, unknown keys named, paths relative to the configuration file."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.errors import ConfigError
from dossier.submit.settings import DEFAULT_CHUNK_SIZE, load_portal_settings
from tests.submit.conftest import PortalConfig


def test_defaults_without_a_section(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("", encoding="utf-8")
    settings = load_portal_settings(path)
    assert settings.chunk_size == DEFAULT_CHUNK_SIZE
    assert settings.ca_bundle is None and settings.url is None


def test_values_are_read_and_paths_resolved(tmp_path: Path) -> None:
    path = PortalConfig(tmp_path / "config.toml").write(
        url="https://dvc.example.gov.vn", ca_bundle="ca/portal.pem", timeout=5, chunk_size=65536, retries=3
    )
    settings = load_portal_settings(path)
    assert settings.url == "https://dvc.example.gov.vn"
    assert settings.ca_bundle == tmp_path / "ca" / "portal.pem"
    assert (settings.timeout, settings.chunk_size, settings.retries) == (5.0, 65536, 3)
    assert settings.with_overrides(url=None, retries=1).url == "https://dvc.example.gov.vn"
    assert settings.with_overrides(retries=1).retries == 1


def test_unknown_keys_and_wrong_types_are_named(tmp_path: Path) -> None:
    config = PortalConfig(tmp_path / "config.toml")
    with pytest.raises(ConfigError, match="chunk_mb"):
        load_portal_settings(config.write(chunk_mb=1))
    with pytest.raises(ConfigError, match="retries"):
        load_portal_settings(config.write(retries="many"))
    with pytest.raises(ConfigError, match="chunk_size"):
        load_portal_settings(config.write(chunk_size=10))
