"""The action log as files for board papers: CSV, XLSX, Markdown and DOCX. Pure: log rows in, bytes out.

Every format has the same columns, in the order board papers use, and each re-imports to the same
actions: the importer reads these headers as an action log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from bot.services.exporting import ActionLog, LogRow
from bot.statuses import Rag

COLUMNS = ("Ref", "Date raised", "Meeting", "Action", "Owner(s)", "Due", "Status", "RAG (previous → current)",
           "Latest update")  # fmt: skip
WIDTHS = (11, 12, 12, 60, 14, 14, 10, 18, 50)
FORMATS = ("csv", "xlsx", "markdown", "docx")
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "markdown": "md", "docx": "docx"}
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "markdown": "text/markdown",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_FILLS = {Rag.RED: "FFC7CE", Rag.AMBER: "FFEB9C", Rag.GREEN: "C6EFCE"}


def _day(value: object) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""  # type: ignore[attr-defined]


def due_cell(row: LogRow) -> str:
    """`15/12/2026`, `Next meeting (15/12/2026)`, `TBC` or empty."""
    if row.due_kind == "next_meeting":
        return f"Next meeting ({_day(row.due_date)})" if row.due_date else "Next meeting"
    if row.due_kind == "tbc":
        return f"TBC {_day(row.due_date)}".strip()
    return _day(row.due_date)


def rag_cell(row: LogRow) -> str:
    """`Amber → Red` when it changed, else the current RAG."""
    if row.rag is None:
        return ""
    if row.previous_rag and row.previous_rag != row.rag:
        return f"{row.previous_rag.capitalize()} → {row.rag.capitalize()}"
    return row.rag.capitalize()


def cells(row: LogRow) -> list[str]:
    """A row's cells as text, in COLUMNS order."""
    return [
        row.ref,
        _day(row.raised),
        _day(row.meeting),
        row.text,
        ", ".join(row.owners),
        due_cell(row),
        row.status.capitalize(),
        rag_cell(row),
        row.latest_update or "",
    ]


def filename(log: ActionLog, fmt: str) -> str:
    """`SSCB-action-log-2026-12-01.xlsx`."""
    return f"{log.board_code}-action-log-{log.generated.isoformat()}.{EXTENSIONS[fmt]}"


def to_csv(log: ActionLog) -> bytes:
    """CSV with a header row, UTF-8 with a byte-order mark so Excel reads the arrows and accents."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in log.rows:
        writer.writerow(cells(row))
    return out.getvalue().encode("utf-8-sig")


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or " "


def to_markdown(log: ActionLog) -> bytes:
    """A Markdown pipe table under a heading naming the board and the date."""
    lines = [f"# {log.board_name} ({log.board_code}): action log, {_day(log.generated)}", ""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join("---" for _ in COLUMNS) + "|")
    for row in log.rows:
        lines.append("| " + " | ".join(_md(c) for c in cells(row)) + " |")
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_xlsx(log: ActionLog) -> bytes:
    """A workbook with a bold header row, frozen panes, column widths and coloured RAG cells."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{log.board_code} actions"[:31]
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    for row in log.rows:
        sheet.append(cells(row))
        rag_cell_ = sheet.cell(row=sheet.max_row, column=COLUMNS.index("RAG (previous → current)") + 1)
        if row.rag in _FILLS:
            rag_cell_.fill = PatternFill("solid", fgColor=_FILLS[row.rag])
    wrap = Alignment(wrap_text=True, vertical="top")
    for data_row in sheet.iter_rows(min_row=2):
        for cell in data_row:
            cell.alignment = wrap
    for index, width in enumerate(WIDTHS, 1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def to_docx(log: ActionLog) -> bytes:
    """A landscape Word document: a heading and the log as a table with a repeated header row."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(f"{log.board_name} ({log.board_code}): action log, {_day(log.generated)}", level=1)
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    header = table.rows[0]
    # Repeat the header row on every page of the board papers.
    header._tr.get_or_add_trPr().append(_on(OxmlElement("w:tblHeader"), qn))
    for cell, title in zip(header.cells, COLUMNS, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(title)
        run.bold = True
    for row in log.rows:
        for cell, text in zip(table.add_row().cells, cells(row), strict=True):
            cell.text = text
    for paragraph in (p for r in table.rows for c in r.cells for p in c.paragraphs):
        for run in paragraph.runs:
            run.font.size = Pt(9)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _on(element: object, qn: Callable[[str], str]) -> object:
    element.set(qn("w:val"), "true")  # type: ignore[attr-defined]
    return element


RENDERERS: dict[str, Callable[[ActionLog], bytes]] = {
    "csv": to_csv,
    "xlsx": to_xlsx,
    "markdown": to_markdown,
    "docx": to_docx,
}


def render(log: ActionLog, fmt: str) -> bytes:
    """The log in one of FORMATS."""
    return RENDERERS[fmt](log)
