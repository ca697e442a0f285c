"""Every command's --help documents its exit codes, and only codes of `ExitCode`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from dossier.cli import cli
from dossier.errors import ExitCode

# A code is a number opening the list ("Mã thoát: 0 ...", "Mã thoát 0 ...") or following a ";" or ","
# (so "SHA-256", "PKCS#11" or "(Mẫu 01)" inside a description are not taken for codes).
CODE = re.compile(r"(?:Mã thoát:?|[;,])\s*(\d+)\b")


def leaf_commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The path of every command that runs something, through groups (lazy ones loaded by get_command)."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, (*path, name)
        if isinstance(command, click.Group):
            yield from leaf_commands(command, (*path, name))
        else:
            yield (*path, name)


COMMANDS = sorted(leaf_commands(cli))


def exit_code_paragraph(path: tuple[str, ...]) -> str:
    """The --help paragraph that starts the exit-code list, on one line ("" when there is none)."""
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", result.output)]
    found = [p[p.index("Mã thoát") :] for p in paragraphs if "Mã thoát" in p]
    return found[0] if found else ""


def documented_codes(path: tuple[str, ...]) -> list[int]:
    return [int(n) for n in CODE.findall(exit_code_paragraph(path))]


def test_the_walk_reaches_subcommands_and_lazy_commands() -> None:
    names = {" ".join(p) for p in COMMANDS}
    assert {
        "scan",
        "check",
        "sync",
        "log verify",
        "log show",
        "code next",
        "samples pki",
        "portal serve",
    } <= names
    assert {
        "notice receipt",
        "notice refusal",
        "notice supplement",
        "profiles list",
        "profiles show",
    } <= names


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_lists_exit_codes_that_exist(path: tuple[str, ...]) -> None:
    paragraph = exit_code_paragraph(path)
    assert paragraph, f"dossier {' '.join(path)} --help has no 'Mã thoát' paragraph"
    codes = documented_codes(path)
    assert 0 in codes, paragraph
    members = {int(code) for code in ExitCode}
    assert [c for c in codes if c not in members] == [], paragraph
    assert len(codes) == len(set(codes)), paragraph


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("check",), {ExitCode.dossier_incomplete, ExitCode.needs_review}),
        (("sync",), {ExitCode.portal_unavailable, ExitCode.portal_rejected}),
        (("status",), {ExitCode.portal_unavailable, ExitCode.portal_rejected}),
        (("log", "verify"), {ExitCode.verification_failed}),
        (("apologize",), {ExitCode.refused_by_rule, ExitCode.portal_unavailable}),
        (("notice", "supplement"), {ExitCode.dossier_incomplete}),
        (("tokens",), {ExitCode.signing_failed, ExitCode.missing_dependency}),
        (("devices",), {ExitCode.missing_dependency}),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)
def test_specific_codes_are_documented(path: tuple[str, ...], expected: set[ExitCode]) -> None:
    codes = set(documented_codes(path))
    assert {int(c) for c in expected} <= codes, exit_code_paragraph(path)


@pytest.mark.parametrize(
    ("path", "absent"),
    [
        # commands that never talk to the portal or sign must not promise its codes
        (("check",), {ExitCode.portal_unavailable, ExitCode.signing_failed}),
        (("log", "verify"), {ExitCode.portal_unavailable, ExitCode.dossier_incomplete}),
        (("code", "check"), {ExitCode.output, ExitCode.portal_unavailable}),
        (("outbox",), {ExitCode.portal_unavailable, ExitCode.portal_rejected}),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else None,
)
def test_codes_a_command_cannot_end_with_are_not_listed(path: tuple[str, ...], absent: set[ExitCode]) -> None:
    assert not {int(c) for c in absent} & set(documented_codes(path)), exit_code_paragraph(path)
