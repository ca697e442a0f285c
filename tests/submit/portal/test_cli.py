"""`dossier portal serve` through its click object: options, secrets from the environment, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.errors import ConfigError
from dossier.submit.portal.portal_cli import portal


def test_help_documents_the_token_variable_and_the_faults() -> None:
    result = CliRunner().invoke(portal, ["serve", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for option in [
        "DOSSIER_PORTAL_SERVER_TOKEN",
        "DOSSIER_PORTAL_CLIENT_SECRET",
        "ps",
        "--fail-rate",
        "--latency-ms",
        "--drop-rate",
        "--lose-response-rate",
        "--fault-seed",
        "--max-file-mb",
        "--no-require-signatures",
        "--client-id",
        "--data",
        "--port",
    ]:
        assert option in result.output, option


def test_serving_needs_a_token_or_a_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOSSIER_PORTAL_SERVER_TOKEN", raising=False)
    monkeypatch.delenv("DOSSIER_PORTAL_CLIENT_SECRET", raising=False)
    result = CliRunner().invoke(portal, ["serve", "--data", str(tmp_path / "d"), "--port", "0"])
    assert isinstance(result.exception, ConfigError)
    assert "DOSSIER_PORTAL_SERVER_TOKEN" in str(result.exception)
    assert not (tmp_path / "d").exists()


def test_a_client_id_needs_its_secret_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DOSSIER_PORTAL_CLIENT_SECRET", raising=False)
    result = CliRunner().invoke(
        portal, ["serve", "--client-id", "app", "--port", "0", "--data", str(tmp_path)]
    )
    assert isinstance(result.exception, ConfigError)
    assert "DOSSIER_PORTAL_CLIENT_SECRET" in str(result.exception)


@pytest.mark.parametrize("option", [["--fail-rate", "1.5"], ["--drop-rate", "-0.1"], ["--port", "70000"]])
def test_out_of_range_options_are_usage_errors(option: list[str]) -> None:
    result = CliRunner().invoke(portal, ["serve", *option], env={"DOSSIER_PORTAL_SERVER_TOKEN": "t" * 20})
    assert result.exit_code == 2
