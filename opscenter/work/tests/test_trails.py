"""The trails in words: a document's processing trail, a directive's thread and a meeting's notes say what
happened (a label, translated), who (by name, else by role) and when; no action codes, no log-in names."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from opscenter.org.roles import Role
from opscenter.work.models import Directive, Document, Meeting


def test_the_document_trail_says_what_happened_who_and_when(api_client, city):
    clerk = api_client(Role.CLERK, language="vi")
    clerk.post("/work/documents/new/in/", {
        "doc_type": "cong_van", "number_symbol": "77/BYT-DP", "issue_date": timezone.localdate().isoformat(),
        "issuing_body": "Bộ Y tế", "summary": "Công văn", "urgency": "normal", "confidentiality": "0"})
    document = Document.objects.get()
    clerk.post(f"/work/documents/{document.pk}/assign/", {"handler": "operator", "text": "Tham mưu"})
    html = clerk.get(f"/work/documents/{document.pk}/").content.decode()
    trail = html[html.index('id="trail"'):html.index("</ul>", html.index('id="trail"'))]
    when = timezone.localtime(document.actions.first().time).strftime("%H:%M %d/%m/%Y")
    # "Đã vào sổ — Văn thư, 14:05 30/11/2026": the label, the person by name or role, the time; no codes
    assert re.search(rf'<strong class="trail-what">Đã vào sổ</strong>\s*— <span class="trail-who">Văn thư</span>, '
                     rf'<time[^>]*>{when}</time>', trail)
    # (a label new to the catalogue reads in English until it is translated)
    assert re.search(r"(Đã giao xử lý|Assigned for handling)</strong> → Cán bộ trực điều hành Sở", trail)
    assert ">registered<" not in trail and ">assigned<" not in trail
    english = api_client(Role.CLERK).get(f"/work/documents/{document.pk}/").content.decode()
    assert '<strong class="trail-what">Registered</strong>' in english
    assert '<strong class="trail-what">Assigned for handling</strong> → Department operator' in english


def test_the_directive_thread_and_meeting_notes_name_people_in_words(api_client, city):
    operator = api_client(Role.OPERATOR, language="vi")
    operator.post("/work/directives/new/", {"title": "Rà soát giường", "content": "Báo cáo", "units": ["BV-A"],
                                            "priority": "normal"})
    directive = Directive.objects.get()
    manager = api_client(Role.HOSPITAL_MANAGER, "A", language="vi")
    manager.post(f"/work/tasks/{directive.tasks.get().pk}/acknowledge/", {})
    html = operator.get(f"/work/directives/{directive.pk}/").content.decode()
    thread = html[html.index('id="thread"'):]
    assert re.search(r'<strong class="trail-what">Đã ban hành</strong>\s*— <span class="trail-who">Cán bộ trực điều '
                     r'hành Sở</span>, <time', thread)
    assert re.search(r'<strong class="trail-what">Đã tiếp nhận</strong>\s*— <span class="trail-who">[^<]+</span> '
                     r'\(BV A\), <time', thread)
    assert "operator</strong>" not in thread and "hospital_manager_a</strong>" not in thread

    clerk = api_client(Role.CLERK, language="vi")
    start = timezone.localtime()
    clerk.post("/work/meetings/new/", {"title": "Giao ban", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                                       "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
                                       "online_url": "https://meet.example.org/giao-ban"})
    meeting = Meeting.objects.get()
    clerk.post(f"/work/meetings/{meeting.pk}/note/", {"text": "Số ca tăng"})
    page = clerk.get(f"/work/meetings/{meeting.pk}/").content.decode()
    notes = page[page.index('id="notes"'):]
    assert re.search(r'<span class="trail-who">Văn thư</span>, <time[^>]*>[^<]+</time><p>Số ca tăng</p>', notes)
