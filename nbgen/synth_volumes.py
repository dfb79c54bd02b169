"""Synthetic miniatures of volume competitions: DICOM slice series per study, read as 2.5D stacks.

rsna_miccai: rsna-miccai-brain-tumor-radiogenomic-classification (COMPETITIONS.md): train_labels.csv (BraTS21ID
    5-digit, MGMT_value); train/<id>/{FLAIR,T1w,T1wCE,T2w}/Image-N.dcm; test/ the same; sample_submission.csv
    (BraTS21ID, MGMT_value probability). File names and instance numbers are shuffled against the slices' positions,
    so only ImagePositionPatient orders a series. A positive case shows a bright blob in the middle FLAIR slices.
rsna_cervical: rsna-2022-cervical-spine-fracture-detection: train.csv (StudyInstanceUID, patient_overall, C1..C7);
    train_bounding_boxes.csv; segmentations/<uid>.nii; train_images/<uid>/<slice>.dcm, one CT series per study;
    test.csv (StudyInstanceUID, prediction_type, row_id); test_images/ the same; sample_submission.csv: row_id =
    '<uid>_<target>', fractured, one row per study and target. A fractured vertebra Ck shows a bright blob in the
    slices of its own height (the k-th pair of slices), so its place along the series tells which vertebra it is.
"""

from __future__ import annotations

from pathlib import Path

from nbgen.synth_io import SynthCompetition, write_csv

VOLUME_LAYOUTS = ("rsna_miccai", "rsna_cervical", "vesuvius", "nifti_volumes")
FRAGMENT_HW, FRAGMENT_SLICES = (160, 224), 16
VERTEBRAE = tuple(f"C{k}" for k in range(1, 8))
SEQUENCES = ("FLAIR", "T1w", "T1wCE", "T2w")
SLICES, SIDE = 16, 32  # per series: the fewest slices a series is told by, of a few pixels


def make_volumes(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write the miniature `layout` into `folder` and describe it; truth maps a test case id to its MGMT_value."""
    import numpy as np

    if layout not in VOLUME_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(VOLUME_LAYOUTS)}")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    if layout == "rsna_cervical":
        return _cervical(rng, folder, n_train, n_test)
    if layout == "vesuvius":
        return _vesuvius(rng, folder, n_train, n_test)
    if layout == "nifti_volumes":
        return _nifti(rng, folder, n_train, n_test)
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


def _nifti(rng, folder: Path, n_train: int, n_test: int) -> SynthCompetition:
    import nibabel
    import numpy as np

    yy, xx = np.mgrid[:SIDE, :SIDE]
    blob = ((yy - SIDE / 2) ** 2 + (xx - SIDE / 2) ** 2 < (SIDE / 5) ** 2)[..., None]
    labels, truth = [], {}
    for split, count in (("train", n_train), ("test", n_test)):
        for i in range(count):
            case, positive = f"vol{2 * i + (split == 'test'):03d}", (i + (split == "test")) % 2
            volume = rng.normal(100, 15, size=(SIDE, SIDE, SLICES)).astype(np.float32)
            if positive:
                volume[..., SLICES // 3 : 2 * SLICES // 3] += 200 * blob
            (folder / split).mkdir(exist_ok=True)
            nibabel.save(nibabel.Nifti1Image(volume, np.eye(4)), str(folder / split / f"{case}.nii.gz"))
            if split == "train":
                labels.append([case, positive])
                (folder / "masks").mkdir(exist_ok=True)
                nibabel.save(nibabel.Nifti1Image((volume > 250).astype(np.uint8), np.eye(4)),
                             str(folder / "masks" / f"{case}.nii.gz"))
            else:
                truth[case] = str(positive)
    write_csv(folder / "train.csv", ["id", "label"], labels)
    header = ["id", "label"]
    write_csv(folder / "sample_submission.csv", header, [[c, 0.5] for c in truth])
    return SynthCompetition(folder, "nifti_volumes", ["0", "1"], header, list(truth), params={"positive_class": "1"},
                            truth=truth)


def _vesuvius(rng, folder: Path, n_train: int, n_test: int) -> SynthCompetition:
    """Fragments of FRAGMENT_HW px: one training fragment per 12 training images asked for (two at least), one test
    fragment per 16 test images (one at least); truth maps a test fragment to its (H, W) ink mask."""
    import cv2
    import numpy as np
    import tifffile

    from nbgen.synth_masks import _rle

    height, width = FRAGMENT_HW
    truth = {}
    fragments = [("train", str(k + 1)) for k in range(max(2, n_train // 12))] + [
        ("test", "abcdefgh"[k]) for k in range(max(1, n_test // 16))]
    for split, name in fragments:
        base = folder / split / name
        (base / "surface_volume").mkdir(parents=True, exist_ok=True)
        ink = np.zeros((height, width), np.uint8)
        for _ in range(int(rng.integers(3, 6))):  # strokes: short bars in random places
            y, x = int(rng.integers(8, height - 24)), int(rng.integers(8, width - 40))
            if rng.random() < 0.5:
                ink[y : y + 6, x : x + 32] = 1
            else:
                ink[y : y + 20, x : x + 6] = 1
        papyrus = np.zeros((height, width), np.uint8)
        cv2.ellipse(papyrus, (width // 2, height // 2), (width // 2 - 4, height // 2 - 4), 0, 0, 360, 255, -1)
        for z in range(FRAGMENT_SLICES):
            values = rng.normal(20000, 2500, size=(height, width)) * (papyrus > 0)
            if 4 <= z <= 12:
                values = values + 12000.0 * ink
            tifffile.imwrite(base / "surface_volume" / f"{z:02d}.tif", np.clip(values, 0, 65535).astype(np.uint16))
        cv2.imwrite(str(base / "mask.png"), papyrus)
        cv2.imwrite(str(base / "ir.png"), (papyrus // 2).astype(np.uint8))
        if split == "train":
            cv2.imwrite(str(base / "inklabels.png"), ink * 255)
            write_csv(base / "inklabels_rle.csv", ["Id", "Predicted"], [[name, _rle(ink, "row")]])
        else:
            truth[name] = ink.astype(bool)
    header = ["Id", "Predicted"]
    tests = [name for split, name in fragments if split == "test"]
    write_csv(folder / "sample_submission.csv", header, [[name, "1 1 5 1"] for name in tests])
    return SynthCompetition(folder, "vesuvius", ["1"], header, tests, params={"tile_size": "64", "rle_order": "row"}, truth=truth)


def _cervical(rng, folder: Path, n_train: int, n_test: int) -> SynthCompetition:

    targets = ["patient_overall", *VERTEBRAE]
    studies = {}
    for split, count in (("train", n_train), ("test", n_test)):
        for i in range(count):
            uid = f"1.2.826.0.1.3680043.{10000 + 2 * i + (split == 'test')}"
            fractured = {k for k in range(len(VERTEBRAE)) if rng.random() < 0.3}
            studies[uid] = (split, fractured)
            _write_series(rng, folder / f"{split}_images" / uid, uid, "CT",
                          blob_slices={s for k in fractured for s in (2 * k, 2 * k + 1)} or None, names="number")
    rows = [[uid, int(bool(f)), *[int(k in f) for k in range(len(VERTEBRAE))]] for uid, (split, f) in studies.items()
            if split == "train"]
    write_csv(folder / "train.csv", ["StudyInstanceUID", *targets], rows)
    boxes = [[uid, 10, 10, 8, 8, 2 * min(f)] for uid, (split, f) in studies.items() if split == "train" and f]
    write_csv(folder / "train_bounding_boxes.csv", ["StudyInstanceUID", "x", "y", "width", "height", "slice_number"],
              boxes)
    (folder / "segmentations").mkdir(exist_ok=True)
    for uid in [u for u, (split, _) in studies.items() if split == "train"][:2]:
        (folder / "segmentations" / f"{uid}.nii").write_bytes(b"\0" * 348)  # a NIfTI header's size: never read
    test_rows, sample_rows, truth = [], [], {}
    for uid, (split, fractured) in studies.items():
        if split != "test":
            continue
        for target in [*VERTEBRAE, "patient_overall"]:
            row_id = f"{uid}_{target}"
            test_rows.append([uid, target, row_id])
            sample_rows.append([row_id, 0.5])
            truth[row_id] = str(int(bool(fractured) if target == "patient_overall" else
                                    VERTEBRAE.index(target) in fractured))
    write_csv(folder / "test.csv", ["StudyInstanceUID", "prediction_type", "row_id"], test_rows)
    header = ["row_id", "fractured"]
    write_csv(folder / "sample_submission.csv", header, sample_rows)
    return SynthCompetition(folder, "rsna_cervical", targets, header, [r[0] for r in sample_rows], truth=truth)


def _write_series(rng, folder: Path, case: str, sequence: str, blob: bool = False, blob_slices=None,
                  names: str = "Image-") -> None:
    """SLICES axial slices 5 mm apart, named and numbered in a shuffled order; a blob in the middle third if `blob`,
    else in `blob_slices` (indices along the series). names: 'Image-' (Image-N.dcm) or 'number' (N.dcm)."""
    import numpy as np

    order = rng.permutation(SLICES)
    yy, xx = np.mgrid[:SIDE, :SIDE]
    for k in range(SLICES):
        image = rng.normal(300, 40, size=(SIDE, SIDE))
        if (blob and SLICES // 3 <= k < 2 * SLICES // 3) or (blob_slices and k in blob_slices):
            image += 600 * ((yy - SIDE / 2) ** 2 + (xx - SIDE / 2) ** 2 < (SIDE / 5) ** 2)
        number = int(order[k]) + 1
        name = f"Image-{number}.dcm" if names == "Image-" else f"{number}.dcm"
        _write_slice(folder / name, np.clip(image, 0, 4000), case, sequence, number, 5.0 * k)


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
