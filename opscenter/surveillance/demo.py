"""Demo data for surveillance: six months of case reports in the demo wards, then a live trickle of new
cases (with a dengue cluster building up in one ward) so the epidemic page and its alerts move.
Everything goes through the services, as real reports would."""

from __future__ import annotations

import datetime as dt
import math
import random

from django.db.models import Min

from opscenter.org.models import Unit, Ward

from . import services
from .models import Case, CaseReport, Disease, Forecast

ACTOR = "demo"
HISTORY_DAYS = 180
CLUSTER_WARD = "27343"  # Phường Chợ Lớn: where the demo's dengue cluster grows
# mean cases a day city-wide, and the peak month of each disease's season
BASE_RATE = {"dengue": 6.0, "hfmd": 3.0, "ari": 8.0, "influenza": 2.0, "covid19": 0.8, "measles": 0.2}
PEAK_MONTH = {"dengue": 8, "hfmd": 10, "ari": 1, "influenza": 2, "covid19": 6, "measles": 4}


def _expected(disease: str, day: dt.date) -> float:
    season = 1 + 0.6 * math.cos(2 * math.pi * (day.month - PEAK_MONTH[disease]) / 12)
    return BASE_RATE[disease] * season


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p < limit:
            return k
        k += 1


def _case(rng: random.Random, disease: str, day: dt.date, wards: list[Ward], hospitals: list[Unit],
          ward: Ward | None = None) -> services.CaseInput:
    age = rng.choice([1, 3, 4, 6, 9, 12, 17, 22, 30, 41, 55, 68, 77]) if disease != "hfmd" else rng.randint(0, 6)
    onset = day - dt.timedelta(days=rng.randint(0, 4))
    return services.CaseInput(
        disease=disease, onset_date=onset, report_date=day, age_years=age, ward=(ward or rng.choice(wards)).code,
        facility=rng.choice(hospitals).code, sex=rng.choice(["female", "male"]),
        classification=rng.choice(["suspected", "probable", "confirmed"]), hospitalised=rng.random() < 0.3,
        patient_id=f"DEMO-{disease}-{day.isoformat()}-{rng.randrange(10**9)}",
    )


def _network() -> tuple[list[Ward], list[Unit]]:
    wards = list(Ward.objects.filter(population__isnull=False, latitude__isnull=False))
    hospitals = list(Unit.objects.filter(kind=Unit.Kind.HOSPITAL, active=True))
    return wards, hospitals


def seed(days: int = HISTORY_DAYS) -> int:
    """Add the missing days of case history (days before the first demo case), then detect and forecast."""
    wards, hospitals = _network()
    if not wards or not hospitals:
        return 0
    today = services.local_today()
    first = Case.objects.filter(reports__source=CaseReport.Source.SIMULATOR).aggregate(d=Min("report_date"))["d"]
    end = (first or today + dt.timedelta(days=1)) - dt.timedelta(days=1)
    rng = random.Random(2019)
    added = 0
    day = today - dt.timedelta(days=days - 1)
    while day <= end:
        batch = [_case(rng, disease, day, wards, hospitals)
                 for disease in Disease.values for _ in range(_poisson(rng, _expected(disease, day)))]
        if batch:
            added += len(services.report_cases(ACTOR, batch, CaseReport.Source.SIMULATOR))
        day += dt.timedelta(days=1)
    services.run_detection(today)
    if not Forecast.objects.filter(run_date=today).exists():
        services.run_forecasts(today)
    return added


def tick() -> int:
    """One step: a few new cases today; now and then one more in the cluster ward. Returns cases sent."""
    wards, hospitals = _network()
    if not wards or not hospitals:
        return 0
    rng = random.Random()
    today = services.local_today()
    disease = rng.choices(Disease.values, weights=[BASE_RATE[d] for d in Disease.values])[0]
    batch = [_case(rng, disease, today, wards, hospitals)]
    cluster = Ward.objects.filter(code=CLUSTER_WARD).first()
    if cluster is not None and rng.random() < 0.5:
        batch.append(_case(rng, "dengue", today, wards, hospitals, ward=cluster))
    return len(services.report_cases(ACTOR, batch, CaseReport.Source.SIMULATOR))
