"""The data sets shipped with the platform, installed by a data migration (and editable afterwards)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation

from opscenter.org.models import BedType

HOSPITAL_DAILY = "HOSP_DAILY"

# The bed types are org's `BedType`, in its order; the data set has three elements per bed type.
BED_TYPES: tuple[str, ...] = tuple(BedType.values)
MEASURES = {
    "total": ("Tổng số giường", "beds total"),
    "occupied": ("Giường đang sử dụng", "beds occupied"),
    "available": ("Giường trống", "beds available"),
}
DISEASES = {
    "dengue": ("Sốt xuất huyết Dengue", "Dengue"),
    "hfmd": ("Tay chân miệng", "Hand, foot and mouth disease"),
    "ari": ("Nhiễm khuẩn hô hấp cấp", "Acute respiratory infection"),
    "influenza": ("Cúm", "Influenza"),
    "covid19": ("COVID-19", "COVID-19"),
    "measles": ("Sởi", "Measles"),
}
FLOW = [  # code, category, Vietnamese, English
    ("ventilators_total", "equipment", "Máy thở: tổng số", "Ventilators total"),
    ("ventilators_in_use", "equipment", "Máy thở: đang sử dụng", "Ventilators in use"),
    ("er_visits", "emergency", "Lượt khám cấp cứu", "Emergency visits"),
    ("er_waiting_for_bed", "emergency", "Bệnh nhân cấp cứu chờ giường", "Emergency patients waiting for a bed"),
    ("admissions", "flow", "Nhập viện", "Admissions"),
    ("discharges", "flow", "Xuất viện", "Discharges"),
    ("transfers_out", "flow", "Chuyển viện", "Transfers out"),
    ("deaths", "flow", "Tử vong", "Deaths"),
]
# Hospital-wide figures that hospital systems report in HL7 SANER (see reporting/saner.py for the mapping):
# beds of the whole hospital, patients of a respiratory outbreak disease (COVID-19 in SANER), laboratory tests.
HOSPITAL_WIDE = [  # code, category, Vietnamese, English
    ("beds_all_total", "hospital", "Toàn viện: tổng số giường (nội trú và ngoại trú)",
     "Whole hospital: all beds (inpatient and outpatient)"),
    ("beds_all_occupied", "hospital", "Toàn viện: tổng số giường đang sử dụng", "Whole hospital: all beds occupied"),
    ("beds_inpatient_total", "hospital", "Toàn viện: giường nội trú", "Whole hospital: inpatient beds"),
    ("beds_inpatient_occupied", "hospital", "Toàn viện: giường nội trú đang sử dụng",
     "Whole hospital: inpatient beds occupied"),
    ("covid19_inpatients", "outbreak", "COVID-19: bệnh nhân đang điều trị nội trú",
     "COVID-19: patients hospitalised (inpatient)"),
    ("covid19_ventilated", "outbreak", "COVID-19: bệnh nhân nội trú thở máy",
     "COVID-19: hospitalised patients on a ventilator"),
    ("covid19_hospital_onset", "outbreak", "COVID-19: khởi phát trong bệnh viện",
     "COVID-19: hospital-onset patients"),
    ("covid19_overflow", "outbreak", "COVID-19: bệnh nhân ở cấp cứu/khu tạm chờ giường",
     "COVID-19: patients in the ED or overflow awaiting a bed"),
    ("covid19_overflow_ventilated", "outbreak", "COVID-19: bệnh nhân chờ giường đang thở máy",
     "COVID-19: patients awaiting a bed on a ventilator"),
    ("covid19_deaths", "outbreak", "COVID-19: tử vong", "COVID-19: deaths"),
    ("lab_tests_ordered", "laboratory", "Xét nghiệm: chỉ định mới", "Laboratory: new tests ordered"),
    ("lab_tests_resulted", "laboratory", "Xét nghiệm: có kết quả mới", "Laboratory: new tests resulted"),
    ("lab_tests_positive", "laboratory", "Xét nghiệm: dương tính mới", "Laboratory: new positive tests"),
]


def bed_element(bed_type: str, measure: str) -> str:
    """The code of a bed element (`beds_icu_occupied`): the one place that spells it."""
    return f"beds_{bed_type}_{measure}"


BED_ELEMENTS = {bed_element(b, m): (b, m) for b in BED_TYPES for m in MEASURES}  # code: (bed type, measure)
COUNT_ELEMENTS = (*(code for code, *_rest in FLOW), *(f"cases_{d}" for d in DISEASES),
                  *(code for code, *_rest in HOSPITAL_WIDE))


def split_figures(values: dict[str, Any]) -> tuple[dict[str, int | None], dict[str, tuple[int, int, int]]]:
    """A daily report's values as the read model holds them: the counts by element, and per bed type
    reported (its total given) (total, occupied, available), occupied 0 and available the rest when absent."""
    counts = {code: values.get(code) for code in COUNT_ELEMENTS}
    beds = {}
    for bed_type in BED_TYPES:
        total = values.get(bed_element(bed_type, "total"))
        if total is None:
            continue
        occupied = values.get(bed_element(bed_type, "occupied")) or 0
        available = values.get(bed_element(bed_type, "available"))
        beds[bed_type] = (int(total), int(occupied), int(max(total - occupied, 0) if available is None else available))
    return counts, beds


def bed_sums(by_type: dict[str, tuple[int, int, int]]) -> list[int | None]:
    """Total, occupied and available beds over the bed types of `split_figures` (None each when none)."""
    return [sum(b[i] for b in by_type.values()) for i in range(3)] if by_type else [None, None, None]


def _label_in(language: str, bed_type: str) -> str:
    with translation.override(language):
        return str(BedType(bed_type).label)


def hospital_daily_elements() -> list[dict[str, Any]]:
    elements: list[dict[str, Any]] = []
    for bed_type in BED_TYPES:
        vi, en = _label_in("vi", bed_type), _label_in("en", bed_type)
        for measure, (mvi, men) in MEASURES.items():
            elements.append({
                "code": bed_element(bed_type, measure), "name": f"{vi}: {mvi.lower()}", "name_en": f"{en}: {men}",
                "category": "beds", "bed_type": bed_type, "measure": measure,
            })
    for code, category, vi, en in FLOW:
        elements.append({"code": code, "name": vi, "name_en": en, "category": category, "measure": "count"})
    for disease, (vi, en) in DISEASES.items():
        elements.append({
            "code": f"cases_{disease}", "name": f"Ca mắc mới: {vi}", "name_en": f"New cases: {en}",
            "category": "infectious", "measure": "count",
        })
    for code, category, vi, en in HOSPITAL_WIDE:
        elements.append({"code": code, "name": vi, "name_en": en, "category": category, "measure": "count"})
    return elements


def hospital_daily_rules() -> list[dict[str, Any]]:
    rules = []
    for bed_type in BED_TYPES:
        en = _label_in("en", bed_type)
        total, occupied, available = (bed_element(bed_type, m) for m in MEASURES)
        rules.append({
            "code": f"{bed_type}_occupied_le_total", "severity": "error",
            "message": f"{en}: occupied beds cannot exceed total beds",
            "left": [occupied], "operator": "<=", "right": [total],
        })
        rules.append({
            "code": f"{bed_type}_available_le_free", "severity": "error",
            "message": f"{en}: occupied plus available beds cannot exceed total beds",
            "left": [occupied, available], "operator": "<=", "right": [total],
        })
    rules.append({
        "code": "ventilators_in_use_le_total", "severity": "error",
        "message": "Ventilators in use cannot exceed ventilators total",
        "left": ["ventilators_in_use"], "operator": "<=", "right": ["ventilators_total"],
    })
    rules.append({
        "code": "deaths_le_er_visits", "severity": "warning",
        "message": "More deaths than emergency visits; please check",
        "left": ["deaths"], "operator": "<=", "right": ["er_visits"],
    })
    for left, right, severity, en in [
        ("beds_all_occupied", "beds_all_total", "error", "Whole hospital: occupied beds cannot exceed all beds"),
        ("beds_inpatient_occupied", "beds_inpatient_total", "error",
         "Whole hospital: occupied inpatient beds cannot exceed inpatient beds"),
        ("lab_tests_positive", "lab_tests_resulted", "warning",
         "Laboratory: more positive tests than tests resulted; please check"),
    ]:
        rules.append({"code": f"{left}_le_{right}", "severity": severity, "message": en,
                      "left": [left], "operator": "<=", "right": [right]})
    return rules


def install(apps: Any) -> None:
    """Create or refresh the shipped data sets, given a (possibly historical) app registry."""
    DataSet = apps.get_model("reporting", "DataSet")
    DataElement = apps.get_model("reporting", "DataElement")
    ValidationRule = apps.get_model("reporting", "ValidationRule")
    data_set, _ = DataSet.objects.update_or_create(
        code=HOSPITAL_DAILY,
        defaults={
            "name": "Báo cáo công suất bệnh viện hằng ngày",
            "name_en": "Daily hospital capacity report",
            "description": "Giường bệnh theo loại, máy thở, cấp cứu, lưu lượng bệnh nhân và ca bệnh truyền nhiễm.",
            "periodicity": "daily", "due_time": dt.time(10, 0), "due_days_after_period": 0,
        },
    )
    for order, element in enumerate(hospital_daily_elements()):
        DataElement.objects.update_or_create(
            data_set=data_set, code=element["code"], defaults={**element, "sort_order": order}
        )
    for rule in hospital_daily_rules():
        ValidationRule.objects.update_or_create(data_set=data_set, code=rule["code"], defaults=rule)
