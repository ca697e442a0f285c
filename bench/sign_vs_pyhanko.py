"""Benchmark `dossier sign` against a shell loop over the pyHanko CLI, then `dossier verify` against a loop of
`pyhanko sign validate`: documents per second, B-T and B-LT, PKCS#12 and a SoftHSM2 token, median of 3 runs.

Verification is compared on B-T files, online on both sides: neither file carries validation data, so `dossier
verify` and `pyhanko sign validate` both ask the OCSP responder and CRL server on 127.0.0.1. A pyHanko run
counts as a success only if every process exits 0 and its summary says VALID (not INVALID).

Everything is real and local: a freshly generated test PKI served by `certomancer animate` on 127.0.0.1 (OCSP,
CRL, RFC 3161 timestamps), the officer's key in a PKCS#12 file and on a SoftHSM2 token, and generated scanned
PDF/A files of 1 to 10 pages.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
from common import first_line, machine, run_timed, tool
from PIL import Image, ImageDraw, ImageFont

from dossier import __version__ as dossier_version
from dossier.digitize.encode import EncodedImage, encode_page_image
from dossier.digitize.pdf import PdfMetadata, PdfPageSpec, write_pdf
from dossier.fonts import font_path
from dossier.models import ColourMode
from dossier.samples.pki import install_on_softhsm, running_pki_server, write_test_pki

TARGET_SIGN = 10.0  # at least 10x the pyHanko CLI loop
TARGET_VERIFY = 20.0  # at least 20 documents per second verified on 2 cores
FONT = str(font_path())
LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "TỜ KHAI ĐĂNG KÝ KHAI SINH",
    "Kính gửi: Ủy ban nhân dân xã Hòa Tiến",
    "Họ, chữ đệm, tên người yêu cầu: Trần Thị Mỹ Duyên",
    "Nơi cư trú: thôn Phước Thuận, xã Hòa Tiến, thành phố Đà Nẵng",
    "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật.",
]
TOKEN_LABEL = "bench-token"


@dataclass(frozen=True)
class Row:
    task: str  # "sign B-T p12", "verify", ...
    tool: str
    documents: int
    seconds: float
    ok: bool

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=200, help="documents to sign (default 200)")
    parser.add_argument(
        "--cli-files",
        type=int,
        default=None,
        help="documents for each pyHanko CLI loop (default: all of them)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing, the median is reported")
    parser.add_argument(
        "--levels", nargs="+", default=["B-T", "B-LT"], choices=["B-B", "B-T", "B-LT", "B-LTA"]
    )
    parser.add_argument("--keys", nargs="+", default=["p12", "token"], choices=["p12", "token"])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "sign")
    return parser.parse_args()


def page_pool(count: int = 6) -> list[EncodedImage]:
    """A few distinct A4 pages at 200 dpi, bilevel G4 as our scans of typed forms are."""
    font = ImageFont.truetype(FONT, 34)
    pool = []
    for number in range(count):
        image = Image.new("L", (1654, 2339), 255)
        draw = ImageDraw.Draw(image)
        y = 160
        for repeat in range(5):
            for line in LINES:
                draw.text((140, y), f"{line} ({number}.{repeat})", fill=0, font=font)
                y += 60
        pool.append(encode_page_image(np.asarray(image), ColourMode.bw, 200))
    return pool


def make_documents(folder: Path, count: int, seed: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pool = page_pool()
    meta = PdfMetadata(
        "Hồ sơ mẫu", datetime(2025, 3, 4, 9, 0, tzinfo=timezone(timedelta(hours=7))), "bench", "bench"
    )
    paths = []
    for index in range(count):
        pages = [PdfPageSpec.scanned(rng.choice(pool), None) for _ in range(rng.randint(1, 10))]
        path = folder / f"hs-{index:04d}.pdf"
        write_pdf(pages, path, meta)
        paths.append(path)
    return paths


def dossier_command() -> list[str]:
    """`dossier`, or the same group with our commands added while they are not wired into cli.py yet."""
    from dossier.cli import cli

    if "sign" in cli.commands and "verify" in cli.commands:
        return [tool("dossier")]
    wiring = (
        "from dossier.cli import cli; from dossier.signing.sign_cli import sign; "
        "from dossier.signing.verify_cli import verify; cli.add_command(sign); cli.add_command(verify); "
        "cli(prog_name='dossier')"
    )
    return [sys.executable, "-c", wiring]


def pyhanko_config(path: Path, module: str, pin: str) -> None:
    path.write_text(
        "pkcs11-setups:\n"
        "  bench:\n"
        f"    module-path: {module}\n"
        "    token-criteria:\n"
        f"      label: {TOKEN_LABEL}\n"
        "    cert-label: officer\n"
        "    key-label: officer\n"
        "    other-certs-to-pull: null\n"
        f"    user-pin: '{pin}'\n"
    )
    path.chmod(0o600)


def pyhanko_sign_loop(
    inputs: list[Path], out: Path, level: str, key: str, tsa: str, root: Path, secrets_: dict[str, Path]
) -> str:
    """The shell loop a user writes today: one `pyhanko sign addsig` process per document."""
    out.mkdir(parents=True, exist_ok=True)
    options = f"--field Sig1 --use-pades --timestamp-url {tsa}"
    if level in ("B-LT", "B-LTA"):
        options += f" --with-validation-info --trust {root} --trust-replace"
    if level == "B-LTA":
        options += " --use-pades-lta"
    pyhanko = tool("pyhanko")
    if key == "p12":
        sign = f"{pyhanko} sign addsig {options} pkcs12 --passfile {secrets_['p12']} "
        sign += f'"$f" "{out}/$(basename "$f")" {secrets_["pfx"]}'
    else:
        sign = f"{pyhanko} --config {secrets_['config']} sign addsig {options} pkcs11 --p11-setup bench "
        sign += f'"$f" "{out}/$(basename "$f")"'
    files = " ".join(f'"{p}"' for p in inputs)
    return f"set -e; for f in {files}; do {sign} > /dev/null; done"


def pyhanko_validate_loop(files: list[Path], root: Path) -> str:
    """One `pyhanko sign validate` per file; fail on a non-zero exit status or a summary other than VALID."""
    pyhanko = tool("pyhanko")
    names = " ".join(f'"{p}"' for p in files)
    return (
        f"set -e; for f in {names}; do out=$({pyhanko} sign validate --trust {root} --trust-replace "
        '--executive-summary "$f"); case "$out" in *INVALID*) exit 1;; *VALID*) ;; *) exit 1;; esac; done'
    )


def median_run(args: list[str], env: dict[str, str], repeat: int, before=None) -> tuple[float, bool, str]:
    """Run `repeat` times (`before(i)` gives each command); median seconds, whether all succeeded, stderr."""
    import statistics

    seconds, ok, stderr = [], True, ""
    for i in range(repeat):
        command = before(i) if before is not None else args
        run = run_timed(command, env=env)
        seconds.append(run.seconds)
        if run.returncode != 0:
            ok, stderr = False, run.stderr[-2000:]
    return statistics.median(seconds), ok, stderr


def main() -> None:
    args = parse_args()
    cli_files = args.cli_files or args.files
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    private = Path(tempfile.mkdtemp(prefix="bench-secrets-"))
    docs = make_documents(args.out / "documents", args.files, args.seed)
    pages = sum(1 for _ in docs)  # documents; page counts are in results.json
    password = secrets.token_urlsafe(12)
    pin = str(secrets.randbelow(900000) + 100000)
    pki = write_test_pki(args.out / "pki", now=datetime.now(UTC), p12_password=password)
    token = install_on_softhsm(pki, "officer", private / "softhsm", TOKEN_LABEL, pin, pin + "0")
    (private / "p12.txt").write_text(password + "\n")
    pyhanko_config(private / "pyhanko.yml", str(token.module), pin)
    secret_files = {
        "p12": private / "p12.txt",
        "pfx": pki.signer("officer").p12,
        "config": private / "pyhanko.yml",
    }
    env = {
        **os.environ,
        "SOFTHSM2_CONF": str(token.conf),
        "DOSSIER_P12_PASSWORD": password,
        "DOSSIER_PIN": pin,
        "DOSSIER_HOME": str(private / "home"),
    }
    os.environ["SOFTHSM2_CONF"] = str(token.conf)
    rows: list[Row] = []
    ours = dossier_command()
    with running_pki_server(pki):
        for level in args.levels:
            for key in args.keys:
                task = f"sign {level} {key}"
                key_args = (
                    ["--p12", str(pki.signer("officer").p12)]
                    if key == "p12"
                    else ["--pkcs11-module", str(token.module), "--token-label", TOKEN_LABEL]
                )

                def ours_command(i: int, level: str = level, key_args: list[str] = key_args, key: str = key):
                    target = args.out / f"ours-{level}-{key}-{i}"
                    command = [*ours, "sign", *map(str, docs), "--out", str(target), *key_args]
                    options = ["--level", level, "--tsa", pki.tsa_url, "--trust", str(pki.root), "--json"]
                    return [*command, *options]

                seconds, ok, stderr = median_run([], env, args.repeat, ours_command)
                ok = ok and all(
                    len(list((args.out / f"ours-{level}-{key}-{i}").glob("*.pdf"))) == len(docs)
                    for i in range(args.repeat)
                )
                if not ok:
                    print(stderr, file=sys.stderr)
                rows.append(Row(task, "dossier sign", len(docs), seconds, ok))
                print(f"{task}: dossier {rows[-1].per_second:.1f} docs/s", flush=True)

                def theirs_command(i: int, level: str = level, key: str = key) -> list[str]:
                    theirs = args.out / f"pyhanko-{level}-{key}-{i}"
                    loop = pyhanko_sign_loop(
                        docs[:cli_files], theirs, level, key, pki.tsa_url, pki.root, secret_files
                    )
                    return ["bash", "-c", loop]

                seconds, ok, stderr = median_run([], env, args.repeat, theirs_command)
                if not ok:
                    print(stderr, file=sys.stderr)
                rows.append(Row(task, "pyhanko CLI loop", cli_files, seconds, ok))
                print(f"{task}: pyhanko loop {rows[-1].per_second:.2f} docs/s", flush=True)
        # B-T files carry no validation data: both tools check revocation online, against the same responders
        level = "B-T" if "B-T" in args.levels else args.levels[0]
        signed = sorted((args.out / f"ours-{level}-{args.keys[0]}-0").glob("*.pdf"))
        command = [*ours, "verify", *map(str, signed), "--trust", str(pki.root), "--json"]
        seconds, ok, stderr = median_run(command, env, args.repeat)
        rows.append(Row(f"verify {level} online", "dossier verify", len(signed), seconds, ok))
        print(f"verify: dossier {rows[-1].per_second:.1f} docs/s", flush=True)
        loop = ["bash", "-c", pyhanko_validate_loop(signed[:cli_files], pki.root)]
        seconds, ok, stderr = median_run(loop, env, args.repeat)
        if not ok:
            print(stderr, file=sys.stderr)
        rows.append(
            Row(f"verify {level} online", "pyhanko validate loop", min(cli_files, len(signed)), seconds, ok)
        )
        print(f"verify: pyhanko loop {rows[-1].per_second:.2f} docs/s", flush=True)
    shutil.rmtree(private)
    report(args, rows, pages)


def report(args: argparse.Namespace, rows: list[Row], documents: int) -> None:
    import subprocess

    page_counts = [
        int(line.split()[-1])
        for pdf in sorted((args.out / "documents").glob("*.pdf"))
        for line in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout.splitlines()
        if line.startswith("Pages:")
    ]
    lines = [
        "# dossier sign / verify vs the pyHanko CLI",
        "",
        f"{documents} generated scanned PDF/A documents, {sum(page_counts)} pages (1-10 each); "
        f"machine: {machine().nproc} cores, {machine().cpu}; dossier {dossier_version}; "
        f"{first_line([tool('pyhanko'), '--version'])}; median of {args.repeat} runs",
        "",
        "| task | tool | documents | seconds | documents/s | ok |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.task} | {row.tool} | {row.documents} | {row.seconds:.1f} | {row.per_second:.2f} | "
            f"{'yes' if row.ok else 'NO'} |"
        )
    lines += ["", "| task | speed-up (dossier / pyHanko CLI loop) | target |", "|---|---:|---|"]
    for task in dict.fromkeys(row.task for row in rows):
        ours, theirs = (r for r in rows if r.task == task)
        ratio = ours.per_second / theirs.per_second if theirs.per_second else float("inf")
        target = f">= {TARGET_SIGN:.0f}x" if task.startswith("sign") else f">= {TARGET_VERIFY:.0f} docs/s"
        met = ratio >= TARGET_SIGN if task.startswith("sign") else ours.per_second >= TARGET_VERIFY
        lines.append(f"| {task} | {ratio:.1f}x | {target}: {'met' if met else 'NOT met'} |")
    text = "\n".join(lines) + "\n"
    print(text)
    (args.out / "results.md").write_text(text)
    (args.out / "results.json").write_text(
        json.dumps(
            {"rows": [asdict(r) | {"per_second": r.per_second} for r in rows], "pages": page_counts}, indent=2
        )
    )


if __name__ == "__main__":
    main()
