"""Unpacking streams: peak memory while unpacking a >= 1 GB archive: `python bench/unpack_memory.py [--gb 1.1]`.

Writes zip (stored) and tar archives of 1 MB random files, then unpacks each in a fresh process
with the notebook's own `unpack_inputs` and reports that process's peak RSS against a process that
only imports the same modules. Flat memory means the difference stays a few MB whatever the size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import resource, sys, time
sys.path.insert(0, {templates!r})
from lib.inputs import unpack_inputs
started = time.time()
if {unpack}:
    unpack_inputs({data!r}, {work!r}, progress=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.time() - started)
"""


def peak_kb(data: Path, work: Path, unpack: bool) -> tuple[int, float]:
    code = CHILD.format(templates=str(ROOT / "templates"), data=str(data), work=str(work), unpack=unpack)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=1.1)
    args = parser.parse_args()
    n_files = int(args.gb * 1024)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for kind in ("zip", "tar"):
            data = tmp / f"data-{kind}"
            data.mkdir()
            archive = data / f"train.{kind}"
            if kind == "zip":
                with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:
                    for i in range(n_files):
                        z.writestr(f"{i}.jpg", os.urandom(1 << 20))
            else:
                chunk = tmp / "chunk"
                with tarfile.open(archive, "w") as t:
                    for i in range(n_files):
                        chunk.write_bytes(os.urandom(1 << 20))
                        t.add(chunk, f"{i}.jpg")
            size = archive.stat().st_size / 1e9
            baseline, _ = peak_kb(data, tmp / f"work-{kind}-base", unpack=False)
            peak, seconds = peak_kb(data, tmp / f"work-{kind}", unpack=True)
            print(f"{kind}: {size:.2f} GB archive, {n_files} files, unpacked in {seconds:.1f}s; peak RSS {peak / 1024:.0f} MB "
                  f"vs {baseline / 1024:.0f} MB importing only (+{(peak - baseline) / 1024:.0f} MB)", flush=True)
            archive.unlink()


if __name__ == "__main__":
    main()
