"""The travel-time model of this process: a road graph when `EMERGENCY_ROAD_GRAPH` names one, else straight lines."""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings

from .routing import RoadNetworkModel, StraightLineModel, TravelTimeModel, load_road_graph

log = logging.getLogger(__name__)


def road_graph_path() -> str:
    return settings.EMERGENCY_ROAD_GRAPH


@lru_cache(maxsize=4)
def _model_for(path: str) -> TravelTimeModel:
    if not path:
        return StraightLineModel()
    try:
        return RoadNetworkModel(load_road_graph(path))
    except (OSError, ValueError) as exc:  # a broken graph must not stop dispatching: fall back, loudly
        log.error("road graph %s could not be loaded (%s); using straight-line travel times", path, exc)
        return StraightLineModel()


def travel_model() -> TravelTimeModel:
    """Loaded once per process (a city graph takes a while), then shared."""
    return _model_for(road_graph_path())
