"""The transformers detection family: box conventions against the image processors, the offline model folder."""

from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from lib.hf_models import model_targets, model_type, scratch_processor  # noqa: E402
from lib.paths import find_model_folder  # noqa: E402

BOXES = np.array([[10.0, 20.0, 50.0, 60.0], [0.0, 0.0, 128.0, 96.0], [100.5, 30.25, 127.0, 95.0]])  # a 128 x 96 image


@pytest.mark.parametrize("name", ["PekingU/rtdetr_v2_r18vd", "SenseTime/deformable-detr", "facebook/detr-resnet-50"])
def test_boxes_round_trip_through_the_image_processor(name):
    """Our targets (normalised cx, cy, w, h) read as the model's predictions come back as the same corner pixels."""
    targets = model_targets(BOXES, [0, 1, 1], 128, 96, "cpu")
    np.testing.assert_allclose(targets["boxes"][0].numpy(), [30 / 128, 40 / 96, 40 / 128, 40 / 96], rtol=1e-6)
    sure = torch.full((1, len(BOXES), 3), -20.0)  # two classes, and DETR's no-object column last
    sure[0, torch.arange(len(BOXES)), targets["class_labels"]] = 20.0
    logits = sure if model_type(name) == "detr" else sure[..., :2]
    outputs = SimpleNamespace(logits=logits, pred_boxes=targets["boxes"][None])
    result = scratch_processor(name).post_process_object_detection(outputs, threshold=0.5, target_sizes=[(96, 128)])[0]
    order = np.lexsort(result["boxes"].numpy().T[::-1])
    np.testing.assert_allclose(result["boxes"].numpy()[order], BOXES[np.lexsort(BOXES.T[::-1])], atol=1e-3)
    assert sorted(result["labels"].tolist()) == [0, 1, 1]


def test_model_names_map_to_families():
    assert model_type("PekingU/rtdetr_v2_r50vd") == "rt_detr_v2" and model_type("tiny-rtdetr_v2") == "rt_detr_v2"
    assert model_type("SenseTime/deformable-detr") == "deformable_detr" and model_type("facebook/detr-resnet-50") == "detr"
    with pytest.raises(ValueError, match="not an RT-DETR v2, Deformable DETR or DETR checkpoint name"):
        model_type("yolov8s.pt")


def test_the_model_folder_is_found_offline_in_both_layouts(tmp_path):
    """A save_pretrained folder named after the model, or a hub cache snapshot; 'none' and a bad path are explicit."""
    snapshot = tmp_path / "input" / "weights" / "models--PekingU--rtdetr_v2_r18vd" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    (snapshot / "config.json").write_text("{}")
    assert find_model_folder("PekingU/rtdetr_v2_r18vd", search_root=tmp_path / "input") == snapshot
    assert find_model_folder("facebook/detr-resnet-50", search_root=tmp_path / "input") is None
    assert find_model_folder("PekingU/rtdetr_v2_r18vd", str(tmp_path / "input")) == snapshot
    assert find_model_folder("PekingU/rtdetr_v2_r18vd", "none", search_root=tmp_path / "input") is None
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no config.json there"):
        find_model_folder("PekingU/rtdetr_v2_r18vd", str(tmp_path / "empty"))


def test_mask2former_targets_and_semantic_scores_on_hand_cases():
    from lib.hf_segmentation import mask2former_targets, seg_model_type, semantic_scores

    masks = torch.zeros(2, 3, 4, 4)
    masks[0, 2, :2] = 1  # image 0: class 2 only
    masks[1, 0, 0, 0], masks[1, 1, 3, 3] = 1, 1  # image 1: classes 0 and 1
    mask_labels, class_labels = mask2former_targets(masks)
    assert [c.tolist() for c in class_labels] == [[2], [0, 1]]
    assert mask_labels[0].shape == (1, 4, 4) and mask_labels[0].sum() == 8 and mask_labels[1][1, 3, 3] == 1
    # One query, sure of class 1 (of 2, then 'no object'), its mask logit 0 (p = 1/2) everywhere: class 1 scores 1/2.
    class_logits = torch.tensor([[[-30.0, 30.0, -30.0]]])
    scores = semantic_scores(class_logits, torch.zeros(1, 1, 2, 2))
    assert scores.shape == (1, 2, 2, 2)
    torch.testing.assert_close(scores[0, 1], torch.full((2, 2), 0.5))
    torch.testing.assert_close(scores[0, 0], torch.zeros(2, 2))
    assert seg_model_type("facebook/mask2former-swin-tiny-ade-semantic") == "mask2former"
    assert seg_model_type("nvidia/mit-b2") == "segformer" and seg_model_type("tiny-segformer") == "segformer"


def test_two_model_folders_that_fit_stop_naming_pretrained_path(tmp_path):
    for version in ("v1", "v2"):
        folder = tmp_path / version / "rtdetr_v2_r18vd"
        folder.mkdir(parents=True)
        (folder / "config.json").write_text("{}")
    with pytest.raises(ValueError, match="2 folders fit: .*v1/rtdetr_v2_r18vd, .*v2/rtdetr_v2_r18vd.*set pretrained_path"):
        find_model_folder("PekingU/rtdetr_v2_r18vd", search_root=tmp_path)
