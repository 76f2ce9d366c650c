"""The shapes the importer passes around: a document as lines and tables, and candidate actions."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.importing.reading import Due


@dataclass(frozen=True)
class Line:
    """One line (or paragraph) of running text; `number` is its 1-based line in the source."""

    number: int
    text: str


@dataclass(frozen=True)
class Row:
    """One table row: its cells as text, and its 1-based line (or row) in the source."""

    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """Consecutive table rows; which row is the header is for the layout detector to decide."""

    rows: tuple[Row, ...]

    @property
    def number(self) -> int:
        """The source line of the table's first row."""
        return self.rows[0].number if self.rows else 0


Block = Line | Table


@dataclass(frozen=True)
class Document:
    """A source document read into blocks, in reading order."""

    name: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class AreaInfo:
    """The improvement-plan area a candidate is a priority of, as the document gives it: a RAG report's
    AREA cell (title, leads, core recommendation, the row's previous and current RAG) or an improvement
    plan's numbered recommendation (`number`, from a heading row or the action's `1.2`)."""

    name: str
    number: str | None = None
    leads: tuple[str, ...] = ()
    recommendation: str | None = None
    previous_rag: str | None = None
    rag: str | None = None


@dataclass
class Candidate:
    """An action found in a document, before its owners are matched to a board's members.

    `owners` are as written (initials, names, roles, `All`); `due` is None when the source gives
    no date, a Due of kind TBC when it says so.
    """

    text: str
    line: int
    ref: str | None = None
    owners: list[str] = field(default_factory=list)
    due: Due | None = None
    status: str = "open"  # open | done | dropped
    rag: str | None = None
    previous_rag: str | None = None
    update: str | None = None
    raised: str | None = None  # "Date raised" / "Meeting" as written in an exported log
    area: AreaInfo | None = None  # improvement plans and RAG reports: the area it is a priority of
