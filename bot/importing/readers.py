"""Readers: each source format becomes a Document of lines and tables, in reading order.

Text and Markdown keep their lines; runs of tab-separated or `| pipe |` lines become tables (Word
and PDF extractions write tables that way). Word documents are read with python-docx, paragraphs and
tables in body order, bold runs marked `**…**` so the line rules see the emphasis minutes use for
owners. CSV and XLSX action logs are one table per file or sheet.
"""

from __future__ import annotations

import csv
import datetime
import html
import io
import re
from pathlib import PurePath

from bot.importing.model import Block, Document, Line, Row, Table

FORMATS = {".txt": "text", ".md": "text", ".markdown": "text", ".docx": "docx", ".csv": "csv", ".xlsx": "xlsx"}


class UnreadableDocument(ValueError):
    """The file is not in a format the importer reads, or is damaged."""


def format_of(name: str) -> str:
    """The reader for a file name, by its extension; raises UnreadableDocument for others."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in FORMATS:
        raise UnreadableDocument(
            f"I can't import {suffix or 'a file without an extension'}: use .txt, .md, .docx, .csv or .xlsx."
        )
    return FORMATS[suffix]


def read_document(name: str, data: bytes) -> Document:
    """Read `data` (the file's bytes) according to the extension of `name`."""
    kind = format_of(name)
    try:
        if kind == "docx":
            return Document(name, tuple(_docx_blocks(data)))
        if kind == "xlsx":
            return Document(name, tuple(_xlsx_blocks(data)))
        text = _decode(data)
        if kind == "csv":
            return Document(name, tuple(_csv_blocks(text)))
        return Document(name, tuple(text_blocks(text)))
    except UnreadableDocument:
        raise
    except Exception as exc:  # zip, XML and CSV libraries each raise their own errors on a damaged file
        raise UnreadableDocument(f"I couldn't read {PurePath(name).name}: the file looks damaged.") from exc


def read_text(name: str, text: str) -> Document:
    """A pasted text (Slack, stdin) as a Document."""
    return Document(name, tuple(text_blocks(text)))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Windows exports; cp1252 decodes any byte sequence, so nothing is refused here.
        return data.decode("cp1252", errors="replace")


# --- plain text and Markdown ---------------------------------------------------------------

# Item, paragraph and italic boundaries become new lines: RAG reports name an area's leads in italics.
_TAG_BREAK = re.compile(r"<\s*(?:br|/p|/li|li|/tr|/div|i|/i|em|/em)\b[^>]*>", re.IGNORECASE)
# Only the HTML that extractions leave behind: `<!channel>` or `<@U1>` typed in minutes stays text.
_TAG = re.compile(
    r"</?(?:p|i|b|u|em|strong|span|ul|ol|li|br|div|font|sup|sub|table|tr|td|th|tbody|thead|h[1-6])\b[^>]{0,300}>",
    re.IGNORECASE,
)
_PIPE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
_DASH_CELL = re.compile(r"^[\s\-–—=:|]*$")


def clean_cell(text: str) -> str:
    """Cell text without HTML tags (list items and paragraphs become new lines) or entities."""
    text = _TAG_BREAK.sub("\n", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [" ".join(part.split()) for part in text.splitlines()]
    return "\n".join(line for line in lines if line)


def _is_pipe_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def _pipe_cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|") and not stripped.endswith("\\|"):
        stripped = stripped[:-1]
    # `\|` is a pipe inside a cell (Markdown's escape), not a column break.
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", stripped)]


def _rule_row(cells: list[str]) -> bool:
    return all(_DASH_CELL.match(cell) for cell in cells)


def text_blocks(text: str) -> list[Block]:
    """Lines, with runs of tab-separated or pipe-table lines gathered into tables."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    rows: list[Row] = []
    kind: str | None = None

    def close() -> None:
        nonlocal rows, kind
        if rows:
            blocks.append(Table(tuple(rows)))
        rows, kind = [], None

    for number, raw in enumerate(lines, 1):
        row_kind = "pipe" if _is_pipe_row(raw) else "tab" if "\t" in raw.strip("\n") and raw.strip() else None
        if row_kind is None:
            if not raw.strip() and kind == "tab":
                continue  # extractions leave blank lines inside tables; the table goes on
            close()
            blocks.append(Line(number, clean_cell(raw).replace("\n", " ") if "<" in raw else raw.rstrip()))
            continue
        if kind is not None and row_kind != kind:
            close()
        kind = row_kind
        cells = _pipe_cells(raw) if row_kind == "pipe" else raw.split("\t")
        if (raw.strip() and _PIPE_RULE.match(raw.strip())) or _rule_row(cells):
            continue
        rows.append(Row(number, tuple(clean_cell(cell) for cell in cells)))
    close()
    return blocks


# --- CSV and XLSX ----------------------------------------------------------------------------------


def _csv_blocks(text: str) -> list[Block]:
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [
        Row(number, tuple(clean_cell(cell) for cell in cells))
        for number, cells in enumerate(csv.reader(io.StringIO(text), dialect), 1)
        if any(cell.strip() for cell in cells)
    ]
    return [Table(tuple(rows))] if rows else []


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_cell(str(value))


def _xlsx_blocks(data: bytes) -> list[Block]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    blocks: list[Block] = []
    try:
        for sheet in workbook.worksheets:
            rows = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                cells = tuple(_cell_text(v) for v in values)
                if any(cells):
                    rows.append(Row(number, cells))
            if rows:
                blocks.append(Table(tuple(rows)))
    finally:
        workbook.close()
    return blocks


# --- Word ---------------------------------------------------------------------------------------------


def _paragraph_text(paragraph: object) -> str:
    """The paragraph's text with bold runs marked `**…**`, as Markdown would show them."""
    parts: list[str] = []
    for run in paragraph.runs:  # type: ignore[attr-defined]
        text = run.text
        if run.bold and text.strip():
            lead, core, tail = text[: len(text) - len(text.lstrip())], text.strip(), text[len(text.rstrip()) :]
            text = f"{lead}**{core}**{tail}"
        parts.append(text)
    joined = "".join(parts).replace("****", "")
    return joined if joined.strip() else paragraph.text  # type: ignore[attr-defined]


def _docx_blocks(data: bytes) -> list[Block]:
    import docx
    from docx.table import Table as DocxTable

    document = docx.Document(io.BytesIO(data))
    blocks: list[Block] = []
    number = 0
    for item in document.iter_inner_content():
        if isinstance(item, DocxTable):
            rows = []
            for row in item.rows:
                number += 1
                seen: list[object] = []
                cells = []
                for cell in row.cells:
                    # A merged cell is returned once per grid column it spans: keep it once.
                    if any(cell._tc is other for other in seen):
                        continue
                    seen.append(cell._tc)
                    cells.append("\n".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
                rows.append(Row(number, tuple(cells)))
            if rows:
                blocks.append(Table(tuple(rows)))
        else:
            number += 1
            text = " ".join(_paragraph_text(item).split("\n"))
            blocks.append(Line(number, text))
    return blocks
