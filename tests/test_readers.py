"""DICOM and 16-bit reading, and the decode-once view, against independent computations."""

import os

import cv2
import numpy as np
import pytest

from lib import decode, readers

pydicom = pytest.importorskip("pydicom")
from nbgen.synth_io import write_dicom  # noqa: E402

rng = np.random.default_rng(7)


def display_image():
    image = rng.integers(20, 60, (40, 50)).astype(np.uint8)
    image[10:25, 5:30] = 230
    return image


def expected(values, window=None):
    """The reference: modality units, then a window (given, or the 0.5-99.5 percentiles), to 0-255."""
    low, high = window if window else np.percentile(values, (0.5, 99.5))
    return np.rint(np.clip((values - low) / (high - low), 0, 1) * 255).astype(np.uint8)


@pytest.mark.parametrize("monochrome1, slope, intercept", [(False, 1.0, 0.0), (True, 1.0, 0.0), (False, 2.0, -1024.0)])
def test_dicom_rescale_and_photometry(tmp_path, monochrome1, slope, intercept):
    shown = display_image()
    write_dicom(tmp_path / "a.dcm", shown, monochrome1=monochrome1, slope=slope, intercept=intercept)
    ds = pydicom.dcmread(tmp_path / "a.dcm")
    modality = ds.pixel_array.astype(np.float64) * slope + intercept  # the modality LUT, by hand
    reference = expected(modality)
    if monochrome1:
        reference = 255 - reference
    got = readers.read_dicom(tmp_path / "a.dcm")
    assert got.dtype == np.uint8 and np.abs(got.astype(int) - reference).max() <= 1
    assert np.corrcoef(got.ravel(), shown.ravel())[0, 1] > 0.99  # bright stays bright, MONOCHROME1 included


def test_dicom_voi_window_and_a_fixed_window(tmp_path):
    shown = display_image()
    write_dicom(tmp_path / "w.dcm", shown, window=(1000.0, 1000.0))
    stored = pydicom.dcmread(tmp_path / "w.dcm").pixel_array.astype(np.float64)
    voi = readers.read_dicom(tmp_path / "w.dcm")  # linear VOI: centre 1000, width 1000 -> 500..1500, then stretched
    lut = np.clip((stored - (1000 - 0.5)) / (1000 - 1) + 0.5, 0, 1) * 4095  # DICOM's linear window formula
    assert np.abs(voi.astype(int) - expected(lut)).max() <= 1
    fixed = readers.read_dicom(tmp_path / "w.dcm", window="0,4095")
    assert np.abs(fixed.astype(int) - expected(stored, (0, 4095))).max() <= 1


def test_corrupt_dicom_and_missing_decoder_name_the_file_and_the_fix(tmp_path, monkeypatch):
    (tmp_path / "bad.dcm").write_bytes(b"DICM garbage")
    with pytest.raises(ValueError, match="cannot read DICOM .*bad.dcm.*remove the file or replace it"):
        readers.read_dicom(tmp_path / "bad.dcm")
    write_dicom(tmp_path / "c.dcm", display_image())
    ds = pydicom.dcmread(tmp_path / "c.dcm")
    ds.file_meta.TransferSyntaxUID = pydicom.uid.JPEG2000Lossless  # compressed, and no decoder installed here
    ds.PixelData = pydicom.encaps.encapsulate([b"\xff\x4f" + bytes(64)])
    ds["PixelData"].VR = "OB"
    ds.save_as(tmp_path / "c.dcm")
    with pytest.raises(RuntimeError, match="c.dcm: transfer syntax JPEG 2000 .* needs a decoder .*pylibjpeg"):
        readers.read_dicom(tmp_path / "c.dcm")


def test_sixteen_bit_png_is_windowed(tmp_path):
    deep = (display_image().astype(np.uint16) * 16)  # 12-bit values in a 16-bit PNG
    cv2.imwrite(str(tmp_path / "d.png"), deep)
    assert decode.needs_decoding(tmp_path / "d.png")
    cv2.imwrite(str(tmp_path / "e.png"), display_image())
    assert not decode.needs_decoding(tmp_path / "e.png")
    decode.decode_image(tmp_path / "d.png", tmp_path / "out.png")
    got = cv2.imread(str(tmp_path / "out.png"), cv2.IMREAD_UNCHANGED)
    assert got.dtype == np.uint8 and np.abs(got.astype(int) - expected(deep.astype(np.float64))).max() <= 1


def test_decode_once_view_links_the_rest_and_is_reused(tmp_path):
    data = tmp_path / "data"
    for i in range(5):
        write_dicom(data / "train" / f"{i}.dicom", display_image(), monochrome1=i % 2 == 0)
    (data / "train.csv").parent.mkdir(exist_ok=True)
    (data / "train.csv").write_text("image_id\n0\n")
    view = decode.decode_inputs(data, tmp_path / "work", workers=2, progress=False)
    assert view == tmp_path / "work" / decode.DECODED_VIEW
    assert sorted(p.name for p in (view / "train").iterdir()) == [f"{i}.png" for i in range(5)]
    assert (view / "train.csv").is_symlink()
    stamp = os.stat(view / "train" / "3.png").st_mtime_ns
    assert decode.decode_inputs(data, tmp_path / "work", progress=False) == view
    assert os.stat(view / "train" / "3.png").st_mtime_ns == stamp
    plain = tmp_path / "plain"
    plain.mkdir()
    cv2.imwrite(str(plain / "a.png"), display_image())
    assert decode.decode_inputs(plain, tmp_path / "w2", progress=False) == plain


def test_decode_checks_free_disk(tmp_path, monkeypatch):
    import shutil

    for i in range(3):
        write_dicom(tmp_path / "data" / f"{i}.dcm", display_image())
    monkeypatch.setattr(decode.shutil, "disk_usage", lambda _: shutil._ntuple_diskusage(100, 100, 10))
    with pytest.raises(OSError, match="decoding 3 images needs about .* free; free disk space"):
        decode.decode_inputs(tmp_path / "data", tmp_path / "work", progress=False)
    assert not list((tmp_path / "work").rglob("*.png"))


def test_decode_finds_images_in_folders_the_unpacked_view_links(tmp_path):
    from lib.inputs import unpack_inputs
    from nbgen.synth_io import pack

    data = tmp_path / "data"
    for i in range(3):
        write_dicom(data / "train" / "p1" / f"{i}.dcm", display_image())
    (data / "train.csv").write_text("image_id\n0\n")
    pack(data / "train.csv", data / "train.csv.zip")  # one archive: the plain train/ folder is linked into the view
    view = decode.decode_inputs(unpack_inputs(data, tmp_path / "work", progress=False), tmp_path / "work", progress=False)
    assert sorted(p.name for p in (view / "train" / "p1").iterdir()) == ["0.png", "1.png", "2.png"]


def test_unreadable_inputs_stop_naming_the_file_or_are_skipped(tmp_path, capsys):
    paths = []
    for i in range(4):
        paths.append(tmp_path / f"{i}.npy")
        np.save(paths[-1], np.zeros((2, 8, 8) if i != 2 else (3, 8, 8), np.float32))
    paths.append(tmp_path / "4.png")
    paths[-1].write_bytes(b"\x89PNG broken")
    with pytest.raises(ValueError, match=r"2 unreadable training file\(s\); first: .*2.npy: an array of shape \(3, 8, 8\), "
                                         r"the others \(2, 8, 8\)\. .*set bad_files='skip'"):
        readers.usable_inputs(paths)
    keep = readers.usable_inputs(paths, "skip")
    assert keep.tolist() == [True, True, False, True, False]
    assert "skipped" in capsys.readouterr().out
    with pytest.raises(ValueError, match="the submission needs every test file"):
        readers.usable_inputs(paths, "skip", what="test")


def test_a_dicom_that_fails_to_decode_stops_or_is_left_for_the_check(tmp_path):
    data = tmp_path / "data"
    for i in range(3):
        write_dicom(data / "train" / f"{i}.dcm", display_image())
    (data / "train" / "1.dcm").write_bytes(b"not a dicom")
    with pytest.raises(ValueError, match=r"cannot read DICOM .*1.dcm"):
        decode.decode_inputs(data, tmp_path / "w1", workers=1, progress=False)
    view = decode.decode_inputs(data, tmp_path / "w2", workers=1, progress=False, bad_files="skip")
    paths = sorted((view / "train").iterdir())
    assert [p.name for p in paths] == ["0.png", "1.dcm", "2.png"]
    assert readers.usable_inputs(paths, "skip").tolist() == [True, False, True]
