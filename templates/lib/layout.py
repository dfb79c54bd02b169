"""The competition folder as discovery sees it: files, tables, image folders, and the plan it fills."""

import csv
import io
import json
from bisect import bisect_left
from collections import Counter
from pathlib import Path

from lib.inputs import image_header, list_inputs, starts_like_list, tiff_size
from lib.needs import need
from lib.paths import ID_KEYS, IMAGE_SUFFIXES, template_key
from lib.records import BSON_PROBE, conversion_candidate

UNSUPPORTED_SUFFIXES = {".mp4": "video", ".avi": "video", ".mov": "video", ".mkv": "video", ".bson": "BSON records",
                        ".nii": "3D volumes", ".nii.gz": "3D volumes", ".wav": "audio", ".aif": "audio",
                        ".pcd": "lidar point clouds", ".ply": "point clouds"}
# Why each kind stops a plan that has nothing else to read: what would be needed, so the stop says exactly why not.
UNSUPPORTED_WHY = {"video": "no notebook samples frames around labelled steps yet",
                   "3D volumes": "NIfTI files in folders named like masks or segmentations are labels, not inputs",
                   "audio": "no notebook turns sound into spectrograms yet",
                   "BSON records": "a BSON file named like an example is left as it is, and one without product records cannot be read",
                   "lidar point clouds": "no notebook detects 3D boxes in point clouds",
                   "point clouds": "no notebook reads point clouds"}
TRAIN_TABLES = ("train.csv", "train_labels.csv", "labels.csv", "train_solution.csv", "train_masks.csv",
                "train_ship_segmentations_v2.csv", "train_image_level.csv")
TRAIN_DIRS = ("train_images", "train", "images/train", "train/images", "images", "train_jpeg", "jpeg/train", "train_v2")
TEST_DIRS = ("test_images", "test", "images/test", "test/images", "images", "test_jpeg", "jpeg/test", "test_v2")
VAL_DIRS = ("val", "valid", "validation", "dev")  # labelled splits beside train/: merged into the folds
IMAGE_WORDS = ("image", "img", "scan", "photo")
MASK_WORDS = ("mask", "label", "annotation", "gt", "truth", "cleaned")
RLE_COLUMNS = {"encodedpixels", "encoded_pixels", "rle_mask", "rle", "encoding", "segmentation", "mask_rle"}
BOX_COLUMN_NAMES = {"bbox", "x_min", "xmin", "boxes"}
CLASS_COLUMNS = ("classid", "class_id", "class", "category_id", "category", "label")  # a class per row
GROUP_WORDS = ("patient", "group", "location", "site", "source", "study", "case", "chain", "institution", "subject")
PROBE_IDS = 50  # ids tried against a folder to tell whether it holds the table's images
PROBE_IMAGES = 32  # images whose headers are read for the format
# Path rules tried when a table's ids name no file: a folder some levels up, then the stem or its first tokens.
ID_TEMPLATES = tuple(f"{{dir{level}}}_{{stem{tokens}}}" for level in (1, 2, 3) for tokens in (":1", ":2", ":3", ""))


class AmbiguousInputError(ValueError):
    """Two readings of the data fit: the message names the candidates and the parameter that picks one."""


class Plan:
    """What discovery found: entries of (value, source), printable and JSON-ready."""

    def __init__(self, root):
        self.root = Path(root)
        self.entries = {}
        self.notes = []
        self.sample_ids = []  # every id of the sample submission, in order: the probe for the test folder
        self.sample_values = []  # the first rows' placeholder values: what kind of answer the sample wants
        self.sample_classes = {}  # column named like a class -> its values, in order

    def set(self, key, value, source):
        self.entries[key] = (value, source)
        return value

    def __getitem__(self, key):
        return self.entries[key][0]

    def get(self, key, default=None):
        return self.entries[key][0] if key in self.entries else default

    def as_dict(self):
        return {"root": str(self.root), "notes": list(self.notes),
                "entries": {k: {"value": v, "source": s} for k, (v, s) in self.entries.items()}}

    def table(self):
        """The plan as aligned text: key, value, source; then each sample column and top-level entry; then the notes."""
        listed = ("sample_roles", "files")
        rows = [(k, _short(v), s) for k, (v, s) in self.entries.items() if k not in listed]
        width = max((len(k) for k, _, _ in rows), default=0)
        value_width = min(60, max((len(v) for _, v, _ in rows), default=0))
        lines = [f"{k:{width}}  {v:{value_width}}  <- {s}" for k, v, s in rows]
        for key, what in (("sample_roles", "column"), ("files", "file")):
            for name, use in self.get(key, {}).items():
                lines.append(f"{what:{width}}  {name or '(unnamed)'}: {use}")
        return "\n".join(lines + [f"note: {n}" for n in self.notes])


def _short(value):
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def ambiguous(what, candidates, parameter):
    shown = ", ".join(str(c) for c in list(candidates)[:6])
    return AmbiguousInputError(f"{what}: {shown}. Discovery will not guess; set {parameter} to the right one")


class Inputs:
    """The folder's files as the notebook will see them: archive members unpacked, band records converted.

    files maps a relative path to None (a plain file), (archive, member), or ("converted", Conversion).
    """

    def __init__(self, root, tile_size=None, train_csv=""):
        self.root = Path(root)
        self.files, self.notes = list_inputs(self.root)
        self._parsed = {}  # tables and JSON read once: several rules look at the same file
        self.replaced = {}
        candidate = conversion_candidate(self.files, lambda rel: self.files[rel] is not None
                                         or starts_like_list(self.root / rel), tile_size)
        self.conversions = need("records.find_conversions", candidate)(self.files, self, tile_size, train_csv) if candidate else []
        for conversion in self.conversions:
            for rel in conversion.replaced:
                self.replaced[rel] = self.files.pop(rel)
            self.files.update({rel: ("converted", conversion) for rel in conversion.outputs})
            self.notes += [conversion.note] if conversion.note else []
        self.folders = Counter(rel.rpartition("/")[0] or "." for rel in self.files)
        self.mask_sources = None  # found once by discover_masks, read by several rules
        self.annotation_folders = None  # found once by discover_boxes
        self._images = self._sorted = None  # sorted image files, sorted files: built on first use
        self._keys = {}  # (folder, template) -> image_keys

    def size(self, rel):
        return (self.root / rel).stat().st_size if self.files[rel] is None else 0

    def path(self, rel):
        """The file `rel` on disk (a plain file; archive members are not)."""
        return self.root / rel

    def tiff_size(self, rel):
        return tiff_size(self.root / rel) if self.files[rel] is None else None

    def read_bytes(self, rel):
        source = self.files[rel] if rel in self.files else self.replaced[rel]
        if source is None:
            return (self.root / rel).read_bytes()
        if source[0] == "converted":
            conversion = source[1]
            if conversion.kind == "bson_records" and rel.endswith(".csv"):  # the first records' rows: a probe
                return need("records.bson_table_csv", conversion.source)(self.path(conversion.source),
                                                                         rel[: -len(".csv")], BSON_PROBE)
            if conversion.kind != "band_records" or not rel.endswith(".csv"):
                raise ValueError(f"{rel} is written by the notebook ({conversion.kind} conversion); it has no bytes yet")
            return need("records.band_records_csv", conversion.source)(self.read_json(conversion.source))
        return need("inputs.read_member", source[0])(self.root / source[0], source[1])

    def read_csv(self, rel):
        """Return (header, rows) of a CSV; a leading unnamed column keeps its empty name."""
        if ("csv", rel) not in self._parsed:
            rows = list(csv.reader(io.StringIO(self.read_bytes(rel).decode("utf-8-sig"))))
            if not rows:
                raise ValueError(f"{rel} is empty; check the file or point the parameter at another one")
            other = [d for d in (";", "\t") if len(rows[0]) == 1 and d in rows[0][0]]
            if other:  # the readers (pandas) read commas: a table split by another character would be one column
                raise ValueError(f"{rel} separates its columns with {other[0]!r}, not commas ({rows[0][0][:60]!r}); the "
                                 "notebooks read comma-separated tables: attach a comma-separated copy and set the "
                                 "parameter that names it (train_csv)")
            self._parsed["csv", rel] = (rows[0], rows[1:])
        return self._parsed["csv", rel]

    def read_json_list(self, rel):
        """A JSON file's content when it holds a list; plain files that do not are not parsed."""
        if self.files[rel] is None and not starts_like_list(self.root / rel):
            return None
        try:
            data = self.read_json(rel)
        except ValueError:
            return None  # invalid JSON: the rule that reads it as a table or COCO file names it
        return data if isinstance(data, list) else None

    def read_json(self, rel):
        if ("json", rel) not in self._parsed:
            try:
                self._parsed["json", rel] = json.loads(self.read_bytes(rel))
            except ValueError as err:
                raise ValueError(f"{rel} is not valid JSON ({err}); check the file or set the parameter to another one") from None
        return self._parsed["json", rel]

    def _below(self, paths, folder):
        """The slice of the sorted `paths` below `folder`: one bisection, not a scan of every file."""
        if folder in ("", "."):
            return paths
        prefix = folder.rstrip("/") + "/"
        return paths[bisect_left(paths, prefix):bisect_left(paths, prefix + "\U0010ffff")]

    def images_under(self, folder):
        """Relative paths of the image files below `folder` ('' = everywhere), sorted (do not change the list)."""
        if self._images is None:
            self._images = sorted(r for r in self.files if r.lower().endswith(IMAGE_SUFFIXES))
        return self._below(self._images, folder)

    def is_folder(self, folder):
        if self._sorted is None:
            self._sorted = sorted(self.files)
        return bool(self._below(self._sorted, folder)[:1]) and folder not in ("", ".")

    def image_keys(self, folder, template=""):
        """{kind: ids} the images below `folder` answer to, for each of ID_KEYS (or the template): built once.

        String operations only: this runs over every file of the folder.
        """
        if (folder, template) not in self._keys:
            images = self.images_under(folder)
            prefix = len(folder.rstrip("/")) + 1 if folder not in ("", ".") else 0
            if template:
                keys = {template: {k for r in images if (k := template_key(r, template)) is not None}}
            else:
                names = {r[r.rfind("/") + 1:] for r in images}
                stems = {n.rpartition(".")[0] or n for n in names}
                keys = {"name": names, "stem": stems, "path": names, "path_stem": stems}
                if any("/" in r[prefix:] for r in images):  # sub-folders: a file is also named by its path
                    keys["path"] = {r[prefix:] for r in images}
                    keys["path_stem"] = {p.rpartition(".")[0] or p for p in keys["path"]}
            self._keys[folder, template] = keys
        return self._keys[folder, template]

    def existing(self, candidates):
        """The candidate folders that exist, matched without regard to case ('Test' for 'test')."""
        folders = {}
        for rel in self.folders:
            parts = rel.split("/")
            for depth in (1, 2):
                if len(parts) >= depth and parts[0] != ".":
                    folders.setdefault("/".join(parts[:depth]).lower(), "/".join(parts[:depth]))
        return [folders[c.lower()] for c in candidates if c.lower() in folders]

    def top_files(self, depth=1):
        return sorted(r for r in self.files if r.count("/") < depth)


def check_supported(inputs, plan):
    """Name the inputs the notebooks cannot read yet, instead of failing later."""
    suffixes = Counter(".nii.gz" if r.lower().endswith(".nii.gz") else "." + r.rpartition(".")[2].lower()
                       for r in inputs.files)
    kinds = Counter()
    for suffix, n in suffixes.items():
        if suffix in UNSUPPORTED_SUFFIXES:
            kinds[UNSUPPORTED_SUFFIXES[suffix]] += n
    if kinds and not any(r.lower().endswith(IMAGE_SUFFIXES) for r in inputs.files):
        found = ", ".join(f"{n} {k} files" for k, n in kinds.most_common())
        why = "; ".join(f"{k}: {UNSUPPORTED_WHY[k]}" for k in kinds)
        raise ValueError(f"{inputs.root} holds {found} and no image files the notebooks read "
                         f"(jpg, png, tif, bmp, webp, DICOM, .npy); this layout is not supported yet ({why})")
    lidar = sorted(r for r in inputs.files if "lidar" in r.lower())
    if lidar:  # Lyft: the camera images are there too, but the targets are 3D boxes from the point clouds
        raise ValueError(f"{inputs.root} holds lidar data ({len(lidar)} files, e.g. {lidar[0]}): 3D detection from "
                         "point clouds is not supported yet")
    for kind, n in kinds.most_common():
        plan.notes.append(f"{n} {kind} files are ignored: only image files are read ({UNSUPPORTED_WHY[kind]})")


def find_sample(inputs, plan, sample_csv):
    """The sample submission: the parameter, else the one file named like a sample at the top, else one level down."""
    if sample_csv:
        if sample_csv not in inputs.files:
            raise FileNotFoundError(f"sample_csv={sample_csv!r} is not in {inputs.root}; fix sample_csv")
        found, source = sample_csv, "parameter sample_csv"
    else:
        found, source = None, ""
        for depth in (1, 2):
            hits = [r for r in inputs.top_files(depth) if _is_sample_name(Path(r).name)]
            hits = [r for r in hits if r.count("/") == depth - 1]
            if len(hits) > 1:
                raise ambiguous("two sample submission files", hits, "sample_csv")
            if hits:
                found, source = hits[0], "file name contains 'sample' and 'submission'"
                break
    if found is None:
        plan.notes.append("no sample submission file: the submission entry says what is written, for which images")
        return
    header, rows = inputs.read_csv(found)
    plan.set("sample_csv", found, source)
    index_col = header[0] == ""
    id_col = header[1] if index_col else header[0]
    plan.set("sample_columns", header, found)
    if index_col:
        plan.set("sample_index_col", True, f"{found}: the first column has no name; it is written back as it is")
    plan.set("sample_id_col", id_col, f"{found}: first named column")
    plan.set("sample_rows", len(rows), found)
    values = [c for c in header if c not in ("", id_col)]
    plan.set("value_cols", values, f"{found}: columns after the id")
    first = header.index(id_col)
    plan.sample_ids = [r[first] for r in rows]
    plan.sample_values = [r[first + 1:] for r in rows[:200]]
    # Classes a sample names row by row (one row per image and class), from every row: a sorted sample lists them late.
    plan.sample_classes = {c: list(dict.fromkeys(r[i] for r in rows if len(r) > i)) for i, c in enumerate(header)
                           if c.lower() in CLASS_COLUMNS and c != id_col}


def _is_sample_name(name):
    lower = name.lower().replace("_", "").replace("-", "")
    return lower.endswith(".csv") and "sample" in lower and "submission" in lower


def training_tables(inputs, train_csv):
    """The training table: the parameter, else the known names at the top level ('none': no table)."""
    if train_csv == "none":
        return []
    if train_csv:
        if train_csv not in inputs.files:
            raise FileNotFoundError(f"train_csv={train_csv!r} is not in {inputs.root}; fix train_csv")
        return [train_csv]
    return [t for t in TRAIN_TABLES if t in inputs.files]


def image_tables(inputs):
    """Top-level tables of another name (not the sample, not a test table) with a column whose first values each name
    an image file: NIH ChestX-ray14's Data_Entry_2017.csv."""
    found = []
    for rel in inputs.top_files():
        if not rel.lower().endswith(".csv") or _is_sample_name(rel) or name_words(rel[:-4]) & set(TEST_WORDS):
            continue
        header, rows = inputs.read_csv(rel)
        columns = ([r[i] for r in rows[:PROBE_IDS] if len(r) > i] for i in range(len(header)))
        if any(values and len(resolvable_ids(inputs, values)) == len(values) for values in columns):
            found.append(rel)
    return found


def table_source(tables, train_csv):
    """Why tables[0] is the training table: the parameter, or the first known name, naming the ones passed over."""
    if train_csv:
        return "parameter train_csv"
    passed = f"; also found {', '.join(tables[1:])}: set train_csv to train on another" if len(tables) > 1 else ""
    return f"known table name, the first of {', '.join(TRAIN_TABLES)}{passed}" if passed else "known table name"


def json_files(inputs):
    """JSON files near the top, not counting those a conversion writes (the tiles manifest)."""
    return sorted(r for r in inputs.files if r.lower().endswith(".json") and r.count("/") <= 2
                  and (inputs.files[r] is None or inputs.files[r][0] != "converted"))


def json_kind(inputs, rel):
    """coco_boxes, coco_labels, coco_images (images without annotations) or None."""
    if inputs.size(rel) > 4e9:
        return None
    data = inputs.read_json(rel)
    if isinstance(data, list):
        return "coco_images" if data and isinstance(data[0], dict) and "file_name" in data[0] else None
    if not isinstance(data, dict) or not isinstance(data.get("images"), list):
        return None
    annotations = data.get("annotations")
    if isinstance(annotations, list) and annotations:
        if all("bbox" in a for a in annotations[:100]):
            return "coco_boxes"
        if all("category_id" in a for a in annotations[:100]):
            return "coco_labels"
        return None
    return "coco_images" if data["images"] and "file_name" in data["images"][0] else None


def pick_json(inputs, kind, parameter, value=""):
    """The one JSON of `kind` to use: the parameter, else the one whose name says train (or test)."""
    if value:
        if value not in inputs.files:
            raise FileNotFoundError(f"{parameter}={value!r} is not in {inputs.root}; fix {parameter}")
        found = json_kind(inputs, value)
        if found != kind:
            wants = {"coco_labels": "annotations[] with category_id and images[]", "coco_boxes": "annotations[] with bbox",
                     "coco_images": "images[] with file_name"}[kind]
            raise ValueError(f"{parameter}={value!r}: {value} has no {wants}; point {parameter} at the JSON that has them")
        return value, f"parameter {parameter}"
    hits = [r for r in json_files(inputs) if json_kind(inputs, r) == kind]
    if len(hits) > 1:
        word = "test" if kind == "coco_images" else "train"
        named = [r for r in hits if word in Path(r).name.lower() or word in Path(r).parent.as_posix().lower()]
        if len(named) != 1:
            raise ambiguous(f"{len(hits)} JSON files hold {kind.replace('_', ' ')}", hits, parameter)
        return named[0], f"the one {kind.replace('_', ' ')} JSON whose path says '{word}' (others: {len(hits) - 1})"
    return (hits[0], f"the one JSON with {kind.replace('_', ' ')}") if hits else (None, "")


def image_records(data):
    """{image id: record} of a COCO-style JSON (a dict with images, or a bare list of image records)."""
    records = data if isinstance(data, list) else data["images"]
    key = "id" if "id" in records[0] else "image_id"
    return {str(r[key]): r for r in records}


def json_images(data):
    """[(image id, file_name)] from a COCO-style JSON."""
    return [(i, r["file_name"]) for i, r in image_records(data).items()]


def json_base(inputs, json_rel, file_names, parameter):
    """The folder that file_name paths are relative to: the JSON's folder, the root or an image folder."""
    parent = str(Path(json_rel).parent)
    bases = [parent, f"{parent}/images", "", *TRAIN_DIRS, *TEST_DIRS]
    probe = file_names[:PROBE_IDS]
    for base in dict.fromkeys(b.strip("./") if b not in ("", ".") else "" for b in bases):
        prefix = f"{base}/" if base else ""
        if probe and all(f"{prefix}{name}" in inputs.files for name in probe):
            return base
    raise FileNotFoundError(
        f"{json_rel}: file names such as {probe[:2]} are not found under its folder, the root or an image folder; "
        f"set {parameter}"
    )


def locate_image_dir(inputs, ids, given, parameter, candidates, template=""):
    """The image folder: the parameter, else the one candidate folder holding the ids (the most specific).

    ids are file names, stems or relative paths from the table or the sample (or what `template` spells
    from the paths); with no ids, a candidate with images fits. Ids that are paths ('images/rose/1.jpg')
    may also resolve from the root.
    """
    probe = list(ids)[:PROBE_IDS]
    if given:
        if given not in ("", ".") and not inputs.is_folder(given):
            raise FileNotFoundError(f"{parameter}={given!r} is not a folder of {inputs.root}; fix {parameter}")
        if id_key(inputs, given, probe, template) not in ("path", "path_stem"):
            check_one_image_per_id(inputs, given, parameter, template)
        return given, f"parameter {parameter}"
    viable = []
    folders = list(dict.fromkeys(inputs.existing(candidates)))
    if any("/" in str(i) for i in probe):
        folders.append("")
    for folder in folders:
        if inputs.images_under(folder)[:1] and (not probe or _named(inputs, folder, probe, template)):
            viable.append(folder)
    # A folder inside another viable one is more specific (train/images inside train).
    viable = [v for v in viable if not any(o != v and o.startswith(v + "/") for o in viable)]
    if "" in viable and len(viable) > 1:
        viable.remove("")  # the root holds every folder: a named folder that fits is more specific
    if len(viable) > 1:
        raise ambiguous(f"{len(viable)} folders hold the same images", viable, parameter)
    if not viable and probe:  # a folder of another name (train_spectrograms/): the one top-level folder with the ids
        tops = sorted({r.split("/")[0] for r in inputs.folders if r != "."} - set(folders))
        viable = [f for f in tops if inputs.images_under(f)[:1] and _named(inputs, f, probe, template)]
        if len(viable) > 1:
            raise ambiguous(f"{len(viable)} folders hold the same images", viable, parameter)
    if not viable and probe:  # split into parts (train_1/, train_2/): the folder above the ones holding them
        return _folder_above(inputs, probe, parameter, template)
    if not viable:
        return None, ""
    folder = viable[0]
    if id_key(inputs, folder, probe, template) not in ("path", "path_stem"):
        check_one_image_per_id(inputs, folder, parameter, template)
    what = ("one candidate folder that " if folder in folders else "one top-level folder that ") + (
        "holds the first ids" if probe else "holds images")
    return folder, f"the {'root, under which the ids are paths' if folder == '' else what}"


def common_folder(folders):
    """The deepest folder above every one of `folders` ('' for the root): train_1 and train_2 -> ''."""
    common = []
    for names in zip(*(f.split("/") for f in folders), strict=False):
        if len(set(names)) > 1:
            break
        common.append(names[0])
    return "/".join(common)


def _folder_above(inputs, ids, parameter, template=""):
    """(folder, source) when the ids name images of several folders between them and no one folder holds them all
    (train_1/ and train_2/): the folder above them, whose files must then be one per id; (None, "") otherwise."""
    if template or not _named(inputs, "", ids):
        return None, ""
    wanted = {str(i) for i in ids}
    holders = {r.rpartition("/")[0] for r in inputs.images_under("")
               if r.rpartition("/")[2] in wanted or r.rpartition("/")[2].rpartition(".")[0] in wanted}
    if len(holders) < 2:
        return None, ""
    folder = common_folder(holders)
    check_one_image_per_id(inputs, folder, parameter, template)
    shown = ", ".join(f"{h}/" for h in sorted(holders)[:4]) + (" ..." if len(holders) > 4 else "")
    above = f"{folder}/" if folder else "the root"
    return folder, (f"the first ids name images of {shown} between them: read from {above}, which holds one file per "
                    f"id (set {parameter} to read one folder)")


def _named(inputs, folder, ids, template=""):
    """Whether every id names an image below `folder` in one of the ways ID_KEYS (or the template) spell."""
    keys = inputs.image_keys(folder, template).values()
    return all(any(i in k for k in keys) for i in ids)


def id_key(inputs, folder, ids, template=""):
    """How the ids name files below `folder`: the first of ID_KEYS under which every probed id names one, or the template.

    Ids that name files in different ways (some with their extension, some without) stop: no one rule reads them.
    """
    if template:
        return template
    probe = [str(i) for i in list(ids)[:PROBE_IDS]]
    if not probe:
        return "stem"
    keys = inputs.image_keys(folder)
    kind = next((k for k in ID_KEYS if all(i in keys[k] for i in probe)), None)
    if kind is None and all("." in i and i.rpartition(".")[0] in keys["stem"] for i in probe):
        other = next(r for r in inputs.images_under(folder) if r.rpartition("/")[2].rpartition(".")[0] ==
                     probe[0].rpartition(".")[0])
        raise ValueError(f"ids such as {probe[:3]} carry another extension than the files below {folder or 'the root'}/ "
                         f"({other}): the notebooks read ids that name files by name or by stem; attach a table whose "
                         "ids match the files, or the images its ids name")
    channels = sorted({s[len(probe[0]) + 1:] for s in keys["stem"] if s.startswith(f"{probe[0]}_")})
    if kind is None and len(channels) > 1 and all(f"{i}_{channels[0]}" in keys["stem"] for i in probe):
        raise ValueError(f"each id names {len(channels)} files below {folder or 'the root'}/, one per channel ("
                         f"{', '.join(f'<id>_{c}' for c in channels[:6])}): the notebooks read channel files named red, green, "
                         "blue, yellow or w1 ... w9, and else one image file per id")
    if kind is None:
        raise ValueError(f"ids such as {probe[:3]} name the files below {folder or 'the root'}/ in different ways (with and "
                         "without extension, by name and by path); make the table's ids one kind, or set the image folder")
    return kind


def table_id_column(inputs, plan, params, table, header, rows):
    """(id column, source): the parameter, the sample's id column (any case), else the one column naming image files."""
    sample_id = plan.get("sample_id_col") or ""
    if params.get("id_col"):
        if params["id_col"] not in header:
            raise KeyError(f"id_col={params['id_col']!r} is not a column of {table} ({header}); fix id_col")
        return params["id_col"], "parameter id_col"
    columns = {c: [r[i] for r in rows[:PROBE_IDS] if len(r) > i] for i, c in enumerate(header)}
    naming = [c for c in header if columns[c] and len(resolvable_ids(inputs, columns[c])) == len(columns[c])]
    lower = {c.lower(): c for c in header}
    if sample_id.lower() in lower:
        found = lower[sample_id.lower()]
        # HMS: the sample's eeg_id is in the table, but the files are named by spectrogram_id (a test table maps them)
        if found in naming or len(naming) != 1:
            return found, (f"{plan['sample_csv']}'s id column is in {table}" if found == sample_id else
                           f"{table}: the sample's id column, in another case")
        return naming[0], (f"{table}: the one column whose values name image files ({sample_id}, the sample's id, "
                           "names none)")
    if len(naming) > 1:
        raise ambiguous(f"{len(naming)} columns of {table} name image files", naming, "id_col")
    if naming:
        return naming[0], f"{table}: the one column whose values name image files"
    return header[0], f"{table}: first column (no column names image files; set id_col if this is wrong)"


def image_folders(inputs):
    """Folders one or two levels down that hold images, for rules that look beyond the usual names."""
    found = set()
    for rel in inputs.files:
        if rel.lower().endswith(IMAGE_SUFFIXES):
            parts = rel.split("/")[:-1]
            found.update("/".join(parts[:depth]) for depth in (1, 2) if len(parts) >= depth)
    return sorted(found)


def find_id_template(inputs, ids, given=""):
    """The path rule under which table ids that name no file spell image paths (UW-Madison); '' when ids are names.

    Returns (template, source). Two rules that spell different ids for the same files stop.
    """
    probe = list(ids)[:PROBE_IDS]
    if given:
        return given, "parameter id_template"
    images = inputs.images_under("")
    if not probe or resolvable_ids(inputs, probe):
        return "", ""
    fits = {}
    for template in (*suffix_templates(probe), *ID_TEMPLATES):
        keys = tuple(template_key(rel, template) for rel in images)
        if set(probe) <= set(keys):
            fits.setdefault(keys, template)  # rules that spell the same ids are one rule
    if len(fits) > 1:
        raise ambiguous("several path rules spell the table's ids", list(fits.values()), "id_template")
    if not fits:
        return "", ""
    template = next(iter(fits.values()))
    return template, f"the one path rule under which the first ids name files (e.g. {probe[0]})"


def suffix_templates(ids):
    """'{stem}_image' when every id ends with the same '_word' (SIIM-COVID: '<image>_image'); else none."""
    words = {str(i).rpartition("_")[2] for i in ids}
    word = next(iter(words)) if len(words) == 1 and all("_" in str(i) for i in ids) else ""
    return (f"{{stem}}_{word}",) if word.isalpha() else ()


def check_one_image_per_id(inputs, folder, parameter, template=""):
    """Stop when two files below `folder` share a stem (TGS: images/ and masks/), or an id under `template`.

    The message names both folders; when one is named like images and the other like masks, it
    suggests the image folder for `parameter` and the other for mask_dir.
    """
    images = inputs.images_under(folder)
    if len(inputs.image_keys(folder, template)[template or "stem"]) == len(images):
        return  # one id per file: nothing to name
    by_stem = {}
    clashes = Counter()
    for rel in images:
        stem = template_key(rel, template) if template else rel.rpartition("/")[2].rpartition(".")[0]
        other = by_stem.setdefault(stem, rel)
        if other != rel:
            clashes[(other.rpartition("/")[0], rel.rpartition("/")[0])] += 1
    if not clashes:
        return
    (a, b), count = clashes.most_common(1)[0]
    image_like = [d for d in (a, b) if any(w in Path(d).name.lower() for w in IMAGE_WORDS)]
    mask_like = [d for d in (a, b) if any(w in Path(d).name.lower() for w in MASK_WORDS)]
    hint = f" (and mask_dir={mask_like[0]!r})" if mask_like else ""
    raise ambiguous(
        f"{folder}/ holds {count}+ files with the same names in {a}/ and {b}/"
        + (f"; {mask_like[0]}/ looks like masks" if mask_like else ""),
        [a, b], f"{parameter}={image_like[0]!r}{hint}" if image_like and mask_like else parameter,
    )


def describe_images(inputs, plan):
    """Image format from suffixes, and bit depth, channels and size from up to 32 headers."""
    folder = plan.get("train_image_dir") or ""
    images = inputs.images_under(folder)
    if not images:
        return
    suffixes = Counter("." + r.rpartition(".")[2].lower() for r in images)
    headers = [image_header(inputs.root / r) for r in images[:PROBE_IMAGES] if inputs.files[r] is None]
    converted = [inputs.files[r][1] for r in images if inputs.files[r] is not None and inputs.files[r][0] == "converted"]
    if converted:
        plan.set("convert", f"{len(converted)} images written once from {converted[0].kind.replace('_', ' ')}",
                 "lib/records (what each source holds: the notes below)")
    headers = [h for h in headers if h]
    text = ", ".join(f"{n} {s}" for s, n in suffixes.most_common())
    if headers:
        kinds = Counter(f"{f} {b}-bit x{c}" for f, _, _, b, c in headers)
        sizes = Counter(f"{w}x{h}" for _, w, h, _, _ in headers)
        text += f"; {', '.join(kinds)}; sizes {', '.join(s for s, _ in sizes.most_common(3))}"
    plan.set("image_format", text, f"{len(images)} files under {folder or 'the root'}/, {len(headers)} headers read")
    dicom = sum(n for s, n in suffixes.items() if s in (".dcm", ".dicom"))
    deep = sum(b > 8 for _, _, _, b, _ in headers)
    if dicom or deep:
        what = f"{dicom} DICOM files" if dicom else f"PNGs of {max(b for _, _, _, b, _ in headers)} bits"
        plan.set("decode", f"{what} -> 8-bit PNG once, windowed (intensity_window)", "lib/decode: slow or deep images")


def packed_box_columns(header, rows):
    """Columns whose values are 'label x y w h' groups (Kuzushiji): a label, then four numbers, repeated."""
    return _columns_where(header, rows, _is_packed_boxes)


def labelled_box_columns(header, rows):
    """Columns whose values are 'label conf x0 y0 x1 y1' groups (SIIM-COVID's label column)."""
    return _columns_where(header, rows, _is_labelled_boxes)


def _columns_where(header, rows, fits):
    """Columns whose first 50 non-blank values all fit, token lists `fits(tokens)`."""
    found = []
    for i, name in enumerate(header):
        values = [r[i] for r in rows[:50] if i < len(r) and r[i].strip()]
        if values and all(fits(v.split()) for v in values):
            found.append(name)
    return found


def _is_labelled_boxes(tokens):
    if not tokens or len(tokens) % 6:
        return False
    for i in range(0, len(tokens), 6):
        if is_number(tokens[i]) or not all(is_number(t) for t in tokens[i + 1 : i + 6]):
            return False
    return True


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def _is_packed_boxes(tokens):
    if not tokens or len(tokens) % 5:
        return False
    for i in range(0, len(tokens), 5):
        try:
            [float(t) for t in tokens[i + 1 : i + 5]]
        except ValueError:
            return False
        if tokens[i].replace(".", "", 1).lstrip("-").isdigit():
            return False
    return True


def group_candidates(header):
    """Columns that look like groups (patient, location, ...) that should not span two folds."""
    return [c for c in header if any(w in c.lower() for w in GROUP_WORDS)]


def find_test_dir(inputs, plan, params):
    ids = list(dict.fromkeys(plan.sample_ids))[: PROBE_IDS * 4]
    template = plan.get("id_template", "")
    found = resolvable_ids(inputs, ids, template)
    if not found and all("_" in i for i in ids):  # '<image>_<class>' ids (one row per image and class)
        found = resolvable_ids(inputs, list(dict.fromkeys(i.rsplit("_", 1)[0] for i in ids)), template)
    test_dir, source = locate_image_dir(inputs, found, params.get("test_image_dir", ""), "test_image_dir",
                                        TEST_DIRS, template)
    if test_dir is None:
        raise FileNotFoundError(f"no test image folder holding the sample's ids in {inputs.root} "
                                f"(looked for {', '.join(TEST_DIRS)}); set test_image_dir")
    plan.set("test_image_dir", test_dir, source)
    plan.set("test_id_key", id_key(inputs, test_dir, found, template),
             f"{plan.get('sample_csv')}'s ids name the files below it" if plan.get("sample_csv") else "file names")


TEST_WORDS = ("test", "pred", "predict", "inference", "unlabeled", "unlabelled")


def name_words(folder):
    """The words of a folder's last name: 'ISIC2018_Task1-2_Test_Input' -> {'isic2018', 'task1', '2', 'test', 'input'}."""
    name = folder.rpartition("/")[2].lower()
    for sep in "-. ":
        name = name.replace(sep, "_")
    return set(name.split("_"))


def descend(inputs, folder):
    """The folder below `folder` that holds its images when it holds nothing but one sub-folder (seg_train/seg_train/)."""
    while True:
        prefix = f"{folder}/" if folder else ""
        images = inputs.images_under(folder)
        subs = {r[len(prefix):].split("/")[0] for r in images}
        if len(subs) != 1 or any("/" not in r[len(prefix):] for r in images[:1]):
            return folder
        folder = f"{prefix}{subs.pop()}"


def merges_val(params):
    """Whether labelled splits beside the training images join the folds (the merge_val parameter, True by default)."""
    return str(params.get("merge_val", True)).lower() not in ("false", "0", "no")


def find_test_without_sample(inputs, plan, params, exclude=()):
    """No sample: the one folder named like test (or pred) that holds images, not masks or training images; or None."""
    given = params.get("test_image_dir", "")
    if given:
        folder, source = locate_image_dir(inputs, [], given, "test_image_dir", [])
    else:
        taken = [f for f in (plan.get("train_image_dir"), *exclude) if f is not None]
        found = [f for f in image_folders(inputs) if name_words(f) & set(TEST_WORDS)
                 and not any(f == t or f.startswith(t + "/") or (t and t.startswith(f + "/")) for t in taken if t)]
        found = [f for f in found if not any(o != f and o.startswith(f + "/") for o in found)]  # the most specific
        if len(found) > 1:
            raise ambiguous("no sample submission, and several folders could hold the test images", found, "test_image_dir")
        folder, source = (descend(inputs, found[0]), "no sample submission: the one folder named like test images") \
            if found else (None, "")
    if folder is not None:
        plan.set("test_image_dir", folder, source)
        plan.set("test_id_key", "stem", "no sample: test images are named by their stem")
    return folder


def resolvable_ids(inputs, ids, template=""):
    """The ids that name an image somewhere (the sample's may carry a class suffix: '<image>_<class>'), paths from the
    root or from a top-level folder (IAM's 'a01/a01-000u/a01-000u-00.png' below words/)."""
    keys = list(inputs.image_keys("", template).values())
    if not template and any("/" in str(i) for i in ids):
        for top in sorted({r.split("/")[0] for r in inputs.folders if r != "."}):
            found = inputs.image_keys(top)
            keys += [found["path"], found["path_stem"]]
    return [i for i in ids if any(i in k for k in keys)]


