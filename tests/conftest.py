"""Shared fixtures: helper modules importable as `lib.*`, a freshly generated notebook."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "templates"))  # `import lib.metrics` etc.


@pytest.fixture(scope="session")
def classification_notebook(tmp_path_factory):
    """A notebook generated from the current templates (smoke runs swap in the tiny model)."""
    from nbgen import generate

    folder = generate(
        "classification", "efficientnet_b0", competition="cassava-leaf-disease-classification",
        kaggle_user="tester", out_dir=tmp_path_factory.mktemp("gen"),
    )
    return folder / f"{folder.name}.ipynb"


@pytest.fixture(scope="session")
def segmentation_notebook(tmp_path_factory):
    """A U-Net notebook generated from the current templates (smoke runs swap in a tiny encoder)."""
    from nbgen import generate

    folder = generate(
        "segmentation", "unet", competition="severstal-steel-defect-detection",
        kaggle_user="tester", out_dir=tmp_path_factory.mktemp("gen"),
    )
    return folder / f"{folder.name}.ipynb"
