"""Shared fixtures: helper modules importable as `lib.*`, freshly generated notebooks."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "templates"))  # `import lib.metrics` etc.


def _generated(tmp_path_factory, task, arch, competition):
    """A notebook generated from the current templates (smoke runs swap in the family's tiny model)."""
    from nbgen import generate

    folder = generate(task, arch, competition=competition, kaggle_user="tester", out_dir=tmp_path_factory.mktemp("gen"))
    return folder / f"{folder.name}.ipynb"


@pytest.fixture(scope="session")
def classification_notebook(tmp_path_factory):
    return _generated(tmp_path_factory, "classification", "efficientnet_b0", "my-image-competition")


@pytest.fixture(scope="session")
def segmentation_notebook(tmp_path_factory):
    return _generated(tmp_path_factory, "segmentation", "unet", "my-segmentation-competition")
