"""The leaders' morning briefing as a PDF (fpdf2, DejaVu fonts for Vietnamese).

A fixed document: its wording lives here in Vietnamese and English (like the shipped data sets), and the
active language picks one. The figures come from the same read models as the dashboard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from fpdf import FPDF
from fpdf.fonts import FontFace

from opscenter.alerts.models import Alert, Severity
from opscenter.org.models import BedType, User
from opscenter.reporting import services as reporting
from opscenter.reporting.definitions import BED_TYPES
from opscenter.reporting.models import DataSet

from . import queries

FONT_DIR = settings.BASE_DIR / "static" / "fonts"
FONT = "DejaVu"
DARK = (31, 42, 55)
MUTED = (100, 110, 120)
HIGH_OCCUPANCY = 0.9

TEXT = {  # key: (Vietnamese, English)
    "org": ("SỞ Y TẾ THÀNH PHỐ HỒ CHÍ MINH", "DEPARTMENT OF HEALTH, HO CHI MINH CITY"),
    "title": ("BÁO CÁO GIAO BAN BUỔI SÁNG", "MORNING BRIEFING"),
    "date": ("Ngày %s", "Date %s"),
    "generated": ("Lập lúc %s — Trung tâm Điều hành", "Generated %s — Operations Center"),
    "scope": ("Phạm vi: %s", "Scope: %s"),
    "s_beds": ("1. Giường bệnh toàn thành phố", "1. City beds"),
    "bed_type": ("Loại giường", "Bed type"),
    "total": ("Tổng", "Total"),
    "occupied": ("Đang dùng", "Occupied"),
    "free": ("Trống", "Free"),
    "occupancy": ("Công suất", "Occupancy"),
    "change_free": ("Trống ± so hôm trước", "Free ± vs previous day"),
    "all_types": ("Tất cả", "All types"),
    "s_er": ("2. Cấp cứu và báo cáo", "2. Emergency and reporting"),
    "indicator": ("Chỉ số", "Indicator"),
    "value": ("Hôm nay", "Today"),
    "previous": ("Hôm trước", "Previous day"),
    "change": ("Thay đổi", "Change"),
    "er_visits": ("Lượt khám cấp cứu (cơ sở đã báo cáo)", "ER visits (reporting facilities)"),
    "er_waiting": ("Bệnh nhân cấp cứu chờ giường", "ER patients waiting for a bed"),
    "occupancy_city": ("Công suất giường chung", "Overall bed occupancy"),
    "reports": ("Báo cáo đã nhận", "Reports received"),
    "s_high": ("3. Cơ sở có công suất trên 90%", "3. Facilities above 90% occupancy"),
    "code": ("Mã", "Code"),
    "facility": ("Cơ sở", "Facility"),
    "free_beds": ("Giường trống", "Free beds"),
    "none_high": ("Không có cơ sở nào trên 90%.", "No facility above 90%."),
    "s_alerts": ("4. Cảnh báo trong 24 giờ qua còn mở", "4. Alerts of the last 24 hours still open"),
    "time": ("Thời điểm", "Time"),
    "severity": ("Mức độ", "Severity"),
    "alert": ("Cảnh báo", "Alert"),
    "status": ("Trạng thái", "Status"),
    "none_alerts": ("Không có cảnh báo mở.", "No open alerts."),
    "s_missing": ("5. Báo cáo quá hạn / chưa nhận", "5. Reports overdue / missing"),
    "missing": ("Chưa nhận (quá hạn)", "Missing (overdue)"),
    "late": ("Gửi muộn", "Late"),
    "pending": ("Chưa đến hạn", "Not yet due"),
    "none_missing": ("Tất cả cơ sở đã gửi báo cáo đúng hạn.", "Every facility reported on time."),
    "due": ("Hạn nộp %s", "Due %s"),
    "page": ("Trang %s/{nb}", "Page %s/{nb}"),
    "no_dataset": ("Chưa cấu hình bộ báo cáo hằng ngày.", "The daily report data set is not configured."),
}
SEVERITY: dict[str, tuple[str, str]] = {
    Severity.INFO: ("Thông tin", "Information"),
    Severity.WARNING: ("Cảnh báo", "Warning"),
    Severity.CRITICAL: ("Nghiêm trọng", "Critical"),
}
STATUS: dict[str, tuple[str, str]] = {
    Alert.Status.NEW: ("Mới", "New"),
    Alert.Status.ACKNOWLEDGED: ("Đã tiếp nhận", "Acknowledged"),
    Alert.Status.RESOLVED: ("Đã xử lý", "Resolved"),
}


def _lang() -> int:
    return 1 if (get_language() or "vi").startswith("en") else 0


def t(key: str) -> str:
    return TEXT[key][_lang()]


def pick(pair: tuple[str, str]) -> str:
    return pair[_lang()]


@dataclass
class Briefing:
    """Everything the document shows, computed before any drawing (and testable on its own)."""

    day: dt.date
    scope: str
    beds: list[dict[str, Any]] = field(default_factory=list)  # per bed type, then the "all" row
    indicators: list[tuple[str, str, str, str]] = field(default_factory=list)  # label, today, before, change
    high: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    missing: list[reporting.UnitCompleteness] = field(default_factory=list)
    late: list[reporting.UnitCompleteness] = field(default_factory=list)
    pending: int = 0
    due_at: dt.datetime | None = None


def _delta(now: float | None, before: float | None, pct: bool = False) -> str:
    if now is None or before is None:
        return "—"
    diff = now - before
    if pct:
        diff = round(diff * 100, 1)
        return "0" if diff == 0 else f"{diff:+.1f} %"
    diff = round(diff)
    return "0" if diff == 0 else f"{diff:+d}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f} %"


def _occupancy(loads: list[queries.FacilityLoad]) -> float | None:
    total = sum(b["total"] for x in loads for b in x.beds.values())
    occupied = sum(b["occupied"] for x in loads for b in x.beds.values())
    return occupied / total if total else None


def collect(user: User, day: dt.date, data_set: DataSet | None, now: dt.datetime | None = None) -> Briefing:
    now = now or timezone.now()
    loads = queries.facility_loads(user, today=day)
    before = queries.facility_loads(user, today=day - dt.timedelta(days=1))
    k, kb = queries.kpis(loads, user), queries.kpis(before, user)
    briefing = Briefing(day=day, scope=str(user.unit) if user.unit else "—")

    for code in BED_TYPES:
        total = k["beds_total"].get(code, 0)
        free = k["beds_free"].get(code, 0)
        occupied = sum(x.beds.get(code, {}).get("occupied", 0) for x in loads)
        briefing.beds.append({
            "label": str(BedType(code).label), "total": total, "occupied": occupied, "free": free,
            "occupancy": occupied / total if total else None,
            "change_free": _delta(free, kb["beds_free"].get(code)) if kb["beds_total"].get(code) else "—",
        })
    total_all = sum(k["beds_total"].values())
    occupied_all = sum(row["occupied"] for row in briefing.beds)
    briefing.beds.append({
        "label": t("all_types"), "total": total_all, "occupied": occupied_all, "free": k["beds_free_all"],
        "occupancy": occupied_all / total_all if total_all else None,
        "change_free": _delta(k["beds_free_all"], kb["beds_free_all"]) if sum(kb["beds_total"].values()) else "—",
    })

    occ, occ_before = _occupancy(loads), _occupancy(before)
    briefing.indicators = [
        (t("occupancy_city"), _pct(occ), _pct(occ_before), _delta(occ, occ_before, pct=True)),
        (t("er_visits"), str(k["er_visits_today"]), str(kb["er_visits_today"]),
         _delta(k["er_visits_today"], kb["er_visits_today"])),
        (t("er_waiting"), str(k["er_waiting"]), str(kb["er_waiting"]), _delta(k["er_waiting"], kb["er_waiting"])),
        (t("reports"), f"{k['reports_today']}/{k['reports_expected']}",
         f"{kb['reports_today']}/{kb['reports_expected']}", _delta(k["reports_today"], kb["reports_today"])),
    ]
    briefing.high = sorted(
        (
            {"code": x.code, "name": x.name, "occupancy": x.occupancy,
             "free": sum(b["available"] for b in x.beds.values()), "er_waiting": x.er_waiting}
            for x in loads if x.occupancy is not None and x.occupancy > HIGH_OCCUPANCY
        ),
        key=lambda row: -row["occupancy"],
    )

    # "The last 24 hours" ends now for today's briefing and at the end of the day for an earlier one.
    end = now if day >= timezone.localdate(now) else timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    )
    briefing.alerts = list(
        Alert.objects.filter(user.scope_filter(), raised_at__gt=end - dt.timedelta(hours=24), raised_at__lte=end)
        .exclude(status=Alert.Status.RESOLVED).select_related("unit").order_by("-raised_at")[:60]
    )

    if data_set is not None:
        units = data_set.reporting_units.filter(active=True, pk__in=user.scope_units())
        rows = reporting.completeness(data_set, day, units, now=now)
        briefing.missing = [r for r in rows if r.status == "missing"]
        briefing.late = [r for r in rows if r.status == "late"]
        briefing.pending = sum(1 for r in rows if r.status == "pending")
        briefing.due_at = data_set.due_at(day)
    return briefing


class BriefingPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 6, t("page") % self.page_no(), align="R")


def _fmt_day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def render(briefing: Briefing, data_set_missing: bool = False) -> bytes:
    pdf = BriefingPDF(format="A4")
    pdf.set_title(f"{TEXT['title'][_lang()]} {_fmt_day(briefing.day)}")
    pdf.set_author(t("org"))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.alias_nb_pages("{nb}")
    pdf.add_page()

    # Header band
    pdf.set_fill_color(*DARK)
    pdf.rect(0, 0, pdf.w, 30, style="F")
    pdf.set_fill_color(255, 255, 255)
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(15, 7)
    pdf.set_font(FONT, "", 9)
    pdf.cell(0, 5, t("org"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 9, t("title"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 5, t("date") % _fmt_day(briefing.day), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_y(34)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*MUTED)
    generated = timezone.localtime().strftime("%H:%M %d/%m/%Y")
    pdf.cell(0, 4, t("generated") % generated + "   ·   " + t("scope") % briefing.scope,
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)

    headings = FontFace(family=FONT, emphasis="BOLD", color=(255, 255, 255), fill_color=DARK, size_pt=8.5)

    def section(title: str) -> None:
        pdf.ln(4)
        pdf.set_font(FONT, "B", 11.5)
        pdf.set_text_color(*DARK)
        pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(200, 205, 210)
        pdf.line(15, pdf.get_y(), pdf.w - 15, pdf.get_y())
        pdf.ln(1.5)
        pdf.set_text_color(0, 0, 0)
        pdf.set_font(FONT, "", 8.5)

    def note(text: str) -> None:
        pdf.set_font(FONT, "", 9)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)

    def table(header: list[str], rows: list[list[str]], widths: tuple[float, ...], align: tuple[str, ...],
              bold_last: bool = False) -> None:
        pdf.set_font(FONT, "", 8.5)
        with pdf.table(col_widths=widths, text_align=align, headings_style=headings, line_height=5.2,
                       padding=(1, 1.5), borders_layout="HORIZONTAL_LINES", width=pdf.epw,
                       cell_fill_color=(242, 245, 248), cell_fill_mode="ROWS") as tbl:
            tbl.row(header)
            for i, row in enumerate(rows):
                style = FontFace(emphasis="BOLD") if bold_last and i == len(rows) - 1 else None
                tbl.row(row, style=style)

    section(t("s_beds"))
    table(
        [t("bed_type"), t("total"), t("occupied"), t("free"), t("occupancy"), t("change_free")],
        [[b["label"], str(b["total"]), str(b["occupied"]), str(b["free"]), _pct(b["occupancy"]), b["change_free"]]
         for b in briefing.beds],
        (60, 20, 22, 20, 22, 36), ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"), bold_last=True,
    )

    section(t("s_er"))
    table([t("indicator"), t("value"), t("previous"), t("change")],
          [list(row) for row in briefing.indicators],
          (80, 30, 30, 40), ("LEFT", "RIGHT", "RIGHT", "RIGHT"))

    section(t("s_high"))
    if briefing.high:
        table([t("code"), t("facility"), t("occupancy"), t("free_beds"), t("er_waiting")],
              [[h["code"], h["name"], _pct(h["occupancy"]), str(h["free"]),
                "—" if h["er_waiting"] is None else str(h["er_waiting"])] for h in briefing.high],
              (24, 76, 24, 24, 32), ("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"))
    else:
        note(t("none_high"))

    section(t("s_alerts"))
    if briefing.alerts:
        table([t("time"), t("facility"), t("severity"), t("alert"), t("status")],
              [[timezone.localtime(a.raised_at).strftime("%H:%M %d/%m"), str(a.unit),
                pick(SEVERITY.get(a.severity, (a.severity, a.severity))), a.title,
                pick(STATUS.get(a.status, (a.status, a.status)))] for a in briefing.alerts],
              (22, 38, 22, 74, 24), ("LEFT", "LEFT", "LEFT", "LEFT", "LEFT"))
    else:
        note(t("none_alerts"))

    section(t("s_missing"))
    if data_set_missing:
        note(t("no_dataset"))
    elif briefing.missing or briefing.late:
        rows = [[r.unit.code, str(r.unit), t("missing"), ""] for r in briefing.missing]
        rows += [[r.unit.code, str(r.unit), t("late"),
                  timezone.localtime(r.first_submitted_at).strftime("%H:%M %d/%m") if r.first_submitted_at else ""]
                 for r in briefing.late]
        table([t("code"), t("facility"), t("status"), t("time")], rows, (24, 96, 36, 24),
              ("LEFT", "LEFT", "LEFT", "LEFT"))
    else:
        note(t("none_missing"))
    if briefing.due_at is not None:
        extra = t("due") % timezone.localtime(briefing.due_at).strftime("%H:%M %d/%m/%Y")
        if briefing.pending:
            extra += f" · {t('pending')}: {briefing.pending}"
        pdf.ln(1)
        note(extra)
    return bytes(pdf.output())


def build_briefing(user: User, day: dt.date, data_set: DataSet | None, now: dt.datetime | None = None) -> bytes:
    return render(collect(user, day, data_set, now), data_set_missing=data_set is None)
