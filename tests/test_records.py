"""Band records (Statoil JSON) and band folders (contrails) converted once, against independent computations."""

import csv
import json
import os
import shutil

import cv2
import numpy as np
import pytest

from lib import decode, inputs
from lib.layout import Inputs
from nbgen.synth import make_competition


def converted(synth, tmp_path):
    return decode.decode_inputs(inputs.unpack_inputs(synth.folder, tmp_path, progress=False), tmp_path, progress=False)


def test_band_records_become_arrays_and_a_table(tmp_path):
    pytest.importorskip("py7zr")
    synth = make_competition(tmp_path / "data", "json_bands")
    view = converted(synth, tmp_path / "work")
    records = json.loads((tmp_path / "work" / inputs.VIEW_NAME / "train.json").read_text())
    first = records[0]
    array = np.load(view / "train" / f"{first['id']}.npy")
    assert array.shape == (2, 75, 75) and array.dtype == np.float32
    assert np.allclose(array[1], np.asarray(first["band_2"], dtype=np.float32).reshape(75, 75))
    with (view / "train.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["id", "inc_angle", "is_iceberg"]
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert [r["inc_angle"] for r in rows] == [str(r["inc_angle"]) for r in records]  # 'na' kept as written
    assert not (view / "train.json").exists()  # replaced by its conversion, not linked
    assert sorted(p.stem for p in (view / "test").iterdir()) == sorted(synth.test_ids)
    stamp = os.stat(view / "train.csv").st_mtime_ns
    assert converted(synth, tmp_path / "work") == view
    assert os.stat(view / "train.csv").st_mtime_ns == stamp


def test_band_folders_become_false_colour_images_and_masks(tmp_path):
    synth = make_competition(tmp_path / "data", "contrails")
    view = converted(synth, tmp_path / "work")
    record = sorted((synth.folder / "train").iterdir())[0]
    b11, b14, b15 = (np.load(record / f"band_{b}.npy")[..., 4] for b in (11, 14, 15))

    def scale(values, low, high):
        return np.clip((values - low) / (high - low), 0, 1)

    want = np.rint(np.dstack([scale(b15 - b14, -4, 2), scale(b14 - b11, -4, 5), scale(b14, 243, 303)]) * 255)
    got = cv2.cvtColor(cv2.imread(str(view / "train" / f"{record.name}.png")), cv2.COLOR_BGR2RGB)
    assert np.abs(got.astype(int) - want.astype(int)).max() <= 1
    mask = cv2.imread(str(view / "train_masks" / f"{record.name}.png"), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(mask > 0, np.load(record / "human_pixel_masks.npy")[..., 0] > 0)
    assert sorted(p.stem for p in (view / "test").iterdir()) == sorted(synth.test_ids)
    assert not (view / "test_masks").exists()
    assert not list(view.rglob("*.npy"))  # the arrays are replaced by their images


def test_inspection_lists_converted_files_and_writes_nothing(tmp_path):
    synth = make_competition(tmp_path / "data", "contrails")
    before = sorted(p for p in synth.folder.rglob("*"))
    seen = Inputs(synth.folder)
    record = synth.test_ids[0]
    assert seen.files[f"test/{record}.png"][0] == "converted"
    assert not any(r.startswith(f"test/{record}/") for r in seen.files)
    assert sorted(p for p in synth.folder.rglob("*")) == before


def test_band_records_that_are_not_square_images_are_named(tmp_path):
    (tmp_path / "train.json").write_text(json.dumps([{"id": "a", "band_1": [0.5] * 10, "is_iceberg": 1}]))
    with pytest.raises(ValueError, match=r"band lists \['band_1'\] of \[10\] values are not square"):
        Inputs(tmp_path)


def test_band_folders_without_the_false_colour_bands_are_named(tmp_path):
    (tmp_path / "train" / "r1").mkdir(parents=True)
    np.save(tmp_path / "train" / "r1" / "band_08.npy", np.zeros((4, 4, 8), np.float32))
    with pytest.raises(ValueError, match=r"train/r1/ holds bands \[8\] without \[11, 14, 15\]"):
        Inputs(tmp_path)


def test_a_conversion_never_overwrites_an_input_file(tmp_path):
    (tmp_path / "train.json").write_text(json.dumps([{"id": "a", "band_1": [0.5] * 4}]))
    (tmp_path / "train.csv").write_text("id,label\na,1\n")
    with pytest.raises(ValueError, match="would write train.csv, which exists already"):
        Inputs(tmp_path)


def test_gigapixel_tiffs_become_tiles_and_mask_tiles(tmp_path):
    tifffile = pytest.importorskip("tifffile")
    from lib.rle import rle_decode
    from lib.tiles import write_tiles

    synth = make_competition(tmp_path / "data", "hubmap")
    view = decode.decode_inputs(synth.folder, tmp_path / "work", progress=False, tile_size=96, tile_writer=write_tiles)
    manifest = json.loads((view / "tiles.json").read_text())
    with (synth.folder / "train.csv").open() as f:
        name, rle = list(csv.reader(f))[1]
    slide = tifffile.imread(synth.folder / "train" / f"{name}.tiff")
    mask = rle_decode(rle, slide.shape[:2], "column")
    entry = manifest[name]
    assert (entry["height"], entry["width"]) == slide.shape[:2]
    covered = np.zeros(slide.shape[:2], np.uint8)
    for y, x, h, w, rel in entry["tiles"]:
        tile = cv2.cvtColor(cv2.imread(str(view / rel)), cv2.COLOR_BGR2RGB)
        assert np.array_equal(tile, slide[y : y + h, x : x + w])
        stem = rel.rpartition("/")[2]
        cut = cv2.imread(str(view / "train_masks" / stem), cv2.IMREAD_UNCHANGED)
        assert np.array_equal(cut > 0, mask[y : y + h, x : x + w] > 0)
        covered[y : y + h, x : x + w] = 1
    assert covered.all()
    assert not (view / "train.csv").exists() and not list(view.rglob("*.tiff"))  # replaced by the tiles
    assert set(manifest) == set(synth.test_ids) | {r.stem for r in (synth.folder / "train").glob("*.tiff")}
    assert not (view / "test_masks").exists()
    # Inspection lists the same tiles without writing them.
    seen = Inputs(synth.folder, tile_size=96)
    assert {r for r in seen.files if r.startswith("train/") and r.endswith(".png")} == \
        {r.relative_to(view).as_posix() for r in (view / "train").glob("*.png")}


def test_two_tables_with_masks_of_the_tiled_slides_stop(tmp_path):
    pytest.importorskip("tifffile")
    synth = make_competition(tmp_path / "data", "hubmap")
    shutil.copy(synth.folder / "train.csv", synth.folder / "train_v2.csv")
    with pytest.raises(ValueError, match=r"several tables hold RLE masks of the tiled images: train.csv, train_v2.csv\. "
                                         r"Discovery will not guess; set train_csv"):
        Inputs(synth.folder, tile_size=96)
    chosen = Inputs(synth.folder, tile_size=96, train_csv="train_v2.csv")
    assert "train_v2.csv" not in chosen.files and "train.csv" in chosen.files


def test_parquet_spectrograms_become_log_power_images(tmp_path):
    """HMS: a spectrogram is a grey image, regions stacked in column order, low frequencies at the bottom of each band,
    log power on one fixed scale, missing values at the floor. A recording whose table row pairs its EEG with its
    spectrogram becomes one image, the spectrogram above its EEG's; without the EEGs a spectrogram stays single."""
    import pandas as pd

    synth = make_competition(tmp_path / "data", "hms")
    source = sorted((synth.folder / "train_spectrograms").iterdir())[0]
    frame = pd.read_parquet(source)
    image = decode.spectrogram_image(frame)
    assert image.shape == (400, len(frame)) and image.dtype == np.uint8
    low, high = decode.LOG_POWER_RANGE
    ll = frame[[c for c in frame.columns if c.startswith("LL_")]].to_numpy(np.float64)  # (time, frequency)
    want = np.rint((np.log(np.clip(np.nan_to_num(ll, nan=np.exp(low)), np.exp(low), np.exp(high))) - low)
                   / (high - low) * 255)
    assert np.abs(image[:100].astype(int) - want.T[::-1].astype(int)).max() <= 1  # LL: the top band, 19.92 Hz first
    view = converted(synth, tmp_path / "work")
    table = pd.read_csv(synth.folder / "train.csv").drop_duplicates("eeg_id").iloc[0]
    both = cv2.imread(str(view / "train_signals" / f"{table.eeg_id}.png"), cv2.IMREAD_UNCHANGED)
    spectrogram = decode.spectrogram_image(pd.read_parquet(synth.folder / "train_spectrograms" /
                                                            f"{table.spectrogram_id}.parquet"))
    assert both.shape == (800, 256)
    assert np.array_equal(both[:400], cv2.resize(spectrogram, (256, 400), interpolation=cv2.INTER_AREA))
    eeg = decode.eeg_image(pd.read_parquet(synth.folder / "train_eegs" / f"{table.eeg_id}.parquet"))
    assert np.array_equal(both[400:], eeg) and eeg.max() == 255 and eeg.min() == 0
    assert not (view / "train_spectrograms").exists() and not (view / "train_eegs").exists()
    shutil.rmtree(synth.folder / "train_eegs")  # no EEGs: each spectrogram its own image
    alone = decode.decode_inputs(synth.folder, tmp_path / "alone", progress=False)
    assert (alone / "train_spectrograms" / f"{source.stem}.png").is_file() and not (alone / "train_signals").exists()


def test_a_long_spectrogram_is_averaged_down_in_time():
    import pandas as pd

    frame = pd.DataFrame(np.full((5000, 3), np.e, dtype=np.float32), columns=["LL_1.0", "LL_2.0", "RL_1.0"])
    frame.insert(0, "time", np.arange(5000))
    image = decode.spectrogram_image(frame)
    assert image.shape == (3, decode.MAX_SPECTROGRAM_COLUMNS)
    assert (image == round((1 - decode.LOG_POWER_RANGE[0]) / 12 * 255)).all()


def test_dicom_series_become_one_stack_per_study_ordered_by_position(tmp_path):
    """RSNA-MICCAI: a case's four sequences, each ordered by ImagePositionPatient (file names and instance numbers are
    shuffled), resampled to volume_depth slices of volume_size px, stacked as channels; a missing sequence is zeros;
    written again at another depth."""
    pytest.importorskip("pydicom")
    from nbgen.synth_volumes import SEQUENCES, SLICES

    synth = make_competition(tmp_path / "data", "rsna_miccai", n_train=4, n_test=2)
    shutil.rmtree(synth.folder / "train" / "00000" / "T2w")  # a case without one sequence
    view = decode.decode_inputs(synth.folder, tmp_path / "work", progress=False, volume_depth=SLICES, volume_size=16)
    negative, positive = (np.load(view / "train" / f"{case}.npy") for case in ("00000", "00002"))
    assert positive.shape == (16, 16, len(SEQUENCES) * SLICES) and positive.dtype == np.float16
    flair = positive[8, 8, :SLICES].astype(float)  # the blob sits in the middle third of the FLAIR slices
    assert (flair[SLICES // 3: 2 * SLICES // 3] > 0.9).all() and (flair[: SLICES // 3 - 1] < 0.5).all()
    assert (flair[2 * SLICES // 3 + 1:] < 0.5).all()
    assert (negative[..., 3 * SLICES:] == 0).all() and negative[..., :SLICES].max() <= 1  # T2w missing: zeros
    assert not list(view.rglob("*.dcm")) and sorted(p.name for p in (view / "test").iterdir()) == ["00001.npy", "00003.npy"]
    again = decode.decode_inputs(synth.folder, tmp_path / "work", progress=False, volume_depth=4, volume_size=16)
    assert np.load(again / "train" / "00002.npy").shape == (16, 16, len(SEQUENCES) * 4)


def test_bson_records_become_their_jpegs_and_a_table(tmp_path):
    """cdiscount: each product's pictures written byte for byte as <_id>-<n>.jpg, a table (image, _id, category_id);
    bson_max_records caps the labelled file only; the example file stays as it is."""
    pytest.importorskip("bson")
    from bson import decode_file_iter

    synth = make_competition(tmp_path / "data", "cdiscount")
    view = decode.decode_inputs(synth.folder, tmp_path / "work", progress=False, bson_max_records=5)
    with (synth.folder / "train.bson").open("rb") as f:
        records = list(decode_file_iter(f))
    first = records[1]
    assert (view / "train" / f"{first['_id']}-1.jpg").read_bytes() == first["imgs"][1]["picture"]
    with (view / "train.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["image", "_id", "category_id"]
    assert sorted({r["_id"] for r in rows}) == sorted(str(r["_id"]) for r in records[:5])  # capped
    assert len(rows) == sum(len(r["imgs"]) for r in records[:5])
    assert rows[0]["category_id"] == str(records[0]["category_id"])
    with (view / "test.csv").open() as f:
        test_rows = list(csv.DictReader(f))
    assert list(test_rows[0]) == ["image", "_id"] and sorted({r["_id"] for r in test_rows}) == sorted(synth.test_ids)
    assert not (view / "train.bson").exists() and (view / "train_example.bson").is_symlink()


def test_surface_volume_fragments_become_tiles_of_a_band_of_slices(tmp_path):
    """vesuvius: each fragment's tiles hold three slices (a third, half and two thirds up the stack), each scaled by
    its own percentiles; mask tiles come from inklabels.png; tiles.json places them; the fragment's files go."""
    pytest.importorskip("tifffile")
    import tifffile

    from lib.tiles import read_band, write_tiles

    synth = make_competition(tmp_path / "data", "vesuvius")
    view = decode.decode_inputs(synth.folder, tmp_path / "work", progress=False, tile_size=64, tile_writer=write_tiles)
    manifest = json.loads((view / "tiles.json").read_text())
    assert sorted(manifest) == ["1", "2", "a"] and (manifest["a"]["height"], manifest["a"]["width"]) == (160, 224)
    band = [synth.folder / "train" / "1" / "surface_volume" / f"{z:02d}.tif" for z in (5, 8, 10)]
    want = read_band(band)
    assert np.array_equal(want[..., 1], np.rint(np.clip((tifffile.imread(band[1]).astype(np.float32)
                                                          - np.percentile(tifffile.imread(band[1])[::4, ::4], 0.5))
                                                         / np.ptp(np.percentile(tifffile.imread(band[1])[::4, ::4],
                                                                                (0.5, 99.5))), 0, 1) * 255))
    tile = cv2.cvtColor(cv2.imread(str(view / "train" / "1_56_56.png")), cv2.COLOR_BGR2RGB)
    assert np.array_equal(tile, want[56:120, 56:120])
    ink = cv2.imread(str(synth.folder / "train" / "1" / "inklabels.png"), cv2.IMREAD_GRAYSCALE) > 0
    mask = cv2.imread(str(view / "train_masks" / "1_56_56.png"), cv2.IMREAD_GRAYSCALE)
    assert np.array_equal(mask > 0, ink[56:120, 56:120])
    assert not (view / "train" / "1").exists() and not (view / "test_masks").exists()
    assert len(manifest["a"]["tiles"]) == len(list((view / "test").glob("a_*.png"))) == 12


def test_a_short_series_of_a_volume_study_is_one_of_its_sequences():
    """A case whose T1w holds 5 slices: still its T1w channels, not 5 stray images."""
    from lib.records import find_conversions

    files = [f"train/{case}/{seq}/Image-{i}.dcm" for case in ("00000", "00002") for seq in ("FLAIR", "T1w")
             for i in range(1, 21 if (case, seq) != ("00000", "T1w") else 6)] + ["train_labels.csv"]
    conversions = [c for c in find_conversions(files, None) if c.kind == "volume"]
    assert [c.source for c in conversions] == ["train/00000", "train/00002"]
    (_, series), = conversions[0].outputs.values()
    assert [len(s) for s in series] == [20, 5] and sorted(conversions[0].replaced) == sorted(
        f for f in files if f.startswith("train/00000/"))


def test_nifti_volumes_become_arrays_along_their_last_axis(tmp_path):
    """A NIfTI volume's last axis is its slice axis: the blob of a positive volume sits in its middle slices; the
    NIfTI files under masks/ are labels and stay as they are."""
    pytest.importorskip("nibabel")
    from nbgen.synth_volumes import SLICES

    synth = make_competition(tmp_path / "data", "nifti_volumes", n_train=4, n_test=2)
    view = decode.decode_inputs(synth.folder, tmp_path / "work", progress=False, volume_depth=SLICES, volume_size=16)
    positive = np.load(view / "train" / "vol002.npy").astype(float)  # the second training volume is positive
    assert positive.shape == (16, 16, SLICES)
    assert (positive[8, 8, SLICES // 3: 2 * SLICES // 3] > 0.9).all() and (positive[8, 8, : SLICES // 3 - 1] < 0.6).all()
    assert (view / "masks" / "vol000.nii.gz").is_symlink() and not list((view / "train").glob("*.nii.gz"))


def test_a_recording_paired_with_two_spectrograms_stops():
    """HMS: which of two spectrograms a recording reads would be a guess: discovery stops naming the table."""
    from lib.records import find_conversions

    class Table:
        def read_csv(self, rel):
            return ["eeg_id", "spectrogram_id", "seizure_vote"], [["7", "1", "3"], ["7", "2", "1"]]

    files = ["train.csv", "train_eegs/7.parquet", "train_spectrograms/1.parquet", "train_spectrograms/2.parquet"]
    with pytest.raises(ValueError, match=r"train.csv: eeg_id 7 pairs with the spectrograms \['1', '2'\]"):
        find_conversions(files, Table())


def test_channel_files_become_one_rgb_image_per_id_and_other_names_stay(tmp_path):
    """HPA: red, green and blue planes as they are, yellow added half to red and green; a folder with other images
    beside them, or '<name>_<number>' files (LGG's slices), is no channel folder."""
    from lib.records import _channel_files

    synth = make_competition(tmp_path / "data", "channel_files")
    view = converted(synth, tmp_path / "work")
    image_id = synth.test_ids[0]
    written = cv2.imread(str(view / "test" / f"{image_id}.png"))[..., ::-1]
    planes = [cv2.imread(str(synth.folder / "test" / f"{image_id}_{c}.png"), cv2.IMREAD_GRAYSCALE)
              for c in ("red", "green", "blue")]
    assert np.array_equal(written, np.dstack(planes))
    assert not (view / "test" / f"{image_id}_red.png").exists()
    files = [f"train/{i}_{c}.png" for i in range(6) for c in ("red", "green", "yellow")]
    assert len(_channel_files(files)) == 6 and _channel_files([*files, "train/other.png"]) == []
    assert _channel_files([f"kaggle_3m/p/{i}_{n}.tif" for i in range(6) for n in (1, 2)]) == []
    yellow = np.full((4, 4), 100, np.uint8)
    for c, value in (("red", 10), ("green", 20), ("blue", 30)):
        cv2.imwrite(str(tmp_path / f"x_{c}.png"), np.full((4, 4), value, np.uint8))
    cv2.imwrite(str(tmp_path / "x_yellow.png"), yellow)
    paths = [tmp_path / f"x_{c}.png" for c in ("red", "green", "blue", "yellow")]
    decode.write_channel_files(paths, ["red", "green", "blue", "yellow"], tmp_path / "x.png")
    assert cv2.imread(str(tmp_path / "x.png"))[0, 0, ::-1].tolist() == [60, 70, 30]
