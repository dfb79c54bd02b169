"""Validate a notebook folder before `kaggle kernels push`: one line per broken rule, naming the field and the fix."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from nbgen import kaggle
from nbgen.bundle import BUNDLE_LINK, MANIFEST, required_wheels, wheel_matches

KERNEL_REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*/[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_metadata(metadata: dict[str, Any], folder: Path) -> list[str]:
    """Rules of kernel-metadata.json that Kaggle enforces, or that make a competition notebook fail."""
    problems = []
    title = str(metadata.get("title", ""))
    owner, _, slug = str(metadata.get("id", "")).partition("/")
    if not (kaggle.USER_RE.match(owner) and kaggle.SLUG_RE.match(slug)):
        problems.append(f"id: {metadata.get('id')!r} is not owner/slug; write e.g. alice/{kaggle.slugify(title) or 'my-notebook'}")
    elif owner == kaggle.PLACEHOLDER_USER:
        problems.append(f"id: the owner is the placeholder {owner!r}; regenerate with `nbgen new ... --kaggle-user YOU` "
                        "(or set KAGGLE_USERNAME), or write your user name into the id")
    elif slug != kaggle.slugify(title):
        problems.append(f"id: slug {slug!r} must be the title's slug {kaggle.slugify(title)!r}; change one to match the other")
    if not kaggle.TITLE_MIN <= len(title) <= kaggle.TITLE_MAX:
        problems.append(f"title: {title!r} has {len(title)} characters; use {kaggle.TITLE_MIN} to {kaggle.TITLE_MAX}")
    code_file = metadata.get("code_file", "")
    if not (folder / code_file).is_file():
        problems.append(f"code_file: {code_file!r} is not in {folder}; set it to the notebook's file name")
    if metadata.get("language") != "python" or metadata.get("kernel_type") != "notebook":
        problems.append("language/kernel_type: must be 'python' and 'notebook' for a .ipynb")
    if metadata.get("machine_shape") != "NvidiaTeslaT4" or metadata.get("enable_gpu") is not True:
        problems.append(f"machine_shape: {metadata.get('machine_shape')!r} with enable_gpu {metadata.get('enable_gpu')!r}; "
                        "set 'NvidiaTeslaT4' and true (without it Kaggle gives a P100, which current torch cannot use)")
    if metadata.get("competition_sources") and metadata.get("enable_internet") is not False:
        problems.append("enable_internet: must be false for a competition notebook; set it to false")
    for competition in metadata.get("competition_sources", []):
        if not kaggle.SLUG_RE.match(str(competition)):
            problems.append(f"competition_sources: {competition!r} is not a competition slug; copy it from the competition URL")
    for field in ("dataset_sources", "kernel_sources"):
        for ref in metadata.get(field, []):
            if not KERNEL_REF_RE.match(str(ref)):
                problems.append(f"{field}: {ref!r} is not owner/slug; fix or remove it")
    for ref in metadata.get("model_sources", []):
        if not kaggle.MODEL_SOURCE_RE.match(str(ref)):
            problems.append(f"model_sources: {ref!r} is not owner/model/framework/variation/version; fix or remove it")
    return problems


def check_notebook(notebook: dict[str, Any]) -> list[str]:
    """The notebook runs under papermill on Kaggle: a kernelspec and one tagged parameters cell."""
    problems = []
    if notebook.get("metadata", {}).get("kernelspec", {}).get("name") != "python3":
        problems.append("notebook kernelspec: missing or not python3; Kaggle runs notebooks with papermill, which needs it")
    tagged = [c for c in notebook.get("cells", []) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(tagged) != 1:
        problems.append(f"notebook parameters cell: {len(tagged)} cells tagged 'parameters'; exactly one is needed")
    return problems


def check_bundle(folder: Path, notebook: dict[str, Any], metadata: dict[str, Any], warnings: list[str]) -> list[str]:
    """Every wheel the notebook's family needs is in a bundle that the metadata attaches, owned by the kernel's owner.

    A public bundle of another owner only adds a line to `warnings`: Kaggle lets anyone attach a public dataset.
    """
    provenance = notebook.get("metadata", {}).get("nbgen")
    if not provenance:
        return ["notebook metadata.nbgen: missing; regenerate the notebook with `nbgen new`"]
    needed = required_wheels(provenance)
    if not needed:
        return []
    link = folder / BUNDLE_LINK
    if not link.is_file():
        return [f"bundle: the notebook needs {', '.join(needed)} (not in Kaggle's image); run `nbgen bundle {folder}`"]
    bundle = json.loads(link.read_text())
    problems = []
    kernel_owner, bundle_owner = str(metadata.get("id", "")).split("/")[0], bundle["dataset"].split("/")[0]
    if bundle_owner != kernel_owner:
        message = (f"bundle: {bundle['dataset']} belongs to {bundle_owner!r}, the kernel {metadata.get('id')!r} to "
                   f"{kernel_owner!r}; run `nbgen bundle {folder} --owner {kernel_owner}`, or regenerate the notebook "
                   f"with --kaggle-user {bundle_owner}")
        (warnings if bundle.get("public") else problems).append(
            message + (" (allowed: the bundle is public)" if bundle.get("public") else ""))
    if bundle["dataset"] not in metadata.get("dataset_sources", []):
        problems.append(f"dataset_sources: the bundle {bundle['dataset']} is not attached; run `nbgen bundle {folder}` again")
    manifest_path = Path(bundle["path"]) / MANIFEST
    files = json.loads(manifest_path.read_text()).get("wheels", []) if manifest_path.is_file() else []
    for requirement in needed:
        entry = next((w for w in files if wheel_matches(w["file"], requirement)), None)
        if entry is None or not (Path(bundle["path"]) / entry["file"]).is_file():
            problems.append(f"bundle: {requirement} is missing from {bundle['path']}; run `nbgen bundle {folder}`")
    return problems


def check_folder(folder: Path, warnings: list[str] | None = None) -> list[str]:
    """All static rules for a notebook folder; [] when it is ready to push. Warnings go to `warnings` if given."""
    folder = Path(folder)
    metadata_path = folder / "kernel-metadata.json"
    if not metadata_path.is_file():
        return [f"kernel-metadata.json: missing in {folder}; generate the folder with `nbgen new`"]
    try:
        metadata = json.loads(metadata_path.read_text())
    except json.JSONDecodeError as err:
        return [f"kernel-metadata.json: not valid JSON ({err}); fix the file or regenerate it"]
    problems = check_metadata(metadata, folder)
    notebook_path = folder / metadata.get("code_file", "")
    if notebook_path.is_file():
        notebook = json.loads(notebook_path.read_text())
        problems += check_notebook(notebook)
        problems += check_bundle(folder, notebook, metadata, [] if warnings is None else warnings)
    return problems
