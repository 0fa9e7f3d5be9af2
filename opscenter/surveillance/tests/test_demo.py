import pytest

from opscenter.org.models import Ward
from opscenter.surveillance import demo
from opscenter.surveillance.models import Case, Signal

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_tick_adds_cases(city):
    Ward.objects.filter(code="W-CL").update(latitude=10.75, longitude=106.66)
    added = demo.seed(days=30)
    assert added == Case.objects.count() > 10
    assert Signal.objects.exists()
    assert demo.seed(days=30) == 0
    assert demo.tick() >= 1
    assert Case.objects.count() > added
