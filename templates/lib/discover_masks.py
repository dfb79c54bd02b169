"""Mask evidence: mask images paired with their images by stem (a folder of their own, or a suffix beside
them), told from photographs by what they hold, and the class table that names their values or colours.

A folder whose files carry the stems of another folder's images is a mask folder only when its files
hold few values (or few colours) and the other folder's do not; the name (masks, labels, gt, a '_mask'
or '_L' suffix) is printed beside that. Standard library, and Pillow for the few files it opens.
"""

import io
from collections import Counter
from dataclasses import dataclass, field

from lib.layout import ambiguous, common_folder, is_number

MASK_FOLDER_WORDS = ("mask", "label", "annot", "gt", "truth", "seg")
MASK_NAME_SUFFIXES = ("mask", "masks", "seg", "segmentation", "label", "labels", "gt", "L")  # '<stem>_<suffix>'
MASK_FILE_SUFFIXES = (".png", ".gif", ".bmp", ".tif", ".tiff", ".jpg", ".jpeg", ".webp")
FEW_VALUES = 32  # a mask holds at most this many values (or colours) over 99.5% of its pixels
PROBE_MASK_FILES = 3  # files opened per folder to tell masks from photographs
VOID_NAMES = ("void", "unlabelled", "unlabeled", "ignore", "dontcare", "don't care", "undefined")
BACKGROUND_NAMES = ("background", "bg", "_background_", "none", "nothing")
CLASS_TABLE_MAX_ROWS = 1024
COLOUR_COLUMNS = (("r", "g", "b"), ("red", "green", "blue"))


@dataclass
class Probe:
    """What a few files of a folder hold: 'mask' (few values or colours) or 'image', and the values seen."""

    kind: str
    values: set = field(default_factory=set)  # grey values, or (r, g, b) colours when colour is set
    colour: bool = False
    what: str = ""


@dataclass
class MaskSource:
    """Masks of the images in image_dir: in mask_dir, named '<image stem><suffix>.<ext>'."""

    image_dir: str
    mask_dir: str
    suffix: str
    pairs: int
    named: str  # what in the name says masks, or ''
    probe: Probe
    lossy: bool = False  # JPEG masks: their values blur around the edges

    def describe(self):
        where = f"{self.mask_dir or 'the root'}/" + (f"<stem>{self.suffix}" if self.suffix else "<stem>")
        return (f"{where} beside {self.image_dir or 'the root'}/<stem> ({self.pairs} pairs; {self.probe.what}"
                + (f"; {self.named}" if self.named else "") + ")")


def split_suffix(stem):
    """('img_3', '_mask') for 'img_3_mask'; (stem, '') when the stem carries no mask suffix."""
    head, sep, tail = stem.rpartition("_")
    return (head, "_" + tail) if sep and head and tail in MASK_NAME_SUFFIXES else (stem, "")


def find_mask_sources(inputs):
    """Every folder (or suffix) of masks paired with an image folder by stem, checked by content; cached on inputs."""
    if inputs.mask_sources is None:
        inputs.mask_sources = _merge_beside(_mask_sources(inputs))
    return inputs.mask_sources


def _mask_sources(inputs):
    stems = {}  # folder -> {stem: relative path}
    first = {}  # stem -> the first folder holding it
    pairs = Counter()  # (image folder, mask folder, suffix) -> files of the mask folder named after an image
    same = Counter()  # (folder, folder) -> stems both hold: which one holds masks is told by content below
    suffixed = []  # (folder, base stem, suffix) of files named '<stem>_mask' and the like
    for rel in inputs.files:
        if rel.lower().endswith(MASK_FILE_SUFFIXES):
            folder, _, name = rel.rpartition("/")
            stem = name.rpartition(".")[0]
            stems.setdefault(folder, {})[stem] = rel
            owner = first.setdefault(stem, folder)
            if owner != folder:
                same[owner, folder] += 1
            base, suffix = split_suffix(stem)
            if suffix:
                suffixed.append((folder, base, suffix))
    for (a, b), count in same.items():
        pairs[a, b, ""] += count
        pairs[b, a, ""] += count
    for folder, base, suffix in suffixed:
        # its own folder's image first: stems repeat across sub-folders (data/scene0/frame0, data/scene1/frame0)
        owner = folder if base in stems[folder] else first.get(base)
        if owner is not None:
            pairs[owner, folder, suffix] += 1
    probes, sources, named = {}, [], {}

    def files_of(folder, suffix):
        """The folder's files carrying `suffix` ('' for none), sorted; built once per folder and suffix."""
        if (folder, suffix) not in named:
            named[folder, suffix] = [r for s, r in sorted(stems[folder].items()) if split_suffix(s)[1] == suffix]
        return named[folder, suffix]

    for (image_dir, mask_dir, suffix), count in sorted(pairs.items()):
        masks = files_of(mask_dir, suffix)
        if count < max(2, len(masks) // 2):
            continue  # a few shared names are a coincidence, not a pairing
        key = (mask_dir, suffix)
        probes.setdefault(key, probe_files(inputs, masks))
        if probes[key].kind != "mask":
            continue
        if not suffix:  # the same stems both ways: the mask folder is the one that does not hold photographs
            probes.setdefault((image_dir, ""), probe_files(inputs, files_of(image_dir, "")))
            if probes[image_dir, ""].kind == "mask" and not _named_like_masks(mask_dir):
                continue
        lossy = masks[0].lower().endswith((".jpg", ".jpeg"))
        sources.append(MaskSource(image_dir, mask_dir, suffix, count, _name_evidence(mask_dir, suffix), probes[key], lossy))
    return sources


def _merge_beside(sources):
    """Masks beside their images in many folders (one per patient) are one source at the folders' common parent."""
    beside = [s for s in sources if s.suffix and s.mask_dir == s.image_dir]
    if len(beside) < 2 or len({s.suffix for s in beside}) > 1:
        return sources
    parent = common_folder(s.image_dir for s in beside)
    first = beside[0]
    merged = MaskSource(parent, parent, first.suffix, sum(s.pairs for s in beside), first.named, first.probe, first.lossy)
    return [s for s in sources if s not in beside] + [merged]


def _named_like_masks(folder):
    name = folder.rpartition("/")[2].lower()
    return any(w in name for w in MASK_FOLDER_WORDS)


def _name_evidence(folder, suffix):
    if suffix:
        return f"named '<stem>{suffix}'"
    return f"{folder.rpartition('/')[2]}/ is named like masks" if _named_like_masks(folder) else ""


def probe_files(inputs, rels):
    """Open up to PROBE_MASK_FILES of `rels`: 'mask' when each holds few values or colours, else 'image'."""
    values, colour, opened = set(), False, 0
    for rel in rels[:PROBE_MASK_FILES]:
        source = inputs.files.get(rel)
        if source is not None and source[0] == "converted":
            role = source[1].outputs[rel][1]  # what the conversion writes there: an image or a mask
            return Probe("mask" if role == "mask" else "image", what=f"written from {source[1].kind.replace('_', ' ')}")
        seen = _few_values(inputs, rel)
        if seen is None:
            return Probe("image", what=f"{rel.rpartition('/')[2]} holds many values: a photograph")
        file_values, file_colour = seen
        values |= file_values
        colour = colour or file_colour
        opened += 1
    if not opened:
        return Probe("image", what="no file to open")
    kind = "colours" if colour else "values"
    shown = sorted(values)[:8]
    return Probe("mask", values, colour, f"{opened} files hold {len(values)} {kind}: {shown}{' ...' if len(values) > 8 else ''}")


def _few_values(inputs, rel):
    """({values or colours}, colour?) covering 99.5% of an image's pixels when they are few, else None."""
    from PIL import Image  # only when there are folders to tell apart

    source = inputs.files[rel]
    fp = inputs.root / rel if source is None else io.BytesIO(inputs.read_bytes(rel))
    try:
        with Image.open(fp) as image:
            colour = image.mode in ("RGB", "RGBA", "CMYK", "YCbCr")
            if colour:
                image = image.convert("RGB")
            elif image.mode not in ("1", "L", "P"):  # 16-bit or float: counted on a nearest-neighbour thumbnail
                image = image.resize((min(image.width, 256), min(image.height, 256)), Image.NEAREST)
                counts = Counter(getattr(image, "get_flattened_data", image.getdata)())  # getdata goes in Pillow 14
                counts = None if len(counts) > 4096 else [(n, v) for v, n in counts.items()]
            if colour or image.mode in ("1", "L", "P"):
                counts = image.getcolors(4096)
    except OSError:
        return None
    if not counts:
        return None
    counts.sort(reverse=True)
    if colour and all(abs(v[0] - v[1]) <= 8 and abs(v[1] - v[2]) <= 8 for _, v in counts):  # grey saved as RGB
        counts, colour = [(n, v[0]) for n, v in counts], False
    total, covered, kept = sum(n for n, _ in counts), 0, []
    for n, value in counts:
        if covered >= 0.995 * total:
            break
        covered += n
        kept.append(value)
    if len(kept) <= FEW_VALUES:
        return set(kept), colour
    # A binary mask saved as JPEG: its values blur around the edges, but nearly all sit near black or white.
    if not colour and sum(n for n, v in counts if isinstance(v, int) and (v < 32 or v > 223)) >= 0.99 * total:
        return {0, 255}, False
    return None


def find_class_tables(inputs, skip):
    """[(table, {name: value or (r, g, b)}, kind)] for small CSVs naming classes by pixel value or colour."""
    found = []
    for rel in sorted(inputs.files):
        if not rel.lower().endswith(".csv") or rel.count("/") > 1 or rel in skip or inputs.size(rel) > 1 << 20:
            continue
        header, rows = inputs.read_csv(rel)
        if not rows or len(rows) > CLASS_TABLE_MAX_ROWS:
            continue
        mapping = colour_table(header, rows) or id_table(header, rows)
        if mapping:
            kind = "colours" if isinstance(next(iter(mapping.values())), tuple) else "values"
            found.append((rel, mapping, kind))
    return found


def colour_table(header, rows):
    """{name: (r, g, b)} from a table with r, g, b columns and a name column (CamVid's class_dict.csv)."""
    lower = [c.strip().lower() for c in header]
    for names in COLOUR_COLUMNS:
        if set(names) <= set(lower):
            index = [lower.index(n) for n in names]
            others = [i for i in range(len(header)) if i not in index and not _numeric_column(rows, i)]
            if others and all(len(r) > max(index + others[:1]) for r in rows):
                return {r[others[0]].strip(): tuple(int(float(r[i])) for i in index) for r in rows}
    return None


def id_table(header, rows):
    """{name: pixel value} from a table of distinct small integers beside distinct names (classes.csv: id,name)."""
    if len(header) < 2 or any(len(r) < len(header) for r in rows):
        return None
    ids = [i for i in range(len(header)) if _numeric_column(rows, i) and all(0 <= float(r[i]) < 65536 for r in rows)]
    names = [i for i in range(len(header)) if i not in ids and len({r[i] for r in rows}) == len(rows)]
    ids = [i for i in ids if len({r[i] for r in rows}) == len(rows) and all(float(r[i]).is_integer() for r in rows)]
    if not ids or not names:
        return None
    return {r[names[0]].strip(): int(float(r[ids[0]])) for r in rows}


def _numeric_column(rows, i):
    return all(is_number(r[i]) for r in rows)


def pick_class_table(inputs, plan, probe, given, skip):
    """(table, mapping) naming the probed masks' values or colours; the parameter, else the one that fits."""
    tables = find_class_tables(inputs, skip)
    if given:
        hits = [t for t in tables if t[0] == given]
        if not hits:
            raise ValueError(f"class_table={given!r} is not a table of names with pixel values (id,name) or colours "
                             f"(name,r,g,b) in {inputs.root}; fix class_table")
        return hits[0][:2], "parameter class_table"
    kind = "colours" if probe.colour else "values"
    fits = [t for t in tables if t[2] == kind and probe.values <= set(t[1].values()) | _implicit(t[1], kind)]
    if len(fits) > 1:
        raise ambiguous(f"{len(fits)} tables name the masks' {kind}", [t[0] for t in fits], "class_table")
    if fits:
        return fits[0][:2], f"the one table whose {kind} hold the masks' {kind}"
    if probe.colour:
        raise ValueError(f"the masks hold colours {sorted(probe.values)[:6]} and no table names them (name,r,g,b); "
                         "add the dataset's colour table and set class_table")
    return None, ""


def _implicit(mapping, kind):
    """0 is background in a table of values that does not list it; 255 the usual 'void' of class-id masks."""
    return {0, 255} - set(mapping.values()) if kind == "values" else set()


def is_void(name):
    return name.strip().lower() in VOID_NAMES


def is_background(name, value):
    return name.strip().lower() in BACKGROUND_NAMES or (value == 0 and not name.strip())
