"""Execute the generated classification notebook with papermill on synthetic data, network blocked."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from nbgen.errors import SmokeError
from nbgen.smoke import GUARD_DIR, run_smoke

pytestmark = pytest.mark.smoke
pytest.importorskip("papermill")
pytest.importorskip("timm")

CASES = {
    # layout: (extra parameters, expected format, expected metric)
    "csv": ({}, "label", "accuracy"),
    "onehot": ({}, "class_probabilities", "roc_auc"),
    "binary": ({"group_col": "patient_id"}, "probability", "roc_auc"),
    "folders": ({"train_folds": "0", "sam_rho": 0.05, "optimizer_name": "sgd"}, "label", "accuracy"),
}


@pytest.mark.parametrize("layout", list(CASES))
def test_smoke_run_writes_a_valid_submission(layout, classification_notebook, tmp_path):
    params, fmt, metric = CASES[layout]
    result = run_smoke(classification_notebook, layout=layout, out_dir=tmp_path, parameters=params)
    data = result.work_dir.parent / "data"
    sample = pd.read_csv(data / "sample_submission.csv")
    sub = pd.read_csv(result.work_dir / "submission.csv")

    assert list(sub.columns) == list(sample.columns)
    assert sub.iloc[:, 0].tolist() == sample.iloc[:, 0].tolist()  # same ids, same order
    assert not sub.isna().any().any()
    values = sub.iloc[:, 1:]
    if fmt == "label":
        train_labels = {"csv": {0, 1, 2}, "folders": {"cat", "dog", "fox"}}[layout]
        assert set(values.iloc[:, 0]) <= train_labels
    else:
        assert ((values >= 0) & (values <= 1)).all().all()
        if fmt == "class_probabilities":
            assert values.sum(axis=1).round(4).eq(1).all()  # softmax over one-hot classes
        assert values.nunique().max() > 1  # predictions, not the sample's constants

    cv = json.loads((result.work_dir / "cv.json").read_text())
    assert cv["metric"] == metric and 0 <= cv["cv"] <= 1 and 0 <= cv["cv_tta"] <= 1
    assert cv["tta_views"] == ["orig", "hflip"]
    oof = pd.read_csv(result.work_dir / "oof.csv")
    assert len(oof) == cv["n_oof"] > 0 and oof.filter(like="prob_").notna().all().all()
    expected_folds = [0] if params.get("train_folds") == "0" else [0, 1]
    assert sorted(int(f) for f in cv["folds"]) == expected_folds
    for name in ("training_curve.png", "classes.json", "fold0_best.pt", "fold0_last.pt"):
        assert (result.work_dir / name).is_file(), name
    assert result.network_attempts == 0
    assert {"setup", "data", "train", "validate", "submit"} <= set(result.stage_seconds)
    if params.get("sam_rho"):
        printed = json.dumps(json.loads(open(result.executed).read())["cells"])
        assert "SAM around sgd, rho 0.05: two forward-backward passes per update" in printed


def test_smoke_failure_names_the_cell_and_the_fix(classification_notebook, tmp_path):
    with pytest.raises(SmokeError, match=r"cell paths-\d+ raised KeyError: .*label_col='diagnosis' is not a column of train.csv.*fix label_col"):
        run_smoke(classification_notebook, layout="csv", out_dir=tmp_path, parameters={"label_col": "diagnosis"})


def _run_guarded(code, tmp_path):
    log = tmp_path / "net.log"
    env = {**os.environ, "PYTHONPATH": str(GUARD_DIR), "NBGEN_NET_LOG": str(log)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    return proc, (log.read_text().splitlines() if log.exists() else [])


def test_guard_refuses_and_counts_non_loopback_connections(tmp_path):
    code = ("import socket\n"
            "for host in ('203.0.113.7', 'huggingface.co'):\n"
            "    try:\n        socket.create_connection((host, 443), timeout=1)\n"
            "    except OSError as e:\n        print(type(e).__name__)\n"
            "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); c = socket.create_connection(s.getsockname()); print('loopback ok')")
    proc, attempts = _run_guarded(code, tmp_path)
    assert proc.stdout.split() == ["ConnectionRefusedError", "ConnectionRefusedError", "loopback", "ok"], proc.stderr
    assert len(attempts) == 2 and "203.0.113.7" in attempts[0] and "huggingface.co" in attempts[1]


def test_guard_turns_ignored_albumentations_arguments_into_errors(tmp_path):
    code = "import albumentations as A\nA.CoarseDropout(max_holes=8, max_height=32, p=1)\nprint('accepted')"
    proc, _ = _run_guarded(code, tmp_path)
    assert proc.returncode != 0 and "not valid for transform" in proc.stderr and "accepted" not in proc.stdout


def test_second_run_resumes_from_checkpoints(classification_notebook, tmp_path):
    import papermill

    first = run_smoke(classification_notebook, layout="csv", out_dir=tmp_path, parameters={"train_folds": "0"})
    before = json.loads((first.work_dir / "cv.json").read_text())
    params = {"smoke": True, "train_folds": "0", "data_dir": str(first.work_dir.parent / "data"),
              "work_dir": str(first.work_dir)}
    again = tmp_path / "again.ipynb"
    papermill.execute_notebook(str(classification_notebook), str(again), parameters=params, progress_bar=False)
    text = again.read_text()
    assert "fold 0: resumed from fold0_last.pt after epoch 1" in text
    assert json.loads((first.work_dir / "cv.json").read_text())["cv"] == before["cv"]  # same best checkpoint


def test_ordinal_smoke_run_cuts_the_regressed_index(classification_notebook, tmp_path):
    result = run_smoke(classification_notebook, layout="csv", out_dir=tmp_path, parameters={"ordinal": True, "metric": "qwk"})
    sub = pd.read_csv(result.work_dir / "submission.csv")
    assert set(sub["label"]) <= {0, 1, 2}
    cuts = json.loads((result.work_dir / "thresholds.json").read_text())["thresholds"]
    assert len(cuts) == 2 and cuts[0] < cuts[1]
    assert json.loads((result.work_dir / "cv.json").read_text())["metric"] == "qwk"


def test_progressive_resizing_trains_phase_by_phase(classification_notebook, tmp_path):
    """'128,192,256' scaled to the smoke size: one epoch a phase at 32, 48, then 64 px, validated at 64."""
    result = run_smoke(classification_notebook, layout="csv", out_dir=tmp_path,
                       parameters={"img_sizes": "128,192,256", "train_folds": "0"})
    printed = json.dumps(json.loads(open(result.executed).read())["cells"])
    for k, (size, epoch) in enumerate([(32, 1), (48, 2), (64, 3)], start=1):
        assert f"fold 0 phase {k}/3: training at {size} px from epoch {epoch}" in printed
    assert "fold 0 epoch 3/3" in printed
    assert json.loads((result.work_dir / "nbgen-train.json").read_text())["recipe"]["img_size"] == 64


def test_ddp_script_on_two_cpu_processes_gives_the_same_out_of_fold_rows(classification_notebook, tmp_path):
    """ddp_processes=2 on a CPU: the folds train in a script under torch.distributed.run with gloo, each process on
    half of every epoch; the out-of-fold rows gathered from both match a one-process run's."""
    runs = {n: run_smoke(classification_notebook, layout="csv", out_dir=tmp_path / str(n), n_train=48,
                         parameters={"ddp_processes": n, "num_workers": 0}) for n in (1, 2)}
    oof = {n: pd.read_csv(r.work_dir / "oof.csv") for n, r in runs.items()}
    assert len(oof[2]) == len(oof[1]) == 48 and oof[2]["id"].tolist() == oof[1]["id"].tolist()
    assert not oof[2].filter(like="prob_").isna().any().any()
    printed = json.dumps(json.loads(open(runs[2].executed).read())["cells"])
    assert "DDP: 2 processes (gloo) run" in printed and "torchrun --nnodes NODES" in printed
    assert printed.count("fold 0 epoch 1/1") == 1 and "train 0.0000" not in printed  # rank 0 logs; both train
    assert (runs[2].work_dir / "train_ddp.py").is_file() and (runs[2].work_dir / "training_curve.png").is_file()
