"""Execute the generated segmentation notebook with papermill on synthetic data, network blocked."""

import json

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from lib.rle import rle_decode
from nbgen.errors import SmokeError
from nbgen.smoke import run_smoke

pytestmark = pytest.mark.smoke
pytest.importorskip("papermill")
pytest.importorskip("segmentation_models_pytorch")

CASES = {
    # layout: (test image folder, expected problem, RLE order, classes, empty token)
    "rle_binary": ("test", "binary", "row", ["1"], ""),
    "rle_classes": ("test_images", "multilabel", "column", ["1", "2", "3"], ""),
    "mask_files": ("test/images", "multiclass", "column", ["1", "2"], "-"),
    "instances": ("test_v2", "binary", "column", ["1"], ""),
}


def _image_and_class(layout, row, sample_columns):
    if layout == "mask_files":
        image, klass = row.iloc[0].rsplit("_", 1)
        return image, klass
    if layout == "rle_classes":
        return row["ImageId"], str(row["ClassId"])
    return row.iloc[0], "1"


@pytest.mark.parametrize("layout", list(CASES))
def test_smoke_run_writes_decodable_masks(layout, segmentation_notebook, tmp_path):
    test_dir, problem, order, classes, empty = CASES[layout]
    asam = {"sam_rho": 1.0, "sam_adaptive": True} if layout == "mask_files" else {}  # ASAM around AdamW, with AMP off
    result = run_smoke(segmentation_notebook, layout=layout, out_dir=tmp_path, parameters=asam)
    data, work = result.work_dir.parent / "data", result.work_dir
    if asam:
        assert "ASAM around adamw, rho 1.0" in json.dumps(json.loads(open(result.executed).read())["cells"])
    sample = pd.read_csv(next(data.glob("sample_submission*.csv")), keep_default_na=False)
    sub = pd.read_csv(work / "submission.csv", keep_default_na=False)
    info = json.loads((work / "classes.json").read_text())
    assert info == {"classes": classes, "problem": problem, "rle_order": order}

    assert list(sub.columns) == list(sample.columns)
    id_col, rle_col = sample.columns[0], [c for c in sample.columns if "ncoded" in c or "rle" in c][0]
    if layout == "instances":  # one row per predicted instance, images in the sample's order
        assert list(dict.fromkeys(sub[id_col])) == sample[id_col].tolist()
    else:
        assert sub[id_col].tolist() == sample[id_col].tolist()
        if "ClassId" in sample:
            assert sub["ClassId"].tolist() == sample["ClassId"].tolist()
    decoded_any = False
    for _, row in sub.iterrows():
        image, _ = _image_and_class(layout, row, sample.columns)
        width, height = Image.open(next((data / test_dir).glob(image))).size
        text = row[rle_col]
        assert text != "" or empty == "", "empty masks must use the sample's token"
        mask = rle_decode(text, (height, width), order)  # raises if it runs past the image
        assert mask.shape == (height, width)
        decoded_any |= bool(mask.any())
    assert (sub[rle_col] == empty).any() or decoded_any

    cv = json.loads((work / "cv.json").read_text())
    assert cv["metric"] == "dice" and all(0 <= cv[k] <= 1 for k in ("cv", "cv_tta", "cv_tuned"))
    assert cv["n_oof"] == 24 and len(cv["threshold"]) == len(classes) == len(cv["min_area"])
    assert sorted(int(f) for f in cv["folds"]) == [0, 1]
    oof = np.load(work / "oof_maps.npy", mmap_mode="r")
    assert oof.shape == (24, len(classes), 32, 32) and oof.dtype == np.uint8 and oof.max() > 0
    post = json.loads((work / "postprocess.json").read_text())
    assert post["classes"] == classes and all(0.3 <= t <= 0.7 for t in post["threshold"])
    for name in ("fold0_best.pt", "fold1_last.pt", "fold0_oof.npy", "training_curve.png", "oof_examples.png"):
        assert (work / name).is_file(), name
    assert result.network_attempts == 0


def test_wrong_rle_order_is_named_with_the_one_that_fits(segmentation_notebook, tmp_path):
    with pytest.raises(SmokeError, match=r"cell data-\d+ raised ValueError: rle_order='column' decodes the training "
                                         r"masks into stripes.*set rle_order='row'"):
        run_smoke(segmentation_notebook, layout="rle_binary", out_dir=tmp_path, parameters={"rle_order": "column"})


def test_ddp_script_on_two_cpu_processes_fills_every_out_of_fold_map(segmentation_notebook, tmp_path):
    """ddp_processes=2 on a CPU (gloo): validation is sharded and gathered, so the out-of-fold maps are complete."""
    runs = {n: run_smoke(segmentation_notebook, layout="rle_binary", out_dir=tmp_path / str(n), n_train=32,
                         parameters={"ddp_processes": n, "num_workers": 0}) for n in (1, 2)}
    maps = {n: np.load(r.work_dir / "oof_maps.npy") for n, r in runs.items()}
    assert maps[2].shape == maps[1].shape and maps[2].reshape(len(maps[2]), -1).max(1).min() > 0  # every image predicted
    printed = json.dumps(json.loads(open(runs[2].executed).read())["cells"])
    assert "DDP: 2 processes (gloo) run" in printed and printed.count("fold 0 epoch 1/1") == 1
    assert json.loads((runs[2].work_dir / "cv.json").read_text())["n_oof"] == json.loads((runs[1].work_dir / "cv.json").read_text())["n_oof"]


def test_progressive_resizing_keeps_the_aspect_in_phases(segmentation_notebook, tmp_path):
    """'256,512' scaled to the smoke size (64 x 64): a phase at 32 x 32, then 64 x 64, validated at 64 x 64."""
    result = run_smoke(segmentation_notebook, layout="rle_binary", out_dir=tmp_path,
                       parameters={"img_sizes": "256,512", "train_folds": "0"})
    printed = json.dumps(json.loads(open(result.executed).read())["cells"])
    assert "fold 0 phase 1/2: training at 32x32 from epoch 1" in printed
    assert "fold 0 phase 2/2: training at 64x64 from epoch 2" in printed


@pytest.mark.parametrize(("arch", "layout"), [("mask2former", "rle_binary"), ("segformer-hf", "mask_files")])
def test_transformers_segmenters_write_decodable_masks(arch, layout, tmp_path):
    """Tiny untrained Mask2Former and SegFormer (transformers): the smp pipeline's TTA, tuning and RLE around them."""
    from nbgen import generate

    folder = generate("segmentation", arch, kaggle_user="tester", out_dir=tmp_path / "gen")
    result = run_smoke(folder / f"{folder.name}.ipynb", layout=layout, out_dir=tmp_path / "runs")
    sample = pd.read_csv(next((result.work_dir.parent / "data").glob("sample_submission*.csv")), keep_default_na=False)
    sub = pd.read_csv(result.work_dir / "submission.csv", keep_default_na=False)
    assert list(sub.columns) == list(sample.columns) and sub.iloc[:, 0].tolist() == sample.iloc[:, 0].tolist()
    assert all(v in ("", "-") or len(v.split()) % 2 == 0 for v in sub.iloc[:, -1])
    cv = json.loads((result.work_dir / "cv.json").read_text())
    assert 0 <= cv["cv"] <= 1 and cv["tta_views"] == ["orig", "hflip"] and result.network_attempts == 0
    printed = json.dumps(json.loads(open(result.executed).read())["cells"])
    assert ("(mask2former)" if arch == "mask2former" else "(segformer)") in printed
