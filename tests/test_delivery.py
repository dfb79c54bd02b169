"""Offline delivery: `nbgen bundle` (real package index, local weights), `nbgen check` rules, `nbgen push` with a fake kaggle CLI."""

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nbgen import generate
from nbgen.bundle import BundleError, build_bundle, fetch_url, sha256
from nbgen.check import check_folder
from nbgen.cli import app
from nbgen.errors import SmokeError
from nbgen.push import PushError, push
from nbgen.smoke import run_smoke

SMALL_WHEEL = "ensemble-boxes==1.0.9"  # pure Python, a few kB, already installed by the test extras


@pytest.fixture()
def folder(tmp_path):
    return generate("detection", "fasterrcnn", competition="global-wheat-detection", kaggle_user="alice",
                    out_dir=tmp_path / "nb")


@pytest.fixture()
def plain(tmp_path):
    """A notebook whose family needs no wheel beyond Kaggle's image: ready to push as generated."""
    return generate("classification", "resnet18", competition="cassava-leaf-disease-classification", kaggle_user="alice",
                    out_dir=tmp_path / "plain")


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """A torchvision detection notebook with its real bundle (one wheel from the package index, one weights file)."""
    root = tmp_path_factory.mktemp("bundled")
    folder = generate("detection", "fasterrcnn", competition="global-wheat-detection", kaggle_user="alice", out_dir=root)
    weights = root / "fasterrcnn_resnet50_fpn_v2_coco.pth"
    weights.write_bytes(os.urandom(2048))
    bundle = build_bundle(folder, weights=[weights])
    return folder, bundle, weights


def test_bundle_downloads_the_wheel_and_records_checksums(bundled):
    folder, bundle, weights = bundled
    manifest = json.loads((bundle / "nbgen-manifest.json").read_text())
    [wheel] = manifest["wheels"]
    assert wheel["requirement"] == SMALL_WHEEL and wheel["file"].startswith("ensemble_boxes-1.0.9-") and wheel["file"].endswith(".whl")
    assert (bundle / wheel["file"]).is_file() and sha256(bundle / wheel["file"]) == wheel["sha256"]
    assert manifest["weights"] == [{"file": f"weights/{weights.name}", "sha256": sha256(weights), "source": str(weights)}]
    assert manifest["python"] == "3.12" and manifest["notebook"] == "alice/global-wheat-detection-fasterrcnn"
    dataset = json.loads((bundle / "dataset-metadata.json").read_text())
    assert 6 <= len(dataset["title"]) <= 50 and dataset["id"] == manifest["dataset"] and dataset["id"].startswith("alice/")
    metadata = json.loads((folder / "kernel-metadata.json").read_text())
    assert manifest["dataset"] in metadata["dataset_sources"] and "global-wheat-detection" in metadata["competition_sources"]
    assert check_folder(folder) == []


def test_bundle_rerun_reuses_files_by_checksum(bundled):
    folder, bundle, weights = bundled
    before = {p.name: p.stat().st_mtime_ns for p in bundle.rglob("*") if p.is_file() and p.suffix in (".whl", ".pth")}

    def no_download(*args, **kwargs):
        raise AssertionError("a wheel with a matching checksum must not be downloaded again")

    build_bundle(folder, weights=[weights], runner=no_download)
    after = {p.name: p.stat().st_mtime_ns for p in bundle.rglob("*") if p.is_file() and p.suffix in (".whl", ".pth")}
    assert before == after
    metadata = json.loads((folder / "kernel-metadata.json").read_text())
    assert len(metadata["dataset_sources"]) == 1  # attached once


def test_interrupted_download_leaves_no_file(tmp_path):
    class Broken:
        def __init__(self):
            self.calls = 0

        def read(self, size=-1):
            self.calls += 1
            if self.calls > 1:
                raise ConnectionResetError("connection lost")
            return b"x" * 10

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    target = tmp_path / "weights" / "model.pt"
    with pytest.raises(ConnectionResetError):
        fetch_url("https://example.invalid/model.pt", target, opener=lambda url: Broken())
    assert list(target.parent.iterdir()) == []


def test_bundle_errors_are_named(folder, tmp_path):
    with pytest.raises(BundleError, match="no such file"):
        build_bundle(folder, weights=[tmp_path / "missing.pt"], requirements=[])
    with pytest.raises(BundleError, match="no kernel-metadata.json"):
        build_bundle(tmp_path)

    class Failed:
        returncode, stdout, stderr = 1, "", "ERROR: No matching distribution found for nothing-here==9"

    with pytest.raises(BundleError, match="pip could not download nothing-here==9 for Python 3.12: ERROR: No matching"):
        build_bundle(folder, requirements=["nothing-here==9"], runner=lambda *a, **k: Failed())
    assert not list((folder.parent / f"{folder.name}-bundle").glob("*.whl"))


def test_failed_weight_download_says_what_to_do(folder, tmp_path, monkeypatch):
    import nbgen.bundle

    monkeypatch.setattr(nbgen.bundle, "weights_url", lambda provenance: (f"file://{tmp_path}/absent.pth", "absent.pth"))
    monkeypatch.setattr(nbgen.bundle, "cached_weights", lambda model: None)
    with pytest.raises(BundleError, match="could not download file://.*absent.pth .*pass --weights FILE"):
        build_bundle(folder, download=True, requirements=[])
    assert not list((folder.parent / f"{folder.name}-bundle" / "weights").iterdir())


def _edit(folder, **changes):
    path = folder / "kernel-metadata.json"
    metadata = json.loads(path.read_text())
    metadata.update(changes)
    path.write_text(json.dumps(metadata))


@pytest.mark.parametrize(("change", "message"), [
    ({"id": "alice/another-slug"}, "id: slug 'another-slug' must be the title's slug"),
    ({"id": "no slash"}, "id: 'no slash' is not owner/slug"),
    ({"title": "Wh"}, "title: 'Wh' has 2 characters"),
    ({"code_file": "other.ipynb"}, "code_file: 'other.ipynb' is not in"),
    ({"machine_shape": "NvidiaTeslaP100"}, "machine_shape: 'NvidiaTeslaP100'"),
    ({"enable_internet": True}, "enable_internet: must be false"),
    ({"competition_sources": ["Global Wheat"]}, "competition_sources: 'Global Wheat' is not a competition slug"),
    ({"dataset_sources": ["alice"]}, "dataset_sources: 'alice' is not owner/slug"),
    ({"model_sources": ["timm/x"]}, "model_sources: 'timm/x' is not owner/model/framework/variation/version"),
])
def test_check_names_each_broken_metadata_rule(folder, change, message):
    _edit(folder, **change)
    problems = check_folder(folder)
    assert any(message in p for p in problems), problems


def test_check_notebook_and_bundle_rules(folder):
    assert check_folder(folder) == [f"bundle: the notebook needs {SMALL_WHEEL} (not in Kaggle's image); run `nbgen bundle {folder}`"]
    notebook = folder / f"{folder.name}.ipynb"
    nb = json.loads(notebook.read_text())
    del nb["metadata"]["kernelspec"]
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("tags", None)
    notebook.write_text(json.dumps(nb))
    problems = check_folder(folder)
    assert any(p.startswith("notebook kernelspec: missing") for p in problems)
    assert any(p.startswith("notebook parameters cell: 0 cells tagged") for p in problems)


def test_check_finds_a_bundle_that_lacks_the_wheel_or_is_not_attached(bundled, tmp_path):
    folder, bundle, _ = bundled
    link = json.loads((folder / "bundle.json").read_text())
    empty = tmp_path / "empty-bundle"
    empty.mkdir()
    (empty / "nbgen-manifest.json").write_text(json.dumps({"wheels": []}))
    (folder / "bundle.json").write_text(json.dumps({**link, "path": str(empty)}))
    try:
        assert check_folder(folder) == [f"bundle: {SMALL_WHEEL} is missing from {empty}; run `nbgen bundle {folder}`"]
        metadata = json.loads((folder / "kernel-metadata.json").read_text())
        _edit(folder, dataset_sources=[])
        assert any(p.startswith("dataset_sources: the bundle") for p in check_folder(folder))
        _edit(folder, dataset_sources=metadata["dataset_sources"])
    finally:
        (folder / "bundle.json").write_text(json.dumps(link))


def test_check_command_exits_2_with_one_line_per_problem(folder):
    _edit(folder, enable_internet=True, machine_shape="")
    result = CliRunner().invoke(app, ["check", str(folder), "--no-smoke"])
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(lines) == 3 and any("enable_internet" in line for line in lines)


FAKE_KAGGLE = '''#!{python}
import os, sys
args = sys.argv[1:]
log = os.environ["FAKE_KAGGLE_LOG"]
open(log, "a").write(" ".join(args) + "\\n")
scenario = os.environ.get("FAKE_KAGGLE", "ok")
if args[:2] == ["kernels", "push"]:
    if scenario == "invalid":
        print("Kernel push error: The following are not valid dataset sources: alice/nope")
        sys.exit(0)
    print("Kernel version 1 successfully pushed.  Please check progress at https://www.kaggle.com/code/alice/x")
elif args[:2] == ["kernels", "status"]:
    count = len([l for l in open(log) if l.startswith("kernels status")])
    if count < 2:
        print(args[2] + ' has status "running"')
    elif scenario == "error":
        print(args[2] + ' has status "error"')
        print('Failure message: "CUDA out of memory"')
    else:
        print(args[2] + ' has status "complete"')
elif args[:2] == ["datasets", "status"]:
    sys.exit(1)
elif args[:2] == ["datasets", "create"]:
    print("Dataset creation successful")
'''


@pytest.fixture()
def fake_kaggle(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "kaggle"
    script.write_text(FAKE_KAGGLE.format(python=sys.executable))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "kaggle.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_KAGGLE_LOG", str(log))
    monkeypatch.setenv("KAGGLE_USERNAME", "alice")
    monkeypatch.setenv("KAGGLE_KEY", "secret")
    return log


def test_push_success_waits_for_completion(plain, fake_kaggle):
    lines = []
    assert push(plain, wait=True, poll_seconds=0, echo=lines.append) == "complete"
    calls = fake_kaggle.read_text().splitlines()
    assert calls[0] == f"kernels push -p {plain}" and calls[1:] == [f"kernels status alice/{plain.name}"] * 2


def test_push_with_bundle_creates_the_dataset_first(bundled, fake_kaggle):
    folder, bundle, _ = bundled
    push(folder, with_bundle=True, echo=lambda line: None)
    calls = fake_kaggle.read_text().splitlines()
    assert calls[:2] == [f"datasets status {json.loads((folder / 'bundle.json').read_text())['dataset']}",
                         f"datasets create -p {bundle} --dir-mode zip"]
    assert calls[2].startswith("kernels push")


def test_push_reports_invalid_sources_and_failed_kernels(plain, fake_kaggle, monkeypatch):
    monkeypatch.setenv("FAKE_KAGGLE", "invalid")
    with pytest.raises(PushError, match="not valid dataset sources: alice/nope"):
        push(plain, echo=lambda line: None)
    monkeypatch.setenv("FAKE_KAGGLE", "error")
    with pytest.raises(PushError, match='ended with status error: .*CUDA out of memory'):
        push(plain, wait=True, poll_seconds=0, echo=lambda line: None)


def test_push_without_cli_or_credentials(plain, tmp_path, monkeypatch, fake_kaggle):
    monkeypatch.delenv("KAGGLE_KEY")
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "nothing"))
    with pytest.raises(PushError, match="no Kaggle credentials: put kaggle.json"):
        push(plain, echo=lambda line: None)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = CliRunner().invoke(app, ["push", str(plain)])
    assert result.exit_code == 2 and "the kaggle CLI is not on PATH; install it with `pip install kaggle`" in result.output


@pytest.mark.smoke
def test_notebook_installs_from_a_bundle_mounted_like_kaggle(bundled, classification_notebook, tmp_path):
    pytest.importorskip("papermill")
    _, bundle, _ = bundled
    mounted = tmp_path / "kaggle" / "input" / "datasets" / "alice" / bundle.name
    mounted.parent.mkdir(parents=True)
    mounted.symlink_to(bundle, target_is_directory=True)
    result = run_smoke(classification_notebook, layout="csv", out_dir=tmp_path,
                       parameters={"wheels_dir": str(mounted), "train_folds": "0"})
    outputs = json.loads(Path(result.executed).read_text())["cells"]
    printed = "".join("".join(o.get("text", "")) for c in outputs for o in c.get("outputs", []))
    assert f"installing 1 wheels from {mounted}" in printed
    assert result.network_attempts == 0


def test_pair_writes_a_training_and_an_inference_kernel(tmp_path):
    import nbformat

    from nbgen.generator import generate_pair

    train, infer = generate_pair("segmentation", "unet", competition="severstal-steel-defect-detection",
                                 kaggle_user="alice", out_dir=tmp_path)
    train_meta = json.loads((train / "kernel-metadata.json").read_text())
    infer_meta = json.loads((infer / "kernel-metadata.json").read_text())
    assert train_meta["id"] == "alice/severstal-steel-defect-detection-unet-train" and train_meta["kernel_sources"] == []
    assert infer_meta["kernel_sources"] == [train_meta["id"]] and infer_meta["enable_internet"] is False
    assert infer_meta["competition_sources"] == ["severstal-steel-defect-detection"]
    stages = {}
    for folder in (train, infer):
        nb = nbformat.read(folder / f"{folder.name}.ipynb", as_version=4)
        stages[folder] = {c.id.rsplit("-", 1)[0] for c in nb.cells}
        assert check_folder(folder) == [f"bundle: the notebook needs segmentation-models-pytorch==0.6.0 (not in Kaggle's "
                                        f"image); run `nbgen bundle {folder}`"]
    assert "submit" not in stages[train] and "validate" in stages[train]
    assert "validate" not in stages[infer] and "submit" in stages[infer]
    result = CliRunner().invoke(app, ["new", "--task", "segmentation", "--arch", "unet", "--kernels", "three",
                                      "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--kernels 'three': use single, pair or ensemble" in result.output


def test_ensemble_kernel_attaches_the_training_kernels(tmp_path):
    import nbformat

    result = CliRunner().invoke(app, ["new", "--competition", "cassava-leaf-disease-classification", "--kernels", "ensemble",
                                      "--from", "alice/cassava-effnet-384-train", "--from", "alice/cassava-convnext-512-train",
                                      "--kaggle-user", "alice", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "cassava-leaf-disease-classification-ensemble"
    meta = json.loads((folder / "kernel-metadata.json").read_text())
    assert meta["kernel_sources"] == ["alice/cassava-effnet-384-train", "alice/cassava-convnext-512-train"]
    assert meta["competition_sources"] == ["cassava-leaf-disease-classification"] and meta["enable_internet"] is False
    stages = {c.id.rsplit("-", 1)[0] for c in nbformat.read(folder / f"{folder.name}.ipynb", as_version=4).cells}
    assert {"ensemble", "submit"} <= stages and not stages & {"model", "train", "validate"}
    checked = CliRunner().invoke(app, ["check", str(folder)])  # no smoke run: it would need finished runs
    assert checked.exit_code == 0 and "smoke: skipped, an ensemble kernel blends finished runs" in checked.output
    with pytest.raises(SmokeError, match="is an ensemble kernel: it blends finished runs"):
        run_smoke(folder / f"{folder.name}.ipynb", out_dir=tmp_path / "runs")
    for args, message in [(["--from", "alice/one"], "needs two or more --from training kernels, got 1"),
                          (["--kernels", "single", "--from", "alice/one"], "--from names the members of an ensemble"),
                          (["--from", "alice", "--from", "bob/x"], "--from 'alice' is not owner/kernel-slug")]:
        full = ["new", "--competition", "cassava-leaf-disease-classification", "--out", str(tmp_path / "x"), *args]
        if "--kernels" not in args:
            full += ["--kernels", "ensemble"]
        result = CliRunner().invoke(app, full)
        assert result.exit_code == 2 and message in result.output, result.output
    result = CliRunner().invoke(app, ["new", "--task", "image2image", "--kernels", "ensemble", "--from", "a/b", "--from",
                                      "a/c", "--out", str(tmp_path / "y")])
    assert result.exit_code == 2 and "image2image ensembles are not built yet" in result.output


def test_training_output_is_found_under_both_mount_layouts(tmp_path):
    from lib.paths import find_training_output, link_outputs

    work = tmp_path / "working"
    work.mkdir()
    with pytest.raises(FileNotFoundError, match="no training kernel output .*attach the training kernel's output"):
        find_training_output(work, tmp_path / "input")
    for output in (tmp_path / "input" / "my-train", tmp_path / "new" / "notebooks" / "alice" / "my-train"):
        (output / "runs").mkdir(parents=True)
        (output / "nbgen-train.json").write_text("{}")
        (output / "fold0_best.pt").write_bytes(b"x")
        (output / "submission.csv").write_text("id\n")
        root = output.parent if output.parent.name != "alice" else tmp_path / "new"
        assert find_training_output(work, root) == output
    link_outputs(tmp_path / "input" / "my-train", work)
    assert sorted(p.name for p in work.iterdir()) == ["fold0_best.pt", "nbgen-train.json", "runs"]
    assert (work / "runs").is_symlink() and (work / "fold0_best.pt").read_bytes() == b"x"
    assert find_training_output(work, tmp_path / "nowhere") == work


@pytest.mark.smoke
@pytest.mark.parametrize(("task", "arch", "layout", "competition"), [
    ("segmentation", "unet", "rle_classes", ""),
    pytest.param("detection", "yolov8", "wheat", "", marks=pytest.mark.slow),
    ("detection", "yolov8", "siim_covid", "siim-covid19-detection"),  # boxes and the study classifier's folds
    ("image2text", "resnet34-text", "bms", "bms-molecular-translation"),  # the vocabulary comes with the table
])
def test_pair_smoke_inference_kernel_predicts_from_the_training_output(task, arch, layout, competition, tmp_path):
    pytest.importorskip("papermill")
    from nbgen.generator import generate_pair

    train, infer = generate_pair(task, arch, competition=competition, kaggle_user="alice", out_dir=tmp_path / "gen")
    trained = run_smoke(train / f"{train.name}.ipynb", layout=layout, out_dir=tmp_path / "runs")
    assert not (trained.work_dir / "submission.csv").exists()
    # every fold of the smoke run; image to text trains one by default (train_folds)
    assert json.loads((trained.work_dir / "nbgen-train.json").read_text())["trained_folds"] == ([0] if task == "image2text"
                                                                                                 else [0, 1])
    inferred = run_smoke(infer / f"{infer.name}.ipynb", layout=layout, out_dir=tmp_path / "runs",
                         parameters={"work_dir": str(trained.work_dir.resolve())})
    assert inferred.submission_rows > 0 and inferred.network_attempts == 0
    executed = json.loads(Path(inferred.executed).read_text())
    assert not any("for fold in folds_to_train" in "".join(c["source"]) for c in executed["cells"])  # no training loop
    printed = "".join("".join(o.get("text", "")) for c in executed["cells"] for o in c.get("outputs", []))
    assert "ms per image" in printed and "training output:" in printed
    if layout == "siim_covid":
        assert "study rows from" in printed and not any("train_study_fold" in "".join(c["source"]) for c in executed["cells"])
        # The no-object mix tuned by the training kernel is the one the inference kernel applies.
        mix = json.loads((trained.work_dir / "postprocess.json").read_text())
        assert mix["box_free_classes"] == ["negative"] and 0 <= mix["study_weight"] <= 1
        assert f"{1 - mix['study_weight']:g} x (1 - best box) + {mix['study_weight']:g} x P(negative)" in printed


def test_check_refuses_the_placeholder_owner(tmp_path, monkeypatch):
    monkeypatch.delenv("KAGGLE_USERNAME", raising=False)
    folder = generate("classification", "resnet18", competition="cassava-leaf-disease-classification", out_dir=tmp_path)
    problems = check_folder(folder)
    assert len(problems) == 1 and problems[0].startswith("id: the owner is the placeholder 'your-kaggle-username'")
    assert "--kaggle-user" in problems[0] and "KAGGLE_USERNAME" in problems[0]


def test_check_refuses_a_bundle_of_another_owner_unless_public(folder, tmp_path):
    build_bundle(folder, tmp_path / "b1", owner="bob", requirements=[])
    owner_lines = [p for p in check_folder(folder) if "belongs to 'bob'" in p]
    assert len(owner_lines) == 1 and "--owner alice" in owner_lines[0]
    build_bundle(folder, tmp_path / "b2", owner="bob", public=True, requirements=[])
    warnings = []
    assert not any("belongs to" in p for p in check_folder(folder, warnings))
    assert len(warnings) == 1 and "allowed: the bundle is public" in warnings[0]
    build_bundle(folder, tmp_path / "b3", requirements=[])  # no --owner: the kernel's owner
    assert json.loads((folder / "bundle.json").read_text())["dataset"].startswith("alice/")


def test_push_runs_the_checks_first(tmp_path, monkeypatch, fake_kaggle):
    monkeypatch.delenv("KAGGLE_USERNAME")
    folder = generate("classification", "resnet18", competition="cassava-leaf-disease-classification", out_dir=tmp_path / "n")
    monkeypatch.setenv("KAGGLE_USERNAME", "alice")
    with pytest.raises(PushError, match="not ready to push: id: the owner is the placeholder"):
        push(folder, echo=lambda line: None)
    assert not fake_kaggle.exists()  # the kaggle CLI was never called


def test_bundle_takes_extra_wheels_the_data_needs(folder, tmp_path):
    bundle = build_bundle(folder, tmp_path / "b", requirements=[], extra_wheels=[SMALL_WHEEL])
    manifest = json.loads((bundle / "nbgen-manifest.json").read_text())
    assert [w["requirement"] for w in manifest["wheels"]] == [SMALL_WHEEL]
    assert (bundle / manifest["wheels"][0]["file"]).is_file()


def test_a_known_competitions_data_wheels_are_required(tmp_path):
    folder = generate("detection", "fasterrcnn", competition="vinbigdata-chest-xray-abnormalities-detection",
                      kaggle_user="alice", out_dir=tmp_path)
    problems = check_folder(folder)
    assert problems == [f"bundle: the notebook needs {SMALL_WHEEL}, pydicom==3.0.2 (not in Kaggle's image); "
                        f"run `nbgen bundle {folder}`"]


def test_bundle_packs_a_transformers_model_folder_where_the_notebook_finds_it(tmp_path):
    """--weights DIR (a save_pretrained folder) lands as weights/<model>/; the notebook's finder picks it up there."""
    from lib.paths import find_model_folder

    folder = generate("detection", "rtdetr-v2", competition="global-wheat-detection", kaggle_user="alice", out_dir=tmp_path)
    model = tmp_path / "saved"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "model.safetensors").write_bytes(b"weights")
    bundle = build_bundle(folder, tmp_path / "bundle", requirements=[], weights=[model])
    manifest = json.loads((bundle / "nbgen-manifest.json").read_text())
    assert sorted(w["file"] for w in manifest["weights"]) == ["weights/rtdetr_v2_r18vd/config.json",
                                                               "weights/rtdetr_v2_r18vd/model.safetensors"]
    assert find_model_folder("PekingU/rtdetr_v2_r18vd", search_root=bundle) == bundle / "weights" / "rtdetr_v2_r18vd"
    (tmp_path / "loose.safetensors").write_bytes(b"x")
    with pytest.raises(BundleError, match="a transformers model is one folder holding config.json"):
        build_bundle(folder, tmp_path / "bundle2", requirements=[], weights=[tmp_path / "loose.safetensors"])
