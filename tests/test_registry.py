import pytest

from nbgen.errors import UnknownArchError, UnknownTaskError
from nbgen.model_names import smp_architectures
from nbgen.registry import get_arch, get_task, list_archs, list_tasks

timm = pytest.importorskip("timm")


def test_every_preset_names_a_real_timm_model():
    for arch in list_archs("classification"):
        assert timm.is_model(arch.model), arch.key
        assert timm.is_model(arch.smoke_model), arch.key


def test_every_segmentation_preset_names_a_real_smp_model_and_encoder():
    smp = pytest.importorskip("segmentation_models_pytorch")
    native = set(smp.encoders.get_encoder_names())
    archs = [a for a in list_archs("segmentation") if a.family == "smp"]
    assert {a.model for a in archs} >= {"Unet", "UnetPlusPlus", "FPN", "DeepLabV3Plus", "Segformer", "UPerNet"}
    for arch in archs:
        assert arch.model in smp_architectures() and hasattr(smp, arch.model), arch.key
        for encoder in (arch.params["encoder_name"], arch.smoke_model):
            assert timm.is_model(encoder[3:]) if encoder.startswith("tu-") else encoder in native, (arch.key, encoder)
        assert arch.params["img_height"] % 32 == 0 and arch.params["img_width"] % 32 == 0


def test_transformers_presets_name_models_of_families_the_notebooks_build():
    from lib.hf_models import model_type
    from lib.hf_segmentation import seg_model_type

    hf = [a for a in list_archs() if a.family == "transformers"]
    assert {a.key for a in hf} == {"rtdetr-v2", "rtdetr-v2-r50", "deformable-detr", "detr", "mask2former", "segformer-hf"}
    for arch in hf:
        kind = model_type if arch.task == "detection" else seg_model_type
        assert kind(arch.model) == kind(arch.smoke_model.removeprefix("tiny-")), arch.key
        assert arch.license.startswith("Apache-2.0 (transformers"), arch.key


def test_segmentation_takes_any_smp_architecture_name():
    plain = get_arch("segmentation", "manet")
    assert plain.model == "MAnet" and not plain.preset and plain.license.startswith("MIT")
    with pytest.raises(UnknownArchError, match="did you mean .unet.*smp architecture: DPT, .*Unet, UnetPlusPlus"):
        get_arch("segmentation", "uent")


def test_seed_families_are_presets():
    keys = {a.key for a in list_archs()}
    for prefix in ("efficientnet_b", "tf_efficientnetv2_", "convnextv2_", "vit_large_patch16_", "swinv2_",
                   "eva02_", "maxvit_", "resnet", "test_"):
        assert any(k.startswith(prefix) for k in keys), prefix
    assert {f"efficientnet_b{i}" for i in range(8)} <= keys


def test_list_archs_filters_by_pattern():
    assert {a.key for a in list_archs("convnextv2")} == {"convnextv2_nano", "convnextv2_tiny", "convnextv2_base",
                                                         "convnextv2_large"}
    assert list_archs("eva02_l*")[0].key == "eva02_large"
    assert {a.task for a in list_archs("classification")} == {"classification"}
    assert {a.key for a in list_archs("unet*")} == {"unet", "unet-resnet34", "unet-convnext", "unetplusplus"}


def test_preset_and_plain_timm_name():
    preset = get_arch("classification", "convnextv2_tiny")
    assert preset.preset and preset.model.startswith("convnextv2_tiny.") and preset.params["img_size"] == 384
    plain = get_arch("classification", "regnety_040")
    assert not plain.preset and plain.model == "regnety_040" and dict(plain.params) == {}


def test_unknown_arch_suggests_close_names():
    with pytest.raises(UnknownArchError, match="did you mean 'convnextv2_tiny'"):
        get_arch("classification", "convnextv2_tinny")


def test_unknown_and_planned_tasks():
    assert [t.name for t in list_tasks()] == ["classification", "segmentation", "detection", "image2image", "image2text"]
    with pytest.raises(UnknownTaskError, match="did you mean 'classification'"):
        get_task("clasification")


def test_detection_presets_cover_both_families_with_their_licences():
    archs = {a.key: a for a in list_archs("detection")}
    for key in ("yolov8", "yolov9", "yolov10", "yolo11", "rtdetr-l", "rtdetr-x"):
        assert archs[key].family == "ultralytics" and archs[key].license.startswith("AGPL-3.0"), key
    assert {f"yolov8{s}" for s in "nsmlx"} <= set(archs)
    assert archs["yolov8"].model == "yolov8s.pt"  # a sensible default size
    for key in ("fasterrcnn", "retinanet", "fcos"):
        assert archs[key].family == "torchvision" and archs[key].license.startswith("BSD-3-Clause"), key
    with pytest.raises(UnknownArchError, match="unknown detection architecture 'yolov7'.*'yolov8'.*use a preset: yolov8, "):
        get_arch("detection", "yolov7")


def test_every_torchvision_preset_names_a_builder():
    detection = pytest.importorskip("torchvision.models.detection")
    for arch in list_archs("detection"):
        if arch.family == "torchvision":
            assert callable(getattr(detection, arch.model)) and callable(getattr(detection, arch.smoke_model)), arch.key


def test_shipped_model_names_match_the_installed_libraries():
    pytest.importorskip("timm")
    pytest.importorskip("segmentation_models_pytorch")
    from nbgen.model_names import current_names, model_names

    assert current_names() == model_names(), "stale: run `python -m nbgen.model_names` and commit nbgen/model_names.json"


LIGHT = ("import sys\n"
         "for name in ('timm', 'segmentation_models_pytorch', 'torch'):\n"
         "    sys.modules[name] = None  # unimportable, as in the light install\n"
         "from nbgen.cli import main\n"
         "sys.argv = ['nbgen', *sys.argv[1:]]\n"
         "main()\n")


@pytest.mark.parametrize("args, fragment", [
    (["--task", "classification", "--arch", "resnet5O"], "did you mean 'resnet50'"),
    (["--task", "classification", "--arch", "RetinaNet"], "'RetinaNet' is a detection architecture"),
    (["--task", "segmentation", "--arch", "Unet", "--set", "encoder_name=tu-resnet5O"], "did you mean 'tu-resnet50'"),
    (["--task", "segmentation", "--arch", "UNett"], "did you mean 'Unet'"),
])
def test_light_install_refuses_unknown_names_without_timm(args, fragment, tmp_path):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", LIGHT, "new", *args, "--out", str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], proc.stderr
    assert not any(tmp_path.iterdir())


def test_co_detr_is_named_as_unavailable_with_the_reason(tmp_path):
    from typer.testing import CliRunner

    from nbgen.cli import app

    listed = CliRunner().invoke(app, ["list", "detection"]).output
    assert "co-detr                  not available: every Co-DETR implementation" in listed
    assert "PyPI serves mmcv (2.1.0, 2.2.0) and mmcv-full (1.7.2) as source only" in listed
    result = CliRunner().invoke(app, ["new", "--task", "detection", "--arch", "co-detr", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "'co-detr' is not available" in result.output and "rtdetr-l" in result.output
    assert not any(tmp_path.iterdir())
