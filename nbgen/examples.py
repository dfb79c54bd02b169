"""The committed example notebooks in generated/: regenerate them with `python -m nbgen.examples`."""

from __future__ import annotations

import sys
from pathlib import Path

from nbgen.generate import generate

# One small and one large timm architecture, for real competitions with different layouts.
EXAMPLES = [
    {"task": "classification", "arch": "convnextv2_tiny", "competition": "cassava-leaf-disease-classification"},
    {"task": "classification", "arch": "efficientnet_b0", "competition": "plant-pathology-2020-fgvc7"},
    {
        "task": "classification",
        "arch": "eva02_large",
        "competition": "siim-isic-melanoma-classification",
        "overrides": {"group_col": "patient_id", "metric": "roc_auc"},
    },
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
