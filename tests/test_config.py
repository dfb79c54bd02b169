import pytest

from nbgen.config import build_params, param_specs, parse_overrides
from nbgen.errors import ParameterError
from nbgen.registry import get_arch

ARCH = get_arch("classification", "efficientnet_b0")


def test_merge_order_defaults_then_preset_then_user():
    defaults = {s.name: s.default for s in param_specs("classification")}
    params = build_params("classification", ARCH, "comp-x", {"lr": "0.01", "epochs": "3"})
    assert params["img_size"] == ARCH.params["img_size"] != defaults["img_size"]  # preset beats default
    assert params["lr"] == 0.01 and params["epochs"] == 3  # user beats preset, typed
    assert params["model_name"] == ARCH.model and params["competition"] == "comp-x"
    assert params["weight_decay"] == defaults["weight_decay"]


def test_params_are_read_only():
    params = build_params("classification", ARCH, "")
    with pytest.raises(TypeError):
        params["lr"] = 1.0  # type: ignore[index]


@pytest.mark.parametrize("raw, expected", [("true", True), ("False", False), ("1", True), ("no", False)])
def test_bool_words(raw, expected):
    assert build_params("classification", ARCH, "", {"smoke": raw})["smoke"] is expected


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"epoch": "3"}, "unknown parameter 'epoch' (did you mean 'epochs'"),
        ({"epochs": "ten"}, "epochs is int; write e.g. --set epochs=3"),
        ({"lr": "fast"}, "lr is float"),
        ({"lr": "nan"}, "finite"),
        ({"smoke": "maybe"}, "smoke is bool"),
        ({"metric": "acuracy"}, "did you mean 'accuracy'"),
        ({"tta_views": "orig,spin"}, "'spin' in tta_views is not one of"),
        ({"label_col": "x'); import os; os.system('rm -rf /"}, "quotes, backslashes and control characters"),
        ({"id_col": "a\nb"}, "not allowed"),
    ],
)
def test_bad_overrides_name_the_value_and_fix(overrides, message):
    with pytest.raises(ParameterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_params("classification", ARCH, "", overrides)


def test_parse_overrides():
    assert parse_overrides(["a=1", "b = x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(ParameterError, match="not name=value"):
        parse_overrides(["epochs"])


def test_every_preset_override_is_a_declared_parameter():
    from nbgen.registry import list_archs

    for arch in list_archs():
        build_params(arch.task, arch, "")  # raises on an unknown or mistyped preset value
