"""Decode images as uint8 RGB with OpenCV, at reduced resolution when the model needs far fewer pixels."""

import cv2
import numpy as np
from PIL import Image

JPEG_SUFFIXES = (".jpg", ".jpeg")
REDUCED_FLAGS = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4, 8: cv2.IMREAD_REDUCED_COLOR_8}


def pick_reduction(shapes, img_size):
    """Return the largest JPEG decode reduction (1, 2, 4, 8) that keeps the short side >= img_size.

    A reduced decode skips most of the IDCT work, several times faster when training at half
    the source size or less.
    """
    short = min(min(shape[:2]) for shape in shapes)
    return max((r for r in REDUCED_FLAGS if short // r >= img_size), default=1)


def read_rgb(path, reduction=1):
    """Return the image at `path` as an (H, W, 3) uint8 RGB array, or raise naming the file."""
    path = str(path)
    flag = REDUCED_FLAGS[reduction] if path.lower().endswith(JPEG_SUFFIXES) else cv2.IMREAD_COLOR
    image = cv2.imread(path, flag)
    if image is None:
        raise OSError(f"cannot read image {path}: missing, empty or not an image; check the file and image_ext")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def probe_shapes(paths, count=8):
    """Return the (H, W, C) shapes of the first `count` images, decoded at full size."""
    return [read_rgb(p).shape for p in list(paths)[:count]]


def to_chw_tensor_array(image):
    """Return an (H, W, C) uint8 image or mask set as (C, H, W): the CPU side never converts to float."""
    return np.ascontiguousarray(image.transpose(2, 0, 1))


def image_hw(path):
    """(height, width) from the image header, without decoding the pixels."""
    with Image.open(path) as image:
        return image.height, image.width
