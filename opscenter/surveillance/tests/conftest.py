import pytest


@pytest.fixture(autouse=True)
def _surveillance_rules(request):
    """The alert rules our data migration ships; transactional tests flush them, so put them back."""
    if "city" in request.fixturenames:
        request.getfixturevalue("city")
        from django.apps import apps

        from opscenter.surveillance import definitions

        definitions.install(apps)


@pytest.fixture
def ward(city):
    return city.hospital_a.ward
