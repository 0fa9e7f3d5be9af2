"""The hospital's schedules: weekly templates made and changed (booked times kept, stale edits refused), days
closed (bookings cancelled, people told by SMS) and reopened, bulk edits, and who may do it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS

from opscenter.booking import services, sms
from opscenter.booking.models import Appointment, Closure, Schedule, Slot
from opscenter.booking.tests.conftest import PERSON, phone_token
from opscenter.core.audit import AuditLog
from opscenter.core.edits import StaleEdit
from opscenter.org.roles import Role

PAGE = "/booking/schedules/BV-A/"


def _day_ahead(days: int = 3) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def _schedule_on(clinic, day: dt.date) -> Schedule:
    return Schedule.objects.get(service=clinic, weekday=day.weekday())


def _book(clinic, day: dt.date, phone: str = "0912345678") -> Appointment:
    slot = Slot.objects.filter(schedule=_schedule_on(clinic, day), start__date=day).order_by("start")[1]
    return services.book(slot.pk, PERSON, phone_token(phone), consent=True)


def _form(schedule: Schedule, **changes) -> dict:
    values = {"service": schedule.service_id, "doctor": schedule.doctor_id or "", "room": schedule.room,
              "weekday": schedule.weekday, "start": schedule.start.strftime("%H:%M"),
              "end": schedule.end.strftime("%H:%M"), "slot_minutes": schedule.slot_minutes,
              "capacity": schedule.capacity, "walk_in_share": round(schedule.walk_in_share * 100),
              "valid_from": schedule.valid_from.isoformat(), "valid_until": "",
              "from_day": timezone.localdate().isoformat(), "version": schedule.version}
    return {**values, **changes}


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_manager_sees_the_week_and_filters_it(clinic, api_client):
    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    assert manager.get("/booking/schedules/")["Location"] == PAGE
    assert 'href="/booking/schedules/"' in manager.get("/booking/desk/").content.decode()
    page = manager.get(PAGE).content.decode()
    assert page.count('data-template="') == 7
    assert "Cardiology clinic" in page and "Nguyễn Văn An" in page and "P.12" in page and "Monday" in page
    assert manager.get(PAGE, {"doctor": "someone-else"}).content.decode().count('data-template="') == 0
    assert manager.get(PAGE, {"service": "tim-mach"}).content.decode().count('data-template="') == 7


def test_a_new_template_makes_its_slots_and_a_wrong_one_names_its_fields(clinic, api_client):
    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    day = _day_ahead(2)
    base = _form(_schedule_on(clinic, day), start="13:30", end="16:30", slot_minutes=30, capacity=2,
                 walk_in_share=0, room="P.14")
    answer = manager.post(PAGE + "template/", base, follow=True)
    assert _messages(answer)[0] == "Template saved: 12 times made."  # two weeks of six
    made = Schedule.objects.get(service=clinic, room="P.14")
    slots = Slot.objects.filter(schedule=made, start__date=day)
    assert slots.count() == 6 and {s.capacity for s in slots} == {2}
    wrong = manager.post(PAGE + "template/", {**base, "end": "12:00", "capacity": 500})
    assert wrong.status_code == 422
    assert wrong.context["form"].errors == {"end": ["the end must be after the start"],
                                            "capacity": ["from 1 to 100 patients per slot"]}
    assert Schedule.objects.filter(service=clinic).count() == 8


def test_a_change_remakes_the_free_times_and_keeps_the_booked_ones(clinic, api_client):
    day = _day_ahead(3)
    schedule = _schedule_on(clinic, day)
    booked = _book(clinic, day)
    before = Slot.objects.get(pk=booked.slot_id)
    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    answer = manager.post(f"{PAGE}template/?template={schedule.pk}", _form(schedule, slot_minutes=20, capacity=6),
                          follow=True)
    assert "1 booked time was kept as it was: its bookings stand." in _messages(answer)
    kept = Slot.objects.get(pk=booked.slot_id)
    assert (kept.start, kept.end, kept.capacity, kept.booked) == (before.start, before.end, 3, 1)
    assert Appointment.objects.get(pk=booked.pk).status == Appointment.Status.BOOKED
    others = Slot.objects.filter(schedule=schedule, start__date=day).exclude(pk=kept.pk)
    assert others and all(s.end - s.start == dt.timedelta(minutes=20) for s in others)
    assert {s.capacity + s.walk_ins for s in others} == {6}
    schedule.refresh_from_db()
    assert (schedule.slot_minutes, schedule.version) == (20, 2)
    assert AuditLog.objects.filter(action="booking.schedule.changed").exists()


def test_an_edit_from_a_stale_version_is_refused(clinic, api_client):
    schedule = _schedule_on(clinic, _day_ahead(1))
    first, second = api_client(Role.HOSPITAL_MANAGER, "A"), api_client(Role.ADMIN)
    seen = _form(schedule)  # both opened the form at version 1
    assert first.post(f"{PAGE}template/?template={schedule.pk}", {**seen, "capacity": 5}).status_code == 302
    refused = second.post(f"{PAGE}template/?template={schedule.pk}", {**seen, "capacity": 8})
    assert refused.status_code == 409 and "Not saved: someone saved a newer version" in refused.content.decode()
    schedule.refresh_from_db()
    assert (schedule.capacity, schedule.version) == (5, 2)
    # the form is now based on the stored version: saving again is a deliberate choice
    assert refused.context["form"]["version"].value() == "2"
    with pytest.raises(StaleEdit):
        services.update_schedule(schedule_manager(clinic), schedule,
                                 services.TemplateFields.of(schedule), version=1, from_day=timezone.localdate())


def schedule_manager(clinic):
    from opscenter.org.models import User

    return User.objects.get(role=Role.HOSPITAL_MANAGER, unit=clinic.unit)


def test_switching_a_template_off_closes_its_free_times_only(clinic, api_client):
    day = _day_ahead(4)
    schedule = _schedule_on(clinic, day)
    booked = _book(clinic, day)
    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    answer = manager.post(PAGE + "template/active/", {"template": schedule.pk, "version": 1, "active": "0"},
                          follow=True)
    assert "1 booked time was kept as it was: its bookings stand." in _messages(answer)
    future = Slot.objects.filter(schedule=schedule, start__gt=timezone.now())
    assert set(future.exclude(pk=booked.slot_id).values_list("status", flat=True)) == {Slot.Status.CLOSED}
    assert Slot.objects.get(pk=booked.slot_id).status == Slot.Status.FREE
    manager.post(PAGE + "template/active/", {"template": schedule.pk, "version": 2, "active": "1"})
    assert not future.filter(status=Slot.Status.CLOSED).exists()


def test_closing_a_doctors_day_cancels_its_bookings_and_tells_the_people(clinic, api_client):
    day = _day_ahead(5)
    booked = _book(clinic, day, "0987654321")
    sms.outbox.clear()
    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    doctor = booked.slot.doctor
    answer = manager.post(PAGE + "close/", {"applies_to": "doctor", "doctor": doctor.pk, "first": day.isoformat(),
                                            "last": day.isoformat(), "reason": "Bác sĩ nghỉ phép"}, follow=True)
    assert "1 booking was cancelled; the patient is told by SMS." in _messages(answer)
    cancelled = Appointment.objects.get(pk=booked.pk)
    assert cancelled.status == Appointment.Status.CANCELLED and cancelled.cancelled_reason == "Bác sĩ nghỉ phép"
    assert Slot.objects.get(pk=booked.slot_id).booked == 0
    assert [phone for phone, _text in sms.outbox] == ["0987654321"]
    assert booked.code in sms.outbox[0][1] and "Bac si nghi phep" in sms.outbox[0][1]  # texts go without diacritics
    day_slots = Slot.objects.filter(schedule=_schedule_on(clinic, day), start__date=day)
    assert set(day_slots.values_list("status", flat=True)) == {Slot.Status.CLOSED}
    assert "Bác sĩ nghỉ phép" in answer.content.decode()  # listed among the closed days

    batch = Closure.objects.get(schedule__weekday=day.weekday(), day=day).batch
    reopened = manager.post(PAGE + "reopen/", {"batch": str(batch)}, follow=True)
    assert _messages(reopened)[-1].startswith("Reopened: 16 times.")
    assert set(day_slots.values_list("status", flat=True)) == {Slot.Status.FREE}
    assert Appointment.objects.get(pk=booked.pk).status == Appointment.Status.CANCELLED
    assert not Closure.objects.exists()


def test_closing_the_facility_for_a_holiday_and_the_slots_made_later_stay_closed(clinic, city):
    first = _day_ahead(20)  # beyond the slots made so far
    closed = services.close_days(schedule_manager(clinic), city.hospital_a, first, first + dt.timedelta(days=1),
                                 "Nghỉ lễ", applies_to="facility")
    assert (closed.schedules, closed.slots, closed.cancelled) == (2, 0, 0)
    services.make_slots(first, 2)
    assert set(Slot.objects.filter(start__date__in=[first, first + dt.timedelta(days=1)])
               .values_list("status", flat=True)) == {Slot.Status.CLOSED}


def test_a_closure_without_a_reason_or_in_the_past_is_refused(clinic, api_client):
    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    form = {"applies_to": "facility", "first": yesterday, "last": yesterday, "reason": "Nghỉ lễ"}
    refused = manager.post(PAGE + "close/", form)
    assert refused.status_code == 422
    assert refused.context["form"].errors == {"first": ["days that have passed cannot be closed"]}
    assert set(manager.post(PAGE + "close/", {**form, "reason": " "}).context["form"].errors) == {"reason"}
    refused = manager.post(PAGE + "close/", {**form, "applies_to": "doctor", "first": _day_ahead(1).isoformat(),
                                             "last": _day_ahead(1).isoformat()})
    assert refused.context["form"].errors == {"doctor": ["choose the doctor"]}
    assert not Closure.objects.exists()


def test_a_bulk_edit_changes_the_templates_ticked_together_or_none(clinic, api_client):
    manager = api_client(Role.HOSPITAL_MANAGER, "A")
    chosen = list(Schedule.objects.filter(service=clinic).order_by("weekday")[:3])
    versions = {f"version-{s.pk}": s.version for s in chosen}
    form = {"templates": [s.pk for s in chosen], **versions, "capacity": 6, "walk_in_share": 50,
            "from_day": timezone.localdate().isoformat()}
    answer = manager.post(PAGE + "bulk/", form, follow=True)
    assert _messages(answer)[0].startswith("3 templates changed")
    assert [(s.capacity, s.walk_in_share, s.slot_minutes) for s in Schedule.objects.filter(
        pk__in=[s.pk for s in chosen])] == [(6, 0.5, 15)] * 3
    future = Slot.objects.filter(schedule__in=chosen, start__gt=timezone.now())
    assert {(s.capacity, s.walk_ins) for s in future} == {(3, 3)}
    untouched = Schedule.objects.filter(service=clinic).exclude(pk__in=[s.pk for s in chosen])
    assert set(untouched.values_list("capacity", flat=True)) == {4}
    # the same form again holds stale versions: nothing changes
    stale = manager.post(PAGE + "bulk/", {**form, "capacity": 2}, follow=True)
    assert "changed by someone else" in _messages(stale)[0]
    assert set(Schedule.objects.filter(pk__in=[s.pk for s in chosen]).values_list("capacity", flat=True)) == {6}


def test_another_hospital_and_other_roles_are_refused(clinic, api_client, city):
    schedule = _schedule_on(clinic, _day_ahead(1))
    other = api_client(Role.HOSPITAL_MANAGER, "B")
    assert other.get(PAGE).status_code == 404
    assert other.post(f"{PAGE}template/?template={schedule.pk}", _form(schedule, capacity=9)).status_code == 404
    assert other.post(PAGE + "close/", {"applies_to": "facility", "first": _day_ahead(1).isoformat(),
                                        "last": _day_ahead(1).isoformat(), "reason": "x"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.close_days(city.user(Role.HOSPITAL_MANAGER, "B"), city.hospital_a, _day_ahead(1), _day_ahead(1),
                            "x", applies_to="facility")
    for role, where in ((Role.REPORTER, "A"), (Role.OPERATOR, "A")):
        client = api_client(role, where)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE + "bulk/", {"templates": [schedule.pk], "capacity": 9}).status_code == 403
    assert 'href="/booking/schedules/"' not in api_client(Role.OPERATOR).get("/booking/desk/").content.decode()
    assert Schedule.objects.get(pk=schedule.pk).capacity == 4 and not Closure.objects.exists()


def test_the_forms_open_filled_in(clinic, api_client):
    schedule = _schedule_on(clinic, _day_ahead(1))
    manager = api_client(Role.HOSPITAL_MANAGER, "A", language="vi")
    edit = manager.get(f"{PAGE}template/?template={schedule.pk}")
    assert edit.status_code == 200 and edit.context["form"]["capacity"].value() == 4
    assert edit.context["form"]["walk_in_share"].value() == 25
    with translation.override("vi"):  # the days of the week in the reader's language
        assert f'<option value="{schedule.weekday}" selected>{WEEKDAYS[schedule.weekday]}</option>' in (
            edit.content.decode())
    closing = manager.get(PAGE + "close/", {"template": schedule.pk})
    assert closing.context["form"]["applies_to"].value() == "schedule"
    assert f'<option value="{schedule.pk}" selected>' in closing.content.decode()
    by_doctor = manager.get(PAGE + "close/", {"doctor": schedule.doctor_id})
    assert by_doctor.context["form"]["applies_to"].value() == "doctor"
    assert manager.get(PAGE + "template/").context["form"]["slot_minutes"].value() == 15
    assert manager.get(f"{PAGE}template/?template=999999").status_code == 404
    assert api_client(Role.ADMIN).get("/booking/schedules/")["Location"] == PAGE  # the one facility with services
