"""`jtdj draft`'s reading half: a document file → paragraphs → the notice, preamble, sections, items.

The seed (tests/data/seed-2022.txt, the public 2022 document byte for byte) must give exactly
plans/2022.toml's [plan] fields, preamble, section titles and item texts, as .txt, as a .docx
built here with python-docx, and as a PDF made from it by LibreOffice (skipped without it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from datetime import date
from pathlib import Path

import pytest

from conftest import PLAN_2022, ROOT

from jtdj.draft_read import read_paragraphs
from jtdj.draft_structure import parse_document
from jtdj.errors import EXIT_FAILED, EXIT_USAGE, JtdjError

SEED = ROOT / "tests" / "data" / "seed-2022.txt"
PLAN_FIELDS = ("key", "title", "issuer", "doc_no", "issued", "notice_title", "addressee", "public",
               "printed_by", "printed_on", "due")


def expected() -> dict:
    with open(PLAN_2022, "rb") as fh:
        return tomllib.load(fh)


def assert_is_the_2022_plan(document: dict) -> None:
    plan = expected()
    assert {k: document["plan"][k] for k in PLAN_FIELDS} == {k: plan["plan"][k] for k in PLAN_FIELDS}
    assert document["preamble"] == plan["plan"]["preamble"]
    assert [(s["no"], s["title"]) for s in document["sections"]] == \
        [(s["no"], s["title"]) for s in plan["sections"]]
    got = [[(i["no"], i["title"], i["text"]) for i in s["items"]] for s in document["sections"]]
    want = [[(i["no"], i["title"], i["text"]) for i in s["items"]] for s in plan["sections"]]
    assert got == want
    assert all(i["marker"] is None for s in document["sections"] for i in s["items"])


def seed_docx(target: Path) -> Path:
    import docx

    made = docx.Document()
    for line in SEED.read_text(encoding="utf-8").splitlines():
        made.add_paragraph(line)
    made.save(str(target))
    return target


def soffice_convert(source: Path, to: str, outdir: Path) -> Path:
    """LibreOffice's conversion of ``source``; the test is skipped (with why) when it cannot."""
    program = shutil.which("soffice") or shutil.which("libreoffice")
    if program is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = (outdir / "lo-profile").as_uri()
    subprocess.run([program, f"-env:UserInstallation={profile}", "--headless", "--convert-to", to,
                    "--outdir", str(outdir), str(source)], capture_output=True, timeout=180)
    made = outdir / f"{source.stem}.{to}"
    if not made.is_file():
        pytest.skip(f"LibreOffice could not convert to {to} here (is its Writer installed?)")
    return made


def reading_error(path: Path) -> JtdjError:
    with pytest.raises(JtdjError) as caught:
        read_paragraphs(path)
    assert "\n" not in caught.value.message and caught.value.message.strip()
    return caught.value


# --- the seed ------------------------------------------------------------------------------

def test_the_seed_text_gives_exactly_the_2022_plans_fields_preamble_sections_and_item_texts():
    assert_is_the_2022_plan(parse_document(read_paragraphs(SEED)))


def test_the_seed_copy_is_the_shared_seed_byte_for_byte():
    shared = ROOT.parent / "shared" / "seeds" / "000_d52be6504ac9c036.txt"
    if not shared.is_file():
        pytest.skip("the shared seed folder is not beside this checkout")
    assert SEED.read_bytes() == shared.read_bytes()


def test_the_seeds_page_breaks_are_joined_and_each_join_is_a_note():
    document = parse_document(read_paragraphs(SEED))
    item_1 = document["sections"][0]["items"][0]["text"]
    assert "深入理解和掌握新时代党的创新理论" in item_1 and "\n" not in item_1
    joins = [n for n in document["notes"] if "深入理解和" in n]
    assert len(joins) == 1


def test_the_seed_as_a_docx_built_with_python_docx_gives_the_same(tmp_path):
    assert_is_the_2022_plan(parse_document(read_paragraphs(seed_docx(tmp_path / "seed.docx"))))


def test_the_seed_as_a_pdf_made_by_libreoffice_gives_the_same(tmp_path):
    pdf = soffice_convert(seed_docx(tmp_path / "seed.docx"), "pdf", tmp_path)
    assert_is_the_2022_plan(parse_document(read_paragraphs(pdf)))


def seed_docx_with_header_footer_and_breaks(target: Path) -> Path:
    """The seed as a .docx with a running header, 「— N —」 page numbers in the footer, and its
    page breaks turned into line breaks inside one paragraph."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    made = docx.Document()
    section = made.sections[0]
    section.header.paragraphs[0].text = "金坛区委教育工委"
    footer = section.footer.paragraphs[0]
    footer.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(" —")
    lines = SEED.read_text(encoding="utf-8").replace("深入理解和\n\n", "深入理解和\n").split("\n\n")
    for chunk in lines:
        paragraph = made.add_paragraph()
        for n, line in enumerate(chunk.split("\n")):
            if n:
                paragraph.add_run().add_break()
            paragraph.add_run(line)
    made.save(str(target))
    return target


def test_a_pdf_with_a_running_header_and_page_numbers_gives_the_same(tmp_path):
    source = seed_docx_with_header_footer_and_breaks(tmp_path / "paged.docx")
    assert_is_the_2022_plan(parse_document(read_paragraphs(source)))
    pdf = soffice_convert(source, "pdf", tmp_path)
    paragraphs = read_paragraphs(pdf)
    assert not any(p.startswith("金坛区委教育工委") or p.startswith("—") for p in paragraphs)
    assert_is_the_2022_plan(parse_document(paragraphs))


def test_a_doc_and_a_word_97_file_named_wps_are_read_through_libreoffice(tmp_path):
    doc = soffice_convert(seed_docx(tmp_path / "seed.docx"), "doc", tmp_path)
    assert_is_the_2022_plan(parse_document(read_paragraphs(doc)))
    wps = tmp_path / "seed.wps"  # a Kingsoft .wps is the Word 97 format with extensions
    shutil.copyfile(doc, wps)
    assert_is_the_2022_plan(parse_document(read_paragraphs(wps)))


def test_a_docx_whose_items_sit_in_a_table_is_read_cell_by_cell(tmp_path):
    import docx

    lines = [ln for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]
    first = next(i for i, ln in enumerate(lines) if ln.startswith("一、"))
    made = docx.Document()
    for line in lines[:first]:
        made.add_paragraph(line)
    table = made.add_table(rows=len(lines) - first, cols=1)
    for row, line in zip(table.rows, lines[first:]):
        row.cells[0].text = line
    made.save(str(tmp_path / "table.docx"))
    assert_is_the_2022_plan(parse_document(read_paragraphs(tmp_path / "table.docx")))


# --- a document of another shape -----------------------------------------------------------

OTHER = """\
中共某某县教育局委员会

某教委〔2023〕3号

关于印发《2023 年全县教育系统安全工作要点》的通知

各学校：

现将《2023年全县教育系统安全工作要点》印发给你们，请认真贯彻落实。

中共某某县教育局委员会

二〇二三年二月一日

某某县教育局办公室   2023年2月3日印发

附件：2023 年全县教育系统安全 工作要点

今年全县教育系统安全工作的总体要求是：坚持安全第一，预防为主。

一、压实安全责任

（一）落实安全工作责任制。制定年度安全工作责任清单，每学期开展一次安全工作专项督查。（责任科室：安全科、办公室）

（二）健全应急处置机制。主要做好以下工作：

1.春季学期开展消防疏散应急演练；

— 2 —

全县教育系统安全工作要点

2.秋季学期开展防震减灾演练。

牵头单位：安全科 配合单位：各学校

二、加强隐患排查

（三）开展隐患排查整治。每月组织一次校园安全隐患排查，对发现的问题建立台账、限期

-3-

全县教育系统安全工作要点

整改到位。（牵头单位：安全科；配合单位：后勤中心）

第4页

全县教育系统安全工作要点
"""


def test_a_gb18030_document_with_paren_items_unit_markers_and_page_numbers_parses_right(tmp_path):
    path = tmp_path / "要点.txt"
    path.write_bytes(OTHER.encode("gb18030"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    document = parse_document(read_paragraphs(path))
    assert document["plan"] == {
        "issuer": "中共某某县教育局委员会", "doc_no": "某教委〔2023〕3号",
        "notice_title": "关于印发《2023年全县教育系统安全工作要点》的通知",
        "title": "2023年全县教育系统安全工作要点", "addressee": "各学校",
        "issued": date(2023, 2, 1), "printed_by": "某某县教育局办公室",
        "printed_on": date(2023, 2, 3), "public": False, "key": "2023", "due": date(2023, 12, 31)}
    assert document["preamble"] == "今年全县教育系统安全工作的总体要求是：坚持安全第一，预防为主。"
    assert [(s["no"], s["title"]) for s in document["sections"]] == \
        [(1, "压实安全责任"), (2, "加强隐患排查")]
    items = [i for s in document["sections"] for i in s["items"]]
    assert items == [
        {"no": 1, "title": "落实安全工作责任制",
         "text": "落实安全工作责任制。制定年度安全工作责任清单，每学期开展一次安全工作专项督查。",
         "marker": "责任科室：安全科、办公室"},
        {"no": 2, "title": "健全应急处置机制",
         "text": "健全应急处置机制。主要做好以下工作：\n1.春季学期开展消防疏散应急演练；\n"
                 "2.秋季学期开展防震减灾演练。",
         "marker": "牵头单位：安全科 配合单位：各学校"},
        {"no": 3, "title": "开展隐患排查整治",
         "text": "开展隐患排查整治。每月组织一次校园安全隐患排查，对发现的问题建立台账、限期整改到位。",
         "marker": "牵头单位：安全科；配合单位：后勤中心"},
    ]


def test_utf8_with_a_bom_and_windows_line_ends_reads_like_plain_utf8(tmp_path):
    path = tmp_path / "seed-bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + SEED.read_bytes().replace(b"\n", b"\r\n"))
    assert read_paragraphs(path) == read_paragraphs(SEED)


def test_without_a_notice_the_title_is_the_plans_name_and_the_guess_is_a_note():
    document = parse_document(["2024年工作要点", "总体要求：稳中求进。", "一、抓好教学",
                               "1、提高课堂质量。每月听课一次。"])
    assert document["plan"]["title"] == "2024年工作要点" and document["plan"]["key"] == "2024"
    assert document["preamble"] == "总体要求：稳中求进。"
    assert document["sections"][0]["items"][0]["title"] == "提高课堂质量"
    assert any("2024年工作要点" in note for note in document["notes"])


REPEATED = ["2024年工作要点", "一、抓好教学", "1．提高课堂质量。", "工作要求", "每月听课一次。",
            "2．加强教研。", "工作要求", "每周教研一次。", "3．规范作业。", "工作要求", "控制作业总量。"]


@pytest.mark.parametrize("suffix", [".txt", ".docx"])
def test_a_line_repeated_under_three_items_stays_in_each_items_text(tmp_path, suffix):
    path = tmp_path / f"要点{suffix}"
    if suffix == ".txt":
        path.write_text("\n".join(REPEATED) + "\n", encoding="utf-8")
    else:
        import docx

        made = docx.Document()
        for line in REPEATED:
            made.add_paragraph(line)
        made.save(str(path))
    items = parse_document(read_paragraphs(path))["sections"][0]["items"]
    assert [i["text"] for i in items] == ["提高课堂质量。\n工作要求\n每月听课一次。",
                                          "加强教研。\n工作要求\n每周教研一次。",
                                          "规范作业。\n工作要求\n控制作业总量。"]


def test_a_notice_without_a_document_number_still_gives_its_title_addressee_and_dates():
    document = parse_document(["关于印发《2024 年 工作要点》的通知", "各科室：", "现印发给你们。",
                               "某某局", "2024年1月5日", "附件", "2024 年工作要点",
                               "一、抓好教学", "1．提高课堂质量。"])
    plan = document["plan"]
    assert (plan["notice_title"], plan["addressee"], plan["issued"], plan["title"], plan["doc_no"]) \
        == ("关于印发《2024年工作要点》的通知", "各科室", date(2024, 1, 5), "2024年工作要点", "")
    assert document["sections"][0]["items"][0]["text"] == "提高课堂质量。"


# --- errors: one line, the documented exit code --------------------------------------------

def test_a_text_file_in_no_known_encoding_is_exit_2(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\xff\xfe\xff\x80\x81\x00\xff")
    assert reading_error(path).exit_code == EXIT_USAGE


def test_another_suffix_a_missing_file_and_a_fake_docx_or_pdf_are_exit_2(tmp_path):
    (tmp_path / "plan.odt").write_text("x", encoding="utf-8")
    (tmp_path / "fake.docx").write_text("not a zip", encoding="utf-8")
    (tmp_path / "fake.pdf").write_text("not a pdf", encoding="utf-8")
    for name in ("plan.odt", "missing.txt", "fake.docx", "fake.pdf"):
        assert reading_error(tmp_path / name).exit_code == EXIT_USAGE, name


def blank_pdf() -> bytes:
    """A one-page PDF with a drawn shape and no text: what a scan without OCR looks like."""
    stream = b"0.5 g 50 50 400 600 re f"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_scanned_pdf_without_a_text_layer_is_exit_2_saying_to_ocr_it(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(blank_pdf())
    error = reading_error(path)
    assert error.exit_code == EXIT_USAGE and "OCR" in error.message


def test_a_wps_file_without_libreoffice_is_exit_1_saying_to_save_as_docx(tmp_path, monkeypatch):
    path = tmp_path / "要点.wps"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    error = reading_error(path)
    assert error.exit_code == EXIT_FAILED and ".docx" in error.message


def test_a_missing_reader_of_the_draft_extra_is_exit_1_naming_the_extra(tmp_path, monkeypatch):
    made = seed_docx(tmp_path / "seed.docx")
    (tmp_path / "seed.pdf").write_bytes(blank_pdf())
    monkeypatch.setitem(sys.modules, "docx", None)
    monkeypatch.setitem(sys.modules, "pdfplumber", None)
    for path in (made, tmp_path / "seed.pdf"):
        error = reading_error(path)
        assert error.exit_code == EXIT_FAILED and "jtdj[draft]" in error.message


def test_reading_a_text_file_loads_neither_reader_of_the_draft_extra():
    code = ("import sys\nfrom pathlib import Path\nfrom jtdj.draft_read import read_paragraphs\n"
            "from jtdj.draft_structure import parse_document\n"
            f"parse_document(read_paragraphs(Path({str(SEED)!r})))\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('docx', 'pdfplumber', 'pdfminer', 'lxml')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ}, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
