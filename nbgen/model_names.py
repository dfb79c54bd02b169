"""Model names the light CLI checks without importing timm or smp: `python -m nbgen.model_names` regenerates them.

The list is package data (model_names.json) written from the installed, pinned timm and
segmentation-models-pytorch; a test fails when it no longer matches them.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

NAMES_FILE = Path(__file__).with_name("model_names.json")


@lru_cache(maxsize=1)
def model_names() -> dict[str, Any]:
    """{"timm": {"version", "models"}, "smp": {"version", "architectures", "encoders"}} as shipped."""
    return json.loads(NAMES_FILE.read_text())


def timm_models() -> frozenset[str]:
    return frozenset(model_names()["timm"]["models"])


def smp_encoders() -> frozenset[str]:
    return frozenset(model_names()["smp"]["encoders"])


def smp_architectures() -> tuple[str, ...]:
    return tuple(model_names()["smp"]["architectures"])


def current_names() -> dict[str, Any]:
    """The names the installed libraries know (imports timm and smp: seconds)."""
    import segmentation_models_pytorch as smp
    import timm

    architectures = sorted(smp.MODEL_ARCHITECTURES_MAPPING.values(), key=lambda c: c.__name__)
    return {
        "timm": {"version": timm.__version__, "models": sorted(timm.list_models())},
        "smp": {"version": smp.__version__, "architectures": [c.__name__ for c in architectures],
                "encoders": sorted(smp.encoders.get_encoder_names())},
    }


if __name__ == "__main__":
    NAMES_FILE.write_text(json.dumps(current_names(), indent=0, sort_keys=True) + "\n")
    names = model_names.__wrapped__()
    print(f"wrote {NAMES_FILE}: {len(names['timm']['models'])} timm models (timm {names['timm']['version']}), "
          f"{len(names['smp']['encoders'])} smp encoders (smp {names['smp']['version']})", file=sys.stderr)
