"""TTA views and target helpers (need torch)."""

import pytest

torch = pytest.importorskip("torch")

import numpy as np  # noqa: E402

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


def _quadratic(w0):
    """L(w) = 0.5 (w1^2 + 3 w2^2) as a module, counting its forward passes."""
    from torch import nn

    class Quadratic(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.tensor(w0, dtype=torch.float64))
            self.calls = 0

        def forward(self):
            self.calls += 1
            return 0.5 * (self.w[0] ** 2 + 3 * self.w[1] ** 2)

    return Quadratic()


def _sam_update(model, sam, optimizer, scaler):
    """One update as the notebooks' loop runs it: first pass, the sharpness-aware second pass, scaler step."""
    from lib.sam import sharpness_aware_pass

    optimizer.zero_grad(set_to_none=True)
    scaler.scale(model()).backward()
    sharpness_aware_pass(sam, model, scaler)
    scaler.unscale_(optimizer)
    scaler.step(optimizer)
    scaler.update()


@pytest.mark.parametrize("adaptive", [False, True])
def test_sam_matches_a_hand_computed_step_on_a_quadratic(adaptive):
    """w = (1, 2): g = (1, 6). SAM: e = rho g / |g|; ASAM: e = rho w^2 g / |w g|. Then w -= lr * A (w + e)."""
    from lib.sam import SharpnessAware

    rho, lr = 0.1, 0.5
    model = _quadratic([1.0, 2.0])
    sam = SharpnessAware(model.parameters(), rho, adaptive=adaptive)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    _sam_update(model, sam, optimizer, torch.amp.GradScaler("cpu", enabled=False))
    w, g, a = np.array([1.0, 2.0]), np.array([1.0, 6.0]), np.array([1.0, 3.0])
    e = rho * (w**2 * g) / np.linalg.norm(w * g) if adaptive else rho * g / np.linalg.norm(g)
    np.testing.assert_allclose(model.w.detach().numpy(), w - lr * a * (w + e), rtol=1e-9)
    assert model.calls == 2  # two forward-backward passes per update


def test_sam_with_amp_scaling_takes_the_same_step_and_skips_overflow():
    """The first pass's gradients are scaled by 2^10: the perturbation's direction and size do not change."""
    from lib.sam import SharpnessAware

    steps = []
    for scaler in (torch.amp.GradScaler("cpu", enabled=False), torch.amp.GradScaler("cpu", init_scale=2.0**10)):
        model = _quadratic([1.0, 2.0])
        sam = SharpnessAware(model.parameters(), 0.1)
        _sam_update(model, sam, torch.optim.SGD(model.parameters(), lr=0.5), scaler)
        steps.append(model.w.detach().numpy())
    np.testing.assert_allclose(steps[0], steps[1], rtol=1e-9)

    model = _quadratic([1.0, 2.0])
    sam = SharpnessAware(model.parameters(), 0.1)
    model.w.grad = torch.tensor([float("inf"), 1.0], dtype=torch.float64)
    assert not sam.perturb() and model.w.detach().tolist() == [1.0, 2.0]


def test_distillation_loss_on_hand_cases():
    """Student logits (0, ln 2) give p = (1/3, 2/3); a teacher at (1/2, 1/2): KL = 0.5 ln(1.5) + 0.5 ln(0.75).
    At T = 2 the student becomes softmax(0, ln 2 / 2) = (1, sqrt 2) / (1 + sqrt 2), the teacher stays uniform,
    and the KL is scaled by T^2 = 4."""
    logits = torch.tensor([[0.0, np.log(2.0)]])
    teacher = torch.tensor([[0.5, 0.5]])
    assert targets.distillation_loss(logits, teacher, 1.0, "multiclass").item() == pytest.approx(0.5 * np.log(1.125), rel=1e-5)
    p = np.array([1.0, np.sqrt(2.0)]) / (1 + np.sqrt(2.0))
    expected = 4 * np.sum(0.5 * np.log(0.5 / p))
    assert targets.distillation_loss(logits, teacher, 2.0, "multiclass").item() == pytest.approx(expected, rel=1e-5)
    # A sigmoid student at logit 0 (p = 1/2) against a teacher at 0.8, T = 1: 0.8 ln 1.6 + 0.2 ln 0.4.
    binary = targets.distillation_loss(torch.tensor([[0.0]]), torch.tensor([[0.2, 0.8]]), 1.0, "binary")
    assert binary.item() == pytest.approx(0.8 * np.log(1.6) + 0.2 * np.log(0.4), rel=1e-5)
    # T = 2 softens the teacher through its logit: ln 4 / 2 -> q = 2/3 against p = 1/2, times 4.
    q = 2 / 3
    assert targets.distillation_loss(torch.tensor([[0.0]]), torch.tensor([[0.2, 0.8]]), 2.0, "binary").item() == \
        pytest.approx(4 * (q * np.log(2 * q) + (1 - q) * np.log(2 * (1 - q))), rel=1e-5)
    # Agreement costs nothing; multi-label rows average their classes.
    assert targets.distillation_loss(torch.tensor([[2.0, -1.0]]), torch.sigmoid(torch.tensor([[2.0, -1.0]])), 3.0,
                                     "multilabel").item() == pytest.approx(0.0, abs=1e-6)
    rows = targets.loss_fn(torch.zeros(3, 2), torch.tensor([[1.0, 0.0]] * 3), "multiclass", reduction="none")
    assert rows.shape == (3,) and rows[0].item() == pytest.approx(np.log(2), rel=1e-6)
