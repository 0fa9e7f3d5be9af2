"""The unit picker of the work forms: the units on offer grouped by kind, then by area (the former district of
their ward), each with the folded text the picker's search box matches ("cho ray" finds "Chợ Rẫy").

Without JavaScript the picker is a grouped list of checkboxes; static/work/unit_picker.js adds the search, the
"select all" of a group, the count and the chips of what is selected. The form posts the same field either way:
one value (a unit code) per ticked box."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from opscenter.org.models import Unit

from .textsearch import fold

# A kind with more units than this is split by area, if its areas hold a few units each on average; a shorter
# list, or one of a unit or two per area (the hospitals), reads better whole.
SPLIT_ABOVE = 12
PER_AREA = 3


@dataclass
class PickerUnit:
    code: str
    label: str  # the short name, as the rest of the pages name units
    place: str  # the ward, to tell apart units of the same name
    search: str  # folded: name, short name, code, ward, former district
    selected: bool = False


@dataclass
class PickerArea:
    label: str  # "" when the kind is not split
    units: list[PickerUnit] = field(default_factory=list)


@dataclass
class PickerGroup:
    kind: str
    label: str
    areas: list[PickerArea] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(a.units) for a in self.areas)


def _natural(text: str) -> tuple:
    """Sort key: "Quận 2" before "Quận 10", accents ignored."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", fold(text)))


def unit_groups(units: Iterable[Unit], selected: Iterable[str] = ()) -> list[PickerGroup]:
    """The units grouped for the picker: kinds in their declared order, areas and units in name order."""
    chosen = set(selected)
    by_kind: dict[str, dict[str, list[PickerUnit]]] = {}
    for unit in units:
        ward = unit.ward
        area = ward.former_district if ward is not None else ""
        place = ward.name if ward is not None else ""
        search = fold(" ".join(filter(None, (unit.name, unit.short_name, unit.code, place, area))))
        by_kind.setdefault(unit.kind, {}).setdefault(area, []).append(
            PickerUnit(unit.code, str(unit), place, search, unit.code in chosen))
    groups = []
    for kind, label in Unit.Kind.choices:
        areas = by_kind.get(kind)
        if not areas:
            continue
        group = PickerGroup(kind, str(label))
        total = sum(len(v) for v in areas.values())
        if total > SPLIT_ABOVE and 1 < len(areas) <= total / PER_AREA:
            for area in sorted(areas, key=lambda a: (a == "", _natural(a))):
                group.areas.append(PickerArea(area or _("Other areas"), _sorted(areas[area])))
        else:
            group.areas.append(PickerArea("", _sorted([u for units_ in areas.values() for u in units_])))
        groups.append(group)
    return groups


def _sorted(units: list[PickerUnit]) -> list[PickerUnit]:
    return sorted(units, key=lambda u: _natural(u.label))

