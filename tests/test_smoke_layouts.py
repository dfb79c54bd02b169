"""Smoke-run notebooks generated with no task and no parameters on copies of real competition layouts.

Each notebook comes from `resolve_task` on the synthetic folder itself (what `nbgen new --data DIR`
does); the run checks the submission against the sample. CI runs a representative subset; the
whole matrix runs with `python -m pytest -m slow`.
"""

import csv
import json

import pytest

from nbgen.generator import generate, resolve_task
from nbgen.smoke import run_smoke
from nbgen.synth import PUBLIC_LAYOUTS, make_competition

pytestmark = pytest.mark.smoke
pytest.importorskip("papermill")

CI_LAYOUTS = ["siim_covid", "denoising", "tgs", "contrails", "json_bands", "uw_madison", "hubmap", "coco_dir", "vinbig_dicom", "kuzushiji", "rsna_breast", "npy_arrays", "filename_zip", "coco_tar", "multilabel", "regression",
              "index_col", "folders_binary", *PUBLIC_LAYOUTS]
SLOW_LAYOUTS = ["class_columns", "topk", "zip_flat", "packed_csv", "coco_json"]
CASES = [pytest.param(layout) for layout in CI_LAYOUTS] + [
    pytest.param(layout, marks=pytest.mark.slow) for layout in SLOW_LAYOUTS]


def notebook_for(layout, tmp_path):
    """Generate from the data alone, with what a known-competitions entry would set: the notebook carries the input
    readers this data needs, no others."""
    synth = make_competition(tmp_path / "probe", layout)
    task, _, _, found = resolve_task("", "", data=str(synth.folder), overrides=synth.params)
    arch = {"classification": "efficientnet_b0", "segmentation": "unet", "detection": "yolov8", "image2image": "Unet"}[task]
    folder = generate(task, arch, title=f"layout {layout}", kaggle_user="tester", overrides={**found, **synth.params},
                      out_dir=tmp_path / "gen", data=str(synth.folder))
    return folder / f"{folder.name}.ipynb", synth


@pytest.mark.parametrize("layout", CASES)
def test_layout_smoke_run(layout, tmp_path):
    notebook, synth = notebook_for(layout, tmp_path)
    result = run_smoke(notebook, layout=layout, out_dir=tmp_path / "runs")
    executed = result.executed.read_text()
    if not synth.test_ids:  # no sample, no test folder: trained, validated, weights saved, and said so
        assert not (result.work_dir / "submission.csv").exists() and "no test images: no submission.csv" in executed
        assert (result.work_dir / "fold0_best.pt").is_file()
        task = json.loads(executed)["metadata"]["nbgen"]["task"]
        assert (result.work_dir / ("oof.csv" if task == "classification" else "oof_maps.npy")).is_file()
        return
    with (result.work_dir / "submission.csv").open() as f:
        rows = list(csv.reader(f))
    assert rows[0] == synth.sample_columns and len(rows) - 1 == len(synth.test_ids)
    values = [r[-1] for r in rows[1:]]
    if layout == "multilabel":
        assert all(v and set(v.split()) <= set(synth.classes) for v in values)
    elif layout == "topk":
        assert all(len(v.split()) == 3 and set(v.split()) <= set(synth.classes) for v in values)  # 3 classes < k=5
    elif layout == "regression":
        assert all(1 <= float(v) <= 100 for v in values)
    elif layout in ("filename_zip", "folders_binary", "zip_flat", "packed_csv", "rsna_breast", "npy_arrays",
                    "json_bands"):
        assert all(0 <= float(v) <= 1 for v in values)
    elif layout in ("coco_json", "coco_tar", "index_col"):
        assert set(values) <= set(synth.classes)
    elif layout == "tgs":
        assert all(len(v.split()) % 2 == 0 for v in values)
    elif layout == "uw_madison":  # the sample's rows in its order; the 3D score reported on CV
        assert [r[:2] for r in rows[1:]] == [r[:2] for r in csv.reader((synth.folder / "sample_submission.csv").open())][1:]
        assert 0 <= json.loads((result.work_dir / "cv.json").read_text())["dice_hausdorff"] <= 1
    elif layout == "denoising":  # one grey value in [0, 1] per pixel, in the sample's order
        assert [r[0] for r in rows[1:]] == synth.test_ids and all(0 <= float(v) <= 1 for v in values)
    elif layout == "hubmap":  # stitched from tiles: column-major runs inside the 288 x 352 slide
        assert all(v == "" or max(int(a) + int(b) for a, b in zip(v.split()[0::2], v.split()[1::2], strict=True)) <= 288 * 352 + 1
                   for v in values)
        assert (result.work_dir / "decoded-input" / "tiles.json").is_file()
    elif layout == "contrails":  # '-' for an empty mask, the sample's height and width kept
        assert all(v == "48" for r in rows[1:] for v in r[2:]) and all(r[1] == "-" or len(r[1].split()) % 2 == 0 for r in rows[1:])
    elif layout == "kuzushiji":  # 'U+XXXX cx cy ...' with the training characters, or blank
        assert all(len(v.split()) % 3 == 0 and set(v.split()[0::3]) <= set(synth.classes) for v in values)
    elif layout == "siim_covid":  # study rows name every class; image rows boxes, then none with its score
        for test_id, value in zip([r[0] for r in rows[1:]], values, strict=True):
            tokens = value.split()
            if test_id.endswith("_study"):
                assert tokens[0::6] == ["negative", "typical", "indeterminate", "atypical"]
                assert sum(float(t) for t in tokens[1::6]) == pytest.approx(1, abs=1e-3)
            else:
                assert tokens[-6:-4] and tokens[-6] == "none" and set(tokens[0::6]) <= {"opacity", "none"}
        cv = json.loads((result.work_dir / "cv.json").read_text())
        assert 0 <= cv["study_image_map"] <= 1 and cv["none_study_weight"] in (0, 0.25, 0.5, 0.75, 1)
    elif layout in ("class_table_masks", "colour_masks", "labelme_polygons", "voc_masks"):  # a row per image and class
        assert [r[1] for r in rows[1:]] == [c for _ in range(len(rows[1:]) // len(synth.classes)) for c in synth.classes]
        assert all(v == "" or len(v.split()) % 2 == 0 for v in values)
        if layout == "colour_masks":  # Void left out of loss and metric; val/ merged
            assert "void {'Void': [0, 0, 0]} left out of the loss and the metric" in executed and "val_labels" in executed
        if layout == "voc_masks":  # the photos without a mask left out, said; 255 void, not a class
            assert "4 images below JPEGImages/ have no mask in SegmentationClass/: not annotated, left out" in executed
            assert "24 masks read once: classes ['1', '2'], void {'255': 255} left out" in executed
    elif layout in ("voc", "labelme_boxes", "yolo_txt", "box_filename", "coco_no_sample"):  # 'name conf x0 y0 x1 y1'
        assert all(len(v.split()) % 6 == 0 and set(v.split()[0::6]) <= set(synth.classes) for v in values)
    elif layout in ("path_ids", "train_val", "split_folders", "channel_files"):
        assert set(values) <= set(synth.classes)
    elif layout == "vinbig_dicom":  # 'class conf x0 y0 x1 y1 ...', or the 'no finding' filler
        assert all(v and len(v.split()) % 6 == 0 for v in values)
        assert (result.work_dir / "decoded-input" / "train").is_dir()
    assert result.network_attempts == 0


@pytest.mark.parametrize("layout", ["npy_arrays", "wheat"])
def test_an_unreadable_training_file_stops_or_is_skipped(layout, tmp_path):
    """A SETI array of the wrong shape, a damaged page image (with its boxes): the run stops naming it, or
    trains without it with bad_files='skip'."""
    import numpy as np

    from nbgen.errors import SmokeError

    notebook, synth = notebook_for(layout, tmp_path)
    if layout == "npy_arrays":
        bad = sorted((synth.folder / "train").rglob("*.npy"))[3]
        np.save(bad, np.zeros((6, 10, 10), np.float16))
    else:
        bad = sorted((synth.folder / "train").iterdir())[3]
        bad.write_bytes(b"\xff\xd8 truncated")
    with pytest.raises(SmokeError, match=rf"1 unreadable training file.*{bad.name}.*bad_files='skip'"):
        run_smoke(notebook, layout=layout, out_dir=tmp_path / "stop", parameters={"data_dir": str(synth.folder)})
    result = run_smoke(notebook, layout=layout, out_dir=tmp_path / "skip",
                       parameters={"data_dir": str(synth.folder), "bad_files": "skip"})
    assert f"skipped {bad}" in result.executed.read_text()
    assert result.submission_rows == len(synth.test_ids)
