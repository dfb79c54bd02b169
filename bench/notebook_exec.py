"""Shared by the benchmarks: run a generated notebook's cells in this process, and time epochs."""

import time
from pathlib import Path

import nbformat

LAST_SETUP_MARK = "def fit_fold("  # the cell that defines the training functions; the fold loop after it is not run


def notebook_namespace(notebook: Path, params: dict, last_mark: str = LAST_SETUP_MARK) -> dict:
    """Execute the notebook's cells up to the one containing `last_mark`, with `params` overriding the parameters cell."""
    ns: dict = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        exec(compile(cell.source, cell.id, "exec"), ns)
        if cell.id == "parameters":
            ns.update(params)
        if last_mark in cell.source:
            return ns
    raise RuntimeError(f"no cell contains {last_mark}")


def images_per_second(ns: dict, dataset, one_epoch) -> float:
    """Run one warm-up epoch, then time `bench_epochs` epochs; count only full batches."""
    one_epoch()
    started = time.perf_counter()
    for _ in range(ns["bench_epochs"]):
        one_epoch()
    return ns["bench_epochs"] * (len(dataset) // ns["batch_size"]) * ns["batch_size"] / (time.perf_counter() - started)


def notebook_epoch(ns: dict, dataset) -> float:
    """images/s of the notebook's own train_one_epoch, with its EMA setting."""
    torch, timm = ns["torch"], ns["timm"]
    model = ns["create_model"]()
    ema = ns["ModelEmaV3"](model, decay=ns["ema_decay"], use_warmup=True) if ns["ema_decay"] > 0 else None
    optimizer = timm.optim.create_optimizer_v2(model, opt="adamw", lr=ns["lr"], weight_decay=ns["weight_decay"])
    scheduler = timm.scheduler.CosineLRScheduler(optimizer, t_initial=100, t_in_epochs=False)
    scaler = torch.amp.GradScaler(ns["device"].type, enabled=False)
    return images_per_second(ns, dataset, lambda: ns["train_one_epoch"](model, ema, optimizer, scheduler, scaler, dataset, 0, 0, 0))


def plain_epoch_rate(ns: dict, dataset, loss_of) -> float:
    """images/s of the plainest loop a person would write around the notebook's model and Dataset:
    normalise, forward, `loss_of(output, target)`, backward, AdamW step."""
    torch = ns["torch"]
    model = ns["create_model"]()
    optimizer = torch.optim.AdamW(model.parameters(), lr=ns["lr"], weight_decay=ns["weight_decay"])
    mean, std = ns["MEAN"], ns["STD"]

    def one_epoch():
        model.train()
        loader = torch.utils.data.DataLoader(dataset, batch_size=ns["batch_size"], shuffle=True, drop_last=True,
                                             num_workers=ns["workers"])
        for x, y in loader:
            loss = loss_of(model((x.float() - mean) / std), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)

    return images_per_second(ns, dataset, one_epoch)
