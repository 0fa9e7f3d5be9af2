"""The ONNX path with a model built here (known outputs), and faces on real pictures shipped by scikit-image."""

from __future__ import annotations

import cv2
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from opscenter.vision.pipeline.detectors import OnnxDetector, letterbox
from opscenter.vision.pipeline.faces import WatchEntry, best_match, encode_single_face, find_faces

# Three candidate boxes in a 320×320 input (cx, cy, w, h) and scores for classes person, knife:
# a person, a weaker duplicate of it (to be suppressed), and a knife.
RAW = np.array([
    [100, 104, 200],  # cx
    [160, 160, 100],  # cy
    [40, 40, 20],     # w
    [120, 116, 30],   # h
    [0.9, 0.6, 0.05],  # person
    [0.01, 0.02, 0.8],  # knife
], np.float32)[None]


def build_model(path, names="{0: 'person', 1: 'knife'}"):
    """An Ultralytics-shaped model whose output is a constant: images 1×3×320×320 → 1×6×3."""
    const = helper.make_node("Constant", [], ["raw"], value=helper.make_tensor("v", TensorProto.FLOAT, RAW.shape,
                                                                                  RAW.flatten().tolist()))
    # Touch the input so it is a real graph input: output = raw + 0 * mean(images)
    mean = helper.make_node("ReduceMean", ["images"], ["m"], keepdims=0)
    zero = helper.make_node("Constant", [], ["z"], value=helper.make_tensor("z0", TensorProto.FLOAT, [], [0.0]))
    mul = helper.make_node("Mul", ["m", "z"], ["mz"])
    add = helper.make_node("Add", ["raw", "mz"], ["output0"])
    graph = helper.make_graph(
        [const, mean, zero, mul, add], "tiny",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [1, 3, 320, 320])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [1, 6, 3])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    if names:
        model.metadata_props.add(key="names", value=names)
    onnx.save(model, path)
    return path


def test_letterbox_keeps_aspect_and_pads_grey():
    image = np.zeros((360, 640, 3), np.uint8)
    padded, scale, (pad_x, pad_y) = letterbox(image, (320, 320))
    assert padded.shape == (320, 320, 3) and scale == 0.5 and (pad_x, pad_y) == (0.0, 70.0)
    assert (padded[0, 0] == 114).all() and (padded[160, 160] == 0).all()


def test_onnx_decode_nms_and_class_names(tmp_path):
    detector = OnnxDetector(build_model(str(tmp_path / "m.onnx")), min_score=0.25)
    assert detector.names == ["person", "knife"] and detector.weapon_labels == {"knife"}
    found = detector.detect(np.zeros((360, 640, 3), np.uint8))
    # 640×360 is scaled by 0.5 and padded by 70 rows: boxes come back in frame pixels.
    assert [(d.label, round(d.score, 2)) for d in found] == [("person", 0.9), ("knife", 0.8)]
    person = found[0].box
    assert person == pytest.approx(((100 - 20) * 2, (160 - 60 - 70) * 2, (100 + 20) * 2, (160 + 60 - 70) * 2))
    knife = found[1].box
    assert knife == pytest.approx(((200 - 10) * 2, (100 - 15 - 70) * 2, (200 + 10) * 2, (100 + 15 - 70) * 2))


def test_without_weapon_classes_the_weapon_analytic_is_not_available(tmp_path):
    detector = OnnxDetector(build_model(str(tmp_path / "m.onnx"), "{0: 'person', 1: 'bicycle'}"))
    assert detector.weapon_labels == frozenset()


@pytest.fixture(scope="module")
def astronaut():
    from skimage import data

    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def test_astronaut_matches_her_watch_list_entry_and_not_another_face(astronaut):
    # The picture shows her face and, on the mission patch, another one.
    faces = find_faces(astronaut)
    assert len(faces) == 2
    hers, other = sorted(faces, key=lambda f: f.box[1])  # her face is above the patch
    x1, y1, x2, y2 = (int(v) for v in hers.box)
    crop = astronaut[max(0, y1 - 40):y2 + 40, max(0, x1 - 40):x2 + 40]
    entry_face = encode_single_face(cv2.flip(cv2.resize(crop, None, fx=1.5, fy=1.5), 1))  # flipped, rescaled
    watch = [WatchEntry(1, "Eileen", "watch", (entry_face.encoding,))]
    match = best_match(hers.encoding, watch, 0.6)
    assert match is not None and match.entry.name == "Eileen" and match.distance < 0.4
    assert best_match(other.encoding, watch, 0.6) is None


def test_a_picture_without_a_face_is_refused():
    from skimage import data

    with pytest.raises(ValueError, match="no face"):
        encode_single_face(cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR))
