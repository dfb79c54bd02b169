"""Blend CV against the best member's CV when two models err on different images: `python bench/blend_cv.py`.

Two members' out-of-fold probabilities are simulated for a 3-class task: member A is sure and right
on the first half of the images and close to guessing on the second, member B the other way round.
The blend's weights are fitted by the notebooks' own hill climbing (templates/lib/blend.py) on the
competition metric; the script prints each member's CV, the blend's CV and the weights, per metric.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "templates"))

from lib.blend import blend, hill_climb  # noqa: E402
from lib.metrics import LOWER_IS_BETTER, score  # noqa: E402


def member(truth: np.ndarray, strong: np.ndarray, rng: np.random.Generator, classes: int) -> np.ndarray:
    """Softmax probabilities: a clear margin for the true class where `strong`, a faint one elsewhere."""
    margin = np.where(strong, 3.0, 0.3)[:, None]
    logits = rng.normal(0.0, 1.0, (len(truth), classes)) + margin * np.eye(classes)[truth]
    exp = np.exp(logits - logits.max(1, keepdims=True))
    return exp / exp.sum(1, keepdims=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    classes = 3
    truth = rng.integers(0, classes, args.images)
    first_half = np.arange(args.images) < args.images // 2
    members = {"A": member(truth, first_half, rng, classes), "B": member(truth, ~first_half, rng, classes)}
    y = np.eye(classes)[truth]
    for metric in ("accuracy", "log_loss", "macro_f1"):
        def cv(p, metric=metric):
            return score(metric, y, p, "multiclass")

        weights, blended = hill_climb(len(members), lambda w, cv=cv: cv(blend(list(members.values()), w)),
                                      higher_is_better=metric not in LOWER_IS_BETTER)
        singles = {name: cv(p) for name, p in members.items()}
        best = min(singles.values()) if metric in LOWER_IS_BETTER else max(singles.values())
        assert abs(cv(blend(list(members.values()), weights)) - blended) < 1e-12
        print(f"{metric:9} A {singles['A']:.4f} | B {singles['B']:.4f} | best member {best:.4f} | blend {blended:.4f} "
              f"(weights {weights[0]:.3f}, {weights[1]:.3f})")


if __name__ == "__main__":
    main()
