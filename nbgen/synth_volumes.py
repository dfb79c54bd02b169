"""Synthetic miniatures of volume competitions: DICOM slice series per study, read as 2.5D stacks.

rsna_miccai: rsna-miccai-brain-tumor-radiogenomic-classification (COMPETITIONS.md): train_labels.csv (BraTS21ID
    5-digit, MGMT_value); train/<id>/{FLAIR,T1w,T1wCE,T2w}/Image-N.dcm; test/ the same; sample_submission.csv
    (BraTS21ID, MGMT_value probability). File names and instance numbers are shuffled against the slices' positions,
    so only ImagePositionPatient orders a series. A positive case shows a bright blob in the middle FLAIR slices.
"""

from __future__ import annotations

from pathlib import Path

from nbgen.synth_io import SynthCompetition, write_csv

VOLUME_LAYOUTS = ("rsna_miccai",)
SEQUENCES = ("FLAIR", "T1w", "T1wCE", "T2w")
SLICES, SIDE = 16, 32  # per series: the fewest slices a series is told by, of a few pixels


def make_volumes(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write the miniature `layout` into `folder` and describe it; truth maps a test case id to its MGMT_value."""
    import numpy as np

    if layout not in VOLUME_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(VOLUME_LAYOUTS)}")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    train = [f"{2 * i:05d}" for i in range(n_train)]
    test = [f"{2 * i + 1:05d}" for i in range(n_test)]
    labels = {case: i % 2 for i, case in enumerate(train)} | {case: (i + 1) % 2 for i, case in enumerate(test)}
    for split, cases in (("train", train), ("test", test)):
        for case in cases:
            for sequence in SEQUENCES:
                _write_series(rng, folder / split / case / sequence, case, sequence,
                              labels[case] == 1 and sequence == "FLAIR")
    write_csv(folder / "train_labels.csv", ["BraTS21ID", "MGMT_value"], [[c, labels[c]] for c in train])
    header = ["BraTS21ID", "MGMT_value"]
    write_csv(folder / "sample_submission.csv", header, [[c, 0.5] for c in test])
    return SynthCompetition(folder, layout, ["0", "1"], header, test, truth={c: str(labels[c]) for c in test})


def _write_series(rng, folder: Path, case: str, sequence: str, blob: bool) -> None:
    """SLICES axial slices 5 mm apart, named and numbered in a shuffled order; a blob in the middle third if `blob`."""
    import numpy as np

    order = rng.permutation(SLICES)
    yy, xx = np.mgrid[:SIDE, :SIDE]
    for k in range(SLICES):
        image = rng.normal(300, 40, size=(SIDE, SIDE))
        if blob and SLICES // 3 <= k < 2 * SLICES // 3:
            image += 600 * ((yy - SIDE / 2) ** 2 + (xx - SIDE / 2) ** 2 < (SIDE / 5) ** 2)
        number = int(order[k]) + 1
        _write_slice(folder / f"Image-{number}.dcm", np.clip(image, 0, 4000), case, sequence, number, 5.0 * k)


def _write_slice(path: Path, values, case: str, sequence: str, number: int, z: float) -> None:
    import numpy as np
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, MRImageStorage, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MRImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[case, sequence, str(number)])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.SeriesDescription, ds.InstanceNumber = "MR", sequence, number
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.ImagePositionPatient = [0.0, 0.0, z]
    ds.Rows, ds.Columns = values.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.RescaleSlope, ds.RescaleIntercept = 1.0, 0.0
    ds.PixelData = np.rint(values).astype(np.uint16).tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
