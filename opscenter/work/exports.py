"""Minutes of a meeting, gathered from the database and rendered by the pure `minutes` module."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import minutes
from .models import Meeting
from .services.meetings import tally

FONTS = settings.BASE_DIR / "static" / "fonts"


def _when(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def gather(meeting: Meeting) -> minutes.Minutes:
    person = lambda u: u.get_full_name() or u.get_username()  # noqa: E731
    items = []
    for item in meeting.agenda.prefetch_related("notes", "votes"):
        items.append(minutes.Item(
            title=item.title, presenter=item.presenter_label, notes=[n.text for n in item.notes.all()],
            vote_question=item.vote_question, tally=tally(item) if item.vote_options else {},
            opinions=[v.opinion for v in item.votes.all() if v.opinion],
        ))
    place = ", ".join(p for p in (str(meeting.room or ""), meeting.online_url) if p)
    return minutes.Minutes(
        heading=_("MINUTES OF THE MEETING"), title=meeting.title,
        facts=[(_("Time"), f"{_when(meeting.starts_at)} – {timezone.localtime(meeting.ends_at):%H:%M}"),
               (_("Place"), place), (_("Chair"), meeting.chair or "—"),
               (_("Organiser"), f"{person(meeting.organiser)} ({meeting.unit})")],
        attendees_label=_("Present"),
        attendees=[f"{person(a.person)}{f' ({a.person.unit})' if a.person.unit else ''}"
                   for a in meeting.attendance.select_related("person", "person__unit")],
        agenda_label=_("Agenda and discussion"), items=items,
        general_notes=[n.text for n in meeting.notes.filter(item__isnull=True)],
        conclusions_label=_("Conclusions"),
        conclusions=[minutes.Conclusion(c.text, str(c.owner_unit or ""), _when(c.deadline))
                     for c in meeting.conclusions.select_related("owner_unit")],
        labels={"presenter": _("Presenter"), "vote": _("Vote"), "opinions": _("Opinions"), "owner": _("Owner"),
                "deadline": _("Deadline")},
    )


def pdf(meeting: Meeting) -> bytes:
    return minutes.to_pdf(gather(meeting), FONTS)


def docx(meeting: Meeting) -> bytes:
    return minutes.to_docx(gather(meeting))
