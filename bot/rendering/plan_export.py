"""The plan's reports for board papers: the exception report and "RAG at a glance", as DOCX, XLSX or Markdown.

The exception report keeps the layout boards already use (AREA | Previous RAG | Current RAG | PRIORITIES |
Target Date | ANALYSIS (Progress/Risks)), one row per area, each under its "Exception Report – <area>"
heading with its key developments and key risks; RAG cells are filled red, amber or green. The importer
reads these columns as a RAG report, so an exported report re-imports to the same areas and priorities.
Pure: a PlanReport in, bytes out.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.rendering.plans import rag_word
from bot.services.plan_report import AreaStatus, PlanReport
from storage.models import Action, PlanArea

REPORTS = ("exceptions", "rag-at-a-glance")
FORMATS = ("docx", "xlsx", "markdown")
EXTENSIONS = {"xlsx": "xlsx", "markdown": "md", "docx": "docx"}
EXCEPTION_COLUMNS = ("AREA", "Previous RAG", "Current RAG", "PRIORITIES", "Target Date", "ANALYSIS (Progress/Risks)")
EXCEPTION_WIDTHS = (34, 12, 12, 60, 14, 70)
GLANCE_COLUMNS = ("AREA", "Lead", "Previous RAG", "Current RAG", "Change")
GLANCE_WIDTHS = (40, 28, 14, 14, 10)
RAG_FILLS = {"red": "FF0000", "amber": "FFC000", "green": "00B050"}
CHANGE_WORDS = {"better": "↑ better", "worse": "↓ worse", "same": "→ same", "new": "new", "unrated": "–"}


@dataclass(frozen=True)
class ExceptionRow:
    """One area's row of the exception report, its cells as text, with its key developments and risks."""

    title: str
    cells: tuple[str, str, str, str, str, str]
    previous_rag: str | None
    rag: str | None
    developments: str
    risks: str


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def target_cell(action: Action) -> str:
    """`31/10/2026`, `TBC`, `Next meeting (16/12/2026)` or empty: what the importer reads back."""
    if action.due_kind == "tbc":
        return f"TBC {_day(action.due_date)}".strip()
    if action.due_kind == "next_meeting":
        return f"Next meeting ({_day(action.due_date)})" if action.due_date else "Next meeting"
    return _day(action.due_date)


def lead_name(area: PlanArea) -> str:
    """The lead as board papers name them: their name, else their initials."""
    if area.lead is None:
        return ""
    return area.lead.name or area.lead.initials


def area_cell(area: PlanArea) -> str:
    """The area's title, its lead on the next line, then the recommendation it answers."""
    lines = [area.name, lead_name(area)]
    if area.recommendation:
        lines += ["Core recommendation:", area.recommendation]
    return "\n".join(line for line in lines if line)


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:]


def developments_text(status: AreaStatus) -> str:
    """Key developments: the progress recorded with evidence this period."""
    return " ".join(f"{_sentence(d.note)} (evidence – {d.evidence.rstrip('.')})." for d in status.developments)


def risks_text(status: AreaStatus, today: date) -> str:
    """Key risks: a worse rating, target dates passed, red priorities."""
    out = []
    if status.direction == "worse":
        reason = f": {status.area.rag_reason.rstrip('.')}" if status.area.rag_reason else ""
        out.append(f"Rating down from {rag_word(status.previous_rag)} to {rag_word(status.rag)}{reason}.")
    for risk in status.risks:
        why = []
        if risk.days_overdue:
            why.append(f"target date {_day(risk.action.due_date)} passed")
        if risk.red:
            why.append("rated red")
        out.append(f"{risk.action.text.rstrip('.')}: {' and '.join(why)}.")
    return " ".join(out)


def analysis_cell(status: AreaStatus, today: date) -> str:
    """`Progress: … Risks: …`, and the progress claimed without evidence, flagged."""
    parts = [f"Progress: {developments_text(status) or 'No progress with evidence this period.'}"]
    parts.append(f"Risks: {risks_text(status, today) or 'None recorded.'}")
    claims = [f"{_sentence(c.note)}." for c in status.claims]
    if status.improved_without_evidence:
        claims.insert(0, f"Rated {rag_word(status.rag)} from {rag_word(status.previous_rag)} with no evidence.")
    if claims:
        parts.append("Progress claimed without evidence: " + " ".join(claims))
    return "\n".join(parts)


def exception_rows(report: PlanReport) -> list[ExceptionRow]:
    """A row for each area the exception report covers."""
    rows = []
    for status in report.exceptions:
        priorities = [p.action for p in status.priorities]
        cells = (
            area_cell(status.area),
            rag_word(status.previous_rag) if status.previous_rag else "",
            rag_word(status.rag) if status.rag else "",
            "\n".join(a.text for a in priorities),
            "\n".join(target_cell(a) or "–" for a in priorities),
            analysis_cell(status, report.today),
        )
        rows.append(
            ExceptionRow(
                title=f"Exception Report – {status.area.name}",
                cells=cells,
                previous_rag=status.previous_rag,
                rag=status.rag,
                developments=developments_text(status) or "None with evidence this period.",
                risks=risks_text(status, report.today) or "None recorded.",
            )
        )
    return rows


def glance_rows(report: PlanReport) -> list[tuple[str, str, str, str, str]]:
    """A row for every area: title, lead, previous and current RAG, and which way it moved."""
    return [
        (
            s.area.name,
            lead_name(s.area),
            rag_word(s.previous_rag) if s.previous_rag else "",
            rag_word(s.rag) if s.rag else "",
            CHANGE_WORDS[s.direction],
        )
        for s in report.areas
    ]


def _heading(report: PlanReport, what: str) -> str:
    since = f", since the meeting of {_day(report.since.date())}" if report.since else ""
    return f"{report.board.name} ({report.board.code}): {what}, {_day(report.today)}{since}"


def filename(report: PlanReport, kind: str, fmt: str) -> str:
    """`SSCB-exceptions-2026-12-11.docx`."""
    return f"{report.board.code}-{kind}-{report.today.isoformat()}.{EXTENSIONS[fmt]}"


# --- Markdown --------------------------------------------------------------------------------------------


def _md(text: str) -> str:
    return "<br>".join(" ".join(line.split()).replace("|", "\\|") for line in text.split("\n")) or " "


def _md_table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    return lines + ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]


def exceptions_markdown(report: PlanReport) -> bytes:
    """Each exception entry: its heading, key developments and risks, and its row in the board's layout."""
    lines = [f"# {_heading(report, 'exception report')}", ""]
    rows = exception_rows(report)
    if not rows:
        lines.append("No area needs an exception report this period.")
    for row in rows:
        lines += [
            f"## {row.title}",
            "",
            f"**Key developments** {row.developments}",
            "",
            f"**Key risks** {row.risks}",
            "",
        ]
        lines += [*_md_table(EXCEPTION_COLUMNS, [row.cells]), ""]
    return ("\n".join(lines).rstrip() + "\n").encode("utf-8")


def glance_markdown(report: PlanReport) -> bytes:
    """ "RAG at a glance" as one Markdown table."""
    lines = [f"# {_heading(report, 'RAG at a glance')}", "", *_md_table(GLANCE_COLUMNS, glance_rows(report))]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- XLSX ------------------------------------------------------------------------------------------------


def _sheet(workbook: object, title: str, columns: Sequence[str], widths: Sequence[int], heading: str) -> object:
    from openpyxl.styles import Font, PatternFill

    sheet = workbook.create_sheet(title[:31])  # type: ignore[attr-defined]
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append(list(columns))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    sheet.freeze_panes = "B3"
    return sheet


def _fill_rag(cell: object, rag: str | None) -> None:
    from openpyxl.styles import Font, PatternFill

    if rag in RAG_FILLS:
        cell.fill = PatternFill("solid", fgColor=RAG_FILLS[rag])  # type: ignore[attr-defined]
        cell.font = Font(bold=True, color="FFFFFF" if rag == "red" else "000000")  # type: ignore[attr-defined]


def _wrap(sheet: object) -> None:
    from openpyxl.styles import Alignment

    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows(min_row=3):  # type: ignore[attr-defined]
        for cell in row:
            cell.alignment = wrap


def _workbook_bytes(workbook: object) -> bytes:
    out = io.BytesIO()
    workbook.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def exceptions_xlsx(report: PlanReport) -> bytes:
    """One sheet in the board's layout, a row per area, RAG cells filled; key developments and risks after."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet = _sheet(
        workbook, "Exception report", EXCEPTION_COLUMNS, EXCEPTION_WIDTHS, _heading(report, "exception report")
    )
    for row in exception_rows(report):
        sheet.append(list(row.cells))  # type: ignore[attr-defined]
        at = sheet.max_row  # type: ignore[attr-defined]
        _fill_rag(sheet.cell(row=at, column=2), row.previous_rag)  # type: ignore[attr-defined]
        _fill_rag(sheet.cell(row=at, column=3), row.rag)  # type: ignore[attr-defined]
    _wrap(sheet)
    keys = _sheet(workbook, "Key developments and risks", ("AREA", "Key developments", "Key risks"), (34, 70, 70),
                  _heading(report, "key developments and risks"))  # fmt: skip
    for row in exception_rows(report):
        keys.append([row.title.removeprefix("Exception Report – "), row.developments, row.risks])  # type: ignore[attr-defined]
    _wrap(keys)
    return _workbook_bytes(workbook)


def glance_xlsx(report: PlanReport) -> bytes:
    """ "RAG at a glance": a row per area, RAG cells filled."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet = _sheet(workbook, "RAG at a glance", GLANCE_COLUMNS, GLANCE_WIDTHS, _heading(report, "RAG at a glance"))
    for status, row in zip(report.areas, glance_rows(report), strict=True):
        sheet.append(list(row))  # type: ignore[attr-defined]
        at = sheet.max_row  # type: ignore[attr-defined]
        _fill_rag(sheet.cell(row=at, column=3), status.previous_rag)  # type: ignore[attr-defined]
        _fill_rag(sheet.cell(row=at, column=4), status.rag)  # type: ignore[attr-defined]
    _wrap(sheet)
    return _workbook_bytes(workbook)


# --- DOCX ------------------------------------------------------------------------------------------------


def _document(heading: str) -> object:
    import docx
    from docx.enum.section import WD_ORIENT

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(heading, level=1)
    return document


def _shade(cell: object, rag: str | None) -> None:
    """Fill a Word table cell with the RAG's colour (w:shd), as board papers colour them."""
    if rag not in RAG_FILLS:
        return
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), RAG_FILLS[rag])
    cell._tc.get_or_add_tcPr().append(shading)  # type: ignore[attr-defined]


def _table(document: object, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> object:
    from docx.shared import Pt

    table = document.add_table(rows=1, cols=len(columns))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(title).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    for paragraph in (p for r in table.rows for c in r.cells for p in c.paragraphs):
        for run in paragraph.runs:
            run.font.size = Pt(9)
    return table


def _docx_bytes(document: object) -> bytes:
    out = io.BytesIO()
    document.save(out)  # type: ignore[attr-defined]
    return out.getvalue()


def exceptions_docx(report: PlanReport) -> bytes:
    """For each area: "Exception Report – <area>", key developments and risks side by side, then its row."""
    document = _document(_heading(report, "exception report"))
    rows = exception_rows(report)
    if not rows:
        document.add_paragraph("No area needs an exception report this period.")  # type: ignore[attr-defined]
    for row in rows:
        document.add_heading(row.title, level=2)  # type: ignore[attr-defined]
        _table(document, ("Key developments", "Key risks"), [(row.developments, row.risks)])
        document.add_paragraph()  # type: ignore[attr-defined]
        table = _table(document, EXCEPTION_COLUMNS, [row.cells])
        _shade(table.rows[1].cells[1], row.previous_rag)  # type: ignore[attr-defined]
        _shade(table.rows[1].cells[2], row.rag)  # type: ignore[attr-defined]
    return _docx_bytes(document)


def glance_docx(report: PlanReport) -> bytes:
    """ "RAG at a glance" as one Word table, RAG cells shaded."""
    document = _document(_heading(report, "RAG at a glance"))
    table = _table(document, GLANCE_COLUMNS, glance_rows(report))
    for index, status in enumerate(report.areas, 1):
        _shade(table.rows[index].cells[2], status.previous_rag)  # type: ignore[attr-defined]
        _shade(table.rows[index].cells[3], status.rag)  # type: ignore[attr-defined]
    return _docx_bytes(document)


RENDERERS: dict[tuple[str, str], Callable[[PlanReport], bytes]] = {
    ("exceptions", "markdown"): exceptions_markdown,
    ("exceptions", "xlsx"): exceptions_xlsx,
    ("exceptions", "docx"): exceptions_docx,
    ("rag-at-a-glance", "markdown"): glance_markdown,
    ("rag-at-a-glance", "xlsx"): glance_xlsx,
    ("rag-at-a-glance", "docx"): glance_docx,
}


def render(report: PlanReport, kind: str, fmt: str) -> bytes:
    """The report `kind` (one of REPORTS) in `fmt` (one of FORMATS)."""
    return RENDERERS[(kind, fmt)](report)
