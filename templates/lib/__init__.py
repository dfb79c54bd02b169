"""Helper modules inlined into generated notebooks; tests import them as `lib.<name>`."""
