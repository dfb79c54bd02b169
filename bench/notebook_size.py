"""Code lines of generated notebooks, all and visible (not hidden as helpers): `python bench/notebook_size.py`.

Counts the committed examples in generated/ and a notebook generated with `--task classification` for an
unknown slug, beside the targets a reader's notebook is held to.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nbgen.generator import generate  # noqa: E402

# notebook folder -> (target for all code lines, target for visible code lines); None: no target
TARGETS = {"cassava-leaf-disease-convnextv2-tiny": (1500, 700), "tgs-salt-identification-challenge-unet": (1700, 800),
           "global-wheat-detection-yolov8": (1500, 700), "unknown-slug-classification": (None, 700)}


def code_lines(notebook: Path) -> tuple[int, int]:
    """(code lines in every code cell, code lines in the cells not hidden as helpers)."""
    cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    lines = [(len("".join(c["source"]).splitlines()), bool(c["metadata"].get("_kg_hide-input"))) for c in cells]
    return sum(n for n, _ in lines), sum(n for n, hidden in lines if not hidden)


def main() -> None:
    notebooks = {p.parent.name: p for p in sorted((ROOT / "generated").glob("*/*.ipynb"))}
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate("classification", "convnextv2_tiny", competition="my-new-competition", kaggle_user="bench",
                          title="unknown slug classification", out_dir=tmp)
        notebooks["unknown-slug-classification"] = folder / f"{folder.name}.ipynb"
        print(f"{'notebook':55} {'all':>6} {'visible':>8}   targets (all / visible)")
        for name, path in notebooks.items():
            total, visible = code_lines(path)
            target = TARGETS.get(name)
            shown = f"<= {target[0] or 'any'} / <= {target[1]}" if target else ""
            print(f"{name:55} {total:6} {visible:8}   {shown}")


if __name__ == "__main__":
    main()
