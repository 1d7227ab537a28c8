"""The name an evidence download carries (core.evidence.download_name) and the name a stored file
gets (core.storage.evidence_upload_to): the uploader's typed name is a label, the extension is the
type's, sniffed from the content."""

import pytest

from core.evidence import JPEG, PDF, PNG, download_name
from core.storage import evidence_upload_to

HOSTILE = [
    ("整改报告.pdf.html", PDF, "整改报告.pdf"),
    ("run.bat", PDF, "run.pdf"),
    ("photo.png.svg", PNG, "photo.png"),
]


@pytest.mark.parametrize(("typed", "kind", "offered"), HOSTILE)
def test_the_three_hostile_names_carry_the_detected_extension(typed, kind, offered):
    assert download_name(typed, kind) == offered


@pytest.mark.parametrize(
    ("typed", "kind", "offered"),
    [
        ("会议纪要.pdf", PDF, "会议纪要.pdf"),
        ("照片.JPEG", JPEG, "照片.jpg"),
        ("照片.jpg", JPEG, "照片.jpg"),
        ("scan.PDF ", PDF, "scan.pdf"),
        ("invoice.exe", PNG, "invoice.png"),
        ("a.exe.html", PDF, "a.exe.pdf"),  # the last extension is the type's: a PDF viewer opens it
        ("第1.2版 方案", PDF, "第1.2版 方案.pdf"),  # ".2 方案" is part of the name, not an extension
        ("v1.2", PDF, "v1.2.pdf"),
        ("报告", PDF, "报告.pdf"),
        ("photo\u202egpj.exe", JPEG, "photogpj.jpg"),  # the right-to-left override is gone
        ("../../etc/passwd.pdf", PDF, "passwd.pdf"),
        ("C:\\Users\\张三\\桌面\\通知.pdf", PDF, "通知.pdf"),
        ('a<b>c:"d|e?f*.pdf', PDF, "a_b_c__d_e_f_.pdf"),
        ("bad\x00name\x1b\n.pdf", PDF, "badname.pdf"),
        ("  ...hidden.pdf", PDF, "hidden.pdf"),
        ("CON.pdf", PDF, "_CON.pdf"),
        ("nul", PDF, "_nul.pdf"),
        ("lpt1.txt", PDF, "_lpt1.pdf"),
        ("report.html", None, "report.bin"),  # content of no known kind: never a name that runs
    ],
)
def test_a_typed_name_is_cleaned_and_ends_in_the_type_of_its_content(typed, kind, offered):
    assert download_name(typed, kind) == offered


@pytest.mark.parametrize("typed", ["", ".pdf", "...", "\x00\x01", "\u202e", "/", ".html"])
def test_a_name_with_nothing_left_falls_back(typed):
    assert download_name(typed, PDF, fallback="上墙照片或扫描件") == "上墙照片或扫描件.pdf"
    assert download_name(typed, PDF) == "证据材料.pdf"


def test_a_long_name_is_shortened_within_every_file_system():
    name = download_name("很长" * 200 + ".pdf", PDF)
    assert name.endswith(".pdf")
    assert len(name.encode()) <= 255


def test_a_name_the_portal_builds_keeps_its_dots():
    # "<record>-<field>" has no typed extension to drop.
    assert download_name("秀洲区 新城街道 2011-v2.0", PDF, typed=False) == "秀洲区 新城街道 2011-v2.0.pdf"


class _Record:
    class _meta:  # what evidence_upload_to reads of a model instance
        model_name = "dutyrecordattachment"

    office_id = 7


@pytest.mark.parametrize(
    ("name", "suffix"),
    [
        ("evidence.pdf", ".pdf"),
        ("evidence.jpg", ".jpg"),
        ("evidence.PNG", ".png"),
        ("x.pdf.html", ""),
        ("run.bat", ""),
        ("photo.png.svg", ""),
        ("no-extension", ""),
    ],
)
def test_a_stored_file_only_ever_ends_in_an_evidence_extension(name, suffix):
    path = evidence_upload_to(_Record(), name)
    assert path.startswith("dutyrecordattachment/7/")
    stem = path.rsplit("/", 1)[-1]
    assert len(stem) == 32 + len(suffix)
    assert stem.endswith(suffix)
    if not suffix:
        assert "." not in stem
