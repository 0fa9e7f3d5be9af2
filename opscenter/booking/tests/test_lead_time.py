"""A specialty with no free appointment anywhere in the city for days raises an alert; a free time clears it."""

import datetime as dt

from django.utils import timezone

from opscenter.alerts.models import Alert
from opscenter.booking import services
from opscenter.booking.models import Slot
from opscenter.org.roles import Role


def test_a_specialty_full_for_a_week_alerts_the_department_and_clears_when_a_time_frees(clinic, api_client):
    assert services.publish_lead_times() == 1
    assert not Alert.objects.filter(kind="no_free_slot").exists()  # free times tomorrow: nothing to say

    soon = Slot.objects.filter(start__lt=timezone.now() + dt.timedelta(days=8))
    soon.update(booked=3)  # every place of the next week taken
    services.publish_lead_times()
    alert = Alert.objects.get(kind="no_free_slot")
    assert alert.unit.code == "SYT" and alert.payload["specialty"] == "cardiac" and alert.payload["days"] > 7
    page = api_client(Role.OPERATOR, language="vi").get(f"/alerts/{alert.pk}/").content.decode()
    assert "Tim mạch" in page and "Đặt lịch khám" in page  # the specialty and the source, in words

    in_five_days = Slot.objects.filter(start__gt=timezone.now() + dt.timedelta(days=4)).order_by("start")[0]
    Slot.objects.filter(pk=in_five_days.pk).update(booked=1)  # someone cancelled: a place free in 4-5 days
    services.publish_lead_times()
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.resolution == "cleared"
