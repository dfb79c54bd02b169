"""Training throughput of a notebook's DDP script against one process: `python bench/ddp_throughput.py [--task detection]`.

The same generated notebook runs twice on the same synthetic competition, short real epochs of a
model (classification: a tiny timm model; detection: torchvision's Faster R-CNN MobileNetV3, untrained): with ddp_processes=1 (the loop in the notebook) and with ddp_processes=N (the loop in a
script under torch.distributed.run: gloo on a CPU, nccl on GPUs). Images per second come from the
epochs' wall time in the checkpoints' history (training and the sharded validation, first epoch
left out); the ratio is N processes against one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nbgen.generator import generate  # noqa: E402
from nbgen.smoke import run_smoke  # noqa: E402

# task: (preset, competition, synthetic layout, its run's parameters)
SETUPS = {"classification": ("efficientnet_b0", "cassava-leaf-disease-classification", "csv",
                             {"model_name": "test_efficientnet", "img_size": 96, "batch_size": 16}),
          "detection": ("fasterrcnn-mobilenet", "global-wheat-detection", "wheat", {"img_size": 128, "batch_size": 4})}


def images_per_second(work_dir: Path, n_images: int) -> float:
    seconds = []
    for last in sorted(work_dir.glob("fold*_last.pt")):
        history = torch.load(last, map_location="cpu", weights_only=True)["history"]
        seconds += [row["seconds"] for row in history[1:]]  # the first epoch pays for start-up
    return n_images / (sum(seconds) / len(seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--images", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--task", choices=sorted(SETUPS), default="classification")
    parser.add_argument("--img-size", type=int, default=0, help="0: 96 for classification, 128 for detection")
    args = parser.parse_args()
    arch, competition, layout, run = SETUPS[args.task]
    common = {"smoke": False, "pretrained_path": "none", "n_folds": 2, "train_folds": "0", "epochs": args.epochs,
              "num_workers": 0, "tta_views": "orig", **run}
    if args.img_size:
        common["img_size"] = args.img_size
    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(args.task, arch, competition=competition, kaggle_user="bench", out_dir=Path(tmp) / "gen")
        rates = {}
        for n in (1, args.processes):
            result = run_smoke(folder / f"{folder.name}.ipynb", layout=layout, out_dir=Path(tmp) / f"p{n}",
                               parameters={**common, "ddp_processes": n}, n_train=args.images)
            rates[n] = images_per_second(result.work_dir, args.images)  # an epoch: the training half + the validation half
            print(f"{n} process(es): {rates[n]:.1f} images/s per epoch", flush=True)
    print(f"{args.processes} processes / 1: {rates[args.processes] / rates[1]:.2f}x "
          f"({'GPU' if torch.cuda.is_available() else 'CPU, gloo'}; {torch.get_num_threads()} CPU threads)")


if __name__ == "__main__":
    main()
