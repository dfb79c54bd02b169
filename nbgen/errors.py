"""Exceptions raised by nbgen; the CLI prints them as one line and exits with code 2."""

from __future__ import annotations


class NbgenError(Exception):
    """A problem the user can fix: the message names the bad value and the fix."""


class UnknownTaskError(NbgenError):
    """The task name is not one nbgen knows."""


class UnknownArchError(NbgenError):
    """The architecture is neither a registry preset nor a model the task's library knows."""


class ParameterError(NbgenError):
    """A `--set` key is unknown or its value has the wrong type or form."""


class InvalidValueError(NbgenError):
    """A title, slug, user name or source reference breaks Kaggle's rules or is unsafe."""


class OutputExistsError(NbgenError):
    """The output folder exists and `--force` was not given."""


class DiscoveryError(NbgenError):
    """Discovery found no reading of the data, or two that fit: the message names the parameter to set."""


class SmokeError(NbgenError):
    """A smoke run failed: the notebook raised, or a check on what it wrote failed."""


def did_you_mean(word: str, choices: object) -> str:
    """Return ' (did you mean 'x'?)' for close matches of `word` in `choices`, else ''."""
    import difflib

    close = difflib.get_close_matches(word, [str(c) for c in choices], n=3, cutoff=0.6)  # type: ignore[attr-defined]
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
