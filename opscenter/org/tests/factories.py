"""Units and users for tests, made through the org services (audited like any other write)."""

from __future__ import annotations

from typing import Any

import factory

from opscenter.org import services as org
from opscenter.org.models import Unit, User
from opscenter.org.roles import Role
from opscenter.testing import PASSWORD


class UnitFactory(factory.Factory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"BV-F{n}")
    name = factory.LazyAttribute(lambda unit: f"Bệnh viện {unit.code}")
    kind = Unit.Kind.HOSPITAL
    parent = None

    @classmethod
    def _create(cls, model_class: type[Unit], *args: Any, **fields: Any) -> Unit:
        return org.upsert_unit("test", **fields)


class StationFactory(UnitFactory):
    """An ambulance station; give it its centre: StationFactory(parent=city.emergency_center)."""

    code = factory.Sequence(lambda n: f"CC115-F{n}")
    name = factory.LazyAttribute(lambda unit: f"Trạm {unit.code}")
    kind = Unit.Kind.AMBULANCE_STATION


class UserFactory(factory.Factory):
    """A user of a role at a unit: UserFactory(role=Role.REPORTER, unit=city.hospital_a)."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = PASSWORD
    role = Role.OPERATOR
    unit = factory.SubFactory(UnitFactory)

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **fields: Any) -> User:
        return org.create_user("test", **fields)
