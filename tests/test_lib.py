"""Helper modules inlined into notebooks, tested directly against references and hand-made cases."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score, log_loss, roc_auc_score

from lib import folds, images, labels, metrics, paths, submission

rng = np.random.default_rng(0)


def random_problem(problem, n=60, k=4):
    if problem == "multilabel":
        y = (rng.random((n, k)) < 0.4).astype(np.float32)
        y[:, 0] = np.r_[np.ones(n // 2), np.zeros(n - n // 2)]  # every column has both values
        return y, rng.random((n, k))
    k = 2 if problem == "binary" else k
    y = np.eye(k, dtype=np.float32)[np.arange(n) % k]
    logits = rng.normal(size=(n, k)) + 1.5 * y
    return y, np.exp(logits) / np.exp(logits).sum(1, keepdims=True)


@pytest.mark.parametrize("seed", range(5))
def test_single_label_metrics_match_sklearn(seed):
    global rng
    rng = np.random.default_rng(seed)
    y, p = random_problem("multiclass")
    t, pred = y.argmax(1), p.argmax(1)
    assert metrics.score("accuracy", y, p, "multiclass") == pytest.approx(accuracy_score(t, pred))
    assert metrics.score("macro_f1", y, p, "multiclass") == pytest.approx(f1_score(t, pred, average="macro"))
    assert metrics.score("qwk", y, p, "multiclass") == pytest.approx(cohen_kappa_score(t, pred, weights="quadratic"))
    assert metrics.score("log_loss", y, p, "multiclass") == pytest.approx(log_loss(t, p))
    per_column = np.mean([roc_auc_score(y[:, j], p[:, j]) for j in range(y.shape[1])])
    assert metrics.score("roc_auc", y, p, "multiclass") == pytest.approx(per_column)
    yb, pb = random_problem("binary")
    assert metrics.score("roc_auc", yb, pb, "binary") == pytest.approx(roc_auc_score(yb[:, 1], pb[:, 1]))


def test_multilabel_metrics_are_column_means():
    y, p = random_problem("multilabel")
    assert metrics.score("roc_auc", y, p, "multilabel") == pytest.approx(
        np.mean([roc_auc_score(y[:, j], p[:, j]) for j in range(y.shape[1])]))
    assert metrics.score("log_loss", y, p, "multilabel") == pytest.approx(
        np.mean([log_loss(y[:, j], p[:, j]) for j in range(y.shape[1])]))


def test_hand_computed_cases_and_direction():
    y = np.eye(3)[[0, 1, 2, 2]]
    p = np.eye(3)[[0, 1, 1, 2]] * 0.9 + 0.1 / 3
    assert metrics.score("accuracy", y, p, "multiclass") == 0.75
    assert metrics.is_better("log_loss", 0.2, 0.3) and not metrics.is_better("accuracy", 0.2, 0.3)
    assert metrics.is_better("qwk", 0.1, None)
    assert metrics.default_metric("multiclass", "single") == "accuracy"
    assert metrics.default_metric("binary", "single") == metrics.default_metric("multiclass", "onehot") == "roc_auc"
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.score("top5", y, p, "multiclass")


def test_labels_single_column_and_inference_from_sample():
    table = pd.DataFrame({"image_id": ["a.jpg", "b.jpg", "c.jpg"], "label": [2, 0, 2]})
    sample = pd.DataFrame({"image_id": ["x.jpg"], "label": [0]})
    got = labels.labels_from_table(table, "train.csv", sample=sample)
    assert got.classes == [0, 2] and got.problem == "binary" and got.layout == "single"
    assert got.y.tolist() == [[0, 1], [1, 0], [0, 1]] and got.ids == ["a.jpg", "b.jpg", "c.jpg"]


def test_labels_onehot_multiclass_and_multilabel():
    table = pd.DataFrame({"image_id": ["a", "b"], "healthy": [1, 0], "rust": [0, 1], "scab": [0, 1]})
    sample = pd.DataFrame(columns=["image_id", "healthy", "rust", "scab"])
    got = labels.labels_from_table(table, "train.csv", sample=sample)
    assert got.problem == "multilabel" and got.classes == ["healthy", "rust", "scab"]
    table.loc[1, "scab"] = 0
    assert labels.labels_from_table(table, "train.csv", sample=sample).problem == "multiclass"


def test_labels_errors_name_columns_and_parameter():
    table = pd.DataFrame({"image_id": ["a"], "x": [1], "y": [2]})
    with pytest.raises(KeyError, match=r"'diagnosis'.*has \['image_id', 'x', 'y'\].*Set label_col"):
        labels.labels_from_table(table, "train.csv", label_col="diagnosis")
    with pytest.raises(KeyError, match="cannot tell the label column"):
        labels.labels_from_table(table, "train.csv")


def test_folds_stratified_and_grouped():
    y = np.eye(3)[np.arange(30) % 3]
    f = folds.assign_folds(y, 5, seed=1)
    assert sorted(set(f)) == [0, 1, 2, 3, 4]
    for fold in range(5):
        assert np.bincount(y[f == fold].argmax(1), minlength=3).tolist() == [2, 2, 2]
    groups = np.repeat(np.arange(10), 3)
    g = folds.assign_folds(np.eye(2)[np.arange(30) % 2], 5, seed=1, groups=groups)
    for group in range(10):
        assert len(set(g[groups == group])) == 1
    assert folds.parse_folds("all", 3) == [0, 1, 2] and folds.parse_folds("2, 0", 3) == [0, 2]
    with pytest.raises(ValueError, match="0 to 2"):
        folds.parse_folds("3", 3)


def test_images_reduced_decoding_and_unreadable_file(tmp_path):
    import cv2

    image = rng.integers(0, 255, (400, 300, 3), dtype=np.uint8)
    cv2.imwrite(str(tmp_path / "a.jpg"), image)
    assert images.pick_reduction([(400, 300, 3)], 128) == 2
    assert images.pick_reduction([(400, 300, 3)], 64) == 4
    assert images.pick_reduction([(400, 300, 3)], 300) == 1
    assert images.read_rgb(tmp_path / "a.jpg", 2).shape == (200, 150, 3)
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    with pytest.raises(OSError, match="cannot read image .*bad.jpg"):
        images.read_rgb(tmp_path / "bad.jpg")


def test_paths_layouts_and_errors(tmp_path):
    root = tmp_path / "input"
    (root / "competitions" / "comp").mkdir(parents=True)
    (root / "old-comp").mkdir()
    assert paths.find_competition_dir("comp", input_root=root) == root / "competitions" / "comp"
    assert paths.find_competition_dir("old-comp", input_root=root) == root / "old-comp"
    with pytest.raises(FileNotFoundError, match="looked in .*competitions/nope.*Add Input"):
        paths.find_competition_dir("nope", input_root=root)
    imgs = tmp_path / "imgs"
    imgs.mkdir()
    (imgs / "a1.jpg").write_bytes(b"")
    index = paths.index_images(imgs)
    assert paths.image_paths(["a1", "a1.jpg"], index, imgs) == [imgs / "a1.jpg"] * 2
    with pytest.raises(FileNotFoundError, match="1 of 1 images not found.*image_ext"):
        paths.image_paths(["zz"], index, imgs)


def test_find_weights(tmp_path):
    (tmp_path / "datasets" / "me" / "convnextv2-tiny-weights").mkdir(parents=True)
    weights = tmp_path / "datasets" / "me" / "convnextv2-tiny-weights" / "model.safetensors"
    weights.write_bytes(b"")
    assert paths.find_weights("convnextv2_tiny.fcmae", "", tmp_path) == weights
    assert paths.find_weights("resnet50", "", tmp_path) is None
    assert paths.find_weights("x", "none", tmp_path) is None
    assert paths.find_weights("x", str(weights.parent), tmp_path) == weights
    with pytest.raises(FileNotFoundError, match="pretrained_path"):
        paths.find_weights("x", str(tmp_path / "missing"), tmp_path)


def test_submission_formats_and_checks():
    sample = pd.DataFrame({"id": ["b", "a", "c"], "label": [0, 0, 0]})
    probs = np.array([[0.1, 0.9], [0.8, 0.2], [0.4, 0.6]])
    sub = submission.build_submission(sample, probs, ["neg", "pos"], "label")
    assert sub["label"].tolist() == ["pos", "neg", "pos"] and sub["id"].tolist() == ["b", "a", "c"]
    sub = submission.build_submission(sample, probs, [0, 1], "probability")
    assert sub["label"].tolist() == [0.9, 0.2, 0.6]
    submission.check_submission(sub, sample, "probability", [0, 1])
    wide = pd.DataFrame({"id": ["a"], "rust": [0.0], "healthy": [0.0]})
    sub = submission.build_submission(wide, np.array([[0.7, 0.3]]), ["healthy", "rust"], "class_probabilities")
    assert sub.to_dict("records") == [{"id": "a", "rust": 0.3, "healthy": 0.7}]
    reordered = submission.build_submission(sample, probs, [0, 1], "label").iloc[[1, 0, 2]]
    with pytest.raises(ValueError, match="order"):
        submission.check_submission(reordered, sample, "label", [0, 1])
    with pytest.raises(ValueError, match="not classes"):
        submission.check_submission(pd.DataFrame({"id": ["b", "a", "c"], "label": [0, 7, 1]}), sample, "label", [0, 1])
    assert submission.choose_format("auto", wide, ["healthy", "rust"], "multiclass", "roc_auc") == "class_probabilities"
    assert submission.choose_format("auto", sample, [0, 1], "binary", "roc_auc") == "probability"
    assert submission.choose_format("auto", sample, [0, 1], "binary", "accuracy") == "label"
