import pytest

from nbgen.errors import UnknownArchError, UnknownTaskError
from nbgen.registry import SMP_ARCHITECTURES, get_arch, get_task, list_archs, list_tasks

timm = pytest.importorskip("timm")


def test_every_preset_names_a_real_timm_model():
    for arch in list_archs("classification"):
        assert timm.is_model(arch.model), arch.key
        assert timm.is_model(arch.smoke_model), arch.key


def test_every_segmentation_preset_names_a_real_smp_model_and_encoder():
    smp = pytest.importorskip("segmentation_models_pytorch")
    native = set(smp.encoders.get_encoder_names())
    archs = list_archs("segmentation")
    assert {a.model for a in archs} >= {"Unet", "UnetPlusPlus", "FPN", "DeepLabV3Plus", "Segformer", "UPerNet"}
    for arch in archs:
        assert arch.model in SMP_ARCHITECTURES and hasattr(smp, arch.model), arch.key
        for encoder in (arch.params["encoder_name"], arch.smoke_model):
            assert timm.is_model(encoder[3:]) if encoder.startswith("tu-") else encoder in native, (arch.key, encoder)
        assert arch.params["img_height"] % 32 == 0 and arch.params["img_width"] % 32 == 0


def test_segmentation_takes_any_smp_architecture_name():
    plain = get_arch("segmentation", "manet")
    assert plain.model == "MAnet" and not plain.preset and plain.license.startswith("MIT")
    with pytest.raises(UnknownArchError, match="did you mean 'unet'.*smp architecture: Unet, UnetPlusPlus"):
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
    assert [t.name for t in list_tasks()] == ["classification", "segmentation", "detection"]
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
