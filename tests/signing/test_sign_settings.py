"""The [signing] section: strict parsing, and defaults that let an officer sign without repeating options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dossier.errors import ConfigError
from dossier.samples.pki import TestPki
from dossier.signing.settings import Level, SigningSettings, parse_signing_settings
from tests.signing.conftest import P12_PASSWORD, post_validate, run_cli

SOURCE = Path("/etc/dossier/config.toml")


def test_unknown_key_is_refused_by_name() -> None:
    with pytest.raises(ConfigError, match="tsa_ur"):
        parse_signing_settings({"tsa_ur": "http://x"}, SOURCE)


def test_values_are_typed_and_paths_relative_to_the_file() -> None:
    settings = parse_signing_settings(
        {
            "pkcs11-module": "lib/token.so",
            "key-id": "6F:66 69",
            "level": "b-lt",
            "box": [300, 700, 560, 780],
            "page": -1,
            "visible": False,
            "trust": "roots.pem",
        },
        SOURCE,
    )
    assert settings.pkcs11_module == Path("/etc/dossier/lib/token.so")
    assert settings.key_id == "6f6669"
    assert settings.level is Level.b_lt
    assert settings.box == (300.0, 700.0, 560.0, 780.0)
    assert settings.page == -1 and settings.visible is False
    assert settings.trust == (Path("/etc/dossier/roots.pem"),)
    assert SigningSettings().visible is True and SigningSettings().level is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("level", "B-X"),
        ("box", [10, 10, 5, 20]),
        ("page", 0),
        ("visible", "yes"),
        ("key_id", "xyz"),
        ("agency", ""),
    ],
)
def test_bad_values_are_refused(key: str, value: object) -> None:
    with pytest.raises(ConfigError):
        parse_signing_settings({key: value}, SOURCE)


@pytest.mark.pki
def test_config_file_supplies_the_defaults(
    test_pki: TestPki, sample_pdf: Path, tmp_path: Path, dossier_home: Path
) -> None:
    (dossier_home / "config.toml").write_text(
        "[signing]\n"
        f'p12 = "{test_pki.signer("officer").p12}"\n'
        f'tsa_url = "{test_pki.tsa_url}"\n'
        f'trust = ["{test_pki.root}"]\n'
        'agency = "UBND phường Bến Nghé"\n'
        "box = [40, 40, 300, 110]\n"
    )
    result = run_cli(
        ["sign", sample_pdf, "--out", tmp_path / "out", "--json"], env={"DOSSIER_P12_PASSWORD": P12_PASSWORD}
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["level_reached"] == "B-LT"  # a TSA is configured
    post_validate(tmp_path / "out" / sample_pdf.name, test_pki)


def test_no_key_configured_is_a_config_error(sample_pdf: Path, tmp_path: Path) -> None:
    result = run_cli(["sign", sample_pdf, "--out", tmp_path / "out"])
    assert result.exit_code == 5
    assert "--p12" in result.stderr
