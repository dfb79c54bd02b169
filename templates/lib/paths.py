"""Find the competition folder, its files and images at run time, on any Kaggle mount layout."""

import os
import re
from pathlib import Path

KAGGLE_INPUT = Path("/kaggle/input")
DICOM_SUFFIXES = (".dcm", ".dicom")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp", ".dcm", ".dicom", ".npy")
WEIGHT_SUFFIXES = (".safetensors", ".pth", ".pt", ".bin")


def find_competition_dir(competition, data_dir="", input_root=KAGGLE_INPUT):
    """Return the competition folder: data_dir if given, else the 2026 and the old mount, else the one attached input
    with a sample submission, else the one attached input holding images (a dataset without a sample)."""
    if data_dir:
        if Path(data_dir).is_dir():
            return Path(data_dir)
        raise FileNotFoundError(f"data_dir {data_dir!r} is not a folder; fix data_dir or set it to ''")
    input_root = Path(input_root)
    looked = []
    if competition:
        for candidate in (input_root / "competitions" / competition, input_root / competition):
            if candidate.is_dir():
                return candidate
            looked.append(str(candidate))
    hits = [h.parent for h in sorted(input_root.glob("*/sample_submission.csv")) + sorted(input_root.glob("*/*/sample_submission.csv"))]
    if not hits:
        mounts = [*input_root.glob("competitions/*"), *input_root.glob("datasets/*/*"),
                  *(p for p in input_root.glob("*") if p.name not in ("competitions", "datasets", "models", "notebooks"))]
        hits = [m for m in sorted(mounts) if m.is_dir() and not (m / TRAIN_MARKER).is_file() and _holds_images(m)]
    if len(hits) > 1:
        raise FileNotFoundError(f"{len(hits)} attached inputs could be the data: {', '.join(map(str, hits[:6]))}; nothing "
                                "is picked for you: set data_dir to the one to use")
    if hits:
        return hits[0]
    looked.append(f"{input_root}/**/sample_submission.csv, and attached inputs holding images")
    raise FileNotFoundError(
        f"competition folder not found; looked in {', '.join(looked)}. "
        "Attach the competition with 'Add Input', or set data_dir to the folder that holds the data."
    )


def _holds_images(folder):
    """Whether an image file sits anywhere below `folder` (the walk stops at the first)."""
    for _, _, files in os.walk(folder, followlinks=True):
        if any(name.lower().endswith(IMAGE_SUFFIXES) for name in files):
            return True
    return False


def find_work_dir(work_dir=""):
    """Return the output folder: work_dir, else /kaggle/working on Kaggle, else the current folder."""
    if work_dir:
        path = Path(work_dir)
    elif Path("/kaggle/working").is_dir():
        path = Path("/kaggle/working")
    else:
        path = Path.cwd()
    path.mkdir(parents=True, exist_ok=True)
    return path


ID_TEMPLATE_PART = re.compile(r"\{(dir(\d)|stem(?::(\d))?)\}")


def template_key(relpath, template):
    """The id a file's path spells under `template`, or None when the path is too shallow.

    '{dir2}_{stem:2}' joins the folder two levels up with the stem's first two '_'-tokens:
    'case1/case1_day2/scans/slice_0003_266_266_1.50_1.50.png' -> 'case1_day2_slice_0003' (UW-Madison).
    """
    parts = relpath.split("/")
    stem = parts[-1].rpartition(".")[0]
    missing = False

    def part(match):
        nonlocal missing
        if match.group(2):
            level = int(match.group(2))
            if level >= len(parts):
                missing = True
                return ""
            return parts[-1 - level]
        tokens = match.group(3)
        return "_".join(stem.split("_")[: int(tokens)]) if tokens else stem

    key = ID_TEMPLATE_PART.sub(part, template)
    return None if missing else key


ID_KEYS = ("name", "stem", "path", "path_stem")  # how an id names a file below its folder, tried in this order


def file_key(relpath, kind):
    """The id the file at `relpath` (below its image folder) answers to under `kind`: one of ID_KEYS, or a template.

    name: 'a/b/x.jpg' -> 'x.jpg'; stem: 'x'; path: 'a/b/x.jpg'; path_stem: 'a/b/x'; a template as template_key.
    """
    if kind in ("name", "stem"):
        name = relpath.rpartition("/")[2]
        return name if kind == "name" else name.rpartition(".")[0] or name
    if kind in ("path", "path_stem"):
        return relpath if kind == "path" else relpath.rpartition(".")[0] or relpath
    return template_key(relpath, kind)


def index_files(folder, kind, skip=None):
    """Map id -> path for every image below `folder`, ids spelled by `kind` (file_key); skip(relpath) drops masks."""
    folder = Path(folder)
    index = {}
    for root, _, files in os.walk(folder, followlinks=True):  # unpacked and decoded views link folders
        base = Path(root).relative_to(folder).as_posix()
        for name in sorted(files):
            if name.lower().endswith(IMAGE_SUFFIXES):
                rel = name if base == "." else f"{base}/{name}"
                if skip is None or not skip(rel):
                    key = file_key(rel, kind)
                    if key is not None:
                        index.setdefault(key, Path(root) / name)
    return index


def image_paths(ids, index, folder):
    """Return one path per id, or raise naming the missing ids, the folder and the parameter to set."""
    paths, missing = [], []
    for image_id in ids:
        key = str(image_id)
        path = index.get(key)
        if path is None:
            missing.append(key)
        paths.append(path)
    if missing:
        raise FileNotFoundError(
            f"{len(missing)} of {len(paths)} images not found in {folder} (first: {missing[:3]}); "
            "check train_image_dir / test_image_dir"
        )
    return paths


def find_weights(model_name, pretrained_path="", search_root=KAGGLE_INPUT, skip=()):
    """Return a local weights file for `model_name`, or None to train from scratch.

    pretrained_path: a file, a folder holding one weights file, 'none', or '' to search
    `search_root` for a weights file whose path mentions the model's name.
    """
    if pretrained_path.lower() == "none":
        return None
    if pretrained_path:
        path = Path(pretrained_path)
        if path.is_file():
            return path
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix in WEIGHT_SUFFIXES)
            if files:
                return files[0]
        raise FileNotFoundError(
            f"pretrained_path={pretrained_path!r}: no weights file ({', '.join(WEIGHT_SUFFIXES)}) there; "
            "attach the weights and fix the path, or set it to 'none' to train from scratch"
        )
    base = model_name.split(".")[0].lower()
    keys = {base, base.replace("_", "-")}
    skip = {Path(s).resolve() for s in skip}
    for root, dirs, files in os.walk(search_root):
        dirs[:] = sorted(d for d in dirs if (Path(root) / d).resolve() not in skip)
        for name in sorted(files):
            full = str(Path(root) / name).lower()
            if name.endswith(WEIGHT_SUFFIXES) and any(k in full for k in keys):
                return Path(root) / name
    return None


def find_model_folder(model_name, pretrained_path="", search_root=KAGGLE_INPUT, skip=()):
    """A local folder with the model's config.json (and weights), or None to build it from scratch.

    pretrained_path: the folder, 'none', or '' to search `search_root` for a config.json whose path
    mentions the model's name ('rtdetr_v2_r18vd' of 'PekingU/rtdetr_v2_r18vd'; hub caches spell it
    'models--PekingU--rtdetr_v2_r18vd').
    """
    if pretrained_path.lower() == "none":
        return None
    if pretrained_path:
        path = Path(pretrained_path)
        hits = [path] if (path / "config.json").is_file() else sorted(p.parent for p in path.rglob("config.json"))
        if not hits:
            raise FileNotFoundError(f"pretrained_path={pretrained_path!r}: no config.json there; attach the model's "
                                    "save_pretrained folder and fix the path, or set it to 'none' to train from scratch")
        return _one_folder(hits, "pretrained_path")
    key = model_name.split("/")[-1].lower()
    skip = {Path(s).resolve() for s in skip}
    hits = []
    for root, dirs, files in os.walk(search_root):
        dirs[:] = sorted(d for d in dirs if (Path(root) / d).resolve() not in skip)
        if "config.json" in files and key in str(root).lower():
            hits.append(Path(root))
    return _one_folder(hits, "pretrained_path") if hits else None


def _one_folder(hits, parameter):
    """The one folder found, or a stop naming them all and the parameter that picks one."""
    if len(hits) > 1:
        raise ValueError(f"{len(hits)} folders fit: {', '.join(map(str, hits))}; nothing is picked for you: set {parameter} "
                         "to the one to use")
    return hits[0]


TRAIN_MARKER = "nbgen-train.json"


def find_training_output(work_dir, input_root=KAGGLE_INPUT):
    """The training kernel's output folder: work_dir when it holds one, else an attached kernel output.

    Kernel outputs are mounted at /kaggle/input/<slug> or deeper (/kaggle/input/notebooks/<owner>/<slug>).
    """
    if (Path(work_dir) / TRAIN_MARKER).is_file():
        return Path(work_dir)
    root = Path(input_root)
    hits = find_training_outputs(root)
    if hits:
        return _one_folder(hits, "work_dir")
    raise FileNotFoundError(
        f"no training kernel output ({TRAIN_MARKER}) in {work_dir} or under {root}; attach the training "
        "kernel's output (kernel_sources), or set work_dir to the folder that holds it"
    )


def find_training_outputs(input_root=KAGGLE_INPUT):
    """Every attached training kernel output (a folder holding nbgen-train.json), for an ensemble."""
    root = Path(input_root)
    return [p.parent for p in sorted(root.glob(f"*/{TRAIN_MARKER}")) + sorted(root.glob(f"*/*/*/{TRAIN_MARKER}"))]


def link_outputs(source, work_dir):
    """Make the training outputs visible in work_dir as symlinks (the input mount is read-only)."""
    source, work_dir = Path(source), Path(work_dir)
    if source.resolve() == work_dir.resolve():
        return
    for entry in sorted(source.iterdir()):
        target = work_dir / entry.name
        if entry.name != "submission.csv" and not target.exists():
            target.symlink_to(entry.resolve(), target_is_directory=entry.is_dir())
