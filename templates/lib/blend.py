"""Blend finished runs (ensemble members) by weights fitted on their out-of-fold predictions.

The weights come from hill climbing on the simplex: start from the best member, then move a share
of weight from one member to another whenever that improves the blend's score, halving the share
when no move does. Weights stay non-negative and sum to 1, and any metric works, including the
non-smooth ones (accuracy, AUC) where a gradient-based optimiser stalls. Members must share their
folds: weights fitted on out-of-fold predictions from different splits leak.
"""

import json
from pathlib import Path

import numpy as np

from lib.paths import KAGGLE_INPUT, TRAIN_MARKER, find_training_outputs


def hill_climb(n_members, score, higher_is_better=True, min_step=1 / 1024, singles=None):
    """Return (weights, blended score) of `n_members`; score(weights) -> the blend's score with those weights.

    singles: each member's own score, when the caller has them already.
    """
    sign = 1.0 if higher_is_better else -1.0
    singles = singles if singles is not None else [score(np.eye(n_members)[k]) for k in range(n_members)]
    weights = np.eye(n_members)[int(np.argmax(sign * np.asarray(singles)))]
    current, step = max(singles, key=lambda s: sign * s), 0.5
    while step >= min_step:
        improved = False
        for giver in range(n_members):
            for taker in range(n_members):
                amount = min(step, weights[giver])
                if giver == taker or amount <= 0:
                    continue
                trial = weights.copy()
                trial[giver] -= amount
                trial[taker] += amount
                value = score(trial)
                if sign * value > sign * current + 1e-12:
                    weights, current, improved = trial, value, True
        if not improved:
            step /= 2
    return weights, float(current)


def given_weights(text, members):
    """blend_weights ('1,1' or '0.7,0.3', one per member in order) as weights summing to 1."""
    try:
        weights = np.array([float(w) for w in text.split(",")])
    except ValueError:
        raise ValueError(f"blend_weights={text!r}: give numbers separated by commas, one per member") from None
    if len(weights) != len(members) or (weights < 0).any() or weights.sum() <= 0:
        raise ValueError(f"blend_weights={text!r}: give {len(members)} non-negative weights, not all 0, one per member in "
                         f"this order: {', '.join(m['name'] for m in members)}")
    return weights / weights.sum()


def fit_blend(members, score, metric, higher_is_better=True, fixed=""):
    """Hill-climb the members' weights on score(weights), or take `fixed` (blend_weights); print each member's CV
    and the blend's.

    Returns (weights, the blend's score, what cv.json records).
    """
    singles = [score(np.eye(len(members))[k]) for k in range(len(members))]
    if fixed:
        weights = given_weights(fixed, members)
        blended = score(weights)
    else:
        weights, blended = hill_climb(len(members), score, higher_is_better, singles=singles)
    for member, value in zip(members, singles, strict=True):
        print(f"CV {metric} {member['name']}: {value:.4f}")
    print(f"CV {metric} blend: {blended:.4f} | weights {'from blend_weights' if fixed else 'fitted'}: "
          + ", ".join(f"{m['name']} {w:.3f}" for m, w in zip(members, weights, strict=True)))
    record = {"metric": metric, "cv": blended, "cv_tta": blended,
              "members": {m["name"]: float(v) for m, v in zip(members, singles, strict=True)},
              "weights": {m["name"]: float(w) for m, w in zip(members, weights, strict=True)}}
    return weights, blended, record


def blend(predictions, weights):
    """The weighted mean of same-shape predictions."""
    return sum(w * np.asarray(p, dtype=np.float64) for w, p in zip(weights, predictions, strict=True))


def run_names(folders):
    """Short distinct names for member folders: the folder's name, with as many parents as it takes."""
    parts = [Path(f).resolve().parts for f in folders]
    for depth in range(1, max(len(p) for p in parts) + 1):
        names = ["/".join(p[-depth:]) for p in parts]
        if len(set(names)) == len(names):
            return names
    return [str(f) for f in folders]


def load_members(members, work_dir, task, classes, metric, family=None, input_root=KAGGLE_INPUT):
    """The ensemble's members, checked: [{name, dir, folds, and the recipe: model, size, views}].

    members: comma-separated folders, or '' for every training output attached under input_root.
    Each must be a finished run of `task` (and model `family`) on these `classes`, scored by `metric`.
    """
    folders = [Path(m.strip()) for m in members.split(",") if m.strip()] if members else find_training_outputs(input_root)
    folders = [f for f in folders if f.resolve() != Path(work_dir).resolve()]
    if len(folders) < 2:
        raise FileNotFoundError(f"{len(folders)} ensemble member(s) found ({[str(f) for f in folders]}): attach two or "
                                "more training kernels' outputs (kernel_sources), or set members to their folders")
    out = []
    for folder, name in zip(folders, run_names(folders), strict=True):
        run = json.loads((folder / TRAIN_MARKER).read_text())
        recipe = run.get("recipe")
        if run.get("task") != task or recipe is None or (family and recipe.get("family") != family):
            raise ValueError(f"{folder}: not a {family + ' ' if family else ''}{task} training output of this nbgen version "
                             f"(task {run.get('task')!r}); regenerate and rerun that training kernel")
        member_classes = [str(c) for c in json.loads((folder / "classes.json").read_text())["classes"]]
        if member_classes != [str(c) for c in classes]:
            raise ValueError(f"{folder} was trained on classes {member_classes[:5]}, this data has "
                             f"{[str(c) for c in classes][:5]}: members must come from this competition's data")
        member_metric = json.loads((folder / "cv.json").read_text())["metric"]
        if member_metric != metric:
            raise ValueError(f"{folder} was scored by {member_metric}, this notebook by {metric}: blend weights must be "
                             f"fitted on the competition's metric; set metric={member_metric!r} (or the members' own)")
        out.append({"name": name, "dir": folder, **recipe, "folds": run["trained_folds"]})
    return out


def fold_mismatch(fold_tables):
    """Why members' out-of-fold rows cannot be blended, or '' when they share ids and folds.

    fold_tables: {member name: {id: fold}}.
    """
    names = list(fold_tables)
    first = fold_tables[names[0]]
    for name in names[1:]:
        other = fold_tables[name]
        if set(other) != set(first):
            only = sorted(set(first) ^ set(other))
            return (f"{names[0]} and {name} have out-of-fold rows for different images ({len(only)} differ, e.g. "
                    f"{only[:3]}): train every member on all folds (train_folds='all')")
        moved = [i for i in first if first[i] != other[i]]
        if moved:
            return (f"{names[0]} and {name} put {len(moved)} images in different folds (e.g. {moved[:3]}): blend weights "
                    "fitted on their out-of-fold predictions would leak; train every member with the same n_folds, "
                    "seed and group_col")
    return ""
