"""The plan is the contract: every synthetic layout's plan, made as the notebook makes it (archives unpacked,
DICOM decoded, slides tiled), goes through the notebook's own readers, which take every decision from it.

If `nbgen inspect` prints a plan, the data cell reads the data with it: labels, masks or boxes for every training
image, and one file for every id of the submission.
"""

import json

import numpy as np
import pytest

from lib import decode, inputs, labels, masks, records, tiles
from lib.det_annotations import build_box_table, read_annotations
from lib.discover import discover
from lib.images import image_hw
from lib.paths import image_paths, index_files
from nbgen.synth import LAYOUTS, make_competition


@pytest.fixture(scope="module")
def views(tmp_path_factory):
    """Each layout as the notebook sees it: unpacked, decoded and tiled into a view."""
    root = tmp_path_factory.mktemp("contract")
    out = {}
    for layout in LAYOUTS:
        synth = make_competition(root / layout / "data", layout)
        work = root / layout / "work"
        work.mkdir()
        tile_size = int(synth.params.get("tile_size", 0))
        view = decode.decode_inputs(inputs.unpack_inputs(synth.folder, work, progress=False), work, progress=False,
                                    tile_size=tile_size, tile_writer=tiles.write_tiles)
        out[layout] = (synth, view)
    return out


def _plan(synth, view):
    params = dict(synth.params)
    if (view / records.TILES_MANIFEST).is_file():
        params["train_csv"] = "none"  # as the notebook does: tiles bring their masks as files
    return discover(view, **params)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_notebook_readers_read_what_the_plan_says(views, layout):
    synth, view = views[layout]
    plan = _plan(synth, view)
    task = plan["task"]
    if task == "classification":
        got = labels.read_labels(plan, view)
        assert len(got.ids) == len(got.paths) > 0 and all(p.is_file() for p in got.paths)
        image_ids = (plan.sample_ids or synth.test_ids) if not plan.get("test_csv") else None
        if image_ids is not None and not plan.get("aggregate"):
            assert all(p.is_file() for p in labels.test_image_paths(plan, view, image_ids))
        return
    if task == "segmentation":
        table, images = masks.read_masks(plan, view)
        assert table.ids and set(table.ids) <= set(images)
        for image_id in table.ids[:3]:
            height, width = image_hw(images[image_id])
            if table.layout != "files":  # RLE rows decode in the order the data cell fits; files are read as they are
                masks.check_table_rles(table, {i: image_hw(images[i]) for i in table.ids})
                break
            read = masks.read_class_masks(table, image_id, (height, width), "column")
            assert read.shape == (height, width, len(table.classes))
            assert set(np.unique(read).tolist()) <= {0, 1, masks.VOID}
        assert table.classes == list(plan["classes"]) or plan["classes"] == "values"
    elif task == "detection":
        ids, boxes, names, found, class_order = read_annotations(plan, view, "No finding")
        sizes = {i: image_hw(p)[::-1] for i, p in found.items()}
        table = build_box_table(ids, boxes, names, found, sizes, plan["annotation_format"], class_order)
        assert len(table.boxes) > 0 and set(table.boxes["image_id"]) <= set(found)
    elif task == "image2text":  # every table row names one image, the data cell's way
        import csv

        with (view / plan["train_csv"]).open() as f:
            rows = list(csv.DictReader(f))
        found = image_paths([r[plan["id_col"]] for r in rows], index_files(view / plan["train_image_dir"], plan["id_key"]),
                            view / plan["train_image_dir"])
        assert all(p.is_file() for p in found) and all(r[plan["text_col"]] for r in rows)
    else:
        assert (view / plan["target_dir"]).is_dir()
        return
    if plan.get("test_image_dir") is None:
        assert not synth.test_ids
        return
    key = plan.get("id_template") or plan["test_id_key"]
    index = index_files(view / plan["test_image_dir"], key)
    if plan.get("tiles"):
        return
    wanted = _test_images(plan, synth)
    assert all(p.is_file() for p in image_paths(wanted, index, view / plan["test_image_dir"]))


def _test_images(plan, synth):
    """The images the submission's rows name: per-class rows and study rows name fewer."""
    roles = plan.get("sample_roles", {})
    ids = list(dict.fromkeys(plan.sample_ids or synth.test_ids))
    id_col = plan.get("sample_id_col")
    if id_col and "and class" in roles.get(id_col, ""):
        ids = list(dict.fromkeys(i.rsplit("_", 1)[0] for i in ids))
    if plan.get("study_csv"):
        ids = [i for i in ids if not i.endswith("_study")]
    manifest = json.loads((plan.root / records.TILES_MANIFEST).read_text()) if (plan.root / records.TILES_MANIFEST).is_file() else {}
    return [i for i in ids if i not in manifest]
