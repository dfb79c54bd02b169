"""Training throughput of the detection notebook's ultralytics path against ultralytics' own `yolo train`.

    python bench/yolo_overhead.py [--model yolov8n.yaml] [--imgsz 128] [--epochs 3] [--images 64]

The notebook trains fold 0 through its own subprocess script (check_amp replaced, the
notebook's argument set); the reference runs the `yolo train` command with the same data.yaml,
model, image size, batch and hyperparameters, in the same process tree, one after the other.
Both wall times include start-up and the per-epoch validation; runs alternate after a warm-up
and the best of each is kept; the ratio is images/s of the notebook over the reference (target >= 0.95).
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from notebook_exec import notebook_namespace

from nbgen import generate
from nbgen.synth import make_competition


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="yolov8n.yaml")
    parser.add_argument("--imgsz", type=int, default=128)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    make_competition(tmp / "data", "wheat", n_train=args.images)
    folder = generate("detection", "yolov8n", kaggle_user="bench", out_dir=tmp / "gen")
    params = {"data_dir": str(tmp / "data"), "work_dir": str(tmp / "work"), "model_name": args.model, "pretrained_path": "none",
              "img_size": args.imgsz, "batch_size": args.batch, "epochs": args.epochs, "n_folds": 2, "num_workers": args.workers}
    ns = notebook_namespace(folder / f"{folder.name}.ipynb", params, last_mark="def train_fold(")

    work = tmp / "work"
    ns["fold_data_yaml"](0)

    def notebook_run():
        shutil.rmtree(work / "runs", ignore_errors=True)
        (work / "fold0.done").unlink(missing_ok=True)
        started = time.perf_counter()
        ns["train_fold"](0)
        return time.perf_counter() - started

    def reference_run():
        fold_args = json.loads((work / "fold0_args.json").read_text())
        for key in ("model", "amp", "project", "name", "resume"):
            fold_args.pop(key, None)
        cli = [f"model={ns['MODEL_SOURCE']}", f"project={tmp / 'reference'}", "name=fold0", "exist_ok=True",
               f"amp={ns['USE_AMP']}", *(f"{k}={v}" for k, v in fold_args.items())]
        started = time.perf_counter()
        subprocess.run([str(Path(sys.executable).with_name("yolo")), "train", *cli], check=True, cwd=tmp, capture_output=True)
        return time.perf_counter() - started

    # Alternate, after one notebook run that also builds the label cache both use; keep each one's best.
    notebook_run()
    timings = {"notebook": [], "reference": []}
    for _ in range(args.repeats):
        timings["reference"].append(reference_run())
        timings["notebook"].append(notebook_run())
    notebook_seconds, reference_seconds = min(timings["notebook"]), min(timings["reference"])

    n_train = int((ns["folds"] != 0).sum())
    images = n_train * args.epochs
    print(f"{args.model} {args.imgsz}px batch {args.batch}, {n_train} training images, {args.epochs} epochs, "
          f"device {ns['TRAIN_DEVICE']}, workers {args.workers}")
    print(f"  notebook (subprocess script)  {notebook_seconds:7.1f} s  {images / notebook_seconds:6.1f} images/s")
    print(f"  reference (yolo train)        {reference_seconds:7.1f} s  {images / reference_seconds:6.1f} images/s")
    print(f"ratio notebook / reference: {reference_seconds / notebook_seconds:.3f} (target >= 0.95)")


if __name__ == "__main__":
    main()
