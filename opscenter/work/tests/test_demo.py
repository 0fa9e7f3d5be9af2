"""The demo: seeding twice adds nothing the second time; ticks move tasks along."""

from opscenter.work import demo
from opscenter.work.models import Directive, Document, Meeting, Task


def test_seed_is_idempotent_and_tick_moves_tasks(city):
    demo.seed()
    counts = (Directive.objects.count(), Document.objects.count(), Meeting.objects.count())
    assert all(counts)
    demo.seed()
    assert (Directive.objects.count(), Document.objects.count(), Meeting.objects.count()) == counts
    assert Document.objects.filter(direction="in", unit=city.hospital_a, source__isnull=False).exists()
    for _ in range(12):
        demo.tick()
    assert Task.objects.exclude(status=Task.Status.SENT).exists()
