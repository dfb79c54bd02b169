"""Training throughput of the generated notebook's train step against a minimal loop, same process.

    python bench/train_overhead.py [--model resnet18] [--img-size 96] [--batch 16] [--epochs 3]

Both loops train the same timm model on the same synthetic images through the notebook's own
Dataset and DataLoader (so decoding costs the same), and report images/s. The notebook is
measured twice: with its defaults (mixup/cutmix, EMA, clipping, label smoothing) and with
those features switched off, which isolates the loop's own overhead (target >= 0.95x).
"""

import argparse
import tempfile
from pathlib import Path

from notebook_exec import notebook_epoch, notebook_namespace, plain_epoch_rate

from nbgen import generate
from nbgen.synth import make_competition


def reference_epoch(ns: dict, dataset) -> float:
    """The plainest loop: normalise, forward, cross entropy, backward, step."""
    torch = ns["torch"]
    return plain_epoch_rate(ns, dataset, lambda logits, y: torch.nn.functional.cross_entropy(logits, y.argmax(1)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="resnet18")
    parser.add_argument("--img-size", type=int, default=96)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--images", type=int, default=96)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    make_competition(tmp / "data", "csv", n_train=args.images)
    folder = generate("classification", "resnet18", kaggle_user="bench", out_dir=tmp / "gen")
    base = {"data_dir": str(tmp / "data"), "work_dir": str(tmp / "work"), "model_name": args.model,
            "pretrained_path": "none", "img_size": args.img_size, "batch_size": args.batch, "n_folds": 2,
            "num_workers": args.workers, "drop_path_rate": 0.0, "bench_epochs": args.epochs}
    features_off = {"mixup_alpha": 0.0, "cutmix_alpha": 0.0, "ema_decay": 0.0, "grad_clip": 0.0, "label_smoothing": 0.0}
    results = {}
    for name, extra in (("notebook, defaults", {}), ("notebook, features off", features_off)):
        ns = notebook_namespace(folder / f"{folder.name}.ipynb", {**base, **extra})
        ns["torch"].manual_seed(0)
        dataset = ns["ImageDataset"](ns["train_paths"], ns["labels"].y, ns["train_transform"])
        results[name] = notebook_epoch(ns, dataset)
        ns["torch"].manual_seed(0)
        results[f"reference ({name})"] = reference_epoch(ns, dataset)
    ref = results["reference (notebook, features off)"]
    print(f"{args.model} {args.img_size}px batch {args.batch}, {args.images} images, {args.epochs} epochs, "
          f"device {ns['device']}, workers {ns['workers']}")
    for name, value in results.items():
        print(f"  {name:42} {value:7.1f} images/s")
    print(f"ratio notebook (features off) / reference: {results['notebook, features off'] / ref:.3f} (target >= 0.95)")
    print(f"ratio notebook (defaults) / reference:     {results['notebook, defaults'] / results['reference (notebook, defaults)']:.3f}")


if __name__ == "__main__":
    main()
