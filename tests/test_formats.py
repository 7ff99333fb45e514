"""Every report format gives the same projects as the plain text.

The GBK text, the saved web page, the Word file and the PDF are all made here,
from the sample's paragraphs, each with the noise of its kind: a page with
menus, breadcrumbs and a "related reading" list; a Word file with a running
header and indented paragraphs; a PDF with wrapped lines, indents, page breaks
in mid-paragraph and page numbers.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from conftest import GAZETTEER, SAMPLE
from projectmap.errors import InputError
from projectmap.pipeline import BuildOptions, build_to_folder
from projectmap.reading.decode import decode
from projectmap.reading.ingest import read_report
from projectmap.reading.pdf import Line, paragraphs

FONT = "STSong-Light"  # one of reportlab's built-in CID fonts: no font file needed


def sample_paragraphs() -> list[str]:
    """The sample's title and paragraphs, as they read once the site junk is gone."""
    return read_report(SAMPLE).text.split("\n")


# --- writers: one per format ---------------------------------------------------------------


def write_gbk(path: Path) -> Path:
    path.write_bytes(SAMPLE.read_text(encoding="utf-8").encode("gbk"))
    return path


def write_html(path: Path) -> Path:
    title, *body = sample_paragraphs()
    related = "".join(
        f'<li><a href="/n/{i}.html">{html.escape(t)}</a><span>2022-12-0{i}</span></li>'
        for i, t in enumerate(["黄石港区启动沿江大道综合改造工程", "西塞山区推进工业园扩建项目"], 1)
    )
    paras = "".join(f"<p style='text-indent:2em'>&nbsp;&nbsp;{html.escape(p)}</p>" for p in body)
    page = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{html.escape(title)}_博县网</title><script>var x = "启动假工程建设";</script></head>
<body><div class="top-nav"><a href="/">首页</a> | <a href="/baogao/">政府工作报告</a></div>
<div id="menu"><ul><li><a href="/a">黄石港区</a></li><li><a href="/b">下陆区</a></li></ul></div>
<div class="main"><div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; 华中</div>
<div class="article"><h1>{html.escape(title)}</h1><div class="info">来源：博县网</div>
<div class="content">{paras}</div></div>
<div class="side"><h3>相关阅读</h3><ul>{related}</ul></div></div>
<div id="footer">版权所有 博县网 鄂ICP备00000000号</div></body></html>"""
    path.write_bytes(page.encode("gb18030"))
    return path


def write_docx(path: Path, blocks: list[str | list[list[str]]] | None = None) -> Path:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "黄石市下陆区人民政府（页眉）"
    title, *body = sample_paragraphs()
    document.add_paragraph(title).alignment = WD_ALIGN_PARAGRAPH.CENTER
    for block in blocks if blocks is not None else body:
        if isinstance(block, list):
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for row, cells in zip(table.rows, block, strict=True):
                for cell, value in zip(row.cells, cells, strict=True):
                    cell.text = value
        else:
            document.add_paragraph(block).paragraph_format.first_line_indent = Pt(28)
    document.save(str(path))
    return path


def _wrap(text: str, width: float, indent: float, size: float) -> list[str]:
    """Greedy wrap as a word processor does: Latin words whole, no line opening with ，。"""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line, room = [], "", width - indent
    for token in re.findall(r"[A-Za-z0-9.]+|.", text):
        fits = stringWidth(line + token, FONT, size) <= room
        if fits or not line or token in "，。、；：,.;:）”":
            line += token
        else:
            lines.append(line)
            line, room = token, width
    return [*lines, line] if line else lines


def write_pdf(path: Path, body: list[str] | None = None, *, header: str = "") -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    (page_w, page_h), margin, size = A4, 72.0, 14.0
    pdf, pages, y = canvas.Canvas(str(path), pagesize=A4), 1, page_h - margin
    title, *sample_body = sample_paragraphs()
    pdf.setFont(FONT, 16)
    pdf.drawCentredString(page_w / 2, y, title)
    for para in body if body is not None else sample_body:
        heading = bool(re.match(r"[一二三四五六七八九十]+、", para))
        indent = 0.0 if heading else 2 * size
        for i, line in enumerate(_wrap(para, page_w - 2 * margin, indent, size)):
            y -= size * 1.6
            if y < margin:
                pdf.setFont(FONT, 10)
                pdf.drawCentredString(page_w / 2, 40, f"- {pages} -")
                pdf.showPage()
                pages, y = pages + 1, page_h - margin
                if header:
                    pdf.setFont(FONT, 10)
                    pdf.drawRightString(page_w - margin, page_h - 40, f"{header}（第{pages}页）")
            pdf.setFont(FONT, size)
            pdf.drawString(margin + (indent if i == 0 else 0), y, line)
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(page_w / 2, 40, f"- {pages} -")
    pdf.save()
    return path


WRITERS = {"gbk.txt": write_gbk, "html": write_html, "docx": write_docx, "pdf": write_pdf}


# --- the same projects whatever the format ------------------------------------------------


@pytest.fixture(scope="module")
def reference(tmp_path_factory, toolkit) -> bytes:
    out = tmp_path_factory.mktemp("reference") / "txt"
    build_to_folder(SAMPLE, out, options=BuildOptions(gazetteer=GAZETTEER), toolkit=toolkit)
    return (out / "projects.geojson").read_bytes()


def test_reference_has_projects(reference):
    assert reference.count(b'"type":"Feature"') >= 10


@pytest.mark.parametrize("kind", list(WRITERS))
def test_format_gives_the_same_projects_as_the_text(tmp_path, toolkit, reference, kind):
    path = WRITERS[kind](tmp_path / f"xialu-2022.{kind}")
    out = tmp_path / "out"
    build_to_folder(path, out, options=BuildOptions(gazetteer=GAZETTEER), toolkit=toolkit)
    assert (out / "projects.geojson").read_bytes() == reference


@pytest.mark.parametrize("kind", list(WRITERS))
def test_format_gives_the_same_text_and_title(tmp_path, kind):
    report = read_report(WRITERS[kind](tmp_path / f"xialu-2022.{kind}"))
    expected = read_report(SAMPLE)
    assert report.text == expected.text
    assert (report.title, report.date) == (expected.title, expected.date)


# --- Word -----------------------------------------------------------------------------------


def test_docx_tables_are_read_in_place_one_row_a_line(tmp_path):
    table = [
        ["序号", "项目", "投资"],
        ["1", "安达路改造工程", "1.2亿元"],
        ["2", "磁湖绿道", "3亿元"],
    ]
    path = write_docx(tmp_path / "t.docx", ["启动下列工程。", table, "确保按期完工。"])
    lines = read_report(path).text.split("\n")
    assert lines[1:] == ["启动下列工程。", "序号\t项目\t投资", "1\t安达路改造工程\t1.2亿元",
                         "2\t磁湖绿道\t3亿元", "确保按期完工。"]  # fmt: skip
    assert "页眉" not in read_report(path).text


def test_docx_merged_cells_count_once(tmp_path):
    import docx

    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "团城山片区"
    table.cell(0, 2).text = "老旧小区改造"
    document.save(str(tmp_path / "m.docx"))
    assert read_report(tmp_path / "m.docx").text == "团城山片区\t老旧小区改造"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("r.docx", b"PK\x03\x04 not really a zip", "not a readable Word file"),
        ("r.docx", b"plain text named docx", "not a readable Word file"),
        ("r.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "save it as .docx"),
        ("r.pdf", b"%PDF-1.4\n%garbage that is no PDF", "not a readable PDF"),
    ],
)
def test_broken_files_give_one_line_errors(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    with pytest.raises(InputError) as info:
        read_report(tmp_path / name)
    assert message in str(info.value) and name in str(info.value)
    assert "\n" not in str(info.value)


def test_zip_that_is_not_a_word_file(tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "r.docx", "w") as archive:
        archive.writestr("notes.txt", "启动安达路改造")
    with pytest.raises(InputError, match="not a Word file"):
        read_report(tmp_path / "r.docx")


# --- PDF ------------------------------------------------------------------------------------


def test_scanned_pdf_needs_ocr(tmp_path):
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(tmp_path / "scan.pdf"))
    pdf.rect(72, 72, 400, 600, fill=1)  # a page that is all picture, no text
    pdf.showPage()
    pdf.save()
    with pytest.raises(InputError) as info:
        read_report(tmp_path / "scan.pdf")
    message = str(info.value)
    assert "scan.pdf" in message and "OCR" in message and "\n" not in message


def test_pdf_pages_break_mid_paragraph_and_page_furniture_goes(tmp_path):
    long = "推进磁湖绿色廊道建设，" * 60 + "确保年内完工。"
    body = [long, "三、坚定不移提升功能品质", "启动安达路改造。", long, long]  # three pages
    path = write_pdf(tmp_path / "long.pdf", body, header="下陆区政府工作报告")
    text = read_report(path).text
    assert text.split("\n")[1:] == body
    assert "- 1 -" not in text and "第2页" not in text


def _line(text: str, x0: float, x1: float, y: float, page: int = 0) -> Line:
    return Line(page=page, x0=x0, x1=x1, y=y, size=10.0, text=text)


def test_paragraphs_from_lines():
    lines = [
        _line("推进东方大道绿化", 92, 500, 700),  # indented: opens a paragraph
        _line("升级改造 Phase", 72, 502, 684),  # full line: the next one continues it
        _line("One，确保完工。", 72, 200, 668),  # short: the paragraph ends here
        _line("启动蜂烈山路建设。", 72, 260, 652),  # after a short line: a new paragraph
        _line("（二）聚力项目建设", 72, 499, 636),  # a numbered heading, even after a full line
        _line("　　完成长乐山修复。", 72, 300, 620),  # full-width spaces indent it
        _line("加快磁湖绿道建设。", 72, 260, 580),  # a wide gap above it
    ]
    assert paragraphs(lines) == [
        "推进东方大道绿化升级改造 Phase One，确保完工。",
        "启动蜂烈山路建设。",
        "（二）聚力项目建设",
        "完成长乐山修复。",
        "加快磁湖绿道建设。",
    ]


# --- text encodings -------------------------------------------------------------------------

BIG5_TEXT = (
    "黃石市下陸區人民政府工作報告。過去一年，我們堅持穩中求進，推進東方大道綠化升級改造，"
    "完成長樂山南北麓開山塘口修復，啟動團城山片區排水設施綜合改造，新增口袋公園四處。"
)


def test_big5_text_is_detected_not_misread_as_gbk():
    data = BIG5_TEXT.encode("big5")
    data.decode("gb18030")  # GB18030 would take these bytes too, as nonsense
    assert decode(data, name="r.txt") == BIG5_TEXT


def test_gb18030_bom_and_declared_charset():
    assert decode(b"\x84\x31\x95\x33" + "磁湖".encode("gb18030"), name="x") == "磁湖"
    page = '<meta charset="big5"><p>' + BIG5_TEXT + "</p>"
    assert BIG5_TEXT in decode(page.encode("big5"), name="x", declared="big5")


def test_a_broken_byte_is_an_error_not_a_dropped_character(tmp_path):
    data = SAMPLE.read_text(encoding="utf-8").encode("gbk")
    cut = data.index("东方大道".encode("gbk")) + 1  # inside a two-byte character
    (tmp_path / "broken.txt").write_bytes(data[:cut] + b"\xff" + data[cut:])
    with pytest.raises(InputError, match=r"broken\.txt"):
        read_report(tmp_path / "broken.txt")


def test_saved_page_keeps_the_article_and_drops_menus_and_related_links(tmp_path):
    report = read_report(write_html(tmp_path / "page.html"))
    for gone in ("首页", "相关阅读", "沿江大道", "工业园扩建", "假工程", "当前位置", "ICP"):
        assert gone not in report.text
    assert report.title == read_report(SAMPLE).title


def test_a_page_whose_title_alone_names_the_report(tmp_path):
    page = tmp_path / "p.html"
    page.write_text(
        "<html><head><title>2023年黄石港区政府工作报告_黄石港区人民政府</title></head>"
        "<body><p>启动沿江大道综合改造。</p></body></html>",
        encoding="utf-8",
    )
    report = read_report(page)
    assert report.title == "2023年黄石港区政府工作报告_黄石港区人民政府"
    assert report.text.split("\n")[1] == "启动沿江大道综合改造。"
