"""Helper modules inlined into notebooks, tested directly against references and hand-made cases."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score, f1_score, log_loss, roc_auc_score

from lib import folds, images, metrics, paths, submission

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


def test_map_at_k_hand_case():
    probs = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.4, 0.35, 0.25]])
    y = np.eye(3)[[0, 0, 2]]  # truth ranked 1st, 3rd, 3rd
    assert metrics.score("map_at_k", y, probs, "multiclass", k=3) == pytest.approx((1 + 1 / 3 + 1 / 3) / 3)
    assert metrics.score("map_at_k", y, probs, "multiclass", k=2) == pytest.approx(1 / 3)


def test_micro_f1_matches_sklearn_with_thresholds():
    y, p = random_problem("multilabel")
    thresholds = np.array([0.3, 0.5, 0.6, 0.4])
    expected = f1_score(y.astype(int), p > thresholds, average="micro")
    assert metrics.score("micro_f1", y, p, "multilabel", thresholds=thresholds) == pytest.approx(expected)
    tuned = metrics.tune_thresholds(y, p)
    assert metrics.score("micro_f1", y, p, "multilabel", thresholds=tuned) >= metrics.score("micro_f1", y, p, "multilabel")


def test_rmse_in_target_units():
    y, pred = np.array([[0.0], [0.5], [1.0]]), np.array([[0.1], [0.5], [0.7]])
    expected = np.sqrt(np.mean((np.array([1, 50.5, 100]) - np.array([10.9, 50.5, 70.3])) ** 2))
    assert metrics.score("rmse", y, pred, "regression", span=99.0) == pytest.approx(expected)


def reference_weighted_auc(y_true, y_valid):
    """ALASKA2's published scoring code, as the host wrote it."""
    from sklearn import metrics as skm

    tpr_thresholds, weights = [0.0, 0.4, 1.0], [2, 1]
    fpr, tpr, _ = skm.roc_curve(y_true, y_valid, pos_label=1)
    areas = np.array(tpr_thresholds[1:]) - np.array(tpr_thresholds[:-1])
    normalization = np.dot(areas, weights)
    competition_metric = 0
    for idx, weight in enumerate(weights):
        y_min, y_max = tpr_thresholds[idx], tpr_thresholds[idx + 1]
        mask = (y_min < tpr) & (tpr < y_max)
        if not mask.any():
            continue
        x_padding = np.linspace(fpr[mask][-1], 1, 100)
        x = np.concatenate([fpr[mask], x_padding])
        y = np.concatenate([tpr[mask], [y_max] * len(x_padding)])
        competition_metric += skm.auc(x, y - y_min) * weight
    return competition_metric / normalization


@pytest.mark.parametrize("seed", range(3))
def test_weighted_auc_against_the_published_code(seed):
    r = np.random.default_rng(seed)
    truth = np.arange(400) % 2
    scores = truth * 0.8 + r.normal(size=400)
    probs = np.stack([1 - scores, scores], 1)
    ours = metrics.score("weighted_auc", np.eye(2)[truth], probs, "binary")
    assert ours == pytest.approx(reference_weighted_auc(truth, scores), abs=0.01)
    assert metrics.weighted_auc(truth, truth.astype(float)) == pytest.approx(1.0)


def test_hand_computed_cases_and_direction():
    y = np.eye(3)[[0, 1, 2, 2]]
    p = np.eye(3)[[0, 1, 1, 2]] * 0.9 + 0.1 / 3
    assert metrics.score("accuracy", y, p, "multiclass") == 0.75
    assert metrics.is_better("log_loss", 0.2, 0.3) and not metrics.is_better("accuracy", 0.2, 0.3)
    assert metrics.is_better("qwk", 0.1, None)
    assert metrics.is_better("rmse", 1.0, 2.0)
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.score("top5", y, p, "multiclass")
    with pytest.raises(ValueError, match="unknown metric 'acuracy'; use accuracy"):  # before training: the data cell
        metrics.checked_metric("acuracy")
    assert metrics.checked_metric("kl_divergence") == "kl_divergence"
    with pytest.raises(ValueError, match="does not apply to multiclass targets"):
        metrics.score("rsna_cervical", y, p, "multiclass")


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
    # No slug and no sample: the one attached input holding images (a wheels dataset does not count); two stop.
    (root / "datasets" / "me" / "wheels").mkdir(parents=True)
    (root / "datasets" / "me" / "wheels" / "smp.whl").write_bytes(b"")
    (root / "datasets" / "me" / "pets" / "images").mkdir(parents=True)
    (root / "datasets" / "me" / "pets" / "images" / "a.jpg").write_bytes(b"")
    assert paths.find_competition_dir("", input_root=root) == root / "datasets" / "me" / "pets"
    (root / "old-comp" / "b.png").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="2 attached inputs could be the data: .*set data_dir"):
        paths.find_competition_dir("", input_root=root)
    imgs = tmp_path / "imgs"
    imgs.mkdir()
    (imgs / "a1.jpg").write_bytes(b"")
    (imgs / "sub").mkdir()
    (imgs / "sub" / "a1.png").write_bytes(b"")
    assert paths.image_paths(["a1"], paths.index_files(imgs, "stem"), imgs) == [imgs / "a1.jpg"]
    assert paths.image_paths(["sub/a1"], paths.index_files(imgs, "path_stem"), imgs) == [imgs / "sub" / "a1.png"]
    assert paths.image_paths(["a1.png"], paths.index_files(imgs, "name"), imgs) == [imgs / "sub" / "a1.png"]
    assert list(paths.index_files(imgs, "path", skip=lambda rel: rel.startswith("sub/"))) == ["a1.jpg"]
    with pytest.raises(FileNotFoundError, match=r"1 of 1 images not found.*\(first: \['zz'\]\); check train_image_dir"):
        paths.image_paths(["zz"], paths.index_files(imgs, "stem"), imgs)


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
    sub = submission.build_submission(sample, probs, ["neg", "pos"], "label", ["label"])
    assert sub["label"].tolist() == ["pos", "neg", "pos"] and sub["id"].tolist() == ["b", "a", "c"]
    sub = submission.build_submission(sample, probs, [0, 1], "probability", ["label"], positive="1")
    assert sub["label"].tolist() == [0.9, 0.2, 0.6]
    submission.check_submission(sub, sample, "probability", [0, 1], ["label"], "id")
    sub = submission.build_submission(sample, probs, ["cat", "dog"], "probability", ["label"], positive="cat")
    assert sub["label"].tolist() == [0.1, 0.8, 0.4]
    wide = pd.DataFrame({"id": ["a"], "rust": [0.0], "healthy": [0.0]})
    sub = submission.build_submission(wide, np.array([[0.7, 0.3]]), ["healthy", "rust"], "class_probabilities", ["rust", "healthy"])
    assert sub.to_dict("records") == [{"id": "a", "rust": 0.3, "healthy": 0.7}]
    reordered = submission.build_submission(sample, probs, [0, 1], "label", ["label"]).iloc[[1, 0, 2]]
    with pytest.raises(ValueError, match="order"):
        submission.check_submission(reordered, sample, "label", [0, 1], ["label"], "id")
    bad = pd.DataFrame({"id": ["b", "a", "c"], "label": [0, 7, 1]})
    with pytest.raises(ValueError, match="not classes"):
        submission.check_submission(bad, sample, "label", [0, 1], ["label"], "id")
    with pytest.raises(ValueError, match="unknown submission_format 'ranks'; use one of label"):
        submission.build_submission(sample, probs, [0, 1], "ranks", ["label"])


def test_submission_rows_sum_to_one_for_log_loss():
    sample = pd.DataFrame({"id": ["a", "b"], "x": [0.0, 0.0], "y": [0.0, 0.0], "z": [0.0, 0.0]})
    probs = np.array([[0.2, 0.3, 0.6], [1 / 3, 1 / 3, 1 / 3 + 1e-5]], dtype=np.float32)  # float32 rows drift
    sub = submission.build_submission(sample, probs, ["x", "y", "z"], "class_probabilities", ["x", "y", "z"])
    assert np.abs(sub[["x", "y", "z"]].to_numpy().sum(1) - 1).max() < 1e-12
    submission.check_submission(sub, sample, "class_probabilities", ["x", "y", "z"], ["x", "y", "z"], "id")


def test_submission_topk_labels_value_and_index_column():
    sample = pd.DataFrame({"": ["0", "1"], "Image": ["p.jpg", "q.jpg"], "Id": ["new_whale", "new_whale"]})
    probs = np.array([[0.1, 0.5, 0.4], [0.7, 0.1, 0.2]])
    top = submission.build_submission(sample, probs, ["new_whale", "w_1", "w_2"], "topk", ["Id"], k=2)
    assert top["Id"].tolist() == ["w_1 w_2", "new_whale w_2"] and top[""].tolist() == ["0", "1"]
    assert list(top.columns) == ["", "Image", "Id"]
    multi = submission.build_submission(sample, np.array([[0.9, 0.2, 0.6], [0.1, 0.2, 0.3]]), ["a", "b", "c"], "labels",
                                        ["Id"], thresholds=[0.5, 0.5, 0.5])
    assert multi["Id"].tolist() == ["a c", "c"]  # a row never stays empty: its best class is kept
    value = submission.build_submission(sample, np.array([[0.0], [1.2]]), ["Pawpularity"], "value", ["Id"], offset=1.0, span=99.0)
    assert value["Id"].tolist() == [1.0, 100.0]  # clipped to the training range


def test_ordinal_cuts_and_qwk():
    assert metrics.ordinal_classes([0.2, 0.6, 1.4, 3.9], [0.5, 1.5, 2.5]).tolist() == [0, 1, 1, 3]
    truth = np.repeat(np.arange(5), 20)
    values = truth * 0.6 + np.random.default_rng(0).normal(0, 0.3, 100)  # squeezed: default cuts misread classes
    y, p = (truth / 4)[:, None], np.clip(values / 4, 0, 1)[:, None]
    default = metrics.score("qwk", y, p, "ordinal", span=4.0)
    assert default == pytest.approx(cohen_kappa_score(truth, metrics.ordinal_classes(p[:, 0] * 4), weights="quadratic"))
    cuts = metrics.tune_cuts(y, p, 4.0)
    assert np.all(np.diff(cuts) > 0) and metrics.score("qwk", y, p, "ordinal", span=4.0, thresholds=cuts) > default + 0.05
    assert metrics.score("rmse", y, p, "ordinal", span=4.0) == pytest.approx(np.sqrt(np.mean((p[:, 0] * 4 - truth) ** 2)))


def test_probabilistic_f1_hand_case():
    truth = np.array([1, 0, 1, 0])
    scores = np.array([0.8, 0.4, 0.6, 0.0])  # pTP 1.4, pFP 0.4: precision 1.4 / 1.8, recall 1.4 / 2
    precision, recall = 1.4 / 1.8, 0.7
    expected = 2 * precision * recall / (precision + recall)
    probs = np.stack([1 - scores, scores], 1)
    assert metrics.score("pf1", np.eye(2)[truth], probs, "binary") == pytest.approx(expected)


def test_aggregate_rows_per_sample_id():
    probs = np.array([[0.2, 0.8], [0.6, 0.4], [0.9, 0.1]])
    got = submission.aggregate_rows(probs, ["a_L", "a_L", "b_R"], ["b_R", "a_L"], "mean")
    assert np.allclose(got, [[0.9, 0.1], [0.4, 0.6]])
    assert submission.aggregate_rows(probs, ["a_L", "a_L", "b_R"], ["a_L"], "max").tolist() == [[0.6, 0.8]]
    with pytest.raises(ValueError, match="1 sample ids have no image in the test table"):
        submission.aggregate_rows(probs, ["a_L", "a_L", "b_R"], ["c_L"])


def test_hill_climbing_recovers_a_known_mixture():
    """The target is 0.7 A + 0.3 B exactly: the RMSE-best blend of A, B and a decoy C is (0.7, 0.3, 0)."""
    from lib.blend import blend, hill_climb

    rng = np.random.default_rng(0)
    a, b, c = rng.random((200, 3)), rng.random((200, 3)), rng.random((200, 3))
    target = 0.7 * a + 0.3 * b

    def rmse(p):
        return float(np.sqrt(np.mean((p - target) ** 2)))

    weights, best = hill_climb(3, lambda w: rmse(blend([a, b, c], w)), higher_is_better=False)
    np.testing.assert_allclose(weights, [0.7, 0.3, 0.0], atol=2e-3)
    assert weights.min() >= 0 and weights.sum() == pytest.approx(1.0)
    assert best < 1e-3 and rmse(blend([a, b, c], weights)) == pytest.approx(best)
    assert hill_climb(2, lambda w: -rmse(blend([a, b], w)))[0].sum() == pytest.approx(1.0)


def test_given_blend_weights_are_normalised_and_checked():
    from lib.blend import fit_blend

    members = [{"name": "a"}, {"name": "b"}]
    weights, blended, record = fit_blend(members, lambda w: float(w[0]), "accuracy", fixed="3,1")
    np.testing.assert_allclose(weights, [0.75, 0.25])
    assert blended == 0.75 and record["weights"] == {"a": 0.75, "b": 0.25}
    for bad in ("1", "1,-1", "0,0", "1;2"):
        with pytest.raises(ValueError, match="blend_weights"):
            fit_blend(members, lambda w: 0.0, "accuracy", fixed=bad)


def test_members_with_other_folds_or_other_images_are_refused():
    from lib.blend import fold_mismatch

    same = {"a": {"x": 0, "y": 1}, "b": {"y": 1, "x": 0}}
    assert fold_mismatch(same) == ""
    assert "put 2 images in different folds" in fold_mismatch({"a": {"x": 0, "y": 1}, "b": {"x": 1, "y": 0}})
    assert "different images" in fold_mismatch({"a": {"x": 0, "y": 1}, "b": {"x": 0}})


def test_ensemble_members_are_checked_before_anything_is_blended(tmp_path):
    """Two finished runs of this task, classes and metric pass; another task, other classes or another metric stop."""
    import json as js

    from lib.blend import load_members

    def run(name, task="classification", classes=("a", "b"), metric="accuracy"):
        folder = tmp_path / "input" / name
        folder.mkdir(parents=True)
        (folder / "nbgen-train.json").write_text(js.dumps({"task": task, "trained_folds": [0, 1],
                                                           "recipe": {"model_name": "m", "img_size": 64}}))
        (folder / "classes.json").write_text(js.dumps({"classes": list(classes)}))
        (folder / "cv.json").write_text(js.dumps({"metric": metric}))
        return folder

    run("one"), run("two")
    members = load_members("", tmp_path / "work", "classification", ["a", "b"], "accuracy", input_root=tmp_path / "input")
    assert [m["name"] for m in members] == ["one", "two"] and members[0]["img_size"] == 64
    for name, kwargs, message in [("three", {"task": "segmentation"}, "not a classification training output"),
                                  ("four", {"classes": ("a", "c")}, "trained on classes \\['a', 'c'\\]"),
                                  ("five", {"metric": "log_loss"}, "scored by log_loss, this notebook by accuracy")]:
        folder = run(name, **kwargs)
        with pytest.raises(ValueError, match=message):
            load_members(f"{tmp_path / 'input' / 'one'},{folder}", tmp_path / "work", "classification", ["a", "b"], "accuracy")
    with pytest.raises(FileNotFoundError, match="1 ensemble member"):
        load_members(str(tmp_path / "input" / "one"), tmp_path / "work", "classification", ["a", "b"], "accuracy")


def test_two_attached_training_outputs_stop_instead_of_one_being_picked(tmp_path):
    """An inference kernel or a student with two training outputs attached names them, and the parameter that picks one."""
    from lib.paths import find_training_output
    from lib.teacher import find_run

    for root in ("input/run-a", "input/notebooks/bob/run-a", "input/run-b"):
        (tmp_path / root).mkdir(parents=True)
        (tmp_path / root / "nbgen-train.json").write_text("{}")
    with pytest.raises(ValueError, match="3 folders fit: .*set work_dir"):
        find_training_output(tmp_path / "work", tmp_path / "input")
    assert find_run("run-b", tmp_path / "input") == tmp_path / "input" / "run-b"
    with pytest.raises(ValueError, match="teacher='run-a': 2 attached outputs have that name"):
        find_run("run-a", tmp_path / "input")


def test_helpers_import_each_other_at_the_top_only():
    """The inliner drops top-level `from lib.x import` lines (the notebook defines those names in earlier cells); an
    indented one would stay in the notebook and fail there: there is no `lib` package on Kaggle."""
    import re
    from pathlib import Path

    lib_dir = Path(paths.__file__).parent
    nested = [f"{p.name}:{n}" for p in sorted(lib_dir.glob("*.py")) for n, line in enumerate(p.read_text().splitlines(), 1)
              if re.match(r"\s+(from lib\b|import lib\b)", line)]
    assert not nested


def test_kl_divergence_is_hms_scorer_and_votes_average_per_image():
    """KL(votes || prediction) per row as HMS's kaggle_kl_div computes it (predictions clipped, zero votes add nothing);
    vote rows of one image become the mean of their distributions, the best constant per image under KL."""
    from lib.labels import mean_votes

    truth = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
    probs = np.array([[0.25, 0.25, 0.5], [0.0, 0.5, 0.5]])
    by_hand = (0.5 * np.log(2) * 2 + np.log(2)) / 2
    assert metrics.kl_divergence(truth, probs) == pytest.approx(by_hand)
    assert metrics.score("kl_divergence", truth * 7, probs, "multiclass") == pytest.approx(by_hand)  # counts normalised
    assert metrics.kl_divergence(truth, truth) == pytest.approx(0.0) and metrics.is_better("kl_divergence", 0.1, 0.2)
    table = pd.DataFrame({"spectrogram_id": ["a", "a", "b"], "patient_id": ["p", "p", "q"],
                          "x_vote": ["3", "0", "1"], "y_vote": ["1", "2", "1"]})
    merged = mean_votes(table, "spectrogram_id", ["x_vote", "y_vote"], "train.csv")
    assert merged["spectrogram_id"].tolist() == ["a", "b"] and merged["patient_id"].tolist() == ["p", "q"]
    assert np.allclose(merged[["x_vote", "y_vote"]].to_numpy(float), [[0.375, 0.625], [0.5, 0.5]])
    with pytest.raises(ValueError, match="1 rows of train.csv have no votes"):
        mean_votes(table.assign(x_vote=["0", "0", "1"], y_vote=["0", "2", "1"]), "spectrogram_id", ["x_vote", "y_vote"],
                   "train.csv")


def test_class_rows_and_the_cervical_weighted_log_loss():
    """RSNA cervical: a sample row '<study>_<target>' gets that target's probability (patient_overall holds an '_');
    the metric weighs patient_overall 7 / 14 and a vertebra 1 / 2 (negative / positive)."""
    from lib.discover_labels import class_suffixes

    classes = ["patient_overall", "C1", "C2"]
    assert class_suffixes(["1.2.3_C1", "1.2.3_patient_overall"], ["StudyInstanceUID", *classes], "StudyInstanceUID") == [
        "patient_overall", "C1"]
    assert class_suffixes(["1.2.3_C1", "1.2.3"], ["StudyInstanceUID", *classes], "StudyInstanceUID") == []
    sample = pd.DataFrame({"row_id": ["s1_C2", "s1_patient_overall", "s2_C1"], "fractured": 0.5})
    probs = np.array([[0.9, 0.1, 0.2], [0.9, 0.1, 0.2], [0.3, 0.6, 0.7]])
    out = submission.build_submission(sample, probs, classes, "class_rows", ["fractured"])
    assert out["fractured"].tolist() == [0.2, 0.9, 0.6]
    submission.check_submission(out, sample, "class_rows", classes, ["fractured"], "row_id")
    truth = np.array([[1, 0, 1], [0, 0, 0]])
    p = np.array([[0.8, 0.3, 0.6], [0.1, 0.2, 0.4]])
    weights = np.array([[14, 1, 2], [7, 1, 1]])
    by_hand = np.sum(weights * -(truth * np.log(p) + (1 - truth) * np.log(1 - p))) / weights.sum()
    assert metrics.score("rsna_cervical", truth, p, "multilabel", classes=classes) == pytest.approx(by_hand)


def test_text_tokens_round_trip_and_levenshtein_matches_the_table():
    """Image to text: a string's character tokens decode back to it (cut at the end token); the numpy Levenshtein
    distance equals the textbook table's on random strings."""
    from lib.text import EOS, PAD, CharTokenizer, levenshtein

    tokenizer = CharTokenizer.fit(["InChI=1S/C2H6O", "InChI=1S/CH4"])
    ids = tokenizer.encode("InChI=1S/C2H6O/c1", 12)
    assert len(ids) == 12 and ids[-1] == EOS and tokenizer.decode(ids) == "InChI=1S/C"  # cut to 10 characters
    assert tokenizer.encode("CH4", 8)[-3:] == [PAD] * 3 and tokenizer.decode(tokenizer.encode("CH4", 8)) == "CH4"

    def table(a, b):
        d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
        for i in range(1, len(a) + 1):
            for j in range(1, len(b) + 1):
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
        return d[-1][-1]

    for _ in range(50):
        a, b = ("".join(rng.choice(list("abC1="), size=rng.integers(0, 12))) for _ in range(2))
        assert levenshtein(a, b) == table(a, b), (a, b)
