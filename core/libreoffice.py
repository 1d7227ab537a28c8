"""LibreOffice, headless, turning one Office document into a PDF, and nothing else.

A document comes from an office's account, so it is treated as hostile:
- a throw-away profile (created for the run and removed with everything else after it) whose settings
  switch macros off (the highest macro security, macro execution disabled) and never update links to
  other files or the web, so a document cannot run code or pull a file of the server into its PDF;
- no network: the process runs in a network namespace of its own (`unshare --net`, as root; as
  another user `unshare --net --map-root-user`, where the kernel allows unprivileged namespaces).
  Where neither works it runs without, and says so once in the log (docs/decisions.md);
- a time limit: after TIMEOUT seconds the whole process group (soffice's launcher and office
  process) is killed, so a document built to hang cannot hold the worker;
- a minimal environment: no variable of the portal (its database URL, its keys) reaches it.
"""

import contextlib
import functools
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

SOFFICE = "soffice"
TIMEOUT = 120  # seconds; a 10 MB ledger takes a few

# LibreOffice picks its import filter by content; the name's extension is a hint it also reads, and
# WPS's .wps and .et are the Word 97 and Excel 97 formats (core.evidence), so they go in as such.
INPUT_SUFFIX = {".wps": ".doc", ".et": ".xls"}

# The profile's settings (registrymodifications.xcu): (path, property, value). Writer's link update 0
# and Calc's 1 both mean "never".
SETTINGS = [
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "0"),
    ("/org.openoffice.Office.Calc/Content/Update", "Link", "1"),
    ("/org.openoffice.Office.Common/Misc", "UseLocking", "false"),
]


def profile_settings() -> str:
    items = "".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>\n"
        for path, name, value in SETTINGS
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}</oor:items>\n"
    )


class ConversionFailed(Exception):
    """The document could not be turned into a PDF; the message says why, in Chinese."""


def available() -> bool:
    return shutil.which(SOFFICE) is not None


@functools.cache
def no_network_prefix() -> tuple[str, ...]:
    """The command that runs a program without network, or () where the system allows none."""
    unshare = shutil.which("unshare")
    if unshare:
        options = ("--net",) if os.geteuid() == 0 else ("--net", "--map-root-user")
        try:
            probe = subprocess.run([unshare, *options, "true"], capture_output=True, timeout=10, check=False)  # noqa: S603
        except (OSError, subprocess.SubprocessError):
            probe = None
        if probe is not None and probe.returncode == 0:
            return (unshare, *options)
    logger.warning(
        "LibreOffice runs with the worker's network: unshare is missing or not permitted "
        "(allow unprivileged user namespaces, or run the worker where it has none)"
    )
    return ()


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group has already ended
        os.killpg(process.pid, signal.SIGKILL)


def to_pdf(data: bytes, extension: str, *, timeout: float | None = None) -> bytes:
    """The PDF of an Office document given as bytes and the extension of its kind (".docx")."""
    return convert(data, extension, to="pdf", timeout=timeout)


def convert(data: bytes, extension: str, *, to: str, timeout: float | None = None) -> bytes:
    """The document converted to the format of extension `to` ("pdf"; the tests make their .doc and
    .xls samples with "doc" and "xls")."""
    if not available():
        raise ConversionFailed("服务器未安装 LibreOffice,无法转换。")
    timeout = TIMEOUT if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="jiaxing-convert-") as folder:
        work = Path(folder)
        profile = work / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(profile_settings(), encoding="utf-8")
        (work / "tmp").mkdir()
        source = work / f"document{INPUT_SUFFIX.get(extension, extension)}"
        source.write_bytes(data)
        out = work / "out"
        command = [
            *no_network_prefix(),
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--nofirststartwizard",
            "--convert-to",
            to,
            "--outdir",
            str(out),
            str(source),
        ]
        environment = {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(work),
            "TMPDIR": str(work / "tmp"),
            "LANG": "C.UTF-8",
            "SAL_USE_VCLPLUGIN": "svp",
        }
        # A session of its own: its process group is the launcher and everything it starts.
        process = subprocess.Popen(  # noqa: S603 - a fixed program; the document is a file argument
            command,
            cwd=work,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise ConversionFailed(f"转换超时(超过 {timeout:g} 秒),文件可能过于复杂。") from None
        finally:
            _kill_group(process)  # whatever it left behind
        result_file = out / f"document.{to}"
        if process.returncode != 0 or not result_file.is_file() or result_file.stat().st_size == 0:
            logger.warning(
                "LibreOffice did not convert (exit %s): %s",
                process.returncode,
                errors.decode(errors="replace")[-500:],
            )
            raise ConversionFailed("LibreOffice 无法打开此文件,文件可能已损坏或格式不受支持。")
        result = result_file.read_bytes()
        if to == "pdf" and not result.startswith(b"%PDF-"):
            raise ConversionFailed("转换结果不是 PDF 文件。")
        return result
