"""The camera JSON checked by its pydantic models (pipeline/config.py): every fault named by its field path,
numbers strict, defaults filled in; the check needs no Django (the worker and the offline tools run it)."""

import subprocess
import sys

import pytest

from opscenter.vision.pipeline.config import ConfigError, parse_camera

SQUARE = [[0, 0], [1, 0], [1, 1], [0, 1]]


def _faults(raw) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_camera(raw)
    return dict(caught.value.errors)


@pytest.mark.parametrize("raw,field", [
    ({"code": "C", "fps": "5"}, "fps"),
    ({"code": "C", "face_threshold": float("nan")}, "face_threshold"),
    ({"code": "C", "zones": [{"name": "z", "polygon": [[0, 0], [float("inf"), 0], [1, 1]]}]}, "zones[0].polygon[1][0]"),
    ({"code": "C", "width": True}, "width"),
    ({"code": "C", "width": 640.5}, "width"),
    ({"code": " "}, "code"),
    ({}, "code"),
    ({"code": "C", "zones": [{"name": "z", "polygon": SQUARE, "rules": [{"type": "count", "max_people": "3"}]}]},
     "zones[0].rules[0].max_people"),
    ({"code": "C", "zones": [{"name": "z", "polygon": SQUARE, "rules": [{"type": "count", "max_pople": 3}]}]},
     "zones[0].rules[0].max_pople"),
    ({"code": "C", "zones": [{"name": "z", "polygon": SQUARE, "rules": [{"seconds": 3}]}]}, "zones[0].rules[0].type"),
    ({"code": "C", "zones": [{"name": "z", "polygon": SQUARE, "rules": [{"type": "crossing"}]}]},
     "zones[0].rules[0].type"),
    ({"code": "C", "zones": [{"name": "z", "polygon": SQUARE, "rules": [
        {"type": "fall", "schedule": [{"days": [7], "start": "08:00", "end": "09:00"}]}]}]},
     "zones[0].rules[0].schedule[0].days[0]"),
    ({"code": "C", "zones": [{"name": "z", "polygon": SQUARE, "rules": [{"type": "fall", "allowed": [3]}]}]},
     "zones[0].rules[0].allowed[0]"),
    ({"code": "C", "masks": [[[0, 0], [0.5, 0.5], [1, 1]]]}, "masks[0]"),
    ({"code": "C", "lines": [{"name": "a", "points": [[0, 0], [1, 1]]}, {"name": "a", "points": [[0, 1], [1, 0]]}]},
     "lines[1].name"),
])
def test_a_fault_is_named_by_its_field_path(raw, field):
    assert field in _faults(raw)


def test_every_fault_is_named_at_once():
    faults = _faults({"code": "C", "fps": 99, "location_kind": "moon",
                      "zones": [{"name": "", "polygon": [[0, 0], [2, 0], [1, 1]]}]})
    assert {"fps", "location_kind", "zones[0].name", "zones[0].polygon[1][0]"} <= set(faults)
    assert all(isinstance(message, str) and message for message in faults.values())


def test_defaults_are_filled_in_and_null_means_the_default():
    config = parse_camera({"code": "C", "zones": [{"name": "z", "polygon": SQUARE, "rules": [
        {"type": "count", "max_people": 4, "min_frames": None}, {"type": "loitering", "schedule": None}]}],
        "lines": [{"name": "door", "points": [[0.5, 0], [0.5, 1]]}], "masks": None})
    count, loitering = config.zones[0].rules
    assert count.params == {"max_people": 4, "min_frames": 3, "min_interval": 5.0}
    assert loitering.params == {"seconds": 120.0} and loitering.schedule == ()
    assert [r.type for r in config.lines[0].rules] == ["crossing"] and config.masks == ()
    assert (config.width, config.height, config.fps, config.location_kind) == (640, 360, 5.0, "other")


def test_the_check_imports_no_django():
    """Beyond what the `opscenter` package itself loads (its Celery app)."""
    code = ("import sys, opscenter; before = set(sys.modules)\n"
            "from opscenter.vision.pipeline.config import parse_camera; parse_camera({'code': 'C'})\n"
            "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] == 'django'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
