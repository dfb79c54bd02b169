"""A notebook carries the helper code its plan uses: pruning, need(), and the input groups a plan needs."""

import json

import pytest

from nbgen import generate
from nbgen.competitions import known_competitions
from nbgen.generator import plan_needs, resolve_task
from nbgen.input_needs import INPUT_GROUPS
from nbgen.notebook import Cell
from nbgen.prune import prune_helpers
from nbgen.synth import make_competition

HELPER = """# Things (templates/lib/things.py)
import os
import re
from pathlib import Path, PurePath

LIMIT = 3
UNUSED_LIMIT = 4


def used():
    return os.sep * LIMIT


def by_name():
    return Path(".")


def unused():
    return re.compile("x"), UNUSED_LIMIT, PurePath()"""


def _pruned(stage, roots=()):
    cells = [Cell("helpers-1", "code", HELPER), Cell("data-0", "code", stage)]
    return {c.id: c.source for c in prune_helpers(cells, roots)}


def test_a_helper_keeps_what_the_stages_reach_and_the_imports_that_code_uses():
    kept = _pruned("print(used())")["helpers-1"]
    assert "def used" in kept and "LIMIT = 3" in kept and "import os" in kept
    assert "def unused" not in kept and "UNUSED_LIMIT" not in kept and "import re" not in kept and "Path" not in kept
    assert kept.startswith("# Things (templates/lib/things.py)\nimport os\n")
    # a name called through need() is kept only as a root; an import binding several names keeps the used one
    kept = _pruned("print(used())", roots=["by_name"])["helpers-1"]
    assert "def by_name" in kept and "from pathlib import Path\n" in kept and "PurePath" not in kept


def test_a_helper_nothing_reaches_is_left_out_and_a_stage_keeps_an_import_it_relies_on():
    assert "helpers-1" not in _pruned("print(1)")
    kept = _pruned("print(re.escape('x'))")["helpers-1"]  # the stage uses re without importing it
    assert kept.strip().endswith("import re")


def _notebook(tmp_path, task, arch, **options):
    folder = generate(task, arch, kaggle_user="tester", out_dir=tmp_path, force=True, **options)
    nb = json.loads((folder / f"{folder.name}.ipynb").read_text())
    return "\n".join("".join(c["source"]) for c in nb["cells"]), nb["metadata"]["nbgen"]


def test_each_notebook_carries_its_own_tasks_discovery_and_the_input_readers_its_plan_needs(tmp_path):
    # A known competition of plain JPEGs: no archive or DICOM code, no other task's rules.
    code, meta = _notebook(tmp_path / "a", "classification", "efficientnet_b0",
                           competition="cassava-leaf-disease-classification")
    assert meta["input_groups"] == [] and "def discover_classification" in code
    for name in ("def unpack_inputs", "def decode_inputs", "def read_dicom", "def discover_segmentation",
                 "def discover_detection", "def infer_task"):
        assert name not in code, name
    assert "def prepare_inputs" in code and "def need(" in code
    # An unknown competition: every input group, still one task's rules.
    code, meta = _notebook(tmp_path / "b", "classification", "efficientnet_b0", competition="my-new-competition")
    assert meta["input_groups"] == "all" and "def unpack_inputs" in code and "def decode_inputs" in code
    assert "def discover_segmentation" not in code
    code, _ = _notebook(tmp_path / "c", "detection", "yolov8", competition="vinbigdata-chest-xray-abnormalities-detection")
    assert "def discover_detection" in code and "def decode_inputs" in code
    assert "def unpack_inputs" not in code and "def discover_classification" not in code
    assert "def find_study_table" not in code  # study rows are SIIM-COVID's: the study_labels group
    code, _ = _notebook(tmp_path / "d", "detection", "yolov8", competition="siim-covid19-detection")
    assert "def find_study_table" in code


def _parameter_names(tmp_path, task, arch, **options):
    folder = generate(task, arch, kaggle_user="tester", out_dir=tmp_path, force=True, **options)
    cell = next(c for c in json.loads((folder / f"{folder.name}.ipynb").read_text())["cells"] if c.get("id") == "parameters")
    return {line.split(":")[0] for line in "".join(cell["source"]).splitlines() if ":" in line and not line.startswith("#")}


def test_a_known_plan_leaves_out_the_parameters_that_cannot_apply_to_it(tmp_path):
    names = _parameter_names(tmp_path / "a", "classification", "efficientnet_b0",
                             competition="cassava-leaf-disease-classification")
    assert {"train_csv", "sample_csv", "id_col", "label_col", "group_col"} <= names
    for left_out in ("test_json", "test_csv", "aggregate", "folder_labels", "merge_val", "intensity_window"):
        assert left_out not in names, left_out
    # without a plan every override stays; a set one stays whatever the plan
    assert {"test_json", "test_csv", "folder_labels", "merge_val"} <= _parameter_names(
        tmp_path / "b", "classification", "efficientnet_b0", competition="my-new-competition")
    assert "test_json" in _parameter_names(tmp_path / "c", "classification", "efficientnet_b0",
                                           competition="cassava-leaf-disease-classification", overrides={"test_json": "t.json"})
    assert "test_json" in _parameter_names(tmp_path / "d", "classification", "efficientnet_b0",
                                                                 competition="herbarium-2020-fgvc7")
    assert "aggregate" in _parameter_names(tmp_path / "e", "classification", "efficientnet_b0",
                                           competition="rsna-breast-cancer-detection")
    wheat = _parameter_names(tmp_path / "f", "detection", "yolov8", competition="global-wheat-detection")
    assert "annotation_file" in wheat and not wheat & {"study_csv", "study_template", "study_names", "none_study_weight"}
    tgs = _parameter_names(tmp_path / "g", "segmentation", "unet", competition="tgs-salt-identification-challenge")
    assert "rle_col" in tgs and not tgs & {"mask_dir", "class_table", "merge_val", "tile_size"}


@pytest.mark.parametrize(("layout", "needs"), [
    ("csv", ()), ("filename_zip", ("archives", "conversions", "folder_labels")), ("folders", ("folder_labels",)),
    ("coco_json", ("conversions", "coco_labels")), ("vinbig_dicom", ("conversions",)), ("uw_madison", ("conversions", "rle_masks")),
    ("contrails", ("conversions", "mask_files", "val_split")), ("rsna_breast", ("conversions", "test_table")),
    ("siim_covid", ("conversions", "study_labels")), ("rsna_miccai", ("conversions", "volumes")),
    ("rsna_cervical", ("conversions", "volumes", "test_table")), ("cdiscount", ("conversions", "bson", "test_table")),
    ("vesuvius", ("conversions", "mask_files")), ("nifti_volumes", ("conversions", "volumes")), ("train_val", ("folder_labels", "val_split")), ("channel_files", ("conversions",)),
    ("chestxray_table", ("folder_labels",)), ("json_bands", ("archives", "conversions")), ("tgs", ("rle_masks",)),
    ("wheat", ()), ("mask_files", ("mask_files",)), ("labelme_polygons", ("mask_files", "polygon_masks")),
    ("coco", ("coco_boxes",)), ("voc", ("annotation_files",)), ("yolo_txt", ("annotation_files",))])
def test_a_data_folder_needs_the_groups_its_files_and_its_label_source_call_for(layout, needs, tmp_path):
    synth = make_competition(tmp_path / "data", layout)
    task, _, _, found = resolve_task("", "", data=str(synth.folder), overrides=synth.params)
    assert plan_needs(data=str(synth.folder), task=task, overrides={**found, **synth.params}) == needs


def test_known_competitions_name_only_known_input_groups():
    for known in known_competitions():
        assert set(known.needs) <= set(INPUT_GROUPS), known.slug


@pytest.mark.parametrize("known", known_competitions(), ids=lambda k: k.slug)
def test_a_known_competitions_needs_are_those_of_its_miniature(known, tmp_path):
    """competitions.toml's needs stand for the plan of the competition's data: they hold its miniature's (the real
    data may hold more, as SIIM-ISIC's DICOMs beside the JPEGs its notebook reads)."""
    synth = make_competition(tmp_path / "data", known.layout)
    given = {**known.params, **synth.params}
    needs = plan_needs(data=str(synth.folder), task=known.task, overrides=given)
    if "archives" in known.needs:  # a folder's archive may hold anything; a known one holds what the table says
        needs = set(needs) - {"conversions"}
    assert set(needs) <= set(known.needs), known.slug


@pytest.mark.smoke
def test_data_that_needs_left_out_code_stops_at_once_with_one_line(tmp_path):
    """A notebook generated for plain JPEGs, run on zipped images: it stops in its paths cell, before any training."""
    pytest.importorskip("papermill")
    from nbgen.smoke import SmokeError, run_smoke

    folder = generate("classification", "efficientnet_b0", competition="cassava-leaf-disease-classification",
                      kaggle_user="tester", out_dir=tmp_path / "gen")
    with pytest.raises(SmokeError) as err:
        run_smoke(folder / f"{folder.name}.ipynb", layout="filename_zip", out_dir=tmp_path / "runs")
    message = str(err.value)
    assert "LeftOutError" in message and "needs unpack_inputs()" in message and "nbgen new --data" in message
    executed = (tmp_path / "runs").glob("*/executed.ipynb")
    assert "fold 0" not in next(executed).read_text()


def test_every_name_called_through_need_is_a_helper_function_and_every_group_names_such_names():
    import importlib
    import re
    from pathlib import Path

    lib = Path(__file__).resolve().parent.parent / "templates" / "lib"
    named = {m for f in lib.glob("*.py") for m in re.findall(r'"(\w+\.\w+)"', f.read_text())
             if m.split(".")[0] in {p.stem for p in lib.glob("*.py")} and "_" in m.split(".")[1]}  # not tiles.json
    assert len(named) >= 20
    for name in named:
        module, function = name.split(".")
        assert callable(getattr(importlib.import_module(f"lib.{module}"), function, None)), name
    functions = {n.split(".")[1] for n in named}
    for group, names in INPUT_GROUPS.items():
        assert set(names) <= functions, group


def test_the_tables_the_generator_shares_with_the_helpers_agree():
    from lib import det_metrics, metrics, seg_metrics
    from nbgen.input_needs import METRIC_FUNCTIONS

    for task, code in (("classification", metrics.METRIC_CODE), ("detection", det_metrics.DET_METRIC_CODE),
                       ("segmentation", seg_metrics.SEG_METRIC_CODE)):
        assert {m: name.split(".")[1] for m, name in code.items()} == METRIC_FUNCTIONS[task], task
    from lib.discover_labels import OTHER_TABLE
    from nbgen import input_needs

    assert input_needs.OTHER_TABLE == OTHER_TABLE  # plan_groups knows a plan that found its table that way


def test_a_known_plan_carries_its_own_metric_and_an_unknown_one_every_metric(tmp_path):
    wheat, _ = _notebook(tmp_path / "a", "detection", "yolov8", competition="global-wheat-detection")
    assert "def wheat_score" in wheat
    assert not any(f"def {name}(" in wheat for name in ("coco_map", "voc_map", "point_f1"))
    cassava, _ = _notebook(tmp_path / "b", "classification", "efficientnet_b0",
                           competition="cassava-leaf-disease-classification")
    assert "def checked_metric" in cassava and "accuracy_score" in cassava
    assert not any(f"def {name}(" in cassava for name in ("kl_divergence", "cervical_log_loss", "probabilistic_f1"))
    tgs, _ = _notebook(tmp_path / "c", "segmentation", "unet", competition="tgs-salt-identification-challenge")
    assert "def dice_hausdorff" not in tgs and "VOLUME_PART" not in tgs and "metric_name = checked_seg_metric(metric)" in tgs
    uw, _ = _notebook(tmp_path / "d", "segmentation", "unet", competition="uw-madison-gi-tract-image-segmentation")
    assert "def dice_hausdorff" in uw and "VOLUME_PART" in uw
    # --set names the metric of an unknown competition too; a default does not
    hms, _ = _notebook(tmp_path / "e", "classification", "efficientnet_b0",
                       competition="hms-harmful-brain-activity-classification")
    assert "def kl_divergence" in hms and "def weighted_auc" not in hms
    unknown, _ = _notebook(tmp_path / "f", "detection", "yolov8", competition="my-new-competition")
    assert all(f"def {name}(" in unknown for name in ("coco_map", "voc_map", "wheat_score", "point_f1"))
    # --data: the metric discovery finds (HMS's vote counts: kl_divergence), with metric left on auto
    synth = make_competition(tmp_path / "hms", "hms")
    found, _ = _notebook(tmp_path / "g", "classification", "efficientnet_b0", competition="my-new-competition",
                         data=str(synth.folder), overrides={"metric": "auto"})
    assert "def kl_divergence" in found and "def weighted_auc" not in found


@pytest.mark.smoke
def test_a_metric_whose_code_was_left_out_stops_before_training_naming_the_set_that_brings_it_in(tmp_path):
    pytest.importorskip("papermill")
    from nbgen.smoke import SmokeError, run_smoke

    folder = generate("classification", "efficientnet_b0", competition="cassava-leaf-disease-classification",
                      kaggle_user="tester", out_dir=tmp_path / "gen")
    with pytest.raises(SmokeError) as err:
        run_smoke(folder / f"{folder.name}.ipynb", layout="csv", out_dir=tmp_path / "runs", parameters={"metric": "pf1"})
    message = str(err.value)
    assert "metric='pf1' needs probabilistic_f1()" in message and "--set metric=pf1" in message
    assert "fold 0" not in next((tmp_path / "runs").glob("*/executed.ipynb")).read_text()
