"""generated/ is what `python -m nbgen.examples` writes today, and every notebook passes ruff."""

import subprocess
import sys
from pathlib import Path

from nbgen.examples import write_examples

GENERATED = Path(__file__).resolve().parent.parent / "generated"


def test_generated_examples_are_fresh(tmp_path):
    write_examples(tmp_path)
    fresh = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    committed = sorted(p.relative_to(GENERATED) for p in GENERATED.rglob("*") if p.is_file())
    assert fresh == committed, "run `python -m nbgen.examples` and commit generated/"
    for rel in fresh:
        assert (tmp_path / rel).read_bytes() == (GENERATED / rel).read_bytes(), f"{rel} is stale: run `python -m nbgen.examples`"


def test_ruff_passes_on_generated_notebooks(tmp_path):
    write_examples(tmp_path)
    notebooks = sorted(str(p) for p in tmp_path.rglob("*.ipynb"))
    cmd = [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(GENERATED.parent / "pyproject.toml")]
    result = subprocess.run([*cmd, *notebooks], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_examples_cover_a_small_and_a_large_model():
    from nbgen.examples import EXAMPLES

    archs = {e["arch"] for e in EXAMPLES}
    assert "efficientnet_b0" in archs and "eva02_large" in archs
