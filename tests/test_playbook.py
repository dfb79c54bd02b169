"""The playbook on finished runs: ensembles of two architectures at two sizes (mismatched folds refused), and a
student trained from a teacher run's soft labels and confident test predictions."""

import json
import re

import pandas as pd
import pytest

from nbgen.errors import NbgenError
from nbgen.generator import generate
from nbgen.smoke import run_smoke

pytestmark = pytest.mark.smoke
pytest.importorskip("papermill")

# Short real runs (not smoke=True, which would give both members the same tiny model and size).
COMMON = {"smoke": False, "pretrained_path": "none", "n_folds": 2, "epochs": 2, "num_workers": 0, "batch_size": 16,
          "lr": 3e-3, "warmup_epochs": 0.5}
MEMBERS = {"effnet48": {"model_name": "test_efficientnet", "img_size": 48, "tta_views": "orig"},
           "convnext64": {"model_name": "test_convnext", "img_size": 64, "tta_views": "orig,hflip"}}


@pytest.fixture(scope="module")
def finished_runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("members")
    folder = generate("classification", "efficientnet_b0", competition="cassava-leaf-disease-classification",
                      kaggle_user="tester", out_dir=root / "gen")
    notebook = folder / f"{folder.name}.ipynb"
    runs = {name: run_smoke(notebook, layout="csv", out_dir=root / name, parameters={**COMMON, **extra}, n_train=48,
                            n_test=12) for name, extra in MEMBERS.items()}
    return notebook, runs, root


def test_ensemble_of_two_architectures_at_two_sizes(finished_runs, tmp_path):
    from nbgen.ensemble import run_ensemble

    _, runs, _ = finished_runs
    data = runs["effnet48"].work_dir.parent / "data"
    result = run_ensemble([r.work_dir for r in runs.values()], data, tmp_path / "ens")
    assert len(result["members"]) == 2 and sum(result["weights"].values()) == pytest.approx(1.0)
    assert result["cv"] >= max(result["members"].values())  # the blend starts from the best member
    for run in runs.values():  # each member's CV as its own run reported it
        assert json.loads((run.work_dir / "cv.json").read_text())["cv_tta"] in [pytest.approx(v) for v in result["members"].values()]
    sample = pd.read_csv(data / "sample_submission.csv")
    submission = pd.read_csv(tmp_path / "ens" / "work" / "submission.csv")
    assert submission.columns.tolist() == sample.columns.tolist()
    assert submission.iloc[:, 0].tolist() == sample.iloc[:, 0].tolist()
    printed = json.dumps(json.loads((tmp_path / "ens" / "executed.ipynb").read_text())["cells"])
    assert "test_efficientnet at 48 px" in printed and "test_convnext at 64 px" in printed
    with pytest.raises(NbgenError, match="exists; pass --force"):
        run_ensemble([r.work_dir for r in runs.values()], data, tmp_path / "ens")


def test_members_trained_on_other_folds_are_refused(finished_runs, tmp_path):
    from nbgen.ensemble import run_ensemble

    notebook, runs, root = finished_runs
    other = run_smoke(notebook, layout="csv", out_dir=root / "seed7", n_train=48, n_test=12,
                      parameters={**COMMON, **MEMBERS["effnet48"], "seed": 7, "epochs": 1})
    with pytest.raises(NbgenError, match="ensemble refused: .* put \\d+ images in different folds.*same n_folds, seed"):
        run_ensemble([runs["effnet48"].work_dir, other.work_dir], runs["effnet48"].work_dir.parent / "data", tmp_path / "e")


def test_student_learns_from_a_teacher_and_pseudo_labels_stay_out_of_validation(finished_runs, tmp_path):
    notebook, runs, _ = finished_runs
    teacher = runs["convnext64"].work_dir
    test_ids = pd.read_csv(teacher / "test_probs.csv", dtype=str)["id"].tolist()
    student = run_smoke(notebook, layout="csv", out_dir=tmp_path, n_train=48, n_test=12,
                        parameters={**COMMON, **MEMBERS["effnet48"], "teacher": str(teacher), "pseudo_threshold": 0.4,
                                    "distill_weight": 0.5})
    printed = json.dumps(json.loads(open(student.executed).read())["cells"])
    added = int(re.search(r"(\d+) of its test predictions at >= 0.4 join every fold's training set", printed).group(1))
    assert 0 < added <= len(test_ids)
    assert "mixup/cutmix off: they would mix the images but not the teacher's soft labels" in printed
    oof = pd.read_csv(student.work_dir / "oof.csv", dtype={"id": str})
    assert len(oof) == 48 and not set(oof["id"]) & set(test_ids)  # every training image, no pseudo-labelled one
    assert json.loads((student.work_dir / "cv.json").read_text())["n_oof"] == 48


def test_detection_ensemble_of_two_yolo_generations_at_two_sizes(tmp_path):
    """YOLOv8-n at 64 px and YOLO11-n at 96 px (two flips): out-of-fold boxes fused with the weights, the wheat metric."""
    from nbgen.ensemble import run_ensemble

    folder = generate("detection", "yolov8", competition="global-wheat-detection", kaggle_user="tester", out_dir=tmp_path / "gen")
    common = {"smoke": False, "pretrained_path": "none", "n_folds": 2, "epochs": 1, "num_workers": 0, "batch_size": 8,
              "mosaic": 0.0}
    runs = [run_smoke(folder / f"{folder.name}.ipynb", layout="wheat", out_dir=tmp_path / name, n_train=24, n_test=6,
                      parameters={**common, **extra})
            for name, extra in (("v8", {"model_name": "yolov8n.yaml", "img_size": 64, "tta_views": "orig"}),
                                ("y11", {"model_name": "yolo11n.yaml", "img_size": 96, "tta_views": "orig,hflip"}))]
    data = runs[0].work_dir.parent / "data"
    result = run_ensemble([r.work_dir for r in runs], data, tmp_path / "ens", competition="global-wheat-detection")
    assert result["metric"] == "wheat" and len(result["members"]) == 2
    assert result["cv"] >= max(result["members"].values()) and sum(result["weights"].values()) == pytest.approx(1.0)
    submission = pd.read_csv(tmp_path / "ens" / "work" / "submission.csv", keep_default_na=False)
    assert submission["image_id"].tolist() == pd.read_csv(data / "sample_submission.csv")["image_id"].tolist()
    assert all(len(v.split()) % 5 == 0 for v in submission["PredictionString"])
    with pytest.raises(NbgenError, match="scored by wheat, this notebook by map50: .*set metric='wheat'"):
        run_ensemble([r.work_dir for r in runs], data, tmp_path / "ens2", overrides={"metric": "map50"})


def test_segmentation_ensemble_of_three_architectures_at_two_sizes_and_two_families(tmp_path):
    """Unet at 64 px, FPN at 96 px and a (tiny) transformers SegFormer at 64 px on TGS: out-of-fold maps averaged
    with the weights before the threshold; the SegFormer rebuilt from the config its run saved."""
    from nbgen.ensemble import run_ensemble

    notebooks = {}
    for arch in ("unet", "segformer-hf"):
        folder = generate("segmentation", arch, competition="tgs-salt-identification-challenge", kaggle_user="tester",
                          out_dir=tmp_path / "gen")
        notebooks[arch] = folder / f"{folder.name}.ipynb"
    common = {"smoke": False, "pretrained_path": "none", "n_folds": 2, "epochs": 1, "num_workers": 0, "batch_size": 8}
    runs = [run_smoke(notebooks[arch], layout="tgs", out_dir=tmp_path / name, n_train=24, n_test=6,
                      parameters={**common, **extra})
            for name, arch, extra in (
                ("unet", "unet", {"model_name": "Unet", "encoder_name": "tu-test_efficientnet", "img_height": 64,
                                  "img_width": 64, "tta_views": "orig"}),
                ("fpn", "unet", {"model_name": "FPN", "encoder_name": "tu-test_convnext", "img_height": 96,
                                 "img_width": 96, "tta_views": "orig,hflip"}),
                ("segformer", "segformer-hf", {"model_name": "tiny-segformer", "img_height": 64, "img_width": 64,
                                               "tta_views": "orig,hflip"}))]
    data = runs[0].work_dir.parent / "data"
    # Fixed weights: every member, the SegFormer included, predicts the test set (one epoch's CVs would give it 0).
    result = run_ensemble([r.work_dir for r in runs], data, tmp_path / "ens", competition="tgs-salt-identification-challenge",
                          overrides={"blend_weights": "1,1,2"})
    assert len(result["members"]) == 3 and list(result["weights"].values()) == [0.25, 0.25, 0.5]
    for run in runs:
        assert json.loads((run.work_dir / "cv.json").read_text())["cv"] in [pytest.approx(v) for v in result["members"].values()]
    submission = pd.read_csv(tmp_path / "ens" / "work" / "submission.csv", keep_default_na=False)
    assert submission.iloc[:, 0].tolist() == pd.read_csv(data / "sample_submission.csv").iloc[:, 0].tolist()
    assert all(len(v.split()) % 2 == 0 for v in submission.iloc[:, 1])
    printed = json.dumps(json.loads((tmp_path / "ens" / "executed.ipynb").read_text())["cells"])
    assert "Unet + tu-test_efficientnet at 64x64" in printed and "FPN + tu-test_convnext at 96x96" in printed
    assert "tiny-segformer at 64x64" in printed and "6 test images x 3 members" in printed
