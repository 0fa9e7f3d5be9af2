from ninja import Query, Router, Schema

from opscenter.core.auth import AuthedRequest
from opscenter.core.permissions import needs
from opscenter.org.models import Ward

from .filters import UnitFilterSchema

router = Router()


class WardOut(Schema):
    code: str
    name: str
    kind: str
    former_district: str
    population: int | None
    latitude: float | None
    longitude: float | None


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    level: str
    parent: str | None
    address: str
    ward: str | None
    latitude: float | None
    longitude: float | None
    specialties: list[str]
    is_pilot: bool
    beds: dict[str, int]


class MeOut(Schema):
    username: str
    role: str
    unit: str | None


@router.get("/me", response=MeOut)
@needs()
def me(request: AuthedRequest):
    user = request.user
    return {"username": user.get_username(), "role": user.role, "unit": user.unit.code if user.unit else None}


@router.get("/wards", response=list[WardOut])
@needs()
def list_wards(request: AuthedRequest):
    return Ward.objects.all()


@router.get("/units", response=list[UnitOut])
@needs()
def list_units(request: AuthedRequest, filters: Query[UnitFilterSchema]):
    """Units in the caller's scope."""
    qs = filters.filter(request.user.scope_units()).select_related("parent", "ward").prefetch_related(
        "bed_capacities")
    return [
        {
            "code": u.code, "name": u.name, "short_name": u.short_name, "kind": u.kind, "level": u.level,
            "parent": u.parent.code if u.parent else None, "address": u.address,
            "ward": u.ward.code if u.ward else None, "latitude": u.latitude, "longitude": u.longitude,
            "specialties": u.specialties, "is_pilot": u.is_pilot,
            "beds": {b.bed_type: b.beds for b in u.bed_capacities.all()},
        }
        for u in qs
    ]
