"""The work area's demo: seeding twice adds nothing the second time; the simulation acts only as its own named
staff, for their own hospital, at a human pace, leaves people's own work alone and issues no directive twice."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone

from opscenter.org.models import User
from opscenter.work import demo
from opscenter.work.models import Directive, DirectiveUpdate, Document, Meeting, Task

# Everyone a visitor of the demo logs in as (opscenter.demo.seed.demo_accounts and the domains' own).
DEMO_LOGINS = {"operator", "leader", "admin", "dispatcher", "reporter", "manager", "security", "epidemiologist",
               "clerk"}


@pytest.fixture
def network(db):
    """The demo's own network and log-in accounts, then the work area's demo data."""
    from opscenter.demo import seed
    from opscenter.testing import install_definitions

    install_definitions()  # a transactional test before this one on the process may have flushed the data sets
    seed.seed_network()
    demo.seed()


def _as(username: str) -> Client:
    client = Client(headers={"Accept-Language": "vi"})
    client.force_login(User.objects.get(username=username))
    return client


def test_seed_is_idempotent(network):
    counts = (Directive.objects.count(), Document.objects.count(), Meeting.objects.count())
    assert all(counts)
    demo.seed()
    assert (Directive.objects.count(), Document.objects.count(), Meeting.objects.count()) == counts
    assert Document.objects.filter(direction="in", unit__code="BV-175", source__isnull=False).exists()
    # the seeded directives come from the department's specialist, not from a demo log-in account
    assert set(Directive.objects.values_list("issued_by__username", flat=True)) == {demo.ISSUER.username}


def test_the_simulation_acts_as_its_own_staff_for_their_own_units_at_a_human_pace(network, monkeypatch):
    staff = {s.username: s for s in demo.STAFF}
    people = User.objects.filter(username__in=staff)
    assert people.count() == len(staff)
    for person in people:  # named people of their unit, who cannot log in
        assert person.get_full_name() == staff[person.username].name and not person.has_usable_password()
        assert person.unit.code == staff[person.username].unit and person.username not in DEMO_LOGINS

    # A demo user's own directive: to Chợ Rẫy (where the demo accounts work) and to a hospital with staff of the
    # simulation, under a title from the simulation's own list.
    title = demo.DIRECTIVES[5][0]
    operator = _as("operator")
    operator.post("/work/directives/new/", {"title": title, "content": "Báo cáo trước thứ Sáu", "priority": "high",
                                            "units": ["BV-CHORAY", "BV-ND115"]})
    own = Directive.objects.get(title=title)
    # ... and a task of a hospital with simulated staff that the operator takes up himself
    taken = Task.objects.filter(unit__code="BV-NDGD", directive__issued_by__username=demo.ISSUER.username).first()
    assert taken is not None
    operator.post(f"/work/tasks/{taken.pk}/acknowledge/", {})

    # The clock of the whole process (what the services write down too) moves only when the test says.
    clock = [timezone.now()]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    start = clock[0]

    # Seconds later nothing has moved, however often the simulation ticks.
    updates = DirectiveUpdate.objects.count()
    for second in range(40):
        clock[0] = start + dt.timedelta(seconds=second)
        demo.tick()
    assert DirectiveUpdate.objects.count() == updates and Directive.objects.count() == 4

    # Eight hours of two-minute ticks; never the same directive open twice.
    for step in range(1, 241):
        clock[0] = start + dt.timedelta(minutes=2 * step)
        demo.tick()
        titles = Counter(Directive.objects.filter(status="active", tasks__status__in=Task.OPEN).distinct()
                         .values_list("title", flat=True))
        assert max(titles.values()) == 1, titles

    # Minutes, not seconds, between the steps of a task, and between two of the department's directives.
    gaps = []
    for task in Task.objects.exclude(pk=taken.pk).select_related("directive"):  # (the operator's is his own)
        times = [task.directive.issued_at, *task.updates.values_list("time", flat=True)]
        gaps += [b - a for a, b in itertools.pairwise(times)]
    assert len(gaps) > 10 and min(gaps) >= dt.timedelta(minutes=3)
    simulated = Directive.objects.filter(issued_by__username=demo.ISSUER.username)
    issued = list(simulated.order_by("issued_at").values_list("issued_at", flat=True))
    assert len(issued) >= 5 and min(b - a for a, b in itertools.pairwise(issued[2:])) >= dt.timedelta(minutes=20)
    # varied: no title again before the list is through
    assert simulated.values("title").distinct().count() == min(simulated.count(), len(demo.DIRECTIVES))
    assert not simulated.filter(tasks__unit__code="BV-CHORAY", issued_at__gt=start).exists()

    # The demo users wrote only what they did themselves; everything else is the simulation's staff, each for
    # their own unit.
    by_demo_users = DirectiveUpdate.objects.filter(author__username__in=DEMO_LOGINS)
    assert sorted(by_demo_users.values_list("kind", flat=True)) == ["acknowledged", "issued"]
    steps = DirectiveUpdate.objects.exclude(kind="issued").exclude(author__username__in=DEMO_LOGINS)
    assert steps.count() > 10
    for update in steps.select_related("author", "task"):
        assert update.author.username in staff and update.author.unit_id == update.task.unit_id
    assert Task.objects.filter(status="done").exists()

    # The demo user's directive: Chợ Rẫy's task waits for the people of Chợ Rẫy; the other hospital answered.
    assert own.tasks.get(unit__code="BV-CHORAY").status == Task.Status.SENT
    assert own.tasks.get(unit__code="BV-ND115").status != Task.Status.SENT
    taken.refresh_from_db()
    assert list(taken.updates.values_list("author__username", flat=True)) == ["operator"]
    page = operator.get(f"/work/directives/{own.pk}/").content.decode()
    assert "Nguyễn Thị Thu Hà" in page and "Đã tiếp nhận" in page
