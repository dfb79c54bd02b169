"""Assign cross-validation folds: stratified, and grouped when a group column is given."""

import numpy as np
from sklearn.model_selection import GroupKFold, KFold, StratifiedGroupKFold, StratifiedKFold


def assign_folds(y, n_folds, seed, groups=None):
    """Return a fold id per row; strata are the (first) positive class of each row of `y` (N, K)."""
    strata = np.asarray(y).argmax(1)
    largest = np.bincount(strata).max() if len(strata) else 0
    if n_folds < 2 or largest < n_folds:
        raise ValueError(f"n_folds={n_folds}: needs at least 2 folds and a class with n_folds rows; lower n_folds")
    if groups is None:
        splitter = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        splits = splitter.split(strata, strata)
    else:
        splitter = StratifiedGroupKFold(n_splits=n_folds, shuffle=True, random_state=seed)
        splits = splitter.split(strata, strata, groups)
    folds = np.full(len(strata), -1, dtype=int)
    for fold, (_, valid_index) in enumerate(splits):
        folds[valid_index] = fold
    return folds


def split_folds(n_rows, n_folds, seed, groups=None):
    """Return a fold id per row: KFold, or GroupKFold when groups are given (detection splits by image)."""
    if n_folds < 2 or n_rows < n_folds:
        raise ValueError(f"n_folds={n_folds}: needs at least 2 folds and as many images; lower n_folds")
    if groups is None:
        splits = KFold(n_splits=n_folds, shuffle=True, random_state=seed).split(np.zeros(n_rows))
    else:
        if len(set(groups)) < n_folds:
            raise ValueError(f"n_folds={n_folds} is more than the {len(set(groups))} groups of group_col; lower n_folds")
        splits = GroupKFold(n_splits=n_folds, shuffle=True, random_state=seed).split(np.zeros(n_rows), groups=groups)
    folds = np.full(n_rows, -1, dtype=int)
    for fold, (_, valid_index) in enumerate(splits):
        folds[valid_index] = fold
    return folds


def parse_folds(text, n_folds):
    """Return the fold ids to train: 'all' or a comma-separated list such as '0,2'."""
    if text.strip().lower() == "all":
        return list(range(n_folds))
    try:
        chosen = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise ValueError(f"train_folds={text!r}: write 'all' or fold ids such as '0,2'") from None
    bad = [f for f in chosen if not 0 <= f < n_folds]
    if bad or not chosen:
        raise ValueError(f"train_folds={text!r}: fold ids run from 0 to {n_folds - 1}")
    return chosen
