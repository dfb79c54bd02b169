"""The committed example notebooks in generated/: regenerate them with `python -m nbgen.examples`."""

from __future__ import annotations

import sys
from pathlib import Path

from nbgen.generator import generate

# Classification with small and large timm models, segmentation with per-class and per-instance RLE,
# detection with both families and both PredictionString formats.
EXAMPLES = [
    {"task": "classification", "arch": "convnextv2_tiny", "competition": "cassava-leaf-disease-classification"},
    {"task": "classification", "arch": "efficientnet_b0", "competition": "plant-pathology-2020-fgvc7"},
    {
        "task": "classification",
        "arch": "eva02_large",
        "competition": "siim-isic-melanoma-classification",
    },
    {"task": "segmentation", "arch": "unet", "competition": "severstal-steel-defect-detection",
     "overrides": {"img_height": "256", "img_width": "1600", "batch_size": "8"}},
    {
        "task": "segmentation",
        "arch": "segformer",
        "competition": "airbus-ship-detection",
        "overrides": {"vflip_p": "0.5", "tta_views": "orig,hflip,vflip,rot90"},
    },
    {"task": "detection", "arch": "yolov8", "competition": "global-wheat-detection",
     "overrides": {"conf_threshold": "0.4", "flipud": "0.5", "tta_views": "orig,hflip,vflip",
                   "group_col": "source"}},
    {"task": "detection", "arch": "fasterrcnn", "competition": "vinbigdata-chest-xray-abnormalities-detection"},
    {"task": "detection", "arch": "yolov8", "competition": "siim-covid19-detection"},
    {"task": "segmentation", "arch": "unet", "competition": "tgs-salt-identification-challenge"},
    {"task": "classification", "arch": "efficientnet_b0", "competition": "dogs-vs-cats-redux-kernels-edition"},
    {"task": "image2image", "arch": "Unet", "competition": "denoising-dirty-documents"},
]
EXAMPLE_USER = "nbgen"


def write_examples(out_dir: Path) -> list[Path]:
    """Generate every example into `out_dir`, replacing what is there."""
    return [
        generate(**example, kaggle_user=EXAMPLE_USER, out_dir=out_dir, force=True)  # type: ignore[arg-type]
        for example in EXAMPLES
    ]


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent.parent / "generated"
    for folder in write_examples(target):
        print(f"wrote {folder}")
