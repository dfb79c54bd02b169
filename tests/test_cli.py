"""The CLI: bad input gives one line naming the value and the fix, exit 2, nothing written."""

import json
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from nbgen.cli import app

runner = CliRunner()
BASE = ["new", "--task", "classification", "--arch", "resnet18", "--kaggle-user", "tester"]


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["new", "--task", "clasification", "--arch", "resnet18"], "did you mean 'classification'"),
        (["new", "--task", "classification", "--arch", "resnet5O"], "unknown classification architecture"),
        ([*BASE, "--set", "epoch=3"], "did you mean 'epochs'"),
        ([*BASE, "--set", "epochs=three"], "epochs is int"),
        ([*BASE, "--title", "abc"], "5 to 50"),
        ([*BASE, "--title", "ok title\"); import os #"], "--title"),
        ([*BASE, "--competition", "evil\"slug"], "not a competition slug"),
        ([*BASE, "--set", "label_col=a\"b"], "quotes, backslashes"),
        ([*BASE, "--kaggle-user", "bad user"], "--kaggle-user"),
        ([*BASE, "--model-source", "timm/x"], "--model-source"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(args, fragment, tmp_path):
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_new_then_existing_folder(tmp_path):
    args = [*BASE, "--competition", "cassava-leaf-disease-classification", "--out", str(tmp_path)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0 and "wrote" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_list_shows_presets_and_params():
    out = runner.invoke(app, ["list", "convnextv2"]).output
    assert "convnextv2_tiny" in out and "img_size=384" in out and "efficientnet_b0" not in out
    assert "tta_views: str" in runner.invoke(app, ["list", "--params"]).output


def test_cli_does_not_import_heavy_libraries():
    code = ("import sys; import nbgen.cli; from nbgen.generator import generate; "
            "print(sorted(m for m in ('torch', 'timm', 'albumentations', 'papermill') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


def test_inspect_prints_the_plan_with_sources(tmp_path):
    from nbgen.synth import make_competition

    synth = make_competition(tmp_path / "data", "tgs")
    result = runner.invoke(app, ["inspect", str(synth.folder)])
    assert result.exit_code == 0, result.output
    assert re.search(r"^train_image_dir +train/images +<- ", result.output, re.M)
    assert re.search(r"^column +rle_mask: RLE mask$", result.output, re.M)  # every sample column explained
    assert re.search(r"^file +depths.csv: ignored: a table the plan does not read \(columns id, z\)$", result.output, re.M)
    as_json = json.loads(runner.invoke(app, ["inspect", str(synth.folder), "--json"]).output)
    assert as_json["entries"]["task"]["value"] == "segmentation"
    assert as_json["entries"]["rle_col"] == {"value": "rle_mask", "source": "train.csv: column named like RLE"}


def test_inspect_and_new_stop_on_ambiguity_and_write_nothing(tmp_path):
    from nbgen.synth import make_competition

    synth = make_competition(tmp_path / "data", "folders_binary")
    for args in (["inspect", str(synth.folder)], ["new", "--data", str(synth.folder), "--out", str(tmp_path / "out")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "folder_labels" in lines[0], result.output
    assert not (tmp_path / "out").exists()
    settled = runner.invoke(app, ["new", "--data", str(synth.folder), "--set", "folder_labels=Cover:0,JMiPOD:1,UERD:1",
                                  "--out", str(tmp_path / "out"), "--kaggle-user", "tester"])
    assert settled.exit_code == 0, settled.output
    notebook = next((tmp_path / "out").rglob("*.ipynb"))
    assert json.loads(notebook.read_text())["metadata"]["nbgen"]["task"] == "classification"
    assert "folder_labels: str = 'Cover:0,JMiPOD:1,UERD:1'" in notebook.read_text()


def test_new_from_data_alone_picks_task_and_default_arch(tmp_path):
    from nbgen.synth import make_competition

    synth = make_competition(tmp_path / "data", "coco_dir")
    result = runner.invoke(app, ["new", "--data", str(synth.folder), "--out", str(tmp_path / "out"), "--kaggle-user", "tester"])
    assert result.exit_code == 0, result.output
    assert "note: " in result.output and "annotations" in result.output
    meta = json.loads(next((tmp_path / "out").rglob("*.ipynb")).read_text())["metadata"]["nbgen"]
    assert (meta["task"], meta["arch"]) == ("detection", "yolov8")


def test_new_from_a_known_competition_alone(tmp_path):
    result = runner.invoke(app, ["new", "--competition", "tgs-salt-identification-challenge", "--out", str(tmp_path),
                                 "--kaggle-user", "tester"])
    assert result.exit_code == 0, result.output
    text = next(tmp_path.rglob("*.ipynb")).read_text()
    assert "train_image_dir: str = 'train/images'" in text and "metric: str = 'iou_sweep'" in text
    unknown = runner.invoke(app, ["new", "--competition", "my-own-thing", "--out", str(tmp_path / "x")])
    assert unknown.exit_code == 2 and "--task" in unknown.output and "--data" in unknown.output


def test_every_known_competition_generates(tmp_path):
    from nbgen.competitions import known_competitions
    from nbgen.config import param_specs, parse_value
    from nbgen.generator import generate, resolve_task

    for known in known_competitions():
        task, arch, _, _ = resolve_task("", "", known.slug)
        folder = generate(task, arch, competition=known.slug, kaggle_user="tester", out_dir=tmp_path)
        text = (folder / f"{folder.name}.ipynb").read_text()
        cell = next(c for c in json.loads(text)["cells"] if c["id"] == "parameters")
        lines = [line for line in cell["source"] if ": " in line]
        specs = {spec.name: spec for spec in param_specs(task)}
        for name, value in known.params.items():
            literal = repr(parse_value(specs[name], value))
            assert any(re.match(rf"{name}: \w+ = {re.escape(literal)}\s+#", line) for line in lines), (known.slug, name)


def test_inspect_needs_only_the_standard_library(tmp_path):
    from nbgen.synth import make_competition

    synth = make_competition(tmp_path / "data", "zip_flat")  # archives listed without unpacking
    code = (f"import sys; from nbgen.discovery import inspect_folder; inspect_folder({str(synth.folder)!r}); "
            "print(sorted(m for m in ('numpy', 'pandas', 'cv2', 'PIL', 'torch') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


def test_the_competitions_not_supported_yet_are_listed_and_stopped_with_their_reason(tmp_path):
    from nbgen.competitions import known_competitions, unsupported_competitions

    unsupported = unsupported_competitions()
    # With the known ones, the 46 image competitions of COMPETITIONS.md: each either generates or says why not.
    assert len(unsupported) == 4 and not set(unsupported) & {k.slug for k in known_competitions()}
    listed = runner.invoke(app, ["list"])
    assert listed.exit_code == 0 and all(f"  {slug}: {why}" in listed.output for slug, why in unsupported.items())
    for slug, kind in (("nfl-player-contact-detection", "video"), ("3d-object-detection-for-autonomous-vehicles", "lidar"),
                       ("osic-pulmonary-fibrosis-progression", "curve")):
        result = runner.invoke(app, ["new", "--competition", slug, "--out", str(tmp_path / "x")])
        assert result.exit_code == 2 and result.output.startswith("error:") and kind in result.output
        assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "x").exists()
