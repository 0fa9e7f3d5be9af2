"""Demo data for the work area, through its services: directives to hospitals, documents in both registers,
meetings with agendas. `tick()` moves the directives along so the screens change."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone

from opscenter.org import services as org
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm, Role

from .models import Directive, Document, Meeting, Task
from .services import directives, documents, meetings
from .services.notify import holders

DIRECTIVES = [
    ("Tăng cường phòng chống sốt xuất huyết mùa mưa",
     "Rà soát giường bệnh truyền nhiễm, bảo đảm thuốc và dịch truyền; báo cáo số ca hằng ngày trước 16 giờ.", "high"),
    ("Bảo đảm cấp cứu dịp nghỉ lễ", "Bố trí trực 4 cấp, sẵn sàng kíp cấp cứu ngoại viện; báo cáo kế hoạch trực.",
     "urgent"),
    ("Giảm tải khoa cấp cứu", "Rà soát quy trình tiếp nhận, chuyển bệnh nhân ổn định về khoa; báo cáo kết quả.",
     "normal"),
]
INCOMING = [
    ("1234/BYT-DP", "Bộ Y tế", "V/v tăng cường giám sát bệnh tay chân miệng"),
    ("567/UBND-VX", "Ủy ban nhân dân Thành phố", "V/v triển khai kế hoạch tiêm chủng mở rộng năm 2026"),
    ("89/CDC-KSDB", "Trung tâm Kiểm soát bệnh tật Thành phố", "Báo cáo tình hình dịch bệnh tuần 47"),
    ("45/BV-KHTH", "Bệnh viện Chợ Rẫy", "Đề xuất bổ sung máy thở cho khoa hồi sức tích cực"),
]


def _hospitals_with_staff() -> list[Unit]:
    staffed = holders(Perm.HANDLE_DIRECTIVES, Unit.objects.filter(kind=Unit.Kind.HOSPITAL)).values("unit_id")
    return list(Unit.objects.filter(pk__in=staffed, active=True).order_by("code"))


def _people() -> tuple[User | None, User | None, User | None]:
    department = Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, parent__isnull=True).order_by("pk").first()
    if department is None:
        return None, None, None
    clerk = User.objects.filter(username="clerk").first()
    if clerk is None:
        from opscenter.org.demo_data import DEMO_PASSWORD

        clerk = org.create_user("demo-seed", username="clerk", password=DEMO_PASSWORD, role=Role.CLERK,
                                unit=department, first_name="Văn thư")
    operator = User.objects.filter(role=Role.OPERATOR, unit=department).order_by("pk").first()
    leader = User.objects.filter(role=Role.LEADER, unit=department).order_by("pk").first()
    return clerk, operator, leader


def seed() -> None:
    clerk, operator, leader = _people()
    if clerk is None or operator is None or leader is None:
        return
    hospitals = list(Unit.objects.filter(kind=Unit.Kind.HOSPITAL, active=True).order_by("code")[:6])
    now = timezone.now()
    if not Directive.objects.exists() and hospitals:
        for n, (title, content, priority) in enumerate(DIRECTIVES):
            units = sorted({hospitals[(n + i) % len(hospitals)].code for i in range(4)})
            directives.issue(operator, directives.DirectiveDraft(
                title=title, content=content, priority=priority, units=units,
                deadline=now + dt.timedelta(days=1 + 2 * n), idempotency_key=f"demo-directive-{n}"))
    if not Document.objects.exists():
        for n, (number, body, summary) in enumerate(INCOMING):
            document, _ = documents.register_incoming(clerk, documents.DocumentFields(
                summary=summary, number_symbol=number, issuing_body=body, issue_date=timezone.localdate()
                - dt.timedelta(days=n + 1), urgency="urgent" if n == 0 else "normal",
                idempotency_key=f"demo-in-{n}"))
            if n < 2:
                documents.assign(clerk, document, operator, now + dt.timedelta(days=3), "Đề nghị tham mưu xử lý")
        outgoing, _ = documents.draft_outgoing(operator, documents.DocumentFields(
            summary="V/v báo cáo công suất giường hồi sức tích cực", issuer_symbol="SYT-NVY",
            recipients="Các bệnh viện trực thuộc; Lưu: VT, NVY.", recipient_units=[h.code for h in hospitals[:3]],
            idempotency_key="demo-out-0"))
        documents.submit_for_review(operator, outgoing)
        documents.review(leader, outgoing, approve=True)
        documents.issue(clerk, outgoing)
    if not Meeting.objects.exists():
        room = meetings.create_room(clerk, "Phòng họp số 1", "Tầng 3, 59 Nguyễn Thị Minh Khai", 40)
        meetings.create_room(clerk, "Phòng họp số 2", "Tầng 2", 15)
        start = timezone.localtime(now).replace(hour=8, minute=0, second=0, microsecond=0)
        for day, title in ((0, "Giao ban điều hành"), (1, "Họp chuyên đề phòng chống dịch")):
            meeting, _, _ = meetings.schedule(clerk, meetings.MeetingFields(
                title=title, starts_at=start + dt.timedelta(days=day), ends_at=start + dt.timedelta(days=day, hours=2),
                room_id=room.pk, chair="Giám đốc Sở", units=[h.code for h in hospitals[:3]],
                people=[operator.username, leader.username], idempotency_key=f"demo-meeting-{day}"))
            meetings.add_agenda_item(clerk, meeting, "Tình hình tiếp nhận cấp cứu", presenter=operator.username)
            meetings.add_agenda_item(clerk, meeting, "Kế hoạch phòng chống sốt xuất huyết",
                                     presenter="Phòng Nghiệp vụ Y", vote_question="Thông qua kế hoạch?",
                                     vote_options=["Đồng ý", "Không đồng ý", "Ý kiến khác"])


def tick() -> None:
    """One step: a hospital moves one of its tasks along; now and then a new directive goes out."""
    rng = random.Random()
    task = (Task.objects.filter(status__in=Task.OPEN, directive__status=Directive.Status.ACTIVE)
            .filter(~Q(unit__users=None)).select_related("unit").order_by("?").first())
    if task is not None:
        person = holders(Perm.HANDLE_DIRECTIVES, [task.unit]).first()
        if person is not None:
            if task.status == Task.Status.SENT:
                directives.acknowledge(person, task)
            elif task.progress < 60 and rng.random() < 0.7:
                directives.report_progress(person, task, "Đang triển khai theo chỉ đạo", task.progress + 30)
            else:
                directives.complete(person, task, "Đã hoàn thành, báo cáo kèm theo")
    elif rng.random() < 0.2:
        _clerk, operator, _leader = _people()
        hospitals = _hospitals_with_staff()
        if operator is not None and hospitals:
            title, content, priority = rng.choice(DIRECTIVES)
            directives.issue(operator, directives.DirectiveDraft(
                title=title, content=content, priority=priority, units=[rng.choice(hospitals).code],
                deadline=timezone.now() + dt.timedelta(days=2)))
    directives.flag_overdue()
