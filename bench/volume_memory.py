"""Peak memory of converting DICOM slice series to volumes, for few and for many studies: `python bench/volume_memory.py`.

Each study is read, resampled and written on its own, so the peak should not grow with the number of studies. Each
run is a fresh process (one worker) converting the RSNA-MICCAI miniature of N cases; the ratio compares the peaks.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUN = """
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {templates!r})
from lib import decode
started = time.time()
decode.decode_inputs(Path({data!r}), Path({work!r}), workers=1, progress=False, volume_depth=16, volume_size=128)
print(json.dumps({{"peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "seconds": time.time() - started}}))
"""


def convert(cases: int, tmp: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    from nbgen.synth import make_competition

    data = make_competition(tmp / f"data{cases}", "rsna_miccai", n_train=cases, n_test=2).folder
    code = RUN.format(templates=str(ROOT / "templates"), data=str(data), work=str(tmp / f"work{cases}"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        few, many = convert(8, Path(tmp)), convert(48, Path(tmp))
    print(f"{'studies':>8} {'peak MB':>9} {'seconds':>8}")
    for n, row in ((10, few), (50, many)):
        print(f"{n:>8} {row['peak_mb']:>9.0f} {row['seconds']:>8.1f}")
    print(f"peak ratio, 50 vs 10 studies: {many['peak_mb'] / few['peak_mb']:.2f}x (bounded by a study: about 1x)")


if __name__ == "__main__":
    main()
