"""Train-step throughput of the transformers DETR-family notebook against a bare loop over the same model.

    python bench/detr_train_overhead.py [--arch rtdetr-v2] [--img-size 128] [--batch 8] [--epochs 3]

Both loops train the same model (a tiny untrained configuration of the preset's family, on CPU)
on the same synthetic wheat images through the notebook's own Dataset (so decoding and
augmentation cost the same), and report images/s. The notebook loop runs with EMA and
gradient clipping off, which isolates its own overhead (target >= 0.95x).
"""

import argparse
import tempfile
from pathlib import Path

from notebook_exec import images_per_second, notebook_epoch, notebook_namespace

from nbgen import generate
from nbgen.synth import make_competition


def bare_epoch_rate(ns: dict, dataset) -> float:
    """images/s of the plainest loop around the model: normalise, targets in the model's convention, loss, step."""
    torch = ns["torch"]
    net = ns["create_model"]().net
    optimizer = torch.optim.AdamW(net.parameters(), lr=ns["lr"], weight_decay=ns["weight_decay"])
    size, device = ns["img_size"], ns["device"]

    def one_epoch():
        net.train()
        loader = torch.utils.data.DataLoader(dataset, batch_size=ns["batch_size"], shuffle=True, drop_last=True,
                                             num_workers=ns["workers"], collate_fn=dataset.collate)
        for x, y in loader:
            targets = [ns["model_targets"](boxes, labels, size, size, device) for boxes, labels in y]
            loss = net(pixel_values=(x.to(device).float() - ns["MEAN"]) / ns["STD"], labels=targets).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)

    return images_per_second(ns, dataset, one_epoch)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="rtdetr-v2")
    parser.add_argument("--img-size", type=int, default=128)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    make_competition(tmp / "data", "wheat", n_train=args.images)
    folder = generate("detection", args.arch, kaggle_user="bench", out_dir=tmp / "gen")
    smoke_model = {"rtdetr-v2": "tiny-rtdetr_v2", "deformable-detr": "tiny-deformable-detr", "detr": "tiny-detr"}[args.arch]
    params = {"data_dir": str(tmp / "data"), "work_dir": str(tmp / "work"), "model_name": smoke_model,
              "pretrained_path": "none", "img_size": args.img_size, "batch_size": args.batch, "n_folds": 2, "num_workers": 0,
              "ema_decay": 0.0, "grad_clip": 0.0, "bench_epochs": args.epochs}
    ns = notebook_namespace(folder / f"{folder.name}.ipynb", params)
    dataset = ns["BoxDataset"](ns["image_ids"], ns["train_transform"])
    ns["torch"].manual_seed(0)
    notebook = notebook_epoch(ns, dataset)
    ns["torch"].manual_seed(0)
    bare = bare_epoch_rate(ns, dataset)
    print(f"{args.arch} ({smoke_model}) {args.img_size}px batch {args.batch}, {args.images} images, {args.epochs} epochs, "
          f"device {ns['device']}")
    print(f"  notebook loop  {notebook:7.1f} images/s\n  bare loop      {bare:7.1f} images/s")
    print(f"ratio notebook / bare: {notebook / bare:.3f} (target >= 0.95)")


if __name__ == "__main__":
    main()
