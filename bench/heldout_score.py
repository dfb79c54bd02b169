"""Short real runs scored on held-out test images against a constant baseline: `python bench/heldout_score.py`.

For each layout, a synthetic copy of a real competition is written with the test labels kept aside;
the notebook is generated from the folder alone (as `nbgen new --data` does) and run for a few epochs
of a tiny model from scratch (not the one-epoch smoke run). Its submission is scored by the
competition's metric against the held-out truth, next to what a constant submission scores and the
notebook's own CV. A notebook that trains on the wrong files reports a fine CV and fails here.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "templates"))

from lib.prediction_string import parse_prediction_string  # noqa: E402
from lib.rle import rle_decode  # noqa: E402
from lib.study import study_image_map  # noqa: E402
from nbgen.config import param_specs, parse_overrides, parse_value  # noqa: E402
from nbgen.generator import generate, resolve_task  # noqa: E402
from nbgen.smoke import run_smoke  # noqa: E402
from nbgen.synth import VOLUME_LAYOUTS, make_competition  # noqa: E402

ARCH = {"classification": "efficientnet_b0", "segmentation": "unet", "detection": "yolov8", "image2image": "Unet",
        "image2text": "resnet34-text"}
RUN = {"classification": {"model_name": "test_efficientnet", "img_size": 64, "batch_size": 16, "lr": 3e-3},
       "segmentation": {"encoder_name": "tu-test_efficientnet", "img_height": 64, "img_width": 64, "batch_size": 8,
                        "lr": 3e-3},
       "image2image": {"encoder_name": "tu-test_efficientnet", "img_height": 64, "img_width": 64, "batch_size": 8,
                       "lr": 3e-3},
       "image2text": {"model_name": "resnet18", "img_height": 64, "img_width": 256, "batch_size": 16, "lr": 1e-3,
                      "decoder_dim": 64, "decoder_layers": 2, "decoder_heads": 4},
       "detection": {"model_name": "yolov8n.yaml", "img_size": 128, "batch_size": 8, "lr": 2e-3, "mosaic": 0.0,
                     "study_model": "test_efficientnet", "study_pretrained_path": "none", "study_img_size": 64,
                     "study_batch_size": 16, "study_lr": 3e-3}}
COMMON = {"smoke": False, "pretrained_path": "none", "n_folds": 2, "train_folds": "0", "tta_views": "orig",
          "num_workers": 0, "warmup_epochs": 0.5}


def tgs_score(truth: np.ndarray, predicted: np.ndarray) -> float:
    """TGS Salt's per-image score: the share of IoU thresholds 0.50-0.95 the whole mask passes (empty-empty = 1)."""
    if not truth.any():
        return float(not predicted.any())
    iou = (truth & predicted).sum() / (truth | predicted).sum()
    return float(np.mean([iou > t for t in np.arange(0.5, 1.0, 0.05)]))


def siim_score(synth, strings: dict) -> float:
    """SIIM-COVID's metric on the held-out truth: study rows name the four classes, image rows opacity boxes and none."""
    names = ["negative", "typical", "indeterminate", "atypical"]
    study_truth, study_probs, image_truth, image_predictions, nothing = {}, {}, {}, {}, {}
    for test_id, truth in synth.truth.items():
        boxes, scores, labels = parse_prediction_string("named", strings[test_id])
        if test_id.endswith("_study"):
            study_truth[test_id] = names.index(truth)
            study_probs[test_id] = np.array([max(scores[labels == n], default=0.0) for n in names])
        else:
            image_truth[test_id] = (np.array(truth, dtype=float).reshape(-1, 4), np.zeros(len(truth), dtype=int))
            kept = labels == "opacity"
            image_predictions[test_id] = (boxes[kept], scores[kept], np.zeros(int(kept.sum()), dtype=int))
            nothing[test_id] = max(scores[labels == "none"], default=0.0)
    return study_image_map(study_truth, study_probs, image_truth, image_predictions, 1, nothing)[0]


def edit_distance(a: str, b: str) -> float:
    """Levenshtein distance by the textbook table, written here apart from the notebook's."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


def cervical_loss(y: np.ndarray, p: np.ndarray, weights: np.ndarray) -> float:
    """Weighted binary log loss, probabilities clipped at 1e-15: sum(w * loss) / sum(w)."""
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return float(np.sum(weights * -(y * np.log(p) + (1 - y) * np.log(1 - p))) / np.sum(weights))


def hms_kl(truth: np.ndarray, probs: np.ndarray, epsilon: float = 1e-15) -> float:
    """HMS's scorer (kaggle_kl_div, micro-averaged): sum over classes of p log(p / q), zero where p is, q clipped."""
    q = np.clip(probs, epsilon, 1 - epsilon)
    terms = np.where(truth > 0, truth * np.log(np.where(truth > 0, truth, 1.0) / q), 0.0)
    return float(terms.sum(1).mean())


CLASS_ROWS = ("class_table_masks", "labelme_polygons", "colour_masks", "voc_masks")  # one row per image and class name
BOX_LAYOUTS = ("voc", "labelme_boxes", "yolo_txt", "box_filename", "coco_no_sample")  # 'name conf x0 y0 x1 y1'


def class_row_dice(synth, submission: pd.DataFrame) -> tuple[float, float]:
    """Mean Dice per image and class (both empty = 1), void pixels (255 in the truth) left out; and empty masks'."""
    ours, empty = [], []
    for image_id, klass, text in submission.itertuples(index=False):
        true = synth.truth[image_id][synth.classes.index(klass)]
        valid, true = true != 255, true == 1
        pred = rle_decode(text, true.shape, "column").astype(bool) & valid
        total = true.sum() + pred.sum()
        ours.append(1.0 if total == 0 else 2 * (true & pred).sum() / total)
        empty.append(float(not true.any()))
    return float(np.mean(ours)), float(np.mean(empty))


def box_map(synth, submission: pd.DataFrame) -> float:
    """VOC mAP at IoU 0.5 of 'name conf x0 y0 x1 y1' strings against the held-out boxes."""
    from lib.det_metrics import voc_map

    names = list(synth.classes)
    truth = {i: (np.array([b[1:] for b in boxes], dtype=float).reshape(-1, 4), np.array([names.index(b[0]) for b in boxes]))
             for i, boxes in synth.truth.items()}
    predictions = {}
    for image_id, text in submission.itertuples(index=False):
        boxes, scores, labels = parse_prediction_string("named", text)
        predictions[image_id] = (boxes, scores, np.array([names.index(n) for n in labels], dtype=int))
    return voc_map(predictions, truth, 0.5)


def score(layout: str, synth, submission: pd.DataFrame) -> tuple[str, float, float]:
    """(metric, the submission's held-out score, a constant submission's score)."""
    if layout in CLASS_ROWS:
        return ("dice per image and class" + (" (void left out)" if layout in ("colour_masks", "voc_masks") else ""),
                *class_row_dice(synth, submission))
    if layout in BOX_LAYOUTS:  # the constant: no box anywhere, which scores 0
        return "voc_map@0.5", box_map(synth, submission), 0.0
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
    from sklearn.preprocessing import MultiLabelBinarizer

    ids = submission.iloc[:, 1 if synth.sample_columns[0] == "" else 0].astype(str)
    values = submission.iloc[:, -1]
    truth = [synth.truth[i] for i in ids] if layout != "denoising" else []
    if layout == "siim_covid":
        return ("study + image mAP@0.5", siim_score(synth, dict(zip(ids, values.astype(str), strict=True))),
                siim_score(synth, dict(zip(synth.test_ids, pd.read_csv(synth.folder / "sample_submission.csv")
                                           ["PredictionString"], strict=True))))
    if layout == "hms":  # per sample row (eeg_id repeats): KL of its votes; the constant: the rows' mean distribution
        seen: dict[str, int] = {}
        rows = []
        for i in ids:
            rows.append(synth.truth[i][seen.get(i, 0)])
            seen[i] = seen.get(i, 0) + 1
        true = np.array(rows)
        probs = submission[synth.classes].astype(float).to_numpy()
        return ("kl_divergence (lower is better)", hms_kl(true, probs),
                hms_kl(true, np.repeat(true.mean(0, keepdims=True), len(true), axis=0)))
    if layout == "bms":  # mean Levenshtein distance; the constant: the most common training string, for every image
        common = pd.read_csv(synth.folder / "train_labels.csv")["InChI"].mode()[0]
        return ("levenshtein (lower is better)", float(np.mean([edit_distance(t, v) for t, v in zip(truth, values.astype(str),
                                                                                                     strict=True)])),
                float(np.mean([edit_distance(t, common) for t in truth])))
    if layout == "vesuvius":  # pixel F0.5 over every test fragment, row-major RLE; the constant: no ink, which scores 0
        masks = [rle_decode(str(v), t.shape, "row").astype(bool) for v, t in zip(values, truth, strict=True)]
        tp = sum((t & m).sum() for t, m in zip(truth, masks, strict=True))
        fp = sum((~t & m).sum() for t, m in zip(truth, masks, strict=True))
        fn = sum((t & ~m).sum() for t, m in zip(truth, masks, strict=True))
        return "f0.5 over pixels", float(1.25 * tp / max(1.25 * tp + 0.25 * fn + fp, 1)), 0.0
    if layout == "rsna_cervical":  # its weighted log loss per (study, target) row; the constant: each target's rate
        targets = [i.rsplit("_", 1)[1] if not i.endswith("patient_overall") else "patient_overall" for i in ids]
        y = np.array([int(t) for t in truth])
        weights = np.array([(14 if v else 7) if t == "patient_overall" else (2 if v else 1) for t, v in zip(targets, y, strict=True)])
        rate = pd.Series(y).groupby(targets).transform("mean").to_numpy()
        return ("weighted log loss (lower is better)", cervical_loss(y, values.astype(float).to_numpy(), weights),
                cervical_loss(y, rate, weights))
    if layout == "tgs":
        masks = [rle_decode("" if v != v else str(v), truth[0].shape, "column").astype(bool) for v in values]
        ours = np.mean([tgs_score(t.astype(bool), m) for t, m in zip(truth, masks, strict=True)])
        empty = np.mean([tgs_score(t.astype(bool), np.zeros_like(t, bool)) for t in truth])
        return "tgs_precision", float(ours), float(empty)
    if layout == "denoising":  # RMSE over every pixel; the constant: the best single grey value
        parts = ids.str.rsplit("_", n=2, expand=True)
        true = np.array([synth.truth[i][int(r) - 1, int(c) - 1] for i, r, c in zip(parts[0], parts[1], parts[2], strict=True)])
        rmse = float(np.sqrt(np.mean((values.astype(float).to_numpy() - true) ** 2)))
        return "rmse (lower is better)", rmse, float(np.sqrt(np.mean((true.mean() - true) ** 2)))
    if layout == "hubmap":  # mean Dice per image, both empty = 1
        masks = [rle_decode(str(v), t.shape, "column").astype(bool) for v, t in zip(values, truth, strict=True)]
        dice = [1.0 if not (t.any() or m.any()) else 2 * (t.astype(bool) & m).sum() / (t.sum() + m.sum())
                for t, m in zip(truth, masks, strict=True)]
        return "dice per image", float(np.mean(dice)), float(np.mean([0.0 if t.any() else 1.0 for t in truth]))
    if layout in ("contrails", "uw_madison"):
        order = "column" if layout == "contrails" else "row"
        values = submission["encoded_pixels" if layout == "contrails" else "predicted"]
        shapes = [t.shape[-2:] for t in truth]
        if layout == "uw_madison":  # one row per slice and organ: that organ's mask
            organs = submission.iloc[:, 1].astype(str).tolist()
            truth = [t[synth.classes.index(o)] for t, o in zip(truth, organs, strict=True)]
        masks = [rle_decode("" if v in ("-", "") else str(v), s, order).astype(bool) for v, s in zip(values, shapes, strict=True)]
        truth = [t.astype(bool) for t in truth]
        if layout == "contrails":  # global Dice over every pixel of every record
            inter = sum((t & m).sum() for t, m in zip(truth, masks, strict=True))
            total = sum(t.sum() + m.sum() for t, m in zip(truth, masks, strict=True))
            return "dice_global", float(2 * inter / max(total, 1)), 0.0  # an empty submission scores 0
        scored = [(t, m) for t, m in zip(truth, masks, strict=True) if t.any() or m.any()]  # both empty: skipped
        ours = np.mean([2 * (t & m).sum() / (t.sum() + m.sum()) for t, m in scored]) if scored else 1.0
        return "dice per row (both-empty skipped)", float(ours), 0.0
    if layout == "regression":
        rmse = float(np.sqrt(np.mean((values.astype(float) - np.array(truth)) ** 2)))
        constant = float(np.sqrt(np.mean((np.mean(truth) - np.array(truth)) ** 2)))
        return "rmse (lower is better)", rmse, constant
    if layout == "multilabel":
        binarizer = MultiLabelBinarizer().fit([t.split() for t in truth] + [v.split() for v in values])
        ours = f1_score(binarizer.transform([t.split() for t in truth]), binarizer.transform([v.split() for v in values]),
                        average="micro")
        common = pd.Series([t for v in truth for t in v.split()]).mode()[0]
        constant = f1_score(binarizer.transform([t.split() for t in truth]), binarizer.transform([[common]] * len(truth)),
                            average="micro")
        return "micro_f1", float(ours), float(constant)
    if layout in ("filename_zip", "binary", "zip_flat", "folders_binary", "npy_arrays", "rsna_breast",
                  "json_bands", "rsna_miccai", "nifti_volumes"):
        positive = synth.params.get("positive_class", "1")
        y = [int(t == positive) for t in truth]
        return "roc_auc", float(roc_auc_score(y, values.astype(float))), 0.5
    majority = pd.Series(truth).mode()[0]
    return "accuracy", float(accuracy_score(truth, values.astype(str))), float(np.mean([t == majority for t in truth]))


def notebook_for(layout: str, work: Path):
    """(task, the notebook generated from the layout's folder alone as `nbgen new --data` does, the layout's own
    settings, what discovery found)."""
    probe = make_competition(work / "probe", layout)
    task, _, _, found = resolve_task("", "", data=str(probe.folder), overrides=probe.params)
    folder = generate(task, ARCH[task], title=f"heldout {layout}", kaggle_user="bench", overrides={**found, **probe.params},
                      out_dir=work / "gen", data=str(probe.folder))
    return task, folder / f"{folder.name}.ipynb", probe.params, found


def run(layout: str, epochs: int, work: Path, overrides: dict[str, str] | None = None) -> dict:
    """overrides: notebook parameters as `--set` text, turned into their declared types."""
    task, notebook, _, found = notebook_for(layout, work)
    started = time.time()
    parameters = {**COMMON, **RUN[task], "epochs": epochs}
    if layout in VOLUME_LAYOUTS and task == "classification":  # slice series written at the size the run trains at
        parameters["volume_size"] = RUN[task]["img_size"]
    if "study_csv" in found:
        parameters["study_epochs"] = epochs
    specs = {spec.name: spec for spec in param_specs(task)}
    unknown = sorted(set(overrides or {}) - set(specs))
    if unknown:
        raise SystemExit(f"--set {', '.join(unknown)}: not a parameter of the {task} notebook (nbgen list --params)")
    parameters.update({name: parse_value(specs[name], raw) for name, raw in (overrides or {}).items()})
    result = run_smoke(notebook, layout=layout, out_dir=work / "runs", parameters=parameters,
                       n_train=96, n_test=32)
    seconds = time.time() - started
    synth = result.synth
    submission = pd.read_csv(result.work_dir / "submission.csv", keep_default_na=False, dtype=str)
    metric, ours, constant = score(layout, synth, submission)
    cv = json.loads((result.work_dir / "cv.json").read_text())
    own = ("study_image_map", cv["study_image_map"]) if "study_image_map" in cv else (cv["metric"], cv["cv"])
    return {"layout": layout, "metric": metric, "held_out": ours, "constant": constant,
            "cv": f"{own[0]} {own[1]:.3f}", "seconds": seconds}


# layout: the two members of an ensemble check, as parameters over RUN's (two architectures, two sizes), and the
# ensemble's own parameters: on csv both members score 1.0, so fitted weights would leave the second one out.
ENSEMBLE_MEMBERS = {
    "csv": ({"model_name": "test_efficientnet", "img_size": 48},
            {"model_name": "test_convnext", "img_size": 64, "tta_views": "orig,hflip"}),
    "tgs": ({"model_name": "Unet", "encoder_name": "tu-test_efficientnet"},
            {"model_name": "FPN", "encoder_name": "tu-test_convnext", "img_height": 96, "img_width": 96}),
}
ENSEMBLE_PARAMS = {"csv": {"blend_weights": "1,1"}, "tgs": {}}


def run_ensemble_check(layout: str, epochs: int, work: Path) -> dict:
    """Two members trained as in run(), blended by the ensemble kernel (nbgen ensemble); each submission held-out scored.

    A blend that put one member's predictions on another's ids or classes would keep a fine CV (out-of-fold rows are
    matched by id) and fail here."""
    from nbgen.ensemble import run_ensemble

    task, notebook, settings, _ = notebook_for(layout, work)
    started = time.time()
    members = [run_smoke(notebook, layout=layout, out_dir=work / f"member{k}",
                         parameters={**COMMON, **RUN[task], "epochs": epochs, **extra}, n_train=96, n_test=32)
               for k, extra in enumerate(ENSEMBLE_MEMBERS[layout])]
    cv = run_ensemble([m.work_dir for m in members], members[0].work_dir.parent / "data", work / "ensemble",
                      overrides={**{k: str(v) for k, v in settings.items()}, **ENSEMBLE_PARAMS[layout]})
    scores = []
    for submission_csv in [m.work_dir / "submission.csv" for m in members] + [work / "ensemble" / "work" / "submission.csv"]:
        metric, ours, constant = score(layout, members[0].synth, pd.read_csv(submission_csv, keep_default_na=False, dtype=str))
        scores.append(ours)
    return {"layout": layout, "metric": metric, "held_out": scores[-1], "members": scores[:-1], "constant": constant,
            "cv": f"blend {cv['cv']:.3f}, weights {', '.join(f'{w:.2f}' for w in cv['weights'].values())}",
            "seconds": time.time() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layouts", default="csv,tgs,multilabel,regression,filename_zip,folders_binary,npy_arrays,"
                                              "json_bands,contrails,uw_madison,hubmap,denoising,class_table_masks,"
                                              "colour_masks,labelme_polygons,voc_masks,path_ids,train_val,split_folders,channel_files,voc")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--ensemble", action="store_true",
                        help=f"blend two members per layout with the ensemble kernel ({', '.join(ENSEMBLE_MEMBERS)})")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a notebook parameter for every run, read as its declared type, e.g. none_study_weight=0")
    args = parser.parse_args()
    overrides = parse_overrides(args.set)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for layout in args.layouts.split(","):
            if args.ensemble:
                row = run_ensemble_check(layout, args.epochs, Path(tmp) / layout)
                print(f"{layout:15} {row['metric']:24} members held-out " + " / ".join(f"{v:.3f}" for v in row["members"])
                      + f" | blend held-out {row['held_out']:.3f} | constant {row['constant']:.3f} | {row['cv']} | "
                      f"{row['seconds']:.0f}s", flush=True)
                continue
            rows.append(run(layout, args.epochs, Path(tmp) / layout, overrides))
            row = rows[-1]
            print(f"{row['layout']:15} {row['metric']:24} held-out {row['held_out']:.3f} | constant {row['constant']:.3f} | "
                  f"notebook CV {row['cv']} | {row['seconds']:.0f}s", flush=True)


if __name__ == "__main__":
    main()
