"""Execute generated detection notebooks (ultralytics and torchvision) with papermill on synthetic data, network blocked."""

import json

import numpy as np
import pandas as pd
import pytest

from lib.prediction_string import parse_prediction_string
from nbgen import generate
from nbgen.errors import SmokeError
from nbgen.smoke import run_smoke

pytestmark = pytest.mark.smoke
pytest.importorskip("papermill")
pytest.importorskip("ensemble_boxes")

IMAGE_W, IMAGE_H = 128, 96  # nbgen.synth_boxes writes images of this size
# A near-zero confidence threshold makes the barely trained smoke models emit boxes to check.
LOW_CONF = {"conf_threshold": 0.0001}
CASES = {
    # (arch, layout): (extra parameters, expected format, metric)
    ("yolov8", "wheat"): ({"metric": "wheat"}, "wheat", "wheat"),
    ("yolov8", "vinbig"): ({"metric": "voc_map", "voc_iou": 0.4}, "vinbig", "voc_map"),
    ("fasterrcnn", "coco"): ({"metric": "map50_95"}, "wheat", "map50_95"),
    ("fasterrcnn", "vinbig"): ({"metric": "map50"}, "vinbig", "map50"),
    ("yolo12", "wheat"): ({"metric": "wheat"}, "wheat", "wheat"),  # the newest ultralytics families, built from YAML
    ("yolo26", "wheat"): ({"metric": "wheat"}, "wheat", "wheat"),
    ("rtdetr-l", "wheat"): ({"metric": "wheat"}, "wheat", "wheat"),
    ("rtdetr-v2", "wheat"): ({"metric": "wheat"}, "wheat", "wheat"),  # transformers, tiny untrained configs
    ("deformable-detr", "vinbig"): ({"metric": "voc_map", "voc_iou": 0.4}, "vinbig", "voc_map"),
    ("detr", "wheat"): ({"metric": "wheat"}, "wheat", "wheat"),
}
SLOW = {("rtdetr-l", "wheat"), ("detr", "wheat")}  # a 32M-parameter decoder from scratch on CPU; DETR beside RT-DETR v2


@pytest.fixture(scope="module")
def detection_notebooks(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    notebooks = {}
    for arch in dict.fromkeys(arch for arch, _ in CASES):  # an unknown slug: the notebooks read every layout below
        folder = generate("detection", arch, competition="my-detection-competition", kaggle_user="tester", out_dir=out)
        notebooks[arch] = folder / f"{folder.name}.ipynb"
    return notebooks


@pytest.mark.parametrize(("arch", "layout"), [pytest.param(*case, marks=pytest.mark.slow) if case in SLOW else case
                                             for case in CASES])
def test_smoke_run_writes_a_valid_prediction_string_submission(arch, layout, detection_notebooks, tmp_path):
    params, fmt, metric = CASES[(arch, layout)]
    result = run_smoke(detection_notebooks[arch], layout=layout, out_dir=tmp_path, parameters={**LOW_CONF, **params})
    data, work = result.work_dir.parent / "data", result.work_dir
    sample = pd.read_csv(data / "sample_submission.csv", keep_default_na=False)
    sub = pd.read_csv(work / "submission.csv", keep_default_na=False)
    assert list(sub.columns) == ["image_id", "PredictionString"]
    assert sub["image_id"].tolist() == sample["image_id"].tolist()  # same ids, same order
    n_boxes = 0
    for text in sub["PredictionString"]:
        if fmt == "vinbig" and text == "14 1 0 0 1 1":
            continue
        boxes, scores, labels = parse_prediction_string(fmt, text)
        n_boxes += len(boxes)
        assert ((scores >= 0) & (scores <= 1)).all()
        assert (boxes[:, [0, 2]] >= 0).all() and (boxes[:, [0, 2]] <= IMAGE_W).all()  # original pixels, not 64 px
        assert (boxes[:, [1, 3]] >= 0).all() and (boxes[:, [1, 3]] <= IMAGE_H).all()
        assert (boxes[:, 2] >= boxes[:, 0]).all() and (boxes[:, 3] >= boxes[:, 1]).all()
        if fmt == "vinbig":
            assert set(labels.tolist()) <= {0, 1}  # the competition's class ids
    assert n_boxes > 0

    cv = json.loads((work / "cv.json").read_text())
    assert cv["metric"] == metric and 0 <= cv["cv"] <= 1 and 0 <= cv["cv_tta"] <= 1
    assert cv["tta_views"] == ["orig", "hflip"] and cv["n_oof"] == 24
    assert sorted(int(f) for f in cv["folds"]) == [0, 1]
    oof = pd.read_csv(work / "oof_boxes.csv")
    assert len(oof) == cv["n_oof_boxes"] and oof["fold"].isin([0, 1]).all()
    assert np.isfinite(oof[["x0", "y0", "x1", "y1", "score"]].to_numpy()).all()
    assert result.network_attempts == 0


def test_unknown_submission_format_lists_the_supported_ones(detection_notebooks, tmp_path):
    # Checked with the plan, in the paths cell: before anything trains.
    with pytest.raises(SmokeError, match=r"cell paths-\d+ raised ValueError: submission_format='coco': choose from auto, "
                                         r"wheat, vinbig, points, named"):
        run_smoke(detection_notebooks["fasterrcnn"], layout="wheat", out_dir=tmp_path,
                  parameters={"submission_format": "coco", "train_folds": "0"})


@pytest.mark.parametrize("arch", ["fasterrcnn", "rtdetr-v2"])
def test_ddp_script_trains_the_loop_detectors_on_two_cpu_processes(arch, detection_notebooks, tmp_path):
    """ddp_processes=2 on a CPU: torchvision and transformers detectors train in the DDP script with gloo (3 steps of
    4 images per process, so a parameter without a gradient would stop the second); each process predicts half of
    the validation images and the out-of-fold rows cover the same images as a one-process run's."""
    runs = {n: run_smoke(detection_notebooks[arch], layout="wheat", out_dir=tmp_path / str(n), n_train=48,
                         parameters={"ddp_processes": n, "num_workers": 0, **LOW_CONF}) for n in (1, 2)}
    oof = {n: pd.read_csv(r.work_dir / "oof_folds.csv") for n, r in runs.items()}
    assert len(oof[2]) == len(oof[1]) == 48 and oof[2]["image_id"].tolist() == oof[1]["image_id"].tolist()
    printed = json.dumps(json.loads(open(runs[2].executed).read())["cells"])
    assert "DDP: 2 processes (gloo) run" in printed and printed.count("fold 0 epoch 1/1") == 1
    assert (runs[2].work_dir / "train_ddp.py").is_file() and runs[2].submission_rows == runs[1].submission_rows


def test_a_no_object_weight_out_of_range_stops_before_training(tmp_path):
    folder = generate("detection", "yolov8", competition="siim-covid19-detection", kaggle_user="tester", out_dir=tmp_path / "gen")
    with pytest.raises(SmokeError, match=r"none_study_weight=1.5: use a weight from 0 to 1, or -1 to tune it") as stop:
        run_smoke(folder / f"{folder.name}.ipynb", layout="siim_covid", out_dir=tmp_path, parameters={"none_study_weight": 1.5})
    assert "epoch" not in str(stop.value)


def test_image_rows_outside_every_study_row_stop_naming_study_template(tmp_path):
    """An image row whose study has no study row would lose the study part of its no-object score without a word."""
    from nbgen.synth import make_competition

    folder = generate("detection", "yolov8", competition="siim-covid19-detection", kaggle_user="tester", out_dir=tmp_path / "gen")
    data = make_competition(tmp_path / "data", "siim_covid").folder
    sample = pd.read_csv(data / "sample_submission.csv")
    sample.drop(index=0).to_csv(data / "sample_submission.csv", index=False)  # the first study row
    with pytest.raises(SmokeError, match=r"image rows of the sample belong to no study row under .*check study_template"):
        run_smoke(folder / f"{folder.name}.ipynb", layout="siim_covid", out_dir=tmp_path, parameters={"data_dir": str(data)})
