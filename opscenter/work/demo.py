"""Demo data for the work area, through its services: directives to hospitals, documents in both registers,
meetings with agendas. `tick()` lets the work go on as people would do it.

The simulation acts only as its own staff (STAFF): a specialist of the department who issues directives now and
then, and named people at hospitals where no demo log-in account works, each acting for their own hospital only.
They never act as a demo log-in account (operator, leader, clerk, the Chợ Rẫy accounts...), never touch a task a
person has taken up themselves, and keep a human pace: each step comes minutes after the one before."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db.models import Exists, F, Max, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from opscenter.org import services as org
from opscenter.org.models import Unit, User
from opscenter.org.roles import Perm, Role

from .models import Directive, DirectiveUpdate, Document, Meeting, Priority, Task
from .services import directives, documents, meetings
from .services.notify import holders


@dataclass(frozen=True)
class Staff:
    username: str
    role: str
    unit: str  # unit code
    name: str  # as Vietnamese write it: family name first


# No password: nobody logs in as them. The department's specialist issues; the others answer for their hospital.
ISSUER = Staff("nvy.tranthanhhai", Role.OPERATOR, "SYT", "Trần Thanh Hải")
STAFF = [
    ISSUER,
    Staff("nd115.nguyenthuha", Role.HOSPITAL_MANAGER, "BV-ND115", "Nguyễn Thị Thu Hà"),
    Staff("ndgd.lequangminh", Role.HOSPITAL_MANAGER, "BV-NDGD", "Lê Quang Minh"),
    Staff("nhietdoi.phamngoclan", Role.HOSPITAL_MANAGER, "BV-NHIETDOI", "Phạm Ngọc Lan"),
    Staff("nhidong1.vothanhtung", Role.HOSPITAL_MANAGER, "BV-NHIDONG1", "Võ Thanh Tùng"),
    Staff("tudu.huynhkimoanh", Role.HOSPITAL_MANAGER, "BV-TUDU", "Huỳnh Kim Oanh"),
    Staff("trungvuong.dangvankhoa", Role.HOSPITAL_MANAGER, "BV-TRUNGVUONG", "Đặng Văn Khoa"),
    Staff("thuduc.buithimai", Role.HOSPITAL_MANAGER, "BV-THUDUC", "Bùi Thị Mai"),
    Staff("ntp.hoangducthinh", Role.HOSPITAL_MANAGER, "BV-NTP", "Hoàng Đức Thịnh"),
]

# title, content, priority, days to the deadline
DIRECTIVES = [
    ("Tăng cường phòng chống sốt xuất huyết mùa mưa",
     "Rà soát giường bệnh truyền nhiễm, bảo đảm thuốc và dịch truyền; báo cáo số ca hằng ngày trước 16 giờ.",
     Priority.HIGH, 2),
    ("Bảo đảm cấp cứu dịp nghỉ lễ", "Bố trí trực 4 cấp, sẵn sàng kíp cấp cứu ngoại viện; báo cáo kế hoạch trực.",
     Priority.URGENT, 1),
    ("Giảm tải khoa cấp cứu", "Rà soát quy trình tiếp nhận, chuyển bệnh nhân ổn định về khoa; báo cáo kết quả.",
     Priority.NORMAL, 5),
    ("Báo cáo công suất giường hồi sức tích cực",
     "Cập nhật số giường hồi sức, máy thở đang sử dụng và sẵn sàng; gửi về Phòng Nghiệp vụ Y trước 10 giờ.",
     Priority.HIGH, 1),
    ("Rà soát cơ số thuốc, vật tư phòng chống bệnh tay chân miệng",
     "Kiểm tra cơ số thuốc, dịch truyền, vật tư tiêu hao cho khoa nhi; đề xuất bổ sung nếu thiếu.", Priority.NORMAL, 4),
    ("Kiểm tra công tác phòng cháy, chữa cháy",
     "Tự kiểm tra hệ thống báo cháy, lối thoát hiểm, phương tiện chữa cháy tại các khoa; báo cáo tồn tại và khắc phục.",
     Priority.NORMAL, 7),
    ("Triển khai tiêm vắc xin sởi cho trẻ từ 1 đến 5 tuổi",
     "Phối hợp trạm y tế phường, xã rà soát đối tượng, bố trí điểm tiêm an toàn; báo cáo kết quả hằng tuần.",
     Priority.HIGH, 6),
    ("Tăng cường an ninh, trật tự tại khoa cấp cứu",
     "Bố trí bảo vệ thường trực, camera khu vực tiếp nhận; phối hợp công an phường xử lý kịp thời sự việc.",
     Priority.NORMAL, 3),
    ("Chuẩn bị phương án ứng phó mưa bão, triều cường",
     "Rà soát kho thuốc, máy phát điện dự phòng, phương án di dời người bệnh khu vực trũng thấp.", Priority.HIGH, 2),
    ("Bảo đảm cung ứng máu và chế phẩm máu",
     "Rà soát lượng máu dự trữ theo nhóm, phối hợp Bệnh viện Truyền máu Huyết học điều phối khi thiếu.",
     Priority.URGENT, 1),
    ("Khảo sát sự hài lòng của người bệnh quý IV",
     "Tổ chức khảo sát người bệnh nội trú, ngoại trú theo mẫu của Bộ Y tế; nhập kết quả trên hệ thống.",
     Priority.NORMAL, 10),
    ("Tăng cường kiểm soát nhiễm khuẩn tại khoa hồi sức",
     "Giám sát tuân thủ vệ sinh tay, quy trình đặt catheter; báo cáo ca nhiễm khuẩn bệnh viện trong tháng.",
     Priority.NORMAL, 5),
    ("Rà soát người bệnh chờ chuyển tuyến",
     "Lập danh sách người bệnh chờ chuyển, lý do chờ; phối hợp Trung tâm Cấp cứu 115 bố trí xe.", Priority.HIGH, 1),
    ("Cập nhật kế hoạch ứng phó sự cố y tế công cộng",
     "Cập nhật danh sách kíp cơ động, cơ số thuốc, trang thiết bị; gửi kế hoạch đã phê duyệt về Sở.",
     Priority.NORMAL, 7),
]
ACKNOWLEDGEMENTS = [
    "Đã tiếp nhận, giao Phòng Kế hoạch tổng hợp chủ trì.",
    "Đã tiếp nhận, triển khai đến các khoa liên quan.",
    "Đã tiếp nhận, Ban Giám đốc chỉ đạo thực hiện ngay.",
    "",
]
PROGRESS = [
    "Đã họp giao ban triển khai, phân công từng khoa, phòng.",
    "Đã rà soát xong phần lớn các khoa, đang tổng hợp số liệu.",
    "Đang triển khai theo chỉ đạo, dự kiến hoàn thành đúng hạn.",
    "Đã bổ sung nhân lực trực, đang hoàn thiện báo cáo.",
]
COMPLETIONS = [
    "Đã hoàn thành, báo cáo kết quả kèm theo.",
    "Đã triển khai đầy đủ các nội dung chỉ đạo.",
    "Hoàn thành; đề nghị Sở xem xét bổ sung kinh phí cho đợt sau.",
]
INCOMING = [
    ("1234/BYT-DP", "Bộ Y tế", "V/v tăng cường giám sát bệnh tay chân miệng"),
    ("567/UBND-VX", "Ủy ban nhân dân Thành phố", "V/v triển khai kế hoạch tiêm chủng mở rộng năm 2026"),
    ("89/CDC-KSDB", "Trung tâm Kiểm soát bệnh tật Thành phố", "Báo cáo tình hình dịch bệnh tuần 47"),
    ("45/BV-KHTH", "Bệnh viện Chợ Rẫy", "Đề xuất bổ sung máy thở cho khoa hồi sức tích cực"),
]

# Minutes between a task's last step and the next one a hospital's staff takes: (from, to), by the task's status.
PACE: dict[str, tuple[int, int]] = {
    Task.Status.SENT: (3, 15), Task.Status.ACKNOWLEDGED: (15, 60), Task.Status.IN_PROGRESS: (20, 90),
    Task.Status.RETURNED: (10, 40),
}
ISSUE_EVERY = (20, 45)  # minutes between the department's directives
OPEN_AT_MOST = 4  # directives of the department's specialist still open


def _department() -> Unit | None:
    return Unit.objects.filter(kind=Unit.Kind.DEPARTMENT, parent__isnull=True).order_by("pk").first()


def staff() -> dict[str, User]:
    """The simulation's people whose unit exists, by username; created the first time they are needed."""
    units = {u.code: u for u in Unit.objects.filter(code__in=[s.unit for s in STAFF], active=True)}
    department = _department()
    if department is not None:
        units.setdefault(ISSUER.unit, department)
    people = {u.username: u for u in User.objects.filter(username__in=[s.username for s in STAFF])}
    for s in STAFF:
        if s.username not in people and s.unit in units:
            people[s.username] = org.create_user("demo-seed", username=s.username, password=None, role=s.role,
                                                 unit=units[s.unit], first_name=s.name)
    return {name: user for name, user in people.items() if user.is_active}


def _people() -> tuple[User | None, User | None, User | None]:
    department = _department()
    if department is None:
        return None, None, None
    clerk = User.objects.filter(username="clerk").first()
    if clerk is None:
        from opscenter.org.demo_data import DEMO_PASSWORD

        clerk = org.create_user("demo-seed", username="clerk", password=DEMO_PASSWORD, role=Role.CLERK,
                                unit=department, first_name="Văn thư")
    operator = User.objects.filter(role=Role.OPERATOR, unit=department).exclude(
        username__in=[s.username for s in STAFF]).order_by("pk").first()
    leader = User.objects.filter(role=Role.LEADER, unit=department).order_by("pk").first()
    return clerk, operator, leader


def seed() -> None:
    clerk, operator, leader = _people()
    people = staff()
    issuer = people.get(ISSUER.username)
    if clerk is None or operator is None or leader is None or issuer is None:
        return
    hospitals = list(Unit.objects.filter(kind=Unit.Kind.HOSPITAL, active=True).order_by("code")[:6])
    now = timezone.now()
    if not Directive.objects.exists() and hospitals:
        # To hospitals with staff of the simulation (who will answer, in time), the first also to one where the
        # demo's log-in accounts work, so that they find a directive waiting for them.
        staffed = sorted({u.unit.code for u in people.values() if u.unit and u.username != ISSUER.username})
        attended = holders(Perm.HANDLE_DIRECTIVES, Unit.objects.filter(kind=Unit.Kind.HOSPITAL)).exclude(
            username__in=[s.username for s in STAFF]).order_by("unit__code").values_list("unit__code", flat=True)
        pool = staffed or [h.code for h in hospitals]
        for n, (title, content, priority, _days) in enumerate(DIRECTIVES[:3]):
            units = sorted({pool[(2 * n + i) % len(pool)] for i in range(3)} | set(attended[:1] if n == 0 else []))
            directives.issue(issuer, directives.DirectiveDraft(
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


def _minutes(key: str, span: tuple[int, int]) -> dt.timedelta:
    """A wait drawn from `span` minutes, the same for the same key at every tick."""
    return dt.timedelta(minutes=random.Random(key).uniform(*span))


def _move_a_task(people: dict[str, User], now: dt.datetime, rng: random.Random) -> bool:
    """One hospital's staff takes the next step on one task of their own hospital whose time has come: tasks that
    someone else took up (an update by anyone but the simulation's staff) are theirs, not the simulation's."""
    hands = {u.unit_id: u for u in people.values() if u.username != ISSUER.username}
    if not hands:
        return False
    taken_up = DirectiveUpdate.objects.filter(task=OuterRef("pk")).exclude(
        author__in=list(people.values())).exclude(kind__in=[DirectiveUpdate.Kind.ISSUED,
                                                            DirectiveUpdate.Kind.RETURNED])
    tasks = (Task.objects.filter(unit_id__in=list(hands), status__in=Task.OPEN,
                                 directive__status=Directive.Status.ACTIVE)
             .filter(Q(owner__isnull=True) | Q(owner__in=list(people.values())))
             .exclude(Exists(taken_up))
             .annotate(last=Coalesce(Max("updates__time"), F("directive__issued_at")))
             .select_related("directive", "unit").order_by("pk"))
    due = [t for t in tasks
           if t.last + _minutes(f"{t.pk}-{t.last.isoformat()}", PACE[t.status]) <= now]
    if not due:
        return False
    task = rng.choice(due)
    person = hands[task.unit_id]
    if task.status == Task.Status.SENT:
        directives.acknowledge(person, task, rng.choice(ACKNOWLEDGEMENTS))
    elif task.progress < 60:
        directives.report_progress(person, task, rng.choice(PROGRESS), min(90, task.progress + rng.choice((30, 40))))
    else:
        directives.complete(person, task, rng.choice(COMPLETIONS))
    return True


def _open_titles() -> set[str]:
    return set(Directive.objects.filter(status=Directive.Status.ACTIVE, tasks__status__in=Task.OPEN)
               .values_list("title", flat=True))


def _issue_one(people: dict[str, User], now: dt.datetime, rng: random.Random) -> Directive | None:
    """Now and then the department's specialist issues a directive that is not already open, to a few of the
    hospitals whose staff the simulation has."""
    issuer = people.get(ISSUER.username)
    hospitals = [u.unit for u in people.values() if u.username != ISSUER.username and u.unit is not None]
    if issuer is None or not hospitals:
        return None
    mine = Directive.objects.filter(issued_by=issuer)
    last = mine.order_by("-issued_at").values_list("issued_at", flat=True).first()
    if last is not None and now < last + _minutes(f"issue-{last.isoformat()}", ISSUE_EVERY):
        return None
    waiting = mine.filter(status=Directive.Status.ACTIVE, tasks__status__in=Task.OPEN, tasks__unit__in=hospitals)
    if waiting.distinct().count() >= OPEN_AT_MOST:  # the staff's own answers pending, not the demo users'
        return None
    open_titles = _open_titles()
    last_issued = dict(Directive.objects.values("title").annotate(last=Max("issued_at")).values_list("title", "last"))
    choices = sorted((d for d in DIRECTIVES if d[0] not in open_titles),
                     key=lambda d: (d[0] in last_issued, last_issued.get(d[0]) or now))
    if not choices:
        return None
    title, content, priority, days = rng.choice(choices[:3])  # one of those not issued for the longest time
    units = rng.sample(hospitals, min(len(hospitals), rng.choice((1, 2, 2, 3))))
    deadline = timezone.localtime(max(now, timezone.now()) + dt.timedelta(days=days)).replace(
        hour=16, minute=0, second=0, microsecond=0)
    directive, _created = directives.issue(issuer, directives.DirectiveDraft(
        title=title, content=content, priority=priority, units=sorted(u.code for u in units), deadline=deadline))
    return directive


def tick(now: dt.datetime | None = None) -> None:
    """One step: a hospital's staff moves one of their tasks along when its time has come; else, now and then,
    the department issues a new directive. Overdue tasks are flagged."""
    now = now or timezone.now()
    rng = random.Random()
    people = staff()
    if people and not _move_a_task(people, now, rng):
        _issue_one(people, now, rng)
    directives.flag_overdue()
