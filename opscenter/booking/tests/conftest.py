import datetime as dt

import pytest
from django.utils import timezone, translation

from opscenter.booking import services, sms
from opscenter.booking.models import Doctor, Schedule, Service


@pytest.fixture(autouse=True)
def _in_english():
    """Service-level messages read in English here, whatever an earlier test on this worker left active."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    settings.BOOKING_SMS_BACKEND = "opscenter.booking.sms.LocmemBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def clinic(city):
    """Hospital A's cardiology clinic: one doctor, every day of the week 07:00–11:00, 15-minute slots of 4
    places, one of them kept for walk-ins; slots made for the next 14 days from today."""
    service = Service.objects.create(unit=city.hospital_a, code="tim-mach", name="Khám Tim mạch",
                                     name_en="Cardiology clinic", specialty="cardiac")
    doctor = Doctor.objects.create(unit=city.hospital_a, code="bs-an", name="Nguyễn Văn An", title="ThS.BS.",
                                   specialty="cardiac", languages=["vi", "en"])
    for weekday in range(7):
        Schedule.objects.create(service=service, doctor=doctor, room="P.12", weekday=weekday,
                                start=dt.time(7), end=dt.time(11), slot_minutes=15, capacity=4, walk_in_share=0.25,
                                valid_from=timezone.localdate())
    services.make_slots(timezone.localdate(), 14)
    return service


def phone_token(phone: str = "0912345678") -> str:
    services.request_code(phone, "10.0.0.1")
    code = sms.outbox[-1][1].split(": ")[1][:6]
    return services.verify_code(phone, code)


PERSON = services.Person(name="Trần Thị Bình", birth_date=dt.date(1961, 3, 14), identifier="079161000123",
                         reason="Đau ngực khi gắng sức")
