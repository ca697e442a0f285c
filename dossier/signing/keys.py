"""The signing key: a PKCS#12 file or a PKCS#11 token (the officer's USB token), opened once per batch.

On a token the key is found by label, by id, by a piece of its certificate's subject, or as the token's only
private key with a certificate (real Vietnamese tokens often carry no usable label). A wrong PIN stops at the
first failure: retrying would lock the officer's token.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pkcs11
from asn1crypto import x509
from pkcs11 import Attribute, ObjectClass
from pkcs11 import exceptions as p11

from dossier.errors import InputFileError, MissingDependencyError, SigningError
from dossier.i18n import _
from dossier.signing.secrets import Prompter, hidden_prompt, p12_password, token_pin

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Pkcs11Library  # the class pkcs11.lib() returns


@dataclass(frozen=True)
class KeySelector:
    """How to pick the key on a token; all empty = the token's only key with a certificate."""

    label: str | None = None
    id_hex: str | None = None
    subject: str | None = None

    def is_empty(self) -> bool:
        return not (self.label or self.id_hex or self.subject)


@dataclass(frozen=True)
class P12Source:
    path: Path
    password_file: Path | None = None


@dataclass(frozen=True)
class TokenSource:
    module: Path
    token_label: str | None = None
    selector: KeySelector = KeySelector()
    pin_pad: bool = False  # the reader has its own keypad (protected authentication path)


@dataclass(frozen=True)
class TokenObject:
    """A private key and/or certificate on a token, paired by id (or label when the id is empty)."""

    label: str
    id_hex: str
    has_private_key: bool
    certificate: x509.Certificate | None

    def describe(self) -> str:
        subject = self.certificate.subject.human_friendly if self.certificate is not None else "-"
        return f"label={self.label!r} id={self.id_hex or '-'} subject={subject}"


@dataclass(frozen=True)
class TokenInfo:
    slot: int
    label: str
    manufacturer: str
    model: str
    serial: str


@dataclass(frozen=True)
class OpenedSigner:
    """A ready pyHanko signer with its certificate and the other certificates that came with the key."""

    signer: object  # pyhanko.sign.signers.Signer
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    source: str  # "pkcs12:<file name>" or "pkcs11:<token label>"


@contextlib.contextmanager
def open_signer(source: P12Source | TokenSource, prompt: Prompter = hidden_prompt) -> Iterator[OpenedSigner]:
    """Open the key once for a batch (a token session stays open until the block ends)."""
    if isinstance(source, P12Source):
        yield open_p12(source, prompt)
        return
    with open_token_session(source, prompt) as (session, token_label):
        yield token_signer(session, source.selector, token_label)


def _cached_key_signer_class() -> type:
    """pyHanko's SimpleSigner parses the private key again for every signature (about 60 ms for RSA-2048 with
    today's `cryptography`, twice per document); this one parses it once per batch."""
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from cryptography.hazmat.primitives.serialization import load_der_private_key
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko.sign.signers import SimpleSigner

    class CachedKeySigner(SimpleSigner):
        _private_key: object = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            if self._private_key is None:
                self._private_key = load_der_private_key(self.signing_key.dump(), password=None)
            key = self._private_key
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), hash_algorithm)
            if mechanism == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, ECDSA(hash_algorithm))
            return bytes(super().sign_raw(data, digest_algorithm))  # other mechanisms: pyHanko's own way

    return CachedKeySigner


def open_p12(source: P12Source, prompt: Prompter = hidden_prompt) -> OpenedSigner:
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    try:
        data = source.path.read_bytes()
    except OSError as error:
        raise InputFileError(
            _("Không đọc được tệp PKCS#12: {reason}").format(reason=error), source.path
        ) from error
    password = p12_password(source.password_file, prompt)
    try:
        private_key, pyca_cert, pyca_others = pkcs12.load_key_and_certificates(data, password or None)
    except ValueError:
        raise SigningError(_("Không mở được tệp PKCS#12: sai mật khẩu hoặc tệp hỏng."), source.path) from None
    if private_key is None or pyca_cert is None:
        raise SigningError(_("Tệp PKCS#12 không chứa khóa riêng kèm chứng thư số."), source.path)
    certificate = translate_pyca_cryptography_cert_to_asn1(pyca_cert)
    chain = tuple(translate_pyca_cryptography_cert_to_asn1(c) for c in pyca_others)
    signer = _cached_key_signer_class()(
        signing_key=translate_pyca_cryptography_key_to_asn1(private_key),
        signing_cert=certificate,
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )
    signer._private_key = private_key
    return OpenedSigner(signer, certificate, chain, f"pkcs12:{source.path.name}")


def load_module(module: Path) -> Pkcs11Library:
    from pyhanko.sign.pkcs11 import p11_lib

    if not module.is_file():
        raise MissingDependencyError(_("Không tìm thấy thư viện PKCS#11 (module của token)."), module)
    try:
        return p11_lib(str(module))
    except (OSError, RuntimeError, p11.PKCS11Error) as error:
        raise MissingDependencyError(
            _("Không nạp được thư viện PKCS#11: {reason}").format(reason=error), module
        ) from error


def list_tokens(module: Path) -> tuple[TokenInfo, ...]:
    """Tokens present in the slots of `module` (no login needed)."""
    library = load_module(module)
    found = []
    for slot in library.get_slots(token_present=True):
        try:
            token = slot.get_token()
        except p11.PKCS11Error:
            continue
        if not token.flags & pkcs11.TokenFlag.TOKEN_INITIALIZED:
            continue  # an empty slot offered for a new token (SoftHSM always has one)
        found.append(
            TokenInfo(
                slot=int(slot.slot_id),
                label=token.label.strip(),
                manufacturer=token.manufacturer_id.strip(),
                model=token.model.strip(),
                serial=token.serial.decode("ascii", "replace").strip()
                if isinstance(token.serial, bytes)
                else str(token.serial).strip(),
            )
        )
    return tuple(found)


def _find_token(library: Pkcs11Library, module: Path, token_label: str | None) -> pkcs11.Token:
    tokens = []
    for slot in library.get_slots(token_present=True):
        with contextlib.suppress(p11.PKCS11Error):
            token = slot.get_token()
            if token.flags & pkcs11.TokenFlag.TOKEN_INITIALIZED:
                tokens.append(token)
    if token_label is not None:
        tokens = [t for t in tokens if t.label.strip() == token_label]
    labels = ", ".join(repr(t.label.strip()) for t in tokens)
    if not tokens:
        what = repr(token_label) if token_label else ""
        raise SigningError(
            _(
                "Không tìm thấy token {label}: hãy cắm token vào máy và kiểm tra nhãn (dossier tokens)."
            ).format(label=what),
            module,
        )
    if len(tokens) > 1:
        raise SigningError(
            _("Có nhiều token ({labels}): chọn một bằng --token-label.").format(labels=labels), module
        )
    return tokens[0]


@contextlib.contextmanager
def open_token_session(
    source: TokenSource, prompt: Prompter = hidden_prompt
) -> Iterator[tuple[pkcs11.Session, str]]:
    """Log in once: the PIN is asked once, tried once, and a wrong PIN stops everything."""
    library = load_module(source.module)
    token = _find_token(library, source.module, source.token_label)
    label = token.label.strip()
    pin: object = pkcs11.PROTECTED_AUTH if source.pin_pad else token_pin(prompt)
    try:
        session = token.open(user_pin=pin)
    except p11.PinIncorrect:
        raise SigningError(
            _(
                "Sai mã PIN của token {label}. Dừng ngay, không thử lại (thử sai nhiều lần sẽ khóa token); "
                "hãy kiểm tra mã PIN rồi chạy lại."
            ).format(label=label)
        ) from None
    except p11.PinLocked:
        raise SigningError(
            _("Token {label} đã bị khóa PIN: liên hệ nhà cung cấp chứng thư số để mở khóa.").format(
                label=label
            )
        ) from None
    except (p11.PinLenRange, p11.PinInvalid):
        raise SigningError(_("Mã PIN của token {label} không đúng định dạng.").format(label=label)) from None
    except (p11.TokenNotPresent, p11.DeviceRemoved, p11.NoSuchToken):
        raise SigningError(_("Token {label} đã bị rút ra.").format(label=label)) from None
    with session:
        yield session, label


def token_objects(session: pkcs11.Session) -> tuple[TokenObject, ...]:
    """Private keys and certificates on the token, paired by id, else by label."""
    keys = [
        (_text(k, Attribute.LABEL), _bytes(k, Attribute.ID))
        for k in _objects(session, ObjectClass.PRIVATE_KEY)
    ]
    certificates = [
        (
            _text(c, Attribute.LABEL),
            _bytes(c, Attribute.ID),
            x509.Certificate.load(_bytes(c, Attribute.VALUE)),
        )
        for c in _objects(session, ObjectClass.CERTIFICATE)
    ]
    objects: list[TokenObject] = []
    used: set[int] = set()
    for label, ident in keys:
        match = None
        for index, (c_label, c_id, certificate) in enumerate(certificates):
            if index not in used and (
                (ident and c_id == ident) or (not ident and label and c_label == label)
            ):
                match = (index, certificate)
                break
        if match is not None:
            used.add(match[0])
        objects.append(TokenObject(label, ident.hex(), True, match[1] if match else None))
    for index, (c_label, c_id, certificate) in enumerate(certificates):
        if index not in used:
            objects.append(TokenObject(c_label, c_id.hex(), False, certificate))
    return tuple(objects)


def select_key(objects: tuple[TokenObject, ...], selector: KeySelector) -> TokenObject:
    """The one key matching `selector`; none or several is an error listing the candidates (no secrets)."""
    candidates = [o for o in objects if o.has_private_key and o.certificate is not None]
    matching = [
        o
        for o in candidates
        if (selector.label is None or o.label == selector.label)
        and (selector.id_hex is None or o.id_hex == selector.id_hex.lower())
        and (
            selector.subject is None
            or selector.subject.casefold() in o.certificate.subject.human_friendly.casefold()  # type: ignore[union-attr]
        )
    ]
    listing = "; ".join(o.describe() for o in candidates) or _("(không có khóa nào kèm chứng thư số)")
    if not matching:
        raise SigningError(
            _("Không tìm thấy khóa ký phù hợp trên token. Token có: {keys}").format(keys=listing)
        )
    if len(matching) > 1:
        raise SigningError(
            _(
                "Token có nhiều khóa ký: {keys}. Chọn một bằng --key-label, --key-id hoặc --cert-subject."
            ).format(keys="; ".join(o.describe() for o in matching))
        )
    return matching[0]


def _serial_pkcs11_signer_class() -> type:
    """A PKCS#11 session runs one operation at a time: files signed concurrently take turns on the token."""
    import asyncio

    from pyhanko.sign.pkcs11 import PKCS11Signer

    class SerialPKCS11Signer(PKCS11Signer):
        _lock: asyncio.Lock | None = None
        _lock_loop: object = None

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            loop = asyncio.get_running_loop()
            if self._lock is None or self._lock_loop is not loop:
                self._lock, self._lock_loop = asyncio.Lock(), loop
            async with self._lock:
                return bytes(await super().async_sign_raw(data, digest_algorithm, dry_run))

    return SerialPKCS11Signer


def token_signer(session: pkcs11.Session, selector: KeySelector, token_label: str) -> OpenedSigner:
    objects = token_objects(session)
    chosen = select_key(objects, selector)
    assert chosen.certificate is not None
    chain = tuple(
        o.certificate
        for o in objects
        if o.certificate is not None and o.certificate.sha256 != chosen.certificate.sha256
    )
    ident = bytes.fromhex(chosen.id_hex)
    signer = _serial_pkcs11_signer_class()(
        session,
        signing_cert=chosen.certificate,
        ca_chain=list(chain),
        key_id=ident if ident else None,
        key_label=None if ident else chosen.label,
    )
    return OpenedSigner(signer, chosen.certificate, chain, f"pkcs11:{token_label}")


def _objects(session: pkcs11.Session, kind: ObjectClass) -> list[pkcs11.Object]:
    return list(session.get_objects({Attribute.CLASS: kind}))


def _text(obj: pkcs11.Object, attribute: Attribute) -> str:
    try:
        value = obj[attribute]
    except (p11.AttributeTypeInvalid, p11.AttributeSensitive):
        return ""
    return str(value or "")


def _bytes(obj: pkcs11.Object, attribute: Attribute) -> bytes:
    try:
        value = obj[attribute]
    except (p11.AttributeTypeInvalid, p11.AttributeSensitive):
        return b""
    return bytes(value or b"")
