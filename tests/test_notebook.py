"""Contract tests: every preset renders to a valid, deterministic, papermill-ready notebook."""

import json

import nbformat
import pytest

from nbgen import generate, list_archs
from nbgen.config import param_specs
from nbgen.notebook import Cell, drop_repeated_imports, split_cells
from nbgen.registry import get_arch


def test_split_cells_percent_format():
    text = "# %% [markdown]\n# Title\n\n# %%\nx = 1\n\n# %%\n\n# %%\ny = 2\n"
    cells = split_cells("data", text)
    assert [(c.id, c.kind, c.source) for c in cells] == [
        ("data-0", "markdown", "# Title"), ("data-1", "code", "x = 1"), ("data-2", "code", "y = 2"),
    ]


def test_imports_inside_a_string_are_text_not_imports():
    cells = [Cell("a-0", "code", "import json"), Cell("a-1", "code", "script = \'\'\'\nimport json\nprint(1)\n\'\'\'")]
    assert drop_repeated_imports(cells)[1].source == cells[1].source


def test_repeated_top_level_imports_are_dropped_but_indented_ones_kept():
    cells = [Cell("a-0", "code", "import numpy as np\nx = 1"),
             Cell("a-1", "code", "import numpy as np\nimport cv2\n\ndef f():\n    import numpy as np\n")]
    out = drop_repeated_imports(cells)
    assert out[1].source == "import cv2\n\ndef f():\n    import numpy as np"


@pytest.mark.parametrize(("task", "arch"), [(a.task, a.key) for a in list_archs()], ids=[a.key for a in list_archs()])
def test_every_preset_renders_valid_deterministic_notebook(task, arch, tmp_path):
    first = generate(task, arch, competition="some-comp", kaggle_user="tester", out_dir=tmp_path / "a")
    second = generate(task, arch, competition="some-comp", kaggle_user="tester", out_dir=tmp_path / "b")
    for name in (f"{first.name}.ipynb", "kernel-metadata.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    nb = nbformat.read(first / f"{first.name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3" and nb.metadata.language_info.name == "python"
    assert nb.metadata.nbgen["arch"] == arch
    ids = [c.id for c in nb.cells]
    assert len(ids) == len(set(ids)) and "parameters" in ids
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert [c.id for c in tagged] == ["parameters"]
    assert "/tmp" not in json.dumps(nb.metadata) and str(tmp_path) not in (first / f"{first.name}.ipynb").read_text()


@pytest.mark.parametrize(("task", "arch"), [("classification", "resnet18"), ("segmentation", "unet"),
                                          ("detection", "yolov8"), ("detection", "fasterrcnn")])
def test_papermill_lists_exactly_the_declared_parameters(task, arch, tmp_path):
    papermill = pytest.importorskip("papermill")
    folder = generate(task, arch, kaggle_user="tester", out_dir=tmp_path)
    listed = papermill.inspect_notebook(str(folder / f"{folder.name}.ipynb"))
    specs = param_specs(task, get_arch(task, arch).family)
    assert list(listed) == [s.name for s in specs]
    for spec in specs:
        assert listed[spec.name]["inferred_type_name"] == spec.type
        assert listed[spec.name]["help"] == spec.help


@pytest.mark.parametrize("task", ["classification", "segmentation"])
def test_offline_switches_come_before_heavy_imports(task, request):
    nb = nbformat.read(request.getfixturevalue(f"{task}_notebook"), as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    first_heavy = min(code.index(f"import {lib}") for lib in ("timm", "albumentations", "torch"))
    for switch in ("HF_HUB_OFFLINE", "NO_ALBUMENTATIONS_UPDATE"):
        assert code.index(switch) < first_heavy


@pytest.mark.parametrize(("task", "arch"), [("detection", "rtdetr-v2"), ("segmentation", "segformer-hf")])
def test_transformers_families_turn_hub_kernels_off_before_importing_transformers(task, arch, tmp_path):
    """transformers reads USE_HUB_KERNELS at import; with the `kernels` package installed, layers could fetch kernels."""
    folder = generate(task, arch, kaggle_user="tester", out_dir=tmp_path)
    code = "\n".join(c.source for c in nbformat.read(folder / f"{folder.name}.ipynb", as_version=4).cells if c.cell_type == "code")
    assert code.index('os.environ.setdefault("USE_HUB_KERNELS", "0")') < code.index("import transformers")


def test_user_strings_reach_code_only_as_literals(tmp_path):
    folder = generate("classification", "resnet18", competition="comp-one", kaggle_user="tester", out_dir=tmp_path,
                      overrides={"label_col": "my label; print(1)", "group_col": "#patient"})
    nb = nbformat.read(folder / f"{folder.name}.ipynb", as_version=4)
    params = next(c.source for c in nb.cells if c.id == "parameters")
    assert "label_col: str = 'my label; print(1)'" in params
    namespace: dict = {}
    exec(params, namespace)  # the cell is plain Python: values come back exactly as given
    assert namespace["label_col"] == "my label; print(1)" and namespace["group_col"] == "#patient"


@pytest.mark.parametrize("task, arch", [("classification", "efficientnet_b0"), ("segmentation", "unet"),
                                        ("detection", "yolov8"), ("detection", "fasterrcnn"), ("detection", "rtdetr-v2"),
                                        ("segmentation", "mask2former")])
def test_inlined_helpers_never_redefine_a_name(task, arch, tmp_path):
    """Helpers share one namespace in the notebook: a second definition would silently replace the first."""
    import ast
    import collections


    folder = generate(task, arch, kaggle_user="tester", out_dir=tmp_path)
    cells = json.loads((folder / f"{folder.name}.ipynb").read_text())["cells"]
    defined = collections.Counter()
    constants = collections.Counter()  # module-level names the hidden helpers assign: they all run before the stages
    staged = set()  # names the stage cells assign
    parameters = {line.split(":")[0] for line in "".join(cells[2]["source"]).splitlines() if ": " in line}
    for cell in cells:
        if cell["cell_type"] == "code":
            for node in ast.parse("".join(cell["source"])).body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    defined[node.name] += 1
                elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names = [t.id for t in targets if isinstance(t, ast.Name)]
                    (constants.update if cell["metadata"].get("_kg_hide-input") else staged.update)(names)
    assert [name for name, n in defined.items() if n > 1] == []
    assert [name for name, n in constants.items() if n > 1 or name in defined] == []
    # A helper's name is the helper's: a parameter or a stage variable of that name would replace it, or be replaced.
    assert sorted((set(defined) | set(constants)) & (parameters | staged)) == []


@pytest.mark.parametrize("task", ["classification", "segmentation", "detection"])
def test_ensemble_kernels_never_redefine_a_name(task, tmp_path):
    """The blend helpers join the discovery helpers in one namespace (an archive's member_names was once shadowed)."""
    import ast
    import collections

    from nbgen.generator import generate_ensemble

    folder = generate_ensemble(task, ["alice/one-train", "alice/two-train"], kaggle_user="tester", out_dir=tmp_path)
    defined = collections.Counter(
        node.name for cell in json.loads((folder / f"{folder.name}.ipynb").read_text())["cells"] if cell["cell_type"] == "code"
        for node in ast.parse("".join(cell["source"])).body if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
    assert [name for name, n in defined.items() if n > 1] == []


def _rendered_function(notebook, name, namespace):
    """Top-level function `name` as a generated notebook defines it, with `namespace` as its globals."""
    import ast

    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] == "code":
            for node in ast.parse("".join(cell["source"])).body:
                if isinstance(node, ast.FunctionDef) and node.name == name:
                    exec(compile(ast.Module([node], type_ignores=[]), str(notebook), "exec"), namespace)
                    return namespace[name]
    raise AssertionError(f"{notebook.name} defines no {name}")


def test_a_crashed_worker_is_retried_with_fewer_alone_but_stops_a_ddp_process(classification_notebook):
    """One DDP process retrying an epoch alone would leave the others waiting on its gradients: it stops instead,
    naming num_workers and the value to set."""
    calls = []

    def crashing_pass():
        calls.append(namespace["workers"])
        if len(calls) == 1:
            raise RuntimeError("DataLoader worker (pid 42) is killed by signal: Bus error.")
        return "done"

    namespace = {"workers": 4, "DDP": False, "RANK": 0}
    assert _rendered_function(classification_notebook, "with_worker_fallback", namespace)(crashing_pass) == "done"
    assert calls == [4, 2]

    calls.clear()
    namespace = {"workers": 4, "DDP": True, "RANK": 1}
    with pytest.raises(RuntimeError, match=r"DDP process 1 .*set num_workers to 2 \(now 4 per process\)"):
        _rendered_function(classification_notebook, "with_worker_fallback", namespace)(crashing_pass)
    assert calls == [4]


# Visible code lines (cells not hidden as helpers) a reader meets, per task's default notebook.
VISIBLE_LINES = {"classification": 700, "segmentation": 800, "detection": 700}


@pytest.mark.parametrize("task", list(VISIBLE_LINES))
def test_helpers_sit_hidden_in_their_own_section_and_the_stages_stay_short(task, tmp_path):
    from nbgen.registry import get_task

    folder = generate(task, get_task(task).default_arch, competition="some-comp", kaggle_user="tester", out_dir=tmp_path)
    cells = json.loads((folder / f"{folder.name}.ipynb").read_text())["cells"]
    hidden = [k for k, c in enumerate(cells) if c["metadata"].get("_kg_hide-input")]
    intro = next(k for k, c in enumerate(cells) if c["id"] == "helpers-0")
    # One section, right after the setup: the helpers first, then the stages top to bottom, none hidden.
    assert hidden == list(range(intro + 1, intro + 1 + len(hidden))) and len(hidden) > 10
    assert all(c["metadata"]["jupyter"] == {"source_hidden": True} for c in cells if c["metadata"].get("_kg_hide-input"))
    for k in hidden:  # one comment line says what the cell holds and its source file
        first = "".join(cells[k]["source"]).splitlines()[0]
        assert first.startswith("# ") and first.endswith((".py)", ".py.j2)")) and "(templates/" in first
    assert cells[intro + len(hidden) + 1]["id"].startswith("paths-")
    visible = sum(len("".join(c["source"]).splitlines()) for c in cells
                  if c["cell_type"] == "code" and not c["metadata"].get("_kg_hide-input"))
    assert visible <= VISIBLE_LINES[task]
