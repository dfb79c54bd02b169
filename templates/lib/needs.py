"""Code a plan may leave out of the notebook, called by name: there, or a stop that says what brings it in.

A notebook carries the readers and rules its plan uses (nbgen prunes the rest); the calls that depend on the
data go through need(), so a run whose data needs left-out code stops at once with one line, never a NameError.
"""

import importlib


class LeftOutError(RuntimeError):
    """The data needs code that this notebook was generated without."""


FROM_DATA = "generate the notebook from this data, `nbgen new --data DIR` with a copy of the competition folder"


def need(name, what, fix=FROM_DATA):
    """The function `name` ("module.function" of templates/lib); `what` says which input or setting needs it, and
    `fix` what brings it in, for the stop when the notebook left it out."""
    module, _, function = name.rpartition(".")
    found = globals().get(function)  # in the notebook every helper shares this namespace
    if found is None and __name__ != "__main__":  # imported as lib.needs: the helpers are modules of their own
        found = getattr(importlib.import_module(f"lib.{module}"), function)
    if found is None:
        raise LeftOutError(f"{what} needs {function}(), which this notebook left out (its plan did not use it): {fix}")
    return found


def metric_code(metric, code):
    """The function computing `metric` when it is one of `code`'s (metric -> "module.function"), else None. Metrics of
    one competition are called by name: a notebook carries its own, and another set later stops at once."""
    if metric not in code:
        return None
    return need(code[metric], f"metric={metric!r}", f"generate the notebook with `--set metric={metric}`")
