"""Image-to-image helpers: grey targets, and per-pixel submissions ('<image>_<row>_<col>', 1-based) streamed in chunks."""

import cv2
import numpy as np
import pandas as pd


def read_grey(path):
    """A grey image as (H, W) float32 in [0, 1], or raise naming the file."""
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise OSError(f"cannot read image {path}: missing, empty or not an image; check the file")
    return image.astype(np.float32) / 255


def split_pixel_ids(ids):
    """'<image>_<row>_<col>' ids (1-based) -> (image names, 0-based rows, 0-based columns) as arrays."""
    parts = pd.Series(ids, dtype=str).str.rsplit("_", n=2, expand=True)
    if parts.shape[1] != 3 or parts.isna().any().any():
        raise ValueError(f"pixel ids must be '<image>_<row>_<col>'; found {list(ids)[:1]}")
    return parts[0].to_numpy(), parts[1].astype(np.int64).to_numpy() - 1, parts[2].astype(np.int64).to_numpy() - 1


def write_pixel_submission(sample_csv, out_csv, predictions, chunk_rows=1_000_000):
    """Fill the sample's last column from predictions {image: (H, W) values}, one chunk of rows at a time.

    Rows keep the sample's order and columns; returns the number of rows written.
    """
    written = 0
    for chunk in pd.read_csv(sample_csv, chunksize=chunk_rows, dtype={0: str}, keep_default_na=False):
        images, rows, cols = split_pixel_ids(chunk.iloc[:, 0])
        values = np.empty(len(chunk), dtype=np.float32)
        codes, names = pd.factorize(images)
        for k, name in enumerate(names):
            if name not in predictions:
                raise ValueError(f"the sample names image {name!r}, which has no prediction; check test_image_dir")
            prediction, here = predictions[name], codes == k
            if rows[here].max() >= prediction.shape[0] or cols[here].max() >= prediction.shape[1]:
                raise ValueError(f"the sample's pixels of {name!r} run past its {prediction.shape} image")
            values[here] = prediction[rows[here], cols[here]]
        chunk[chunk.columns[-1]] = values
        chunk.to_csv(out_csv, mode="w" if written == 0 else "a", header=written == 0, index=False, float_format="%.5f")
        written += len(chunk)
    return written
