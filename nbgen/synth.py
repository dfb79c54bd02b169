"""Write tiny synthetic competitions in the layouts real Kaggle competitions and public datasets use (one entry point)."""

from __future__ import annotations

from pathlib import Path

from nbgen.synth_boxes import DETECTION_LAYOUTS, make_detection
from nbgen.synth_classes import CLASSIFICATION_LAYOUTS, make_classification
from nbgen.synth_io import SynthCompetition
from nbgen.synth_known import KNOWN_LAYOUTS, make_known
from nbgen.synth_masks import SEGMENTATION_LAYOUTS, make_segmentation
from nbgen.synth_pixels import IMAGE2IMAGE_LAYOUTS, make_image2image
from nbgen.synth_public import PUBLIC_LAYOUTS, make_public
from nbgen.synth_records import RECORD_LAYOUTS, make_records
from nbgen.synth_signals import SIGNAL_LAYOUTS, make_signals
from nbgen.synth_text import TEXT_LAYOUTS, make_text
from nbgen.synth_volumes import VOLUME_LAYOUTS, make_volumes

LAYOUTS = (CLASSIFICATION_LAYOUTS + SEGMENTATION_LAYOUTS + DETECTION_LAYOUTS + IMAGE2IMAGE_LAYOUTS + PUBLIC_LAYOUTS
           + KNOWN_LAYOUTS + SIGNAL_LAYOUTS + VOLUME_LAYOUTS + RECORD_LAYOUTS
           + TEXT_LAYOUTS)
__all__ = ["CLASSIFICATION_LAYOUTS", "DETECTION_LAYOUTS", "IMAGE2IMAGE_LAYOUTS", "KNOWN_LAYOUTS", "LAYOUTS", "PUBLIC_LAYOUTS", "RECORD_LAYOUTS",
           "SEGMENTATION_LAYOUTS", "SIGNAL_LAYOUTS", "SynthCompetition", "TEXT_LAYOUTS", "VOLUME_LAYOUTS", "make_competition"]


def make_competition(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write a synthetic competition of `layout` (see each task's module for the layouts) into `folder`."""
    if layout in SEGMENTATION_LAYOUTS:
        return make_segmentation(folder, layout, n_train, n_test, seed)
    if layout in DETECTION_LAYOUTS:
        return make_detection(folder, layout, n_train, n_test, seed)
    if layout in CLASSIFICATION_LAYOUTS:
        return make_classification(folder, layout, n_train, n_test, seed)
    if layout in IMAGE2IMAGE_LAYOUTS:
        return make_image2image(folder, layout, n_train, n_test, seed)
    if layout in PUBLIC_LAYOUTS:
        return make_public(folder, layout, n_train, n_test, seed)
    if layout in KNOWN_LAYOUTS:
        return make_known(folder, layout, n_train, n_test, seed)
    if layout in SIGNAL_LAYOUTS:
        return make_signals(folder, layout, n_train, n_test, seed)
    if layout in VOLUME_LAYOUTS:
        return make_volumes(folder, layout, n_train, n_test, seed)
    if layout in RECORD_LAYOUTS:
        return make_records(folder, layout, n_train, n_test, seed)
    if layout in TEXT_LAYOUTS:
        return make_text(folder, layout, n_train, n_test, seed)
    raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
