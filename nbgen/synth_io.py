"""Writers shared by the synthetic competitions: what was written, CSV and image files, archives."""

from __future__ import annotations

import csv
import shutil
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

COLOURS = ((230, 60, 60), (60, 230, 60), (60, 60, 230))


@dataclass(frozen=True)
class SynthCompetition:
    """What was written: where, the sample submission's columns, test ids in row order, and the held-out truth."""

    folder: Path
    layout: str
    classes: list[str]
    sample_columns: list[str]
    test_ids: list[str]
    blank_values: bool = False  # empty masks are blank cells
    rows_per_instance: bool = False  # submission rows repeat an id once per instance
    params: dict[str, str] = field(default_factory=dict)  # what a known-competitions entry would set
    truth: dict[str, object] = field(default_factory=dict)  # test id -> label (or mask), for held-out scoring
    no_sample: bool = False  # no sample submission: sample_columns and test_ids are what the notebook writes


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def write_image(path: Path, image) -> None:
    """Write an RGB (H, W, 3) or grey (H, W) uint8 array; the suffix picks the format."""
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), image[..., ::-1] if image.ndim == 3 else image)


def pack(folder: Path, archive: Path, top_folder: bool = False) -> None:
    """Replace `folder` by an archive of its files (.zip, .tar, .tar.gz); members keep the folder name if asked."""
    files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
    base = folder.parent if folder.is_file() or top_folder else folder
    names = [(p, p.relative_to(base).as_posix()) for p in files]
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive, "w") as z:
            for path, name in names:
                z.write(path, name)
    elif archive.name.endswith(".7z"):
        import py7zr

        with py7zr.SevenZipFile(archive, "w") as z:
            for path, name in names:
                z.write(path, name)
    else:
        with tarfile.open(archive, "w:gz" if archive.name.endswith("gz") else "w") as t:
            for path, name in names:
                t.add(path, name)
    if folder.is_dir():
        shutil.rmtree(folder)
    else:
        folder.unlink()


def write_dicom(path: Path, display, monochrome1: bool = False, slope: float = 1.0, intercept: float = 0.0,
                window: tuple[float, float] | None = None) -> None:
    """Write a grey uint8 `display` image as a 12-bit DICOM whose modality LUT and photometry give it back.

    Stored values are (display * 16 - intercept) / slope, inverted for MONOCHROME1; `window`
    (centre, width) adds a VOI window in modality units.
    """
    import numpy as np
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    values = display.astype(np.float64) * 16  # 0..4080 in modality units
    if monochrome1:
        values = 4095 - values
    stored = np.rint((values - intercept) / slope).astype(np.uint16)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[str(path.name)])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality = "DX"
    ds.Rows, ds.Columns = display.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME1" if monochrome1 else "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    if window is not None:
        ds.WindowCenter, ds.WindowWidth = window
    ds.PixelData = stored.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
