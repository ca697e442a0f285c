"""`dossier sign` and `dossier tokens`: parse options, call the signing functions, print the result."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from dossier.cli_common import json_option, progress_bar, workspace_option
from dossier.console import stderr_console
from dossier.errors import ConfigError
from dossier.i18n import _
from dossier.render import print_json, stdout_console
from dossier.signing.appearance import StampSpec
from dossier.signing.inputs import carry_manifest, plan_jobs
from dossier.signing.keys import (
    KeySelector,
    P12Source,
    TokenObject,
    TokenSource,
    list_tokens,
    open_signer,
    open_token_session,
    token_objects,
)
from dossier.signing.settings import Level, SigningSettings, load_signing_settings, parse_key_id
from dossier.signing.sign import BatchResult, SignRequest, sign_batch
from dossier.signing.trust import load_trust_roots

SIGN_HELP = _(
    """Ký số PAdES các tệp PDF hoặc thành phần của hồ sơ (thư mục do `dossier scan` tạo) bằng tệp PKCS#12 hoặc
token USB (PKCS#11). Trước khi ký, chứng thư số được kiểm tra một lần: hết hạn, chưa hiệu lực, bị thu hồi
(OCSP rồi CRL), sai mục đích khóa, không dẫn tới CA gốc tin cậy thì từ chối, không ghi tệp nào. Bản ký giữ
nguyên tên trong --out (cập nhật tăng dần: PDF/A vẫn là PDF/A; tệp đã ký được ký thêm chữ ký mới). Mặc định
mức B-LT khi có dịch vụ cấp dấu thời gian, B-B khi không. Mật khẩu PKCS#12 lấy từ DOSSIER_P12_PASSWORD,
--p12-password-file hoặc hỏi ẩn; PIN từ DOSSIER_PIN hoặc hỏi ẩn một lần cho cả lô; không bao giờ nhận trên
dòng lệnh.

\b
Ví dụ:
  dossier sign hs-001 --out hs-001-ky --p12 can-bo.pfx --tsa http://tsa.example.vn
  dossier sign hs-001 --out ky --pkcs11-module /usr/lib/libvnpt-ca.so --cert-subject "Nguyễn Văn A"
  dossier sign a.pdf b.pdf --out ky --level B-B --invisible --json

Mã thoát: 0 thành công; 7 từ chối ký (chứng thư số, PIN, token, dịch vụ dấu thời gian); 3 tệp vào hỏng;
11 một số tệp ký được, một số lỗi."""
)

TOKENS_HELP = _(
    """Liệt kê token PKCS#11 (khe, nhãn, hãng) và, sau khi nhập PIN, các khóa và chứng thư số trên token
(nhãn, id hex, chủ thể, tổ chức cấp, hiệu lực, mục đích khóa) để chọn --key-label / --key-id / --cert-subject.

\b
Ví dụ:
  dossier tokens --pkcs11-module /usr/lib/softhsm/libsofthsm2.so
  dossier tokens --token-label "VNPT-CA" --json"""
)

TOKENS_EXIT_HELP = _(
    """Mã thoát: 0 đã liệt kê; 2 sai cú pháp lệnh; 4 không tìm thấy hoặc không nạp được thư viện PKCS#11; 5
chưa chỉ định thư viện PKCS#11 hoặc cấu hình ký số sai; 7 không đăng nhập được token (sai PIN, token bị
khóa, không có token mang nhãn này)."""
)


def _settings() -> SigningSettings:
    return load_signing_settings()


@click.command(name="sign", help=SIGN_HELP)
@click.argument(
    "inputs", metavar="FILES_OR_DOSSIER...", nargs=-1, required=True, type=click.Path(path_type=Path)
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help=_("Thư mục ghi bản đã ký."),
)
@click.option(
    "--p12", type=click.Path(dir_okay=False, path_type=Path), help=_("Tệp PKCS#12 (.pfx/.p12) chứa khóa ký.")
)
@click.option(
    "--p12-password-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=_("Tệp chứa mật khẩu PKCS#12 (dòng đầu)."),
)
@click.option(
    "--pkcs11-module", type=click.Path(dir_okay=False, path_type=Path), help=_("Thư viện PKCS#11 của token.")
)
@click.option("--token-label", help=_("Nhãn token (khi cắm nhiều token)."))
@click.option("--key-label", help=_("Nhãn khóa trên token."))
@click.option("--key-id", help=_("Id khóa trên token (hex)."))
@click.option("--cert-subject", help=_("Một phần tên chủ thể chứng thư số (ví dụ họ tên)."))
@click.option("--pin-pad", is_flag=True, help=_("Nhập PIN trên bàn phím của đầu đọc (không hỏi PIN)."))
@click.option(
    "--level", type=click.Choice([level.value for level in Level], case_sensitive=False), help=_("Mức PAdES.")
)
@click.option("--tsa", "tsa_url", help=_("Địa chỉ dịch vụ cấp dấu thời gian RFC 3161."))
@click.option(
    "--trust",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=_("Tệp PEM CA gốc tin cậy (lặp lại được)."),
)
@click.option("--visible/--invisible", default=None, help=_("Chữ ký hiện trên trang (mặc định) hoặc ẩn."))
@click.option("--agency", help=_("Tên cơ quan in trên chữ ký hiện."))
@click.option("--page", type=int, help=_("Trang đặt chữ ký hiện (1 = đầu, -1 = cuối)."))
@click.option("--seal-image", type=click.Path(dir_okay=False, path_type=Path), help=_("Ảnh con dấu PNG."))
@click.option(
    "--allow-fallback-bb", is_flag=True, help=_("Ký mức B-B khi không kết nối được dịch vụ dấu thời gian.")
)
@click.option(
    "--strict-revocation",
    is_flag=True,
    default=None,
    help=_("Từ chối khi không kiểm tra được thu hồi (mọi mức)."),
)
@workspace_option
@json_option
@click.pass_context
def sign(ctx: click.Context, inputs: tuple[Path, ...], out_dir: Path, **options: Any) -> None:
    settings = _settings()
    source = key_source(settings, **{k: options[k] for k in _KEY_OPTIONS})
    tsa_url = options["tsa_url"] or settings.tsa_url
    level = Level(options["level"].upper()) if options["level"] else settings.level
    if level is None:
        level = Level.b_lt if tsa_url else Level.b_b
    visible = options["visible"] if options["visible"] is not None else settings.visible
    stamp = None
    if visible:
        stamp = StampSpec(
            font=settings.font,
            agency=options["agency"] or settings.agency,
            page=options["page"] if options["page"] is not None else settings.page,
            box=settings.box,
            seal_image=options["seal_image"] or settings.seal_image,
        )
    request = SignRequest(
        level=level,
        tsa_url=tsa_url,
        stamp=stamp,
        allow_fallback_bb=options["allow_fallback_bb"],
        strict_revocation=bool(options["strict_revocation"] or settings.strict_revocation),
        reason=settings.reason,
        location=settings.location,
    )
    jobs = plan_jobs(inputs, out_dir)
    trust_roots = load_trust_roots(options["trust"])
    with open_signer(source) as key, batch_progress(len(jobs)) as progress:
        result = sign_batch(jobs, out_dir, request, key, trust_roots, progress)
    signed_copies = tuple(f.output for f in result.files)
    if result.files and not result.failed and carry_manifest(inputs, out_dir, signed_copies) is not None:
        from dossier.store.registry import DossierState, note_dossier_event
        from dossier.store.workspace import resolve_workspace

        details = {"files": len(result.files), "level": str(result.level_reached), "from": inputs[0].name}
        note_dossier_event(
            out_dir, DossierState.signed, details, workspace=resolve_workspace(options["workspace"])
        )
    if options["as_json"]:
        print_json(batch_document(result))
    else:
        print_batch(result)
    ctx.exit(int(result.exit_code))


_KEY_OPTIONS = (
    "p12",
    "p12_password_file",
    "pkcs11_module",
    "token_label",
    "key_label",
    "key_id",
    "cert_subject",
    "pin_pad",
)


def key_source(
    settings: SigningSettings,
    p12: Path | None,
    p12_password_file: Path | None,
    pkcs11_module: Path | None,
    token_label: str | None,
    key_label: str | None,
    key_id: str | None,
    cert_subject: str | None,
    pin_pad: bool,
) -> P12Source | TokenSource:
    """--p12 or --pkcs11-module on the command line first, then the configuration file."""
    if p12 is not None and pkcs11_module is not None:
        raise click.UsageError(_("Chọn một trong --p12 hoặc --pkcs11-module."))
    if p12 is not None:
        if key_label or key_id or cert_subject or token_label:
            raise click.UsageError(
                _("--token-label, --key-label, --key-id, --cert-subject chỉ dùng với token.")
            )
        return P12Source(p12, p12_password_file)
    module = pkcs11_module or (
        None if settings.p12 is not None and not pkcs11_module else settings.pkcs11_module
    )
    if module is None and settings.p12 is not None:
        return P12Source(settings.p12, p12_password_file)
    if module is None:
        raise ConfigError(
            _(
                "Chưa chọn khóa ký: dùng --p12 TỆP hoặc --pkcs11-module THƯ_VIỆN "
                "(hoặc [signing] p12 / pkcs11_module)."
            )
        )
    explicit = key_label or key_id or cert_subject
    selector = KeySelector(
        label=key_label if explicit else settings.key_label,
        id_hex=parse_key_id(key_id) if key_id else (None if explicit else settings.key_id),
        subject=cert_subject if explicit else settings.cert_subject,
    )
    return TokenSource(module, token_label or settings.token_label, selector, pin_pad)


@contextmanager
def batch_progress(total: int) -> Iterator[Any]:
    """A progress bar on stderr for batches of several files (nothing for one file)."""
    if total < 2:
        yield None
        return
    with progress_bar(total, _("Đang ký"), transient=True) as bar:
        yield bar.update


def batch_document(result: BatchResult) -> dict[str, Any]:
    signer = result.signer
    return {
        "ok": not result.failed,
        "exit_code": int(result.exit_code),
        "level_requested": str(result.level_requested),
        "level_reached": str(result.level_reached),
        "fell_back_to_bb": result.fell_back_to_bb,
        "key_source": result.source,
        "signer": {
            "subject": signer.subject,
            "common_name": signer.common_name,
            "issuer": signer.issuer,
            "serial": signer.serial,
            "not_before": signer.not_before.isoformat(),
            "not_after": signer.not_after.isoformat(),
            "revocation_source": signer.revocation_source,
        },
        "files": [
            {
                "path": str(f.path),
                "output": str(f.output),
                "level": str(f.level),
                "signer": signer.common_name,
                "field": f.field,
                "signing_time": f.signing_time,
                "sha256_before": f.sha256_before,
                "sha256_after": f.sha256_after,
                "seconds": round(f.seconds, 3),
            }
            for f in result.files
        ],
        "failed": [
            {"path": str(f.path), "reason": f.reason, "exit_code": int(f.exit_code)} for f in result.failed
        ],
        "seconds": round(result.seconds, 2),
    }


def print_batch(result: BatchResult) -> None:
    errors = functools.partial(stderr_console.print, soft_wrap=True)
    if result.fell_back_to_bb:
        errors(
            _(
                "⚠ Không kết nối được dịch vụ cấp dấu thời gian: đã ký mức B-B thay cho {level} "
                "(--allow-fallback-bb)."
            ).format(level=result.level_requested)
        )
    source = result.signer.revocation_source or _("không có câu trả lời (chế độ mềm)")
    stdout_console.print(
        _("Người ký: {signer} — cấp bởi {issuer}; kiểm tra thu hồi: {source}").format(
            signer=result.signer.short_subject, issuer=result.signer.short_issuer, source=source
        )
    )
    if result.files:
        table = Table(_("Tệp"), _("Mức"), _("Trường chữ ký"), _("Bản đã ký"))
        for f in result.files:
            table.add_row(f.path.name, str(f.level), f.field, str(f.output))
        stdout_console.print(table)
    for failure in result.failed:
        errors(f"✗ {failure.path}: {failure.reason}", markup=False)
    stdout_console.print(
        _("Đã ký {n}/{total} tệp ở mức {level} trong {s:.1f} giây.").format(
            n=len(result.files),
            total=len(result.files) + len(result.failed),
            level=result.level_reached,
            s=result.seconds,
        )
    )


@click.command(name="tokens", help=TOKENS_HELP, epilog=TOKENS_EXIT_HELP)
@click.option(
    "--pkcs11-module", type=click.Path(dir_okay=False, path_type=Path), help=_("Thư viện PKCS#11 của token.")
)
@click.option("--token-label", help=_("Nhãn token cần xem khóa."))
@click.option("--no-login", is_flag=True, help=_("Chỉ liệt kê token, không nhập PIN."))
@click.option("--pin-pad", is_flag=True, help=_("Nhập PIN trên bàn phím của đầu đọc."))
@json_option
def tokens(
    pkcs11_module: Path | None, token_label: str | None, no_login: bool, pin_pad: bool, as_json: bool
) -> None:
    settings = _settings()
    module = pkcs11_module or settings.pkcs11_module
    if module is None:
        raise ConfigError(_("Chưa có thư viện PKCS#11: dùng --pkcs11-module hoặc [signing] pkcs11_module."))
    found = list_tokens(module)
    label = token_label or settings.token_label
    objects: tuple[TokenObject, ...] | None = None
    if not no_login and found and (label is not None or len(found) == 1):
        with open_token_session(TokenSource(module, label, pin_pad=pin_pad)) as (session, _label):
            objects = token_objects(session)
    if as_json:
        print_json(
            {
                "module": str(module),
                "tokens": [t.__dict__ for t in found],
                "selected_token": label
                if label is not None
                else (found[0].label if len(found) == 1 else None),
                "objects": None if objects is None else [object_document(o) for o in objects],
            }
        )
        return
    table = Table(_("Khe"), _("Nhãn token"), _("Hãng"), _("Mẫu"), _("Số sê-ri"), title=str(module))
    for t in found:
        table.add_row(str(t.slot), t.label, t.manufacturer, t.model, t.serial)
    stdout_console.print(table if found else _("Không có token nào được cắm."))
    if objects is not None:
        for o in objects:
            print_token_object(object_document(o))


def print_token_object(d: dict[str, Any]) -> None:
    """One block per object: ids and subjects are long, a table would wrap them unreadably."""
    kind = (
        _("khóa riêng + chứng thư số")
        if d["private_key"] and d["subject"]
        else (_("khóa riêng (không có chứng thư số)") if d["private_key"] else _("chứng thư số"))
    )
    stdout_console.print(f"• {d['label'] or '-'}  id={d['id'] or '-'}  [{kind}]", markup=False)
    if d["subject"]:
        stdout_console.print("  " + _("Chủ thể: {value}").format(value=d["subject"]), markup=False)
        stdout_console.print("  " + _("Cấp bởi: {value}").format(value=d["issuer"]), markup=False)
        stdout_console.print(
            "  " + _("Hiệu lực: {start} → {end}").format(start=d["not_before"], end=d["not_after"]),
            markup=False,
        )
        stdout_console.print(
            "  " + _("Mục đích khóa: {value}").format(value=", ".join(d["key_usage"]) or "-"), markup=False
        )


def object_document(o: TokenObject) -> dict[str, Any]:
    cert = o.certificate
    validity = cert["tbs_certificate"]["validity"] if cert is not None else None
    usage = cert.key_usage_value if cert is not None else None
    return {
        "label": o.label,
        "id": o.id_hex,
        "private_key": o.has_private_key,
        "subject": cert.subject.human_friendly if cert is not None else None,
        "issuer": cert.issuer.human_friendly if cert is not None else None,
        "serial": format(cert.serial_number, "x") if cert is not None else None,
        "not_before": validity["not_before"].native.isoformat() if validity is not None else None,
        "not_after": validity["not_after"].native.isoformat() if validity is not None else None,
        "key_usage": sorted(usage.native) if usage is not None else [],
    }
