"""Per-pixel submissions ('<image>_<row>_<col>', 1-based): streamed in chunks, in the sample's order."""

import numpy as np
import pandas as pd
import pytest

from lib.pixels import split_pixel_ids, write_pixel_submission


def test_pixel_rows_follow_the_sample_across_chunks(tmp_path):
    rng = np.random.default_rng(0)
    predictions = {"3": rng.random((4, 5)), "10_a": rng.random((2, 3))}  # an image name may hold '_'
    ids = [f"{name}_{r + 1}_{c + 1}" for name, p in predictions.items() for r in range(p.shape[0]) for c in range(p.shape[1])]
    order = rng.permutation(len(ids))
    pd.DataFrame({"id": [ids[i] for i in order], "value": 1}).to_csv(tmp_path / "sample.csv", index=False)
    assert write_pixel_submission(tmp_path / "sample.csv", tmp_path / "out.csv", predictions, chunk_rows=7) == len(ids)
    out = pd.read_csv(tmp_path / "out.csv", dtype={"id": str})
    assert list(out.columns) == ["id", "value"] and out["id"].tolist() == [ids[i] for i in order]
    for pixel_id, value in zip(out["id"], out["value"], strict=True):
        name, row, col = pixel_id.rsplit("_", 2)
        assert value == pytest.approx(predictions[name][int(row) - 1, int(col) - 1], abs=1e-5)


def test_bad_pixel_ids_are_named(tmp_path):
    with pytest.raises(ValueError, match="pixel ids must be '<image>_<row>_<col>'"):
        split_pixel_ids(["a_1"])
    pd.DataFrame({"id": ["a_9_1"], "value": [1]}).to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(ValueError, match=r"pixels of 'a' run past its \(2, 2\) image"):
        write_pixel_submission(tmp_path / "s.csv", tmp_path / "o.csv", {"a": np.zeros((2, 2))})
    with pytest.raises(ValueError, match="names image 'a', which has no prediction"):
        write_pixel_submission(tmp_path / "s.csv", tmp_path / "o.csv", {})
