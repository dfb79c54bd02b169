"""Decode slow images once (DICOM, 16-bit PNG) into 8-bit PNGs in a view of the data that every reader can use."""

import os
import shutil
import struct
from pathlib import Path

import cv2

from lib.readers import DICOM_SUFFIXES, read_dicom, to_8bit

DECODED_VIEW = "decoded-input"


def needs_decoding(path):
    """DICOM files, and PNGs of more than 8 bits per channel (read from the header, not decoded)."""
    suffix = Path(path).suffix.lower()
    if suffix in DICOM_SUFFIXES:
        return True
    if suffix != ".png":
        return False
    with open(path, "rb") as f:
        head = f.read(25)
    return head.startswith(b"\x89PNG") and struct.unpack(">B", head[24:25])[0] > 8


def decode_image(source, target, window=""):
    """Write one slow image as an 8-bit PNG (grey stays grey) through a temporary file; return the target."""
    if Path(source).suffix.lower() in DICOM_SUFFIXES:
        image = read_dicom(source, window)
    else:
        image = cv2.imread(str(source), cv2.IMREAD_UNCHANGED)
        if image is None:
            raise ValueError(f"cannot read image {source}; remove the file or replace it")
        image = to_8bit(image, window)
    partial = Path(target).with_name(Path(target).name + ".partial.png")
    partial.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(partial), image):
        raise OSError(f"cannot write {partial}; check that work_dir is writable")
    os.replace(partial, target)
    return target


def _decode_job(job):
    return decode_image(*job)


def decode_inputs(data_dir, work_dir, window="", workers=0, progress=True):
    """Return data_dir when no image needs decoding, else a view where slow images are 8-bit PNGs of the same stem.

    Every other file is linked. A re-run reuses what is decoded (each PNG is written through a
    temporary name), and free disk is checked before anything is written.
    """
    from multiprocessing import get_context

    from tqdm.auto import tqdm

    data_dir, view = Path(data_dir), Path(work_dir) / DECODED_VIEW
    # Links followed: data_dir may be the unpacked view, whose plain folders are links to the input.
    files = sorted(Path(root, name) for root, _, names in os.walk(data_dir, followlinks=True) for name in names)
    slow = [p for p in files if needs_decoding(p)]
    if not slow:
        return data_dir
    jobs = [(p, view / p.relative_to(data_dir).with_suffix(".png"), window) for p in slow]
    todo = [job for job in jobs if not job[1].is_file()]
    view.mkdir(parents=True, exist_ok=True)
    if todo:
        first = decode_image(*todo[0])
        need = first.stat().st_size * 1.5 * len(todo)  # PNG sizes vary: leave room
        free = shutil.disk_usage(view).free
        if need > free:
            first.unlink()
            raise OSError(f"decoding {len(todo)} images needs about {need / 1e9:.1f} GB, {view} has {free / 1e9:.1f} GB "
                          "free; free disk space, or set work_dir to a larger disk")
    for path in files:
        if not needs_decoding(path):
            link = view / path.relative_to(data_dir)
            if not link.exists():
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(path.resolve())
    workers = workers or min(8, os.cpu_count() or 1)
    bar = tqdm(total=len(jobs), initial=len(jobs) - len(todo) + (1 if todo else 0), desc="decode once", disable=not progress)
    if len(todo) > 1 and workers > 1:
        with get_context("fork").Pool(workers) as pool:
            for _ in pool.imap_unordered(_decode_job, todo[1:], chunksize=8):
                bar.update()
    else:
        for job in todo[1:]:
            decode_image(*job)
            bar.update()
    bar.close()
    return view
