"""Word, Excel and WPS documents as evidence (core/evidence.py): recognised by their content (the OLE2
container's streams, the OOXML package's parts), never by the name alone; macro-enabled and
password-protected documents, programs and other archives refused with a message in Chinese."""

import io
import zipfile

import olefile
import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat

from core import evidence
from core.evidence import (
    DOC,
    DOCX,
    ET,
    PHOTOS,
    PHOTOS_AND_DOCUMENTS,
    WPS,
    XLS,
    XLSX,
    EvidenceField,
    Refused,
    allowed_help,
    download_name,
    identify,
    stored_kind,
    validate_evidence,
)
from core.storage import STORED_SUFFIXES, evidence_upload_to
from tests import evidence_samples as samples


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    # The browser's claim is a lie on purpose: only the content counts.
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def kind_of(name: str, data: bytes):
    return identify(io.BytesIO(data), name)


def test_a_docx_and_an_xlsx_made_by_their_libraries_are_recognised():
    assert kind_of("纪要.docx", samples.docx_bytes()) == DOCX
    assert kind_of("台账.xlsx", samples.xlsx_bytes()) == XLSX
    # The name does not matter for the OOXML kinds: the parts say Word or Excel.
    assert kind_of("台账.docx", samples.xlsx_bytes()) == XLSX
    assert kind_of("无扩展名", samples.docx_bytes()) == DOCX


def test_word_and_excel_97_files_are_told_apart_by_their_streams():
    doc, xls = samples.legacy_office_bytes(".doc"), samples.legacy_office_bytes(".xls")
    assert doc.startswith(evidence.OLE_SIGNATURE) and xls.startswith(evidence.OLE_SIGNATURE)
    assert kind_of("复核记录.doc", doc) == DOC
    assert kind_of("救助台账.xls", xls) == XLS
    # Only between the Word 97 kinds (and the Excel 97 ones) does the typed extension choose.
    assert kind_of("复核记录.wps", doc) == WPS
    assert kind_of("救助台账.et", xls) == ET
    assert kind_of("其实是Word.xls", doc) == DOC
    assert kind_of("其实是Excel.wps", xls) == XLS


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("安装程序.docx", samples.exe_bytes(), "文件类型不符"),
        ("带宏.docm", samples.docm_bytes(), "含有宏"),
        ("改名的宏文档.docx", samples.docm_bytes(), "含有宏"),
        ("藏了宏.docx", samples.docx_with_vba_project(), "含有宏"),
        ("演示文稿.docx", samples.pptx_like_bytes(), "文件类型不符"),
        ("损坏.doc", evidence.OLE_SIGNATURE + b"\x00" * 600, "已损坏"),
        ("损坏.docx", b"PK\x03\x04" + b"\x00" * 100, "已损坏"),
    ],
)
def test_programs_macros_other_office_files_and_broken_ones_are_refused(name, data, message):
    with pytest.raises(forms.ValidationError) as refused:
        validate_evidence(upload(name, data), PHOTOS_AND_DOCUMENTS)
    assert message in refused.value.messages[0]


def test_a_plain_zip_is_not_a_document():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert kind_of("资料.docx", out.getvalue()) is None


def test_a_word_97_file_with_a_password_is_refused(tmp_path):
    # Set the File Information Block's fEncrypted bit of a real .doc ([MS-DOC] 2.5.2).
    path = tmp_path / "locked.doc"
    path.write_bytes(samples.legacy_office_bytes(".doc"))
    with olefile.OleFileIO(str(path), write_mode=True) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
        stream[11] |= 0x01
        ole.write_stream("WordDocument", bytes(stream))
    with pytest.raises(Refused, match="密码"):
        kind_of("加密.doc", path.read_bytes())


def test_where_pdfs_are_evidence_office_documents_are_too_but_not_where_only_photos_are():
    validate_evidence(upload("纪要.docx", samples.docx_bytes()), PHOTOS_AND_DOCUMENTS)
    with pytest.raises(forms.ValidationError) as refused:
        validate_evidence(upload("纪要.docx", samples.docx_bytes()), PHOTOS)
    assert refused.value.messages == [
        "文件类型不符:只能上传JPG 图片、PNG 图片(按文件内容识别,改扩展名无效)。"
    ]


def test_the_field_renames_the_upload_to_its_kind_and_states_what_it_takes(settings):
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    field = EvidenceField(required=False)
    cleaned = field.clean(upload("三季度 台账.xls", samples.xlsx_bytes()))
    assert cleaned.name == "evidence.xlsx" and cleaned.original_name == "三季度 台账.xls"
    assert cleaned.evidence_kind == XLSX
    assert allowed_help(PHOTOS_AND_DOCUMENTS) == (
        "支持JPG 图片、PNG 图片、PDF 文件、Word/Excel/WPS 文档(.doc .docx .wps .xls .xlsx .et),"
        f"单个文件不超过 {filesizeformat(10 * 1024 * 1024)}。"
    )
    accept = field.widget.attrs["accept"].split(",")
    assert {".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".pdf", "image/png"} <= set(accept)
    html = field.widget.render("evidence", None, {"id": "id_evidence"})
    assert f'data-max-bytes="{10 * 1024 * 1024}"' in html
    assert 'data-accept=".jpg .jpeg .jpe .jfif .png .pdf .doc .docx .wps .xls .xlsx .et"' in html
    assert "js/upload.js" in html and "<script>" not in html


def test_the_stored_name_and_the_download_name_keep_the_kind():
    for kind in (DOC, DOCX, WPS, XLS, XLSX, ET):
        assert kind.extension in STORED_SUFFIXES
        assert stored_kind(f"plan/3/abc{kind.extension}") == kind

    class Plan:
        class _meta:  # stands in for a model's options
            model_name = "plan"

        office_id = 3

    assert evidence_upload_to(Plan(), "evidence.docx").endswith(".docx")
    assert download_name("会议纪要.doc", DOCX) == "会议纪要.docx"
    assert download_name("台账.et", ET) == "台账.et"
    assert download_name("run.exe", XLSX) == "run.xlsx"
