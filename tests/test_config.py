"""The configuration file: found by env var or in the dossier home, errors name the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.config import config_path, config_section, load_config, resolve_config_path
from dossier.errors import ConfigError, ExitCode


def test_absent_default_file_is_an_empty_configuration(dossier_home: Path) -> None:
    assert config_path() == dossier_home / "config.toml"
    assert load_config() == {}
    assert config_section("signing") == {}


def test_explicit_file_that_does_not_exist_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOSSIER_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError) as raised:
        load_config()
    assert raised.value.path == tmp_path / "missing.toml"
    assert raised.value.exit_code == ExitCode.config


def test_bad_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[signing]\ntsa = "http://x"\nlevel = \n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert raised.value.path == path
    assert "line 3" in str(raised.value)


def test_section_must_be_a_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('signing = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[signing\]"):
        config_section("signing", path)


def test_paths_in_the_file_are_relative_to_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "etc" / "config.toml"
    path.parent.mkdir()
    path.write_text('[signing]\ntrust = ["roots/vn.pem"]\n', encoding="utf-8")
    monkeypatch.setenv("DOSSIER_CONFIG", str(path))
    assert config_section("signing") == {"trust": ["roots/vn.pem"]}
    assert resolve_config_path("roots/vn.pem") == tmp_path / "etc" / "roots" / "vn.pem"
    assert resolve_config_path("/abs/x.pem") == Path("/abs/x.pem")


def test_the_default_file_may_be_absent_even_when_named(dossier_home: Path) -> None:
    assert load_config(dossier_home / "config.toml") == {}
    assert config_section("portal", config_path()) == {}


def test_without_dossier_home_the_platform_config_folder_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DOSSIER_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert config_path() == tmp_path / "config" / "dossier" / "config.toml"
    assert load_config() == {}  # the default file may be absent
    # a file in the older place (the data folder) is still read while the new one is absent
    legacy = tmp_path / "data" / "dossier" / "config.toml"
    legacy.parent.mkdir(parents=True)
    legacy.write_text("[signing]\nagency = 'cũ'\n", encoding="utf-8")
    assert config_path() == legacy and config_section("signing") == {"agency": "cũ"}
    new = tmp_path / "config" / "dossier" / "config.toml"
    new.parent.mkdir(parents=True)
    new.write_text("[signing]\nagency = 'mới'\n", encoding="utf-8")
    assert config_path() == new and config_section("signing") == {"agency": "mới"}
