"""Each known competition's notebook, generated from its slug alone, runs on its synthetic miniature.

The notebook carries only the input readers its table entry's `needs` name: a wrong entry fails here, in the
paths cell, with the one-line stop a user would meet on Kaggle. CI runs one entry per input group and the
committed examples' competitions; the others run with `python -m pytest -m slow`.
"""

import pytest

from nbgen import generate
from nbgen.competitions import known_competitions
from nbgen.synth import LAYOUTS

pytestmark = pytest.mark.smoke
ARCH = {"classification": "efficientnet_b0", "segmentation": "unet", "detection": "yolov8", "image2image": "Unet",
        "image2text": "resnet34-text"}
CI = ("cassava-leaf-disease-classification", "tgs-salt-identification-challenge", "global-wheat-detection",
      "dogs-vs-cats-redux-kernels-edition", "vinbigdata-chest-xray-abnormalities-detection",
      "statoil-iceberg-classifier-challenge", "severstal-steel-defect-detection",
      "hms-harmful-brain-activity-classification", "rsna-miccai-brain-tumor-radiogenomic-classification",
      "rsna-2022-cervical-spine-fracture-detection", "cdiscount-image-classification-challenge",
      "vesuvius-challenge-ink-detection", "bms-molecular-translation")
WITH_MINIATURE = [k for k in known_competitions() if k.layout]


def test_every_known_competition_has_a_miniature_of_its_own():
    assert all(k.layout in LAYOUTS for k in WITH_MINIATURE) and len(WITH_MINIATURE) == len(known_competitions())
    assert set(CI) <= {k.slug for k in WITH_MINIATURE}


@pytest.mark.parametrize("known", [pytest.param(k, id=k.slug, marks=() if k.slug in CI else pytest.mark.slow)
                                   for k in WITH_MINIATURE])
def test_a_known_competitions_notebook_from_its_slug_alone_runs_on_its_miniature(known, tmp_path):
    pytest.importorskip("papermill")
    from nbgen.smoke import run_smoke

    folder = generate(known.task, ARCH[known.task], competition=known.slug, kaggle_user="tester", out_dir=tmp_path / "gen")
    notebook = folder / f"{folder.name}.ipynb"
    text = notebook.read_text()
    assert ("def unpack_inputs" in text) == ("archives" in known.needs)
    assert ("def decode_inputs" in text) == ("conversions" in known.needs)
    result = run_smoke(notebook, out_dir=tmp_path / "runs")  # the layout: the competition's own miniature
    assert result.synth is not None and result.synth.layout == known.layout
    assert result.submission_rows > 0 and result.cv


def test_volume_slices_mode_feeds_each_slice_through_the_2d_model(tmp_path):
    """volume_mode='slices' on RSNA-MICCAI: four sequences as the channels of each of 16 slices, features averaged
    over depth; the notebook trains and writes its submission as in the default 'channels' mode."""
    pytest.importorskip("papermill")
    from nbgen.smoke import run_smoke

    folder = generate("classification", "efficientnet_b0", competition="rsna-miccai-brain-tumor-radiogenomic-classification",
                      kaggle_user="tester", out_dir=tmp_path / "gen", overrides={"volume_mode": "slices"})
    notebook = folder / f"{folder.name}.ipynb"
    assert "class SliceModel" in notebook.read_text()
    result = run_smoke(notebook, out_dir=tmp_path / "runs")
    assert result.submission_rows == len(result.synth.test_ids) and result.cv
    executed = (result.work_dir.parent / "executed.ipynb").read_text()
    assert "16 slices of 4 channels each through the 2D model" in executed
