"""A role's module without its extra installed fails with a message naming the extra to install."""

import importlib
import sys

import pytest

from opscenter.extras import MissingExtra


@pytest.mark.parametrize("module,library,extra", [
    ("opscenter.vision.pipeline.source", "cv2", "vision"),
    ("opscenter.vision.pipeline.worker", "cv2", "vision"),
])
def test_a_module_needing_an_extra_names_it(monkeypatch, module, library, extra):
    monkeypatch.setitem(sys.modules, library, None)  # as if not installed
    for name in [m for m in sys.modules if m.startswith("opscenter.vision.pipeline.") and m != library]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(MissingExtra, match=rf"{library} is not installed.*opscenter\[{extra}\]"):
        importlib.import_module(module)


def _road_graph():
    from opscenter.emergency.routing import load_road_graph

    load_road_graph("city.graphml")


def _pdf_text():
    from opscenter.work.filetext import extract

    extract(b"%PDF-1.4\n", "application/pdf")


def _pdf_signatures():
    from opscenter.work.pdfsign import verify

    verify(b"%PDF-1.4\n")


def _mqtt():
    from opscenter.vision.pipeline.publish import subscribe

    subscribe("localhost", 1883, "opscenter", lambda kind, message: None)


@pytest.mark.parametrize("call,library,extra", [
    (_road_graph, "osmnx", "roads"),
    (_pdf_text, "pypdf", "documents"),
    (_pdf_signatures, "pyhanko", "documents"),
    (_mqtt, "paho", "vision"),
])
def test_a_function_needing_an_extra_names_it(monkeypatch, call, library, extra):
    for name in [m for m in sys.modules if m == library or m.startswith(f"{library}.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, library, None)
    with pytest.raises(MissingExtra, match=rf"opscenter\[{extra}\]"):
        call()
