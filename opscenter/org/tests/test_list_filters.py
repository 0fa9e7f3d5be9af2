"""The unit list's query filter, through HTTP."""

from __future__ import annotations

from opscenter.org.roles import Role
from opscenter.testing import listed, refused

URL = "/api/org/units"


def test_kind_narrows_the_scoped_units(city, api_client):
    operator = api_client(Role.OPERATOR)
    codes = {u["code"] for u in listed(operator, URL)}
    assert {"SYT", "BV-A", "BV-B", "CC115"} <= codes
    assert {u["code"] for u in listed(operator, URL, kind="hospital")} == {"BV-A", "BV-B"}
    assert {u["code"] for u in listed(operator, URL, kind="")} == codes
    assert {u["code"] for u in listed(api_client(Role.REPORTER, "B"), URL, kind="hospital")} == {"BV-B"}
    assert "kind" in refused(operator, URL, kind="a\x00b")
