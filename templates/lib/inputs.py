"""List a competition folder's files (archive members included) and unpack archives once into a view."""

import os
import shutil
import struct
import tarfile
import zipfile
from pathlib import Path

from lib.needs import need

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip", ".7z")
PACKED_FILE_SUFFIXES = (".csv", ".json", ".txt", ".parquet")
VIEW_NAME = "unpacked-input"
# Reading a .tar.gz member list means decompressing it: inspecting stops after this many members.
TAR_LISTING_LIMIT = 5000


def archive_suffix(name):
    """The archive suffix of a file name ('.tar.gz' for 'a.tar.gz'), or '' for other files."""
    lower = name.lower()
    return next((s for s in ARCHIVE_SUFFIXES if lower.endswith(s)), "")


def archive_target(relpath):
    """Where an archive's content appears in the view: 'train.zip' -> 'train/', 'labels.csv.zip' -> '.'.

    A packed single file ('train_labels.csv.zip') unpacks next to the archive; a packed folder
    ('train.zip') unpacks into a folder named after the archive.
    """
    relpath = Path(relpath)
    stem = relpath.name[: -len(archive_suffix(relpath.name))]
    if stem.lower().endswith(PACKED_FILE_SUFFIXES):
        return relpath.parent
    return relpath.parent / stem


def member_names(archive, limit=None):
    """Return (names of the files in an archive, complete?) without extracting anything."""
    suffix = archive_suffix(archive.name)
    try:
        if suffix == ".zip":
            with zipfile.ZipFile(archive) as z:
                return [i.filename for i in z.infolist() if not i.is_dir()], True
        if suffix == ".7z":
            py7zr = _py7zr(archive)
            with py7zr.SevenZipFile(archive) as z:
                return [i.filename for i in z.list() if not i.is_directory], True
        names = []
        with tarfile.open(archive, "r|*") as t:
            for member in t:
                if member.isfile():
                    names.append(member.name)
                if limit and len(names) >= limit:
                    return names, False
        return names, True
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as err:
        raise ValueError(f"cannot read archive {archive}: {err}. Re-download it, or remove it from the input") from None


def _py7zr(archive):
    try:
        import py7zr
    except ImportError:
        raise ImportError(
            f"{archive.name} is a 7z archive and py7zr is not installed: attach the py7zr wheel "
            "(nbgen bundle DIR --wheel py7zr) and set wheels_dir"
        ) from None
    return py7zr


def read_member(archive, name):
    """Return the bytes of one archive member (a packed table read before anything is unpacked)."""
    suffix = archive_suffix(archive.name)
    if suffix == ".zip":
        with zipfile.ZipFile(archive) as z:
            return z.read(name)
    if suffix == ".7z":
        with _py7zr(archive).SevenZipFile(archive) as z:
            from py7zr.io import BytesIOFactory  # py7zr 1.x reads members into memory through a factory

            factory = BytesIOFactory(limit=1 << 40)
            z.extract(targets=[name], factory=factory)
            return factory.get(name).read()
    with tarfile.open(archive, "r|*") as t:
        for member in t:
            if member.name == name:
                return t.extractfile(member).read()
    raise FileNotFoundError(f"{name} not in {archive}")


def member_path(target, member):
    """Map an archive member to its path in the view; a leading folder named like the target is dropped."""
    parts = [p for p in Path(member).parts if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts) or Path(member).is_absolute():
        raise ValueError(f"archive member {member!r} points outside its folder; refusing to unpack it")
    if len(parts) > 1 and parts[0] == Path(target).name:
        parts = parts[1:]
    return Path(target, *parts)


def left_packed(root, rel):
    """An archive stays packed when the folder it would unpack into exists already (train/ beside train.zip)."""
    target = archive_target(rel)
    return target != Path(rel).parent and (Path(root) / target).is_dir()


def list_inputs(root, archive_limit=TAR_LISTING_LIMIT):
    """Return ({relative path: None, or (archive, member)}, notes) for every file, archive members mapped into the view.

    A folder that already exists beside its archive wins: the archive is then left packed.
    """
    root = Path(root)
    files, archives, notes = {}, [], []
    stack = [""]  # relative folder paths as plain strings: pathlib costs seconds on 100,000 files
    while stack:
        folder = stack.pop()
        with os.scandir(root / folder if folder else root) as entries:
            for entry in entries:
                rel = f"{folder}/{entry.name}" if folder else entry.name
                if entry.is_dir():
                    stack.append(rel)
                elif entry.name.lower().endswith(ARCHIVE_SUFFIXES):  # one C call per file: 100,000 files add up
                    archives.append(rel)
                else:
                    files[rel] = None
    for rel in sorted(archives):
        members, note = need("inputs.list_archive", rel)(root, rel, archive_limit)
        for path, member in members.items():
            files.setdefault(path, member)
        notes += [note] if note else []
    return files, notes


def list_archive(root, rel, archive_limit=TAR_LISTING_LIMIT):
    """({path in the view: (archive, member)}, note or ''): the files an archive becomes once unpacked."""
    target = archive_target(rel)
    if left_packed(root, rel):
        return {}, f"{rel}: not unpacked, {target.as_posix()}/ already exists"
    names, complete = member_names(Path(root) / rel, archive_limit)
    note = "" if complete else f"{rel}: listed its first {len(names)} files only"
    return {member_path(target, name).as_posix(): (rel, name) for name in names}, note


def unpack_inputs(data_dir, work_dir, progress=True):
    """Return data_dir when it holds no archive, else a view folder in work_dir with every archive unpacked.

    The view links every plain entry of data_dir and unpacks each archive once (a marker file
    records a finished archive, so re-runs reuse it). Free disk is checked before anything is written.
    """
    data_dir, view = Path(data_dir), Path(work_dir) / VIEW_NAME
    archives = sorted(p for p in data_dir.rglob("*") if p.is_file() and archive_suffix(p.name))
    if not archives:
        return data_dir
    todo = [a for a in archives if not left_packed(data_dir, a.relative_to(data_dir)) and not _marker(view, a).is_file()]
    need = sum(_unpacked_size(a) for a in todo)
    view.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(view).free
    if need > free:
        raise OSError(
            f"unpacking {len(todo)} archive(s) needs about {need / 1e9:.1f} GB, {view} has {free / 1e9:.1f} GB free; "
            "free disk space, or set work_dir to a larger disk"
        )
    _link_plain_entries(data_dir, view)
    for archive in todo:
        target = view / archive_target(archive.relative_to(data_dir))
        _extract(archive, target, progress)
        _marker(view, archive).write_text(f"{archive.stat().st_size}\n")
    return view


def _marker(view, archive):
    return view / f".{archive.name}.unpacked"


def _link_plain_entries(source, view):
    """Link source's entries into the view; a folder holding an archive is made real and filled the same way."""
    for path in sorted(source.iterdir()):
        link = view / path.name
        if archive_suffix(path.name) or link.exists() or link.is_symlink():
            continue
        if path.is_dir() and any(archive_suffix(p.name) for p in path.rglob("*")):
            link.mkdir()
            _link_plain_entries(path, link)
        else:
            link.symlink_to(path.resolve(), target_is_directory=path.is_dir())


def _unpacked_size(archive):
    """Bytes an archive needs once unpacked: exact for zip and 7z, the file size times 1.1 for tar."""
    suffix = archive_suffix(archive.name)
    if suffix == ".zip":
        with zipfile.ZipFile(archive) as z:
            return sum(i.file_size for i in z.infolist())
    if suffix == ".7z":
        with _py7zr(archive).SevenZipFile(archive) as z:
            return z.archiveinfo().uncompressed
    return int(archive.stat().st_size * 1.1)  # image tars hardly compress; gzip records no reliable size


def _extract(archive, target, progress):
    """Stream every member to its file (memory stays flat), through a temporary name per file."""
    from tqdm.auto import tqdm

    suffix = archive_suffix(archive.name)
    bar = tqdm(total=archive.stat().st_size, unit="B", unit_scale=True, desc=f"unpack {archive.name}",
               disable=not progress)
    try:
        if suffix == ".zip":
            with zipfile.ZipFile(archive) as z:
                for info in z.infolist():
                    if not info.is_dir():
                        with z.open(info) as source:
                            _write_member(source, target, info.filename)
                    bar.update(info.compress_size)
        elif suffix == ".7z":
            py7zr = _py7zr(archive)
            with py7zr.SevenZipFile(archive) as z:
                z.extractall(path=target)
            bar.update(archive.stat().st_size)
        else:
            with open(archive, "rb") as raw, tarfile.open(fileobj=raw, mode="r|*") as t:
                for member in t:
                    if member.isfile():
                        _write_member(t.extractfile(member), target, member.name)
                    bar.n = raw.tell()
                    bar.refresh()
        bar.update(bar.total - bar.n)  # headers and the zip directory are not members
    except (zipfile.BadZipFile, tarfile.TarError, EOFError) as err:
        raise ValueError(f"cannot unpack {archive}: {err}. Re-download it, or remove it from the input") from None
    finally:
        bar.close()


def _write_member(source, target, name):
    path = member_path(target, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    partial.replace(path)


def image_header(path):
    """Return (format, width, height, bits per channel, channels) from a PNG or JPEG header, else None."""
    with open(path, "rb") as f:
        head = f.read(32)
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            width, height, bits, color = struct.unpack(">IIBB", head[16:26])
            return "png", width, height, bits, {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(color, 0)
        if not head.startswith(b"\xff\xd8"):
            return None
        f.seek(2)
        while True:
            marker = f.read(2)
            if len(marker) < 2 or marker[0] != 0xFF:
                return None
            size = struct.unpack(">H", f.read(2))[0]
            if marker[1] in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                bits, height, width, channels = struct.unpack(">BHHB", f.read(6))
                return "jpeg", width, height, bits, channels
            f.seek(size - 2, 1)


def tiff_size(path):
    """(height, width) from a TIFF's first directory (classic or BigTIFF), else None: a few bytes of a gigapixel file."""
    with open(path, "rb") as f:
        head = f.read(16)
        order = {b"II": "<", b"MM": ">"}.get(head[:2])
        if order is None or len(head) < 16:
            return None
        magic = struct.unpack(order + "H", head[2:4])[0]
        if magic not in (42, 43):
            return None
        big = magic == 43
        f.seek(struct.unpack(order + ("Q" if big else "I"), head[8:16] if big else head[4:8])[0])
        count_format, entry = ("Q", 20) if big else ("H", 12)
        raw = f.read(struct.calcsize(count_format))
        if len(raw) < struct.calcsize(count_format):
            return None
        entries = f.read(struct.unpack(order + count_format, raw)[0] * entry)
    size = {}
    for i in range(0, len(entries) - entry + 1, entry):
        tag, kind = struct.unpack(order + "HH", entries[i : i + 4])
        value_format = {3: "H", 4: "I", 16: "Q"}.get(kind)
        if tag in (256, 257) and value_format:
            value = entries[i + (12 if big else 8) :]
            size[tag] = struct.unpack(order + value_format, value[: struct.calcsize(value_format)])[0]
    return (size[257], size[256]) if len(size) == 2 else None


def starts_like_list(path):
    """Whether a JSON file opens with '[': read from its first bytes, so big COCO files are not parsed to learn it."""
    with open(path, "rb") as f:
        return f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"["
