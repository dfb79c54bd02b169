import json

import pytest

from nbgen import generate
from nbgen.errors import InvalidValueError, OutputExistsError
from nbgen.kaggle import (
    check_competition,
    check_model_source,
    check_title,
    default_title,
    kernel_metadata,
    slugify,
)


def test_slugify_matches_kaggle():
    assert slugify("Cassava Leaf: ConvNeXt V2 (tiny)") == "cassava-leaf-convnext-v2-tiny"


@pytest.mark.parametrize("title", ["abc", "x" * 51, "Bad \"quote\" title", "new\nline title", "{{ code }} title", "a - -"])
def test_bad_titles(title):
    with pytest.raises(InvalidValueError, match="--title"):
        check_title(title)


@pytest.mark.parametrize("slug", ["Global Wheat", "a\"b", "x;rm -rf", "c/global-wheat-detection"])
def test_bad_competition_slugs(slug):
    with pytest.raises(InvalidValueError, match="--competition"):
        check_competition(slug)


def test_model_source_needs_four_slashes_and_integer_version():
    assert check_model_source("timm/convnextv2/pyTorch/tiny/1")
    for bad in ("timm/convnextv2/pyTorch/tiny", "timm/convnextv2/pyTorch/tiny/v1"):
        with pytest.raises(InvalidValueError):
            check_model_source(bad)


def test_default_title_fits_kaggle_limit():
    title = default_title("classification", "tf_efficientnetv2_m", "siim-isic-melanoma-classification-extra-long")
    assert 5 <= len(title) <= 50 and title.endswith("tf efficientnetv2 m")


def test_metadata_fields():
    meta = kernel_metadata(user="alice", title="Cassava convnextv2 tiny", code_file="x.ipynb",
                           competition="cassava-leaf-disease-classification", datasets=["alice/weights"],
                           models=["timm/convnextv2/pyTorch/tiny/1"])
    assert meta["id"] == "alice/cassava-convnextv2-tiny"
    assert meta["enable_internet"] is False and meta["machine_shape"] == "NvidiaTeslaT4"
    assert meta["language"] == "python" and meta["kernel_type"] == "notebook" and meta["is_private"] is True
    assert meta["competition_sources"] == ["cassava-leaf-disease-classification"]
    assert meta["dataset_sources"] == ["alice/weights"] and meta["model_sources"] == ["timm/convnextv2/pyTorch/tiny/1"]


def test_generate_writes_metadata_and_model_mount(tmp_path):
    folder = generate("classification", "convnextv2_tiny", competition="cassava-leaf-disease-classification",
                      kaggle_user="alice", model_source="timm/convnextv2/pyTorch/tiny/1", out_dir=tmp_path)
    meta = json.loads((folder / "kernel-metadata.json").read_text())
    assert (folder / meta["code_file"]).is_file()
    assert meta["id"] == f"alice/{folder.name}" and meta["id"].split("/")[1] == slugify(meta["title"])
    assert "/kaggle/input/models/timm/convnextv2/pyTorch/tiny/1" in (folder / meta["code_file"]).read_text()


def test_existing_folder_needs_force(tmp_path):
    folder = generate("classification", "resnet18", title="My resnet run", kaggle_user="tester", out_dir=tmp_path)
    marker = folder / "notes.txt"
    marker.write_text("mine")
    with pytest.raises(OutputExistsError, match="--force"):
        generate("classification", "resnet18", title="My resnet run", kaggle_user="tester", out_dir=tmp_path)
    assert marker.read_text() == "mine"
    generate("classification", "resnet18", title="My resnet run", kaggle_user="tester", out_dir=tmp_path, force=True)
    assert not marker.exists() and (folder / "kernel-metadata.json").exists()
