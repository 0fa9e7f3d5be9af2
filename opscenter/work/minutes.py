"""Meeting minutes as PDF (fpdf2, DejaVu fonts for Vietnamese) and DOCX (python-docx). No Django here:
the caller gathers the facts into `Minutes` and passes the labels in the reader's language."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Item:
    title: str
    presenter: str = ""
    notes: list[str] = field(default_factory=list)
    vote_question: str = ""
    tally: dict[str, int] = field(default_factory=dict)
    opinions: list[str] = field(default_factory=list)


@dataclass
class Conclusion:
    text: str
    owner: str = ""
    deadline: str = ""


@dataclass
class Minutes:
    heading: str  # "MINUTES OF THE MEETING"
    title: str
    facts: list[tuple[str, str]]  # (label, value): time, place, chair, organiser, …
    attendees_label: str
    attendees: list[str]
    agenda_label: str
    items: list[Item]
    general_notes: list[str]
    conclusions_label: str
    conclusions: list[Conclusion]
    labels: dict[str, str] = field(default_factory=dict)  # presenter, vote, opinions, owner, deadline, notes

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


def to_pdf(minutes: Minutes, fonts: Path) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 18, 18)
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, 18)
    pdf.add_page()

    def para(txt: str, size: float = 10.5, bold: bool = False, indent: float = 0, align: str = "L") -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(pdf.epw - indent, size * 0.5, txt, align=align, new_x="LMARGIN", new_y="NEXT")

    para(minutes.heading, 14, bold=True, align="C")
    para(minutes.title, 12, bold=True, align="C")
    pdf.ln(3)
    for label, value in minutes.facts:
        para(f"{label}: {value}")
    pdf.ln(2)
    para(f"{minutes.attendees_label} ({len(minutes.attendees)})", 11, bold=True)
    for person in minutes.attendees:
        para(f"• {person}", indent=4)
    pdf.ln(2)
    para(minutes.agenda_label, 11, bold=True)
    for n, item in enumerate(minutes.items, 1):
        for line in _item_lines(minutes, n, item):
            para(line[1], bold=line[0] == 0, indent=line[0])
    for note in minutes.general_notes:
        para(f"– {note}", indent=4)
    pdf.ln(2)
    para(minutes.conclusions_label, 11, bold=True)
    for n, c in enumerate(minutes.conclusions, 1):
        para(f"{n}. {c.text}{_owner(minutes, c)}", indent=4)
    return bytes(pdf.output())


def to_docx(minutes: Minutes) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(minutes.heading, level=0)
    document.add_heading(minutes.title, level=1)
    for label, value in minutes.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    document.add_heading(f"{minutes.attendees_label} ({len(minutes.attendees)})", level=2)
    for person in minutes.attendees:
        document.add_paragraph(person, style="List Bullet")
    document.add_heading(minutes.agenda_label, level=2)
    for n, item in enumerate(minutes.items, 1):
        for indent, line in _item_lines(minutes, n, item):
            if indent == 0:
                document.add_heading(line, level=3)
            else:
                document.add_paragraph(line.lstrip("–• "), style="List Bullet")
    for note in minutes.general_notes:
        document.add_paragraph(note, style="List Bullet")
    document.add_heading(minutes.conclusions_label, level=2)
    for c in minutes.conclusions:
        document.add_paragraph(f"{c.text}{_owner(minutes, c)}", style="List Number")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _owner(minutes: Minutes, c: Conclusion) -> str:
    parts = [f"{minutes.label('owner')}: {c.owner}" if c.owner else "",
             f"{minutes.label('deadline')}: {c.deadline}" if c.deadline else ""]
    shown = "; ".join(p for p in parts if p)
    return f" ({shown})" if shown else ""


def _item_lines(minutes: Minutes, n: int, item: Item) -> list[tuple[int, str]]:
    """(indent, text) lines of one agenda item; indent 0 is its heading."""
    lines = [(0, f"{n}. {item.title}")]
    if item.presenter:
        lines.append((4, f"{minutes.label('presenter')}: {item.presenter}"))
    lines += [(4, f"– {note}") for note in item.notes]
    if item.vote_question:
        results = ", ".join(f"{option}: {count}" for option, count in item.tally.items())
        lines.append((4, f"{minutes.label('vote')}: {item.vote_question} — {results}"))
    if item.opinions:
        lines.append((4, f"{minutes.label('opinions')}:"))
        lines += [(8, f"• {o}") for o in item.opinions]
    return lines
