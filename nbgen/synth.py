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

# Each module's layouts and the function that writes them, in the order the layouts are listed.
MAKERS = ((CLASSIFICATION_LAYOUTS, make_classification), (SEGMENTATION_LAYOUTS, make_segmentation),
          (DETECTION_LAYOUTS, make_detection), (IMAGE2IMAGE_LAYOUTS, make_image2image), (PUBLIC_LAYOUTS, make_public),
          (KNOWN_LAYOUTS, make_known), (SIGNAL_LAYOUTS, make_signals), (VOLUME_LAYOUTS, make_volumes),
          (RECORD_LAYOUTS, make_records), (TEXT_LAYOUTS, make_text))
LAYOUTS = tuple(layout for layouts, _ in MAKERS for layout in layouts)
__all__ = ["CLASSIFICATION_LAYOUTS", "DETECTION_LAYOUTS", "IMAGE2IMAGE_LAYOUTS", "KNOWN_LAYOUTS", "LAYOUTS", "PUBLIC_LAYOUTS", "RECORD_LAYOUTS",
           "SEGMENTATION_LAYOUTS", "SIGNAL_LAYOUTS", "SynthCompetition", "TEXT_LAYOUTS", "VOLUME_LAYOUTS", "make_competition"]


def make_competition(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write a synthetic competition of `layout` (see each task's module for the layouts) into `folder`."""
    for layouts, make in MAKERS:
        if layout in layouts:
            return make(folder, layout, n_train, n_test, seed)
    raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
