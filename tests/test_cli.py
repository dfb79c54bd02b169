"""The CLI: bad input gives one line naming the value and the fix, exit 2, nothing written."""

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
    code = ("import sys; import nbgen.cli; from nbgen.generate import generate; "
            "print(sorted(m for m in ('torch', 'timm', 'albumentations', 'papermill') if m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"
