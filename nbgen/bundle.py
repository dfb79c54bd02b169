"""Build an offline bundle for a generated notebook: wheels Kaggle's image lacks, weights, manifest.

The bundle is a folder ready for `kaggle datasets create -p`: wheels flat at the top level,
weights under weights/, `nbgen-manifest.json` (what is in it, for which notebook, sha256 of
every file) and `dataset-metadata.json`. Re-running reuses every file whose checksum matches
the manifest; downloads go through a temporary file, so a failed one leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nbgen import kaggle
from nbgen.errors import NbgenError
from nbgen.registry import family_wheels, get_arch

MANIFEST = "nbgen-manifest.json"
BUNDLE_LINK = "bundle.json"  # in the notebook folder: which bundle belongs to it
DEFAULT_PYTHON = "3.12"
PLATFORMS = ("manylinux2014_x86_64", "manylinux_2_28_x86_64", "any")


class BundleError(NbgenError):
    """The bundle could not be built; the message says why and what to do."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def notebook_provenance(notebook_dir: Path) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """Return (notebook path, nbgen provenance, kernel metadata) of a generated notebook folder."""
    metadata_path = notebook_dir / "kernel-metadata.json"
    if not metadata_path.is_file():
        raise BundleError(f"{notebook_dir} has no kernel-metadata.json; pass a folder written by `nbgen new`")
    metadata = json.loads(metadata_path.read_text())
    notebook = notebook_dir / metadata.get("code_file", "")
    if not notebook.is_file():
        raise BundleError(f"{notebook} (code_file of kernel-metadata.json) does not exist")
    provenance = json.loads(notebook.read_text()).get("metadata", {}).get("nbgen")
    if not provenance:
        raise BundleError(f"{notebook} was not written by nbgen (no metadata.nbgen); regenerate it with `nbgen new`")
    return notebook, provenance, metadata


def required_wheels(provenance: dict[str, Any]) -> list[str]:
    """The pinned requirements beyond Kaggle's image: the model family's, then a known competition's data's."""
    from nbgen.competitions import find_competition

    known = find_competition(provenance.get("competition", "")) if provenance.get("competition") else None
    extra = list(known.wheels) if known is not None and known.task == provenance["task"] else []
    return family_wheels(get_arch(provenance["task"], provenance["arch"]).family, provenance["task"]) + extra


def wheel_matches(filename: str, requirement: str) -> bool:
    """Whether a wheel file name is the distribution and version of a `name==version` requirement."""
    name, _, version = requirement.partition("==")
    parts = filename.split("-")
    normal = name.lower().replace("-", "_").replace(".", "_")
    return len(parts) >= 2 and parts[0].lower().replace(".", "_") == normal and parts[1] == version


def download_wheel(requirement: str, python: str, target: Path, runner: Callable[..., Any] = subprocess.run) -> Path:
    """Download one pinned wheel for Kaggle's Python and platform into `target` (through a temp folder)."""
    with tempfile.TemporaryDirectory(dir=target) as tmp:
        platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", *platforms,
               "--implementation", "cp", "--python-version", python, "--dest", tmp, requirement]
        proc = runner(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            last = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise BundleError(f"pip could not download {requirement} for Python {python}: {last[0]}; "
                              "check the network or the package index, then run `nbgen bundle` again")
        files = sorted(Path(tmp).glob("*.whl"))
        if not files:
            raise BundleError(f"pip downloaded no wheel for {requirement}; it may ship only a source archive")
        final = target / files[0].name
        os.replace(files[0], final)
        return final


def fetch_url(url: str, destination: Path, opener: Callable[[str], Any] = urllib.request.urlopen) -> Path:
    """Download `url` to `destination` through a temporary file: an interrupted download leaves no file."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(f".{destination.name}.part")
    try:
        with opener(url) as response, tmp.open("wb") as f:
            shutil.copyfileobj(response, f)
        os.replace(tmp, destination)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return destination


ULTRALYTICS_ASSETS = "https://github.com/ultralytics/assets/releases/download/v8.3.0"


def weights_url(provenance: dict[str, Any]) -> tuple[str, str]:
    """(URL, file name) of the pretrained weights of a notebook's model, for an online machine."""
    arch = get_arch(provenance["task"], provenance["arch"])
    model = provenance["model"]
    if arch.family == "ultralytics":
        return f"{ULTRALYTICS_ASSETS}/{model}", model
    if arch.family == "torchvision":
        import torchvision

        url = torchvision.models.get_model_weights(model).DEFAULT.url
        return url, url.rsplit("/", 1)[1]
    if arch.family == "smp":
        encoder = str(provenance.get("overrides", {}).get("encoder_name", arch.params.get("encoder_name", "")))
        model = encoder.removeprefix("tu-")
        if not encoder.startswith("tu-"):
            raise BundleError(f"encoder {model!r} is an smp encoder: download its weights yourself and pass --weights FILE")
    import timm

    repo = timm.models.get_pretrained_cfg(model.split(".")[0]).hf_hub_id if "." not in model else f"timm/{model}"
    return f"https://huggingface.co/{repo}/resolve/main/model.safetensors", f"{repo.split('/')[-1]}.safetensors"


def cached_weights(model: str) -> Path | None:
    """A weights file for `model` already on this machine: Hugging Face, torch hub or ultralytics caches."""
    base = model.split(".")[0].removeprefix("tu-")
    roots = [Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")) / "hub",
             Path(os.environ.get("TORCH_HOME", Path.home() / ".cache" / "torch")) / "hub" / "checkpoints",
             Path.cwd()]
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix in (".safetensors", ".pth", ".pt", ".bin") and base in str(path).lower() and path.is_file():
                return path
    return None


def build_bundle(
    notebook_dir: Path,
    out_dir: Path | None = None,
    *,
    owner: str = "",
    python: str = DEFAULT_PYTHON,
    weights: Sequence[Path] = (),
    download: bool = False,
    public: bool = False,
    extra_wheels: Sequence[str] = (),
    requirements: Sequence[str] | None = None,
    runner: Callable[..., Any] = subprocess.run,
) -> Path:
    """Build (or refresh) the bundle of a notebook folder; return the bundle folder.

    weights: local files to include; without any, a matching file from a local cache is used
    when there is one, else with `download` the model's published weights are fetched.
    public: the dataset is created public (then it may belong to another owner than the kernel).
    extra_wheels: requirements the data needs beyond the family's (pydicom for DICOM, py7zr for .7z).
    requirements: override the family's wheel list (tests use a small one).
    """
    notebook_dir = Path(notebook_dir)
    _, provenance, metadata = notebook_provenance(notebook_dir)
    slug = metadata["id"].split("/", 1)[1]
    owner = kaggle.check_user(owner or metadata["id"].split("/", 1)[0])
    bundle_dir = Path(out_dir) if out_dir else notebook_dir.parent / f"{slug}-bundle"
    bundle_dir.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(bundle_dir)
    wanted = list(required_wheels(provenance) if requirements is None else requirements) + list(extra_wheels)

    wheels = []
    for requirement in wanted:
        reused = next((w for w in previous.get("wheels", []) if wheel_matches(w["file"], requirement)
                       and (bundle_dir / w["file"]).is_file() and sha256(bundle_dir / w["file"]) == w["sha256"]), None)
        path = bundle_dir / reused["file"] if reused else download_wheel(requirement, python, bundle_dir, runner)
        wheels.append({"requirement": requirement, "file": path.name, "sha256": reused["sha256"] if reused else sha256(path)})

    if get_arch(provenance["task"], provenance["arch"]).family == "transformers":
        weight_entries = _model_folder(provenance["model"], [Path(w) for w in weights], download, bundle_dir)
    else:
        weight_entries = _weight_files(provenance, [Path(w) for w in weights], download, bundle_dir)

    dataset_slug = kaggle.slugify(f"{slug}-bundle")[:50].strip("-")
    title = f"{slug} bundle"[:50].strip()
    manifest = {"notebook": metadata["id"], "task": provenance["task"], "arch": provenance["arch"],
                "model": provenance["model"], "python": python, "dataset": f"{owner}/{dataset_slug}",
                "wheels": wheels, "weights": weight_entries}
    _write_json(bundle_dir / MANIFEST, manifest)
    _write_json(bundle_dir / "dataset-metadata.json",
                {"title": title if len(title) >= 6 else f"{title} files", "id": f"{owner}/{dataset_slug}",
                 "licenses": [{"name": "other"}]})
    _attach(notebook_dir, metadata, manifest["dataset"], bundle_dir, public)
    return bundle_dir


def _weight_files(provenance: dict[str, Any], given: Sequence[Path], download: bool, bundle_dir: Path) -> list[dict[str, str]]:
    """Weight files under weights/: the given ones, else a local cache's match, else (with download) the published file."""
    weight_entries = []
    sources = list(given) or [p for p in [cached_weights(provenance["model"])] if p]
    if not sources and download:
        url, name = weights_url(provenance)
        target = bundle_dir / "weights" / name
        if not target.is_file():
            try:
                fetch_url(url, target)
            except OSError as err:
                raise BundleError(f"could not download {url} ({err}); download it on a machine with internet "
                                  "and pass --weights FILE") from None
        sources = [target]
    for source in sources:
        if not source.is_file():
            raise BundleError(f"--weights {source}: no such file")
        target = bundle_dir / "weights" / source.name
        digest = sha256(source)
        if not (target.is_file() and sha256(target) == digest):
            target.parent.mkdir(exist_ok=True)
            tmp = target.with_name(f".{target.name}.part")
            shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        weight_entries.append({"file": f"weights/{source.name}", "sha256": digest, "source": str(source)})
    return weight_entries


def _model_folder(model: str, given: Sequence[Path], download: bool, bundle_dir: Path) -> list[dict[str, str]]:
    """A transformers model as weights/<name>/ (config.json, weights, processor): a given folder, or the hub's files.

    The notebook finds it by a config.json whose path names the model; without a folder nor
    --download there is nothing to pack (the notebook then builds the model untrained, and says so).
    """
    target = bundle_dir / "weights" / model.split("/")[-1]
    if given:
        if len(given) != 1 or not (given[0] / "config.json").is_file():
            raise BundleError(f"--weights {[str(g) for g in given]}: a transformers model is one folder holding "
                              "config.json (its save_pretrained folder or hub snapshot)")
        shutil.copytree(given[0], target, dirs_exist_ok=True)
    elif download and not (target / "config.json").is_file():
        from huggingface_hub import snapshot_download

        try:
            snapshot_download(model, local_dir=target, allow_patterns=["*.json", "*.safetensors"])
            if not any(target.glob("*.safetensors")):  # older checkpoints ship pytorch_model.bin only
                snapshot_download(model, local_dir=target, allow_patterns=["*.bin"])
        except OSError as err:
            raise BundleError(f"could not download {model} from the hub ({err}); run `hf download {model} --local-dir DIR` "
                              "on a machine with internet and pass --weights DIR") from None
    files = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else []
    return [{"file": p.relative_to(bundle_dir).as_posix(), "sha256": sha256(p), "source": model} for p in files]


def _attach(notebook_dir: Path, metadata: dict[str, Any], dataset: str, bundle_dir: Path, public: bool) -> None:
    """Add the bundle to the notebook's dataset_sources and remember where it is on disk."""
    if dataset not in metadata.setdefault("dataset_sources", []):
        metadata["dataset_sources"].append(dataset)
        _write_json(notebook_dir / "kernel-metadata.json", metadata, indent=2, sort_keys=True)
    _write_json(notebook_dir / BUNDLE_LINK, {"dataset": dataset, "path": str(bundle_dir.resolve()), "public": public})


def _read_manifest(bundle_dir: Path) -> dict[str, Any]:
    path = bundle_dir / MANIFEST
    return json.loads(path.read_text()) if path.is_file() else {}


def _write_json(path: Path, data: dict[str, Any], indent: int = 1, sort_keys: bool = False) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=indent, sort_keys=sort_keys) + "\n")
    os.replace(tmp, path)
