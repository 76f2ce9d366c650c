"""The importer's reading of each layout: the labelled documents, and one rule per test."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from bot.importing.extract import as_dict, extract_actions
from bot.importing.readers import FORMATS, UnreadableDocument, read_document, read_text

DATA = Path(__file__).parent / "data" / "import"
# Documents written for the labelled set, one per layout: read exactly as labelled.
WRITTEN = [
    "council_action_tracker",
    "council_board_minutes",
    "cpb_minutes_lettered",
    "cpb_tracker_tabs",
    "decision_action_log",
    "hwb_actions_table",
    "hwb_minutes",
    "hwb_owner_due_lines",
    "hwb_what_who_when",
    "improvement_plan",
    "lscb_action_log",
    "lscp_action_log",
    "partnership_actions_arising",
    "partnership_minutes",
    "qa_subgroup_bold",
    "rag_report",
    "sab_minutes_table",
    "subgroup_minutes",
]
TODAY = datetime.date(2026, 1, 14)


def _document(name: str):
    [path] = [p for p in DATA.glob(name + ".*") if p.suffix in FORMATS]
    return read_document(path.name, path.read_bytes())


def _found(text: str, today: datetime.date = TODAY) -> list[dict]:
    return [as_dict(c) for c in extract_actions(read_text("t.txt", text), today=today).candidates]


@pytest.mark.parametrize("name", WRITTEN)
def test_labelled_document_is_read_exactly_as_labelled(name):
    label = json.loads((DATA / f"{name}.expected.json").read_text())
    today = datetime.date.fromisoformat(label["meeting"])
    found = [as_dict(c) for c in extract_actions(_document(name), today=today).candidates]
    assert found == label["actions"]


def test_excel_plan_reads_every_row_with_owners_rag_and_dates_from_cells():
    label = json.loads((DATA / "improvement_board.expected.json").read_text())
    found = [
        as_dict(c) for c in extract_actions(_document("improvement_board"), today=datetime.date(2025, 3, 15)).candidates
    ]
    assert [f["text"] for f in found] == [a["text"] for a in label["actions"]]
    assert [f["owners"] for f in found] == [a["owners"] for a in label["actions"]]
    assert [f["rag"] for f in found] == [a["rag"] for a in label["actions"]]


@pytest.mark.parametrize(
    ("seed", "at_least"),
    [
        ("seed000_stay_safe_minutes", 16),
        ("seed003_executive_board_minutes", 13),
        ("seed001_ofsted_improvement_plan", 25),
    ],
)
def test_seed_documents_give_their_actions(seed, at_least):
    label = json.loads((DATA / f"{seed}.expected.json").read_text())
    found = extract_actions(_document(seed), today=datetime.date.fromisoformat(label["meeting"])).candidates
    labelled = {a["text"] for a in label["actions"]}
    assert sum(1 for c in found if c.text in labelled) >= at_least


def test_a_report_without_actions_gives_none():
    assert extract_actions(_document("seed002_trust_report"), today=TODAY).candidates == []


def test_action_line_with_bold_owner_marker():
    [action] = _found("- **Action: KW to clarify with LH the Safe Education Project in schools.** **KW**")
    assert action["owners"] == ["KW"] and action["text"] == "Clarify with LH the Safe Education Project in schools"


def test_owner_alone_on_the_next_line_belongs_to_the_action():
    [action] = _found("Action: WD to agenda 1 hour for the workforce template.\n\nWD\n\nNext item")
    assert action["owners"] == ["WD"]


def test_two_sentences_with_their_own_owners_are_two_actions():
    found = _found("Action: FB agreed to send a manager to the forum. DM to advise date of the forum.\n\nFB\n\nDM")
    assert [(a["owners"], a["text"]) for a in found] == [
        (["FB"], "Send a manager to the forum"),
        (["DM"], "Advise date of the forum"),
    ]


def test_names_and_initials_as_owners():
    [action] = _found("**Action: Dawn Maxwell and JB to update the training figures.** **Dawn Maxwell / JB**")
    assert action["owners"] == ["Dawn Maxwell", "JB"]


def test_owner_and_due_fields_on_the_following_lines():
    [action] = _found("Action 2.1: Refresh the neglect strategy\nOwner: Head of Early Help (JM)\nDue: end of February")
    assert action == {
        "ref": "2.1",
        "text": "Refresh the neglect strategy",
        "owners": ["JM"],
        "due": "2026-02-28",
        "status": "open",
        "rag": None,
    }


def test_sentence_with_a_trailing_dash_by_date_is_an_action():
    [action] = _found("- AF & EA to review the thresholds - by 15/12/2026")
    assert (action["owners"], action["due"]) == (["AF", "EA"], "2026-12-15")


def test_narrative_with_by_a_month_is_not_an_action():
    assert _found("Work is being done to get these out of the system by December.") == []


def test_decisions_and_attendance_are_not_actions():
    assert _found("Decision: the board approved the plan.\nPresent: Ann Flynn (AF), Elaine Allegretti (EA)") == []


def test_passive_sentence_has_no_owner_from_its_subject():
    assert _found("Scorecard to be reissued before the next meeting.") == []


def test_month_year_dates_resolve_to_the_end_of_the_month():
    found = _found(
        "| Action | Owner | Due |\n|---|---|---|\n| Audit plans | AF | Oct-20 |\n| Train staff | EA | March 2026 |"
    )
    assert [a["due"] for a in found] == ["2020-10-31", "2026-03-31"]


def test_tbc_stays_undated_and_next_meeting_is_kept():
    found = _found(
        "| Action | Owner | Due |\n|---|---|---|\n| Audit plans | AF | TBC |\n| Train staff | EA | next meeting |"
    )
    assert [a["due"] for a in found] == [None, "next meeting"]


def test_decision_table_row_without_owner_is_not_an_action():
    text = "Reference\tDetails\tAction\n1\tThe board agreed the plan\t\n2\tCirculate the plan to partners\tAF & EA"
    assert [(a["ref"], a["owners"]) for a in _found(text)] == [("2", ["AF", "EA"])]


def test_action_log_columns_are_found_in_any_order():
    text = "Due,Status,Owner,Action,No.\n31/03/2026,Complete,Board Manager (PM),Refresh the escalation policy,7"
    [action] = [as_dict(c) for c in extract_actions(read_document("log.csv", text.encode()), today=TODAY).candidates]
    assert action == {
        "ref": "7",
        "text": "Refresh the escalation policy",
        "owners": ["PM"],
        "due": "2026-03-31",
        "status": "done",
        "rag": None,
    }


def test_rag_report_pairs_each_priority_with_its_target_date():
    text = (
        "| Area | Lead | Previous RAG | Current RAG | Priorities | Target Date |\n|---|---|---|---|---|---|\n"
        "| MASH | Jo Smith | Red | Amber | <ul><li>Audit thresholds</li><li>Train partners</li></ul> | Oct-20<br>TBC |"
    )
    found = _found(text)
    assert [(a["text"], a["due"], a["rag"], a["owners"]) for a in found] == [
        ("Audit thresholds", "2020-10-31", "amber", ["Jo Smith"]),
        ("Train partners", None, "amber", ["Jo Smith"]),
    ]


def test_slack_markup_typed_in_minutes_is_kept_as_text():
    [action] = _found("Action: AF to remind <!channel> about the audit")
    assert "<!channel>" in action["text"]


def test_unknown_file_types_are_refused():
    with pytest.raises(UnreadableDocument, match=r"\.pdf"):
        read_document("minutes.pdf", b"%PDF-1.4")


def test_a_damaged_word_file_is_refused_with_a_reason():
    with pytest.raises(UnreadableDocument, match="damaged"):
        read_document("minutes.docx", b"not a zip file")


def test_action_line_naming_only_owners_takes_the_paragraph_above():
    [action] = _found("The board asked for a briefing on the new thresholds for schools.\nAction: AF/EA")
    assert (action["owners"], action["text"]) == (
        ["AF", "EA"],
        "The board asked for a briefing on the new thresholds for schools",
    )


def test_a_wrapped_line_is_read_with_its_continuation():
    [action] = _found(
        "Action: AF to circulate the revised threshold document to all\npartners by 15/12/2026\nNext item"
    )
    assert action["text"] == "Circulate the revised threshold document to all partners"
    assert action["due"] == "2026-12-15"


def test_owners_in_square_brackets_after_the_sentence():
    [action] = _found("The revised policy will be sent to all schools. [JB]")
    assert action["owners"] == ["JB"]


def test_a_date_inside_the_owner_field_is_the_due_date():
    [action] = _found("Action: Circulate the report (Lead: AF, by 15/12/2026)")
    assert (action["text"], action["owners"], action["due"]) == ("Circulate the report", ["AF"], "2026-12-15")


def test_deadline_is_read_like_by():
    [action] = _found("Action: EA to refresh the neglect strategy. Deadline 31/03/2026")
    assert action["due"] == "2026-03-31"


def test_a_bare_date_column_in_an_action_table_is_the_due_date():
    found = _found("| Item | Action | Lead | Date |\n|---|---|---|---|\n| 4 | Audit plans | AF | 30/04/2026 |")
    assert [(a["ref"], a["due"]) for a in found] == [("4", "2026-04-30")]


def test_action_with_owners_at_the_end_of_a_paragraph():
    [action] = _found("The board agreed the escalation policy should be sent to every school. Action: JB/EA")
    assert action["owners"] == ["JB", "EA"]


def test_minutes_table_with_initials_in_the_last_column():
    text = "1\tThe board asked for a briefing on the new thresholds for schools\tAF\n2\tThe minutes were agreed\t"
    assert [(a["text"], a["owners"]) for a in _found(text)] == [
        ("The board asked for a briefing on the new thresholds for schools", ["AF"])
    ]


def test_a_members_table_is_not_read_as_actions():
    text = (
        "Romi Bowen\tRB\tStrategic Director of Children's Services\n"
        "Tom Sawyer (Minutes)\tTS\t\nAnn Flynn\tAF\tBoard Manager"
    )
    assert _found(text) == []


def test_longer_header_wordings_are_recognised():
    text = (
        "| Action no. | Date action agreed | Action to be taken | Lead officer / agency "
        "| Target date for completion |\n"
        "|---|---|---|---|---|\n| 12 | 01/02/2026 | Refresh the escalation policy | AF | 31/03/2026 |"
    )
    [action] = _found(text)
    assert (action["ref"], action["text"], action["owners"], action["due"]) == (
        "12",
        "Refresh the escalation policy",
        ["AF"],
        "2026-03-31",
    )


def test_minutes_table_with_owners_under_action_takes_the_minute_as_the_action():
    text = (
        "Item\tMinute\tAction\n"
        "4.1\tThe audit findings will be shared with schools through the termly bulletin.\tJB\n"
        "4.2\tThe board noted the annual report.\t\n"
        "4.3\tAF to confirm the date of the development day.\tAF"
    )
    assert [(a["ref"], a["owners"], a["text"][:10]) for a in _found(text)] == [
        ("4.1", ["JB"], "The audit "),
        ("4.3", ["AF"], "Confirm th"),
    ]


def test_an_action_line_owned_by_a_role_keeps_the_role_as_written():
    found = _found("Action: Director of Public Health to present the JSNA\nAction: All partners to share the leaflet")
    assert [(a["owners"], a["text"]) for a in found] == [
        (["Director of Public Health"], "Present the JSNA"),
        (["All"], "Share the leaflet"),
    ]


def test_an_imperative_action_line_has_no_role_owner():
    [action] = _found("Action: Circulate to all members the revised terms of reference")
    assert action["owners"] == [] and action["text"].startswith("Circulate to all members")


def test_a_flattened_rag_block_pairs_each_priority_with_its_date_lead_and_rag():
    text = (
        "Early Help\n\nJulian Watkins\n\nPrevious RAG: Amber\nCurrent RAG: Green\n\n"
        "- Increase % of children open with a plan\n- Analyse re-referrals into Early Help\n\n"
        "Oct-20\nJul-20\n\nProgress:"
    )
    assert [(a["text"], a["owners"], a["due"], a["rag"]) for a in _found(text)] == [
        ("Increase % of children open with a plan", ["Julian Watkins"], "2020-10-31", "green"),
        ("Analyse re-referrals into Early Help", ["Julian Watkins"], "2020-07-31", "green"),
    ]


def test_an_organisation_the_sentence_starts_with_is_not_an_owner_when_the_owner_is_marked():
    [found] = _found("- Agreed that the Youth Offending Forum will send a senior officer to each meeting. **KP**")
    assert found["owners"] == ["KP"]
    assert found["text"] == "Agreed that the Youth Offending Forum will send a senior officer to each meeting"


def test_a_sentence_broken_after_a_preposition_is_joined_to_its_last_word():
    [found] = _found("Jo Bloggs to circulate the leaflet to schools in **JB**\n\nPortsmouth\n")
    assert found["text"] == "Circulate the leaflet to schools in Portsmouth"
    assert found["owners"] == ["Jo Bloggs"]


def test_a_run_together_priorities_cell_is_cut_where_each_item_starts():
    text = (
        "| Area | Previous RAG | Current RAG | Priorities | Target Date |\n"
        "|---|---|---|---|---|\n"
        "| Early Help | Amber | Green | Review the offer with schools Quarterly audit of step-down cases "
        "Consistency of Family Support plans Analyse referrals from Health Visitors | "
        "Mar-26<br>Apr-26<br>May-26<br>Jun-26 |\n"
    )
    found = _found(text)
    assert [f["text"] for f in found] == [
        "Review the offer with schools",
        "Quarterly audit of step-down cases",
        "Consistency of Family Support plans",
        "Analyse referrals from Health Visitors",
    ]
    assert [f["due"] for f in found] == ["2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"]


def test_a_date_after_a_dash_ends_the_action_and_its_owner_in_brackets_before_it():
    [found] = _found("1. Notify the National Panel of the decision (OS) – 05/03/26")
    assert (found["text"], found["owners"], found["due"]) == ("Notify the National Panel of the decision", ["OS"],
                                                             "2026-03-05")  # fmt: skip


def test_tbc_after_a_dash_is_a_date_to_be_confirmed_not_an_owner():
    [found] = _found("Share the annual report with the Executive (FW) – TBC")
    assert found["owners"] == ["FW"] and found["due"] is None


def test_a_time_of_day_after_a_dash_is_not_an_action():
    assert _found("11.00 am – 1.00pm\nCommittee Room 2") == []


def test_a_by_column_in_an_action_table_is_the_due_date():
    text = "| Action | Owner | By |\n|---|---|---|\n| Provide the ward breakdown | MF | 30 April 2026 |\n"
    [found] = _found(text)
    assert (found["owners"], found["due"]) == (["MF"], "2026-04-30")


def test_actions_none_is_not_an_action():
    assert _found("Members noted the report.\nActions: none.\nAction: N/A\n") == []


def test_an_action_line_with_owners_in_brackets_after_the_word_action():
    [found] = _found("ACTION (JS): Refresh the fostering recruitment campaign with young people.")
    assert (found["owners"], found["text"]) == (["JS"], "Refresh the fostering recruitment campaign with young people")


def test_lettered_items_are_separate_actions_with_their_own_fields():
    found = _found(
        "Actions agreed:\n"
        "a) Escalate the delays to the Designated Nurse. Responsible: Dr Kaur. Timescale: April 2026\n"
        "b) Report monthly performance to the Board - Responsible: Head of Service (LC)\n"
    )
    assert [(f["owners"], f["due"]) for f in found] == [(["Dr Kaur"], "2026-04-30"), (["LC"], None)]


def test_a_title_ending_in_a_date_is_not_an_action():
    assert _found("Learning and Improvement Subgroup – 3 March 2026\nMembers noted the report.\n") == []


def test_an_item_under_an_actions_heading_is_an_action_even_without_an_owner():
    [found] = _found("Agreed actions\n- Health visiting leads to agree a handover standard\n")
    assert found["text"] == "Health visiting leads to agree a handover standard" and found["owners"] == []


def test_an_agency_in_capitals_before_a_role_is_one_role():
    # Shared owner parser: `LA Director` is the local authority's director, not LA and a Director.
    [found] = _found("Action 4.2 - The Independent Chair and LA Director to meet the Leader of the Council")
    assert found["owners"] == ["The Independent Chair", "LA Director"]
