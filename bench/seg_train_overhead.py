"""Training-step throughput of the segmentation notebook against a minimal smp loop, same process.

    python bench/seg_train_overhead.py [--encoder resnet18] [--size 128] [--batch 8] [--epochs 2]

Both loops train the same smp model (architecture, encoder, batch, image size) on the same
synthetic competition through the notebook's own Dataset (so decoding and augmentation cost
the same), and report images/s. The notebook runs with EMA and clipping off (the loop's own
overhead, target >= 0.95x) and with its defaults.
"""

import argparse
import tempfile
from pathlib import Path

from notebook_exec import notebook_epoch, notebook_namespace, plain_epoch_rate

from nbgen import generate
from nbgen.synth import make_competition


def reference_epoch(ns: dict, dataset) -> float:
    """The loop a person would write from smp's README: normalise, forward, BCE + Dice, backward, step."""
    torch, smp = ns["torch"], ns["smp"]
    dice = smp.losses.DiceLoss("multilabel", from_logits=True)

    def loss_of(logits, y):
        y = y.float()
        return 0.5 * torch.nn.functional.binary_cross_entropy_with_logits(logits, y) + 0.5 * dice(logits, y)

    return plain_epoch_rate(ns, dataset, loss_of)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="Unet")
    parser.add_argument("--encoder", default="resnet18")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--images", type=int, default=48)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    make_competition(tmp / "data", "rle_classes", n_train=args.images)
    folder = generate("segmentation", args.arch, kaggle_user="bench", out_dir=tmp / "gen")
    base = {"data_dir": str(tmp / "data"), "work_dir": str(tmp / "work"), "encoder_name": args.encoder,
            "pretrained_path": "none", "img_height": args.size, "img_width": args.size, "batch_size": args.batch,
            "n_folds": 2, "num_workers": args.workers, "bench_epochs": args.epochs}
    features_off = {"ema_decay": 0.0, "grad_clip": 0.0}
    results = {}
    for name, extra in (("notebook, defaults", {}), ("notebook, EMA and clipping off", features_off)):
        ns = notebook_namespace(folder / f"{folder.name}.ipynb", {**base, **extra})
        dataset = ns["SegDataset"](ns["MASKS"].ids, ns["train_images"], ns["train_transform"])
        ns["torch"].manual_seed(0)
        results[name] = notebook_epoch(ns, dataset)
        ns["torch"].manual_seed(0)
        results[f"reference ({name})"] = reference_epoch(ns, dataset)
    print(f"{args.arch} + {args.encoder} {args.size}px batch {args.batch}, {args.images} images, {args.epochs} epochs, "
          f"device {ns['device']}, workers {ns['workers']}")
    for name, value in results.items():
        print(f"  {name:50} {value:7.1f} images/s")
    off = "notebook, EMA and clipping off"
    print(f"ratio notebook (EMA and clipping off) / reference: {results[off] / results[f'reference ({off})']:.3f} (target >= 0.95)")
    print(f"ratio notebook (defaults) / reference:             "
          f"{results['notebook, defaults'] / results['reference (notebook, defaults)']:.3f}")


if __name__ == "__main__":
    main()
