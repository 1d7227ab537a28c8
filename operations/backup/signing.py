"""Signing the archive: an HMAC-SHA256 over the manifest's exact bytes, with a key kept apart from the
archives (the file BACKUP_SIGNING_KEY_FILE names; see docs/backup.md).

The manifest holds the sha256 of every member, and the reader refuses any member it does not list, so
a valid signature over the manifest vouches for the whole archive. The signature is the archive's
second member, `manifest.sig`, a small JSON object: the algorithm, the key's id and the HMAC.

The key file holds one key per line (blank lines and `#` comments are ignored). The first key signs;
every key verifies, so a new key goes on top and an old one stays below until the last archive it
signed has expired. A key's id is a hash of the key: it tells which key signed an archive without
revealing anything about the key."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from operations.backup.archive import FORMAT_NAME, SIGNATURE_NAME, BackupError

ALGORITHM = "HMAC-SHA256"


MIN_KEY_CHARS = 32


SETTING = "BACKUP_SIGNING_KEY_FILE"


GENERATE_HINT = "可用 python -c 'import secrets; print(secrets.token_hex(32))' 生成一把新密钥"


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    secret: bytes = b""

    def __repr__(self) -> str:  # never print the secret
        return f"SigningKey({self.key_id})"


def key_id(secret: bytes) -> str:
    return hashlib.sha256(b"jiaxing-minzheng-backup-signing-key\n" + secret).hexdigest()[:16]


def key_file() -> Path | None:
    """The configured key file, or None when backups are not signed on this installation."""
    value = getattr(settings, SETTING, "") or ""
    return Path(value) if str(value).strip() else None


def configured_keys() -> list[SigningKey]:
    """The keys of the key file, the signing one first; [] when no key file is configured.

    A key file that is configured but missing, unreadable, empty or holding a weak key is an error:
    signing or restoring silently without it would hide the mistake."""
    path = key_file()
    if path is None:
        return []
    where = f"签名密钥文件 {path}({SETTING})"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as error:
        raise BackupError(f"{where}无法读取:{error}。请检查路径和文件权限。") from error
    keys: list[SigningKey] = []
    for number, line in enumerate(text.splitlines(), 1):
        value = line.strip()
        if not value or value.startswith("#"):
            continue
        if len(value) < MIN_KEY_CHARS or any(c.isspace() for c in value):
            raise BackupError(
                f"{where}第 {number} 行不是有效的密钥(须为至少 {MIN_KEY_CHARS} 个字符、不含空格的一行)。"
                f"{GENERATE_HINT}。"
            )
        secret = value.encode("utf-8")
        keys.append(SigningKey(key_id(secret), secret))
    if not keys:
        raise BackupError(f"{where}中没有密钥。{GENERATE_HINT},写入该文件。")
    return keys


def _mac(secret: bytes, manifest: bytes) -> str:
    return hmac.new(secret, manifest, hashlib.sha256).hexdigest()


def sign(manifest: bytes, key: SigningKey) -> bytes:
    """The `manifest.sig` member for these manifest bytes."""
    data = {
        "format": FORMAT_NAME,
        "algorithm": ALGORITHM,
        "key_id": key.key_id,
        "hmac": _mac(key.secret, manifest),
    }
    return json.dumps(data, indent=1).encode("utf-8")


@dataclass(frozen=True)
class SignatureCheck:
    """What the signature check found: `signed_by` is the id of the key that verified the archive, or
    "" when the archive goes ahead without a verified signature (only with --allow-unsigned), and then
    `warning` says why."""

    signed_by: str = ""
    warning: str = ""


ALLOW_HINT = (
    "只有在确知这份备份文件来源可靠(例如刚从本机的备份目录取出)时,才可加 --allow-unsigned 跳过签名检查;"
    "此时只剩各成员的校验值把关,它们防不住连清单一起改写的人。"
)


def check_signature(
    manifest: bytes, signature: bytes | None, keys: list[SigningKey], *, allow_unsigned: bool
) -> SignatureCheck:
    """Check the signature of the manifest bytes against the configured keys.

    Refused always: a malformed signature member, and a signature by a configured key that does not
    match (the manifest changed after it was signed). Refused unless allow_unsigned: an archive
    without a signature, a signature when no key is configured, a signature by a key not configured."""
    if signature is None:
        problem = f"备份文件没有签名(生成它时未配置 {SETTING}),无法确认它未被改动。"
        return _unverified(problem, allow_unsigned)
    try:
        data = json.loads(signature)
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise ValueError("format")
        algorithm, signer, mac = data["algorithm"], data["key_id"], data["hmac"]
        if not all(isinstance(value, str) for value in (algorithm, signer, mac)):
            raise ValueError("types")
    except (ValueError, KeyError) as error:
        raise BackupError(
            f"备份文件的签名 {SIGNATURE_NAME} 格式不对,备份文件已损坏或被改动,拒绝处理。"
        ) from error
    if algorithm != ALGORITHM:
        raise BackupError(f"备份文件的签名算法 {algorithm!r} 不是 {ALGORITHM},拒绝处理。")
    if not keys:
        problem = f"备份文件已签名(密钥编号 {signer}),但本机未配置签名密钥 {SETTING},无法验证签名。"
        return _unverified(problem, allow_unsigned)
    key = next((k for k in keys if hmac.compare_digest(k.key_id, signer)), None)
    if key is None:
        configured = "、".join(k.key_id for k in keys)
        problem = (
            f"备份文件由另一把密钥签名(密钥编号 {signer}),{SETTING} 中的密钥(编号 {configured})"
            "都不是它:签名密钥不对,或备份文件被他人改动并重新签名。"
            "如果密钥已轮换,请把旧密钥加回密钥文件(放在新密钥下面)再恢复。"
        )
        return _unverified(problem, allow_unsigned)
    if not hmac.compare_digest(_mac(key.secret, manifest), mac):
        raise BackupError(
            f"备份文件的签名不符(密钥编号 {signer}):清单 manifest.json 在签名之后被改动过,"
            "备份文件不可信,拒绝处理。"
        )
    return SignatureCheck(signed_by=key.key_id)


def _unverified(problem: str, allow_unsigned: bool) -> SignatureCheck:
    if not allow_unsigned:
        raise BackupError(f"{problem}拒绝处理。{ALLOW_HINT}")
    return SignatureCheck(warning=f"{problem}因指定了 --allow-unsigned,未经签名验证继续。")
