"""Kaggle naming rules and kernel-metadata.json for a generated notebook."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from nbgen.errors import InvalidValueError

TITLE_MIN, TITLE_MAX = 5, 50
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
USER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,49}$")
TITLE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._,:()+&-]*$")
MODEL_SOURCE_RE = re.compile(r"^[A-Za-z0-9_-]+/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+/[A-Za-z0-9._-]+/\d+$")
PLACEHOLDER_USER = "your-kaggle-username"


def slugify(title: str) -> str:
    """Lowercase, every run of other characters becomes one dash (Kaggle's kernel slug rule)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def check_title(title: str) -> str:
    """Return `title` if Kaggle accepts it and it is plain text, else raise with the fix."""
    if not TITLE_MIN <= len(title) <= TITLE_MAX:
        raise InvalidValueError(
            f"--title {title!r} has {len(title)} characters; Kaggle needs {TITLE_MIN} to {TITLE_MAX}"
        )
    if not TITLE_RE.match(title):
        raise InvalidValueError(
            f"--title {title!r}: use letters, digits, spaces and . , : ( ) + & - only"
        )
    if len(slugify(title)) < TITLE_MIN:
        raise InvalidValueError(f"--title {title!r} gives a slug under {TITLE_MIN} characters; add words")
    return title


def check_competition(slug: str) -> str:
    """Return the competition slug if it has Kaggle's form (`global-wheat-detection`)."""
    if slug and not SLUG_RE.match(slug):
        raise InvalidValueError(
            f"--competition {slug!r} is not a competition slug; copy it from the competition URL, "
            "e.g. global-wheat-detection"
        )
    return slug


def check_user(user: str) -> str:
    """Return the Kaggle user name if it has Kaggle's form."""
    if not USER_RE.match(user):
        raise InvalidValueError(f"--kaggle-user {user!r} is not a Kaggle user name (letters, digits, - and _)")
    return user


def check_dataset(ref: str) -> str:
    """Return `owner/slug` if well formed (a dataset attached as a source)."""
    owner, _, slug = ref.partition("/")
    if not (USER_RE.match(owner) and SLUG_RE.match(slug)):
        raise InvalidValueError(f"--dataset {ref!r} is not owner/dataset-slug, e.g. alice/timm-weights")
    return ref


def check_kernel_source(ref: str) -> str:
    """Return `owner/kernel-slug` if well formed (a training kernel whose output an ensemble attaches)."""
    owner, _, slug = ref.partition("/")
    if not (USER_RE.match(owner) and SLUG_RE.match(slug)):
        raise InvalidValueError(f"--from {ref!r} is not owner/kernel-slug, e.g. alice/cassava-effnet-384-train")
    return ref


def check_model_source(ref: str) -> str:
    """Return `owner/model/framework/variation/version` if well formed."""
    if not MODEL_SOURCE_RE.match(ref):
        raise InvalidValueError(
            f"--model-source {ref!r} is not owner/model/framework/variation/version, "
            "e.g. timm/convnextv2/pyTorch/tiny/1"
        )
    return ref


def model_mount_path(ref: str) -> str:
    """Return where Kaggle mounts a model source (2026 layout)."""
    return f"/kaggle/input/models/{ref}"


def default_title(task: str, arch_key: str, competition: str) -> str:
    """Build a title within Kaggle's 50 characters: competition words dropped from the end first."""
    words = competition.split("-") if competition else [task]
    while words:
        title = " ".join([*words, arch_key]).replace("_", " ")
        if len(title) <= TITLE_MAX:
            return title[:1].upper() + title[1:]
        words = words[:-1]
    return f"{task} {arch_key}"[:TITLE_MAX]


def kernel_metadata(
    *,
    user: str,
    title: str,
    code_file: str,
    competition: str,
    datasets: Sequence[str] = (),
    models: Sequence[str] = (),
    kernels: Sequence[str] = (),
) -> dict[str, Any]:
    """Return kernel-metadata.json for `kaggle kernels push -p DIR`: GPU T4 x2, internet off."""
    return {
        "id": f"{user}/{slugify(title)}",
        "title": title,
        "code_file": code_file,
        "language": "python",
        "kernel_type": "notebook",
        "is_private": True,
        # The kaggle CLI defaults to internet on; competitions that score notebooks need it off.
        "enable_internet": False,
        "enable_gpu": True,
        # Without machine_shape Kaggle gives a P100, on which current torch wheels cannot run.
        "machine_shape": "NvidiaTeslaT4",
        "competition_sources": [competition] if competition else [],
        "dataset_sources": list(datasets),
        "kernel_sources": list(kernels),
        "model_sources": list(models),
    }
