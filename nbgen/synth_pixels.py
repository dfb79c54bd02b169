"""Synthetic image-to-image competitions: noisy scans and their clean versions (denoising-dirty-documents)."""

from __future__ import annotations

from pathlib import Path

from nbgen.synth_io import SynthCompetition, write_csv, write_image

IMAGE2IMAGE_LAYOUTS = ("denoising",)


def make_image2image(folder: Path, layout: str, n_train: int = 16, n_test: int = 3, seed: int = 0) -> SynthCompetition:
    """Write a synthetic image-to-image competition of `layout` into `folder` and describe it.

    denoising: denoising-dirty-documents (train/ noisy grey PNGs, train_cleaned/ the clean pages under the
        same names, test/ noisy; sampleSubmission.csv id,value with one row per pixel, id
        '<image>_<row>_<col>' 1-based, row by row). Text is dark strokes on white; the noise is a stain
        gradient and speckles.
    """
    import numpy as np

    if layout not in IMAGE2IMAGE_LAYOUTS:
        raise ValueError(f"unknown image2image layout {layout!r}; use one of {', '.join(IMAGE2IMAGE_LAYOUTS)}")
    rng = np.random.default_rng(seed)
    height, width = 40, 56

    def page():
        clean = np.full((height, width), 255, np.uint8)
        for row in range(4, height - 6, 9):
            for col in range(3, width - 5, 7):
                if rng.random() < 0.7:
                    clean[row : row + 5, col : col + int(rng.integers(2, 5))] = int(rng.integers(10, 60))
        stain = np.linspace(0, float(rng.uniform(40, 110)), width)[None, :] + rng.normal(0, 12, (height, width))
        noisy = np.clip(clean.astype(np.float64) - stain, 0, 255).astype(np.uint8)
        return noisy, clean

    train = [str(2 + 3 * i) for i in range(n_train)]
    test = [str(1 + 3 * i) for i in range(max(2, n_test // 2))]
    for name in train:
        noisy, clean = page()
        write_image(folder / "train" / f"{name}.png", noisy)
        write_image(folder / "train_cleaned" / f"{name}.png", clean)
    truth, rows = {}, []
    for name in test:
        noisy, clean = page()
        write_image(folder / "test" / f"{name}.png", noisy)
        truth[name] = clean.astype(np.float64) / 255
        rows += [[f"{name}_{r + 1}_{c + 1}", 1] for r in range(height) for c in range(width)]
    header = ["id", "value"]
    write_csv(folder / "sampleSubmission.csv", header, rows)
    return SynthCompetition(folder, layout, [], header, [r[0] for r in rows], truth=truth)
