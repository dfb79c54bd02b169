"""TTA views and target helpers (need torch)."""

import pytest

torch = pytest.importorskip("torch")

from lib import targets, tta  # noqa: E402


def test_each_view_really_transforms_the_batch():
    x = torch.arange(2 * 3 * 4 * 4, dtype=torch.float32).view(2, 3, 4, 4)
    outputs = {name: view(x) for name, view in tta.TTA_VIEWS.items()}
    for a in outputs:
        for b in outputs:
            if a != b:
                assert not torch.equal(outputs[a], outputs[b]), (a, b)
    assert torch.equal(outputs["hflip"][..., 0], x[..., -1])
    assert torch.equal(outputs["vflip"][..., 0, :], x[..., -1, :])
    assert torch.equal(outputs["transpose"][..., 1, 2], x[..., 2, 1])


def test_predict_views_averages_predictions_of_distinct_views():
    x = torch.rand(2, 3, 4, 4)
    seen = []

    def predict(v):
        seen.append(v.clone())
        return v[:, 0, 0, :2]  # depends on where pixels are

    out = tta.predict_views(predict, x, ["orig", "hflip"])
    assert not torch.equal(seen[0], seen[1])
    assert torch.allclose(out, (x[:, 0, 0, :2] + x.flip(-1)[:, 0, 0, :2]) / 2)
    with pytest.raises(ValueError, match="choose from"):
        tta.parse_views("orig,rot45")


def test_probabilities_and_losses_per_problem():
    logits = torch.tensor([[2.0, 0.0, -1.0]])
    assert torch.allclose(targets.logits_to_probs(logits, "multiclass").sum(1), torch.ones(1))
    binary = targets.logits_to_probs(torch.tensor([[0.0]]), "binary")
    assert binary.tolist() == [[0.5, 0.5]]
    y = torch.tensor([[1.0, 0.0, 0.0]])
    assert torch.allclose(targets.smooth_targets(y, 0.3, "multiclass"), torch.tensor([[0.8, 0.1, 0.1]]))
    ce = torch.nn.functional.cross_entropy(logits, torch.tensor([0]))
    assert torch.allclose(targets.loss_fn(logits, y, "multiclass"), ce)
    assert targets.n_outputs("binary", 2) == 1 and targets.n_outputs("multilabel", 5) == 5
