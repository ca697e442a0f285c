"""Benchmark: dossiers through the durable outbox to the sandbox portal, against a raw HTTP upload.

    .venv/bin/python bench/submit.py                       # 200 dossiers of ~5 MB (two signed PDFs each)
    .venv/bin/python bench/submit.py --dossiers 20 --mb 2  # a quick run

Both sides talk to the same sandbox portal (`dossier portal serve`, a subprocess on 127.0.0.1) and make the
same API calls (create, PUT in 1 MiB chunks, finalize):

- **outbox**: `dossier.submit.sync.submit_dossier` per dossier, as `dossier submit` does it: signatures
  checked and SHA-256 computed from the folder, the snapshot hard-linked into the outbox and re-hashed,
  fsynced, the registry and event log committed (SQLite, synchronous=FULL) before sending, the snapshot
  hashed again before the first byte goes out, every step committed;
- **raw**: plain httpx with the SHA-256 precomputed outside the timing: no hashing, no copies, no database.

Prints dossiers per second and MB/s for each and the ratio (the issue's target: outbox >= 70 % of raw), and
writes `bench/out/submit/results.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier.store.workspace import Workspace  # noqa: E402
from dossier.submit.adapter import Citizen, Officer  # noqa: E402
from dossier.submit.auth import TokenProvider  # noqa: E402
from dossier.submit.package import build_package  # noqa: E402
from dossier.submit.rest import RestPortalAdapter  # noqa: E402
from dossier.submit.settings import PortalSettings  # noqa: E402
from dossier.submit.sync import submit_dossier  # noqa: E402
from tests.submit.conftest import AGENCY, CITIZEN_ID, CITIZEN_NAME, OFFICER, write_pdf  # noqa: E402
from tests.submit.portal_fixture import start_portal  # noqa: E402

TOKEN = "bench-token"
CHUNK = 1 << 20


def make_folders(out: Path, count: int, megabytes: float) -> list[Path]:
    """`count` dossier folders, each TP01.pdf + TP02.pdf (signed, 0600 as `dossier` writes them)."""
    templates = out / "templates"
    templates.mkdir(parents=True, exist_ok=True)
    half = int(megabytes * (1 << 20) / 2)
    sources = [write_pdf(templates / f"TP0{n}.pdf", f"bench TP0{n}", padding=half) for n in (1, 2)]
    folders = []
    for number in range(count):
        folder = out / "dossiers" / f"hs-{number:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        for source in sources:
            target = folder / source.name
            shutil.copyfile(source, target)
            target.chmod(0o600)
        (folder / "manifest.json").write_text(json.dumps({"checklist": {"procedure": "1.001193"}}))
        folders.append(folder)
    return folders


def run_outbox(folders: list[Path], url: str, workspace: Workspace) -> float:
    settings = PortalSettings(url=url, officer=OFFICER, agency=AGENCY, chunk_size=CHUNK)
    citizen = Citizen(CITIZEN_ID, CITIZEN_NAME, phone="0912345678", consent_reference="BENCH")
    adapter = RestPortalAdapter(url, settings, TokenProvider(TOKEN, None))
    started = time.perf_counter()
    for folder in folders:
        # one adapter reused, as `dossier sync` does; `submit_dossier` closes what it is given, so wrap it
        result = submit_dossier(
            folder, citizen, settings, workspace, lambda _url: _Unclosable(adapter), receipt=False
        )
        if result.delivery.result.value != "acknowledged":
            raise SystemExit(f"bench: {folder.name} not acknowledged: {result.delivery.error}")
    elapsed = time.perf_counter() - started
    adapter.close()
    return elapsed


class _Unclosable:
    """The shared adapter, without `close`, so one connection pool serves the whole run."""

    def __init__(self, adapter: RestPortalAdapter) -> None:
        self._adapter = adapter

    def __getattr__(self, name: str) -> object:
        return getattr(self._adapter, name)

    def close(self) -> None:
        return None


def run_raw(folders: list[Path], url: str) -> float:
    package = build_package(
        folders[0],
        Citizen(CITIZEN_ID, CITIZEN_NAME, phone="0912345678", consent_reference="BENCH"),
        Officer(OFFICER, AGENCY),
    )
    body = package.metadata.to_json()  # the same bytes in every folder: hashes computed once, untimed
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        started = time.perf_counter()
        for folder in folders:
            created = client.post("/v1/dossiers", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
            created.raise_for_status()
            dossier_id = created.json()["id"]
            for entry in body["files"]:
                size = entry["size"]
                with (folder / entry["name"]).open("rb") as fh:
                    offset = 0
                    while offset < size:
                        chunk = fh.read(CHUNK)
                        end = offset + len(chunk) - 1
                        response = client.put(
                            f"/v1/dossiers/{dossier_id}/files/{entry['name']}",
                            content=chunk,
                            headers={"Content-Range": f"bytes {offset}-{end}/{size}"},
                        )
                        response.raise_for_status()
                        offset = end + 1
            client.post(f"/v1/dossiers/{dossier_id}/finalize").raise_for_status()
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=200)
    parser.add_argument("--mb", type=float, default=5.0, help="size of one dossier (two PDFs) in MB")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side (median reported)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "submit")
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    print(f"preparing {args.dossiers} dossiers of {args.mb} MB ...", flush=True)
    folders = make_folders(args.out, args.dossiers, args.mb)
    total_bytes = sum(p.stat().st_size for f in folders for p in f.glob("TP*.pdf"))
    os.environ.pop("DOSSIER_CONFIG", None)
    runs: dict[str, list[float]] = {"raw": [], "outbox": []}
    # one portal for both, the two sides alternating, so a busy machine or a growing portal database
    # weighs on both alike; the median of the repeats is reported
    with start_portal(args.out, token=TOKEN, data_dir=args.out / "portal-data") as portal:
        for repeat in range(args.repeat):
            runs["raw"].append(run_raw(folders, portal.url))
            runs["outbox"].append(
                run_outbox(folders, portal.url, Workspace(args.out / f"workspace-{repeat}"))
            )
            print(
                f"run {repeat + 1}: raw {runs['raw'][-1]:.1f} s, outbox {runs['outbox'][-1]:.1f} s",
                flush=True,
            )
    mb = total_bytes / 1e6
    results: dict[str, dict[str, float]] = {}
    for name, seconds in runs.items():
        median = statistics.median(seconds)
        results[name] = {"seconds": median, "dossiers_per_s": args.dossiers / median, "mb_per_s": mb / median}
    ratio = results["outbox"]["mb_per_s"] / results["raw"]["mb_per_s"]
    print(f"\n{args.dossiers} dossiers, {mb:.0f} MB in total, 1 MiB chunks, loopback, {os.cpu_count()} CPUs,")
    print(f"median of {args.repeat} runs each")
    print(f"{'':8} {'seconds':>9} {'dossiers/s':>11} {'MB/s':>8}")
    for name in ("raw", "outbox"):
        r = results[name]
        print(f"{name:8} {r['seconds']:9.1f} {r['dossiers_per_s']:11.2f} {r['mb_per_s']:8.1f}")
    print(f"outbox / raw throughput: {ratio:.0%} (target >= 70 %)")
    document = {"dossiers": args.dossiers, "megabytes": mb, "runs": runs, "results": results, "ratio": ratio}
    (args.out / "results.json").write_text(json.dumps(document, indent=2) + "\n")
    shutil.rmtree(args.out / "dossiers", ignore_errors=True)  # a GB of copies is not worth keeping
    shutil.rmtree(args.out / "portal-data", ignore_errors=True)


if __name__ == "__main__":
    main()
