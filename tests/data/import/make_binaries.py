"""Writes the Word and Excel documents of the labelled set (run once; the files are committed).

python tests/data/import/make_binaries.py
"""

from __future__ import annotations

import datetime
from pathlib import Path

import docx
from openpyxl import Workbook

HERE = Path(__file__).parent


def partnership_minutes() -> None:
    document = docx.Document()
    document.add_heading("Northshire Safeguarding Children Partnership – Executive Group", level=1)
    document.add_paragraph("Minutes of the meeting held on Thursday 9 October 2025")
    document.add_paragraph(
        "Present: Janet Moore (JM) – Independent Scrutineer; Supt Paul Evans (PE) – Police; "
        "Ruth Okafor (RO) – ICB; Gareth Lewis (GL) – Children's Services"
    )
    document.add_heading("1. Rapid reviews", level=2)
    document.add_paragraph(
        "RO summarised the two rapid reviews completed since the last meeting. The panel agreed that neither "
        "met the criteria for a local child safeguarding practice review."
    )
    paragraph = document.add_paragraph()
    paragraph.add_run("Action: RO to share the learning briefing with the Learning and Improvement sub-group.")
    paragraph.add_run("\t")
    paragraph.add_run("RO").bold = True
    document.add_heading("2. Section 11 audit", level=2)
    document.add_paragraph("GL reported that 14 of 16 agencies had returned their audits by the deadline.")
    document.add_paragraph("Action: GL to chase the two outstanding returns. Due: 31 October 2025")
    document.add_heading("3. Decisions and actions", level=2)
    rows = [
        ("Ref", "Decision / action", "Owner", "By when"),
        ("3.1", "The group approved the revised threshold document", "", ""),
        ("3.2", "Launch the revised threshold document with a briefing for schools", "PE & GL", "30 November 2025"),
        ("3.3", "Commission an independent review of the front door", "JM", "TBC"),
    ]
    table = document.add_table(rows=0, cols=4)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    document.add_paragraph("4. Date of next meeting: 8 January 2026")
    document.save(HERE / "partnership_minutes.docx")


def improvement_board() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Improvement plan"
    sheet.append(["Westmoor Council – Children's Services Improvement Board: action plan"])
    sheet.append([])
    sheet.append(["Ref", "Recommendation", "Action", "Lead officer", "Target date", "Progress update", "RAG"])
    sheet.append(["Theme 1: Leadership"])
    sheet.append(
        ["1.1", "Strengthen corporate oversight", "Establish a monthly improvement board chaired by the Chief "
         "Executive", "Chief Executive (CE)", datetime.datetime(2025, 4, 30), "Board established, meets monthly",
         "Green"]
    )  # fmt: skip
    sheet.append(
        ["1.2", "", "Agree a workforce strategy for children's social care", "Director of Children's Services",
         "Sep-25", "Draft strategy out to consultation", "Amber"]
    )  # fmt: skip
    sheet.append(
        ["1.3", "", "Recruit a permanent Principal Social Worker", "Jane Holloway", datetime.datetime(2025, 7, 31),
         "Interviews held; offer made", "Green"]
    )  # fmt: skip
    sheet.append(["Theme 2: Practice"])
    sheet.append(
        ["2.1", "Improve the quality of assessments", "Introduce monthly practice-week audits",
         "Principal Social Worker", "Immediately", "First practice week booked", "Red"]
    )  # fmt: skip
    sheet.append(
        ["2.2", "", "Implement the new supervision policy", "Heads of Service", "end of December 2025", "", "Amber"]
    )
    sheet.append(
        ["2.3", "", "Review thresholds with partners", "Mark Oduya & Priya Shah", "Q3 2025", "Workshop held", "Amber"]
    )
    workbook.save(HERE / "improvement_board.xlsx")


def hwb_actions_table() -> None:
    document = docx.Document()
    document.add_heading("Redbridge Vale Health and Wellbeing Board", level=1)
    document.add_paragraph("Minutes of the meeting held on 4 March 2026")
    document.add_heading("5. Healthy weight strategy", level=2)
    document.add_paragraph(
        "The Director of Public Health (JS) presented year one of the strategy. Members noted that the "
        "proportion of reception children living with obesity had fallen to 9.1%."
    )
    paragraph = document.add_paragraph()
    paragraph.add_run("ACTION: ").bold = True
    paragraph.add_run("JS to report the year two delivery plan to the Board in July.")
    document.add_heading("6. Joint Strategic Needs Assessment", level=2)
    document.add_paragraph("The Board agreed the JSNA work programme for 2026/27.")
    rows = [
        ("Action", "Lead and timescale"),
        ("Publish the JSNA chapter on children's oral health", "KD – end of May 2026"),
        ("Present the draft JSNA summary to the Board", "JS – September 2026"),
        ("Engage young people in the mental health chapter", "Healthwatch (PB) – ongoing"),
    ]
    table = document.add_table(rows=0, cols=2)
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    document.add_paragraph("7. Date of next meeting: 1 July 2026")
    document.save(HERE / "hwb_actions_table.docx")


if __name__ == "__main__":
    partnership_minutes()
    improvement_board()
    hwb_actions_table()
