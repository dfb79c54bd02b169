"""Sharpness-aware minimisation (SAM, Foret et al. 2021) and its adaptive form (ASAM, Kwon et al. 2021).

An update takes two forward-backward passes. The first pass's gradient g moves the weights to
w + e, where the loss rises most nearby: e = rho g / ||g||, or for ASAM e = rho w^2 g / ||w g||.
The second pass's gradient is taken there; the weights go back to w and the wrapped optimizer
(AdamW, SGD) steps with that gradient. No maintained package does this around any optimizer with
AMP, so it is written here: e does not change when every gradient is multiplied by the same
number, so the first pass can use AMP's scaled gradients as they are, and the second pass's
gradients go through the GradScaler (unscale, clip, step) like any other.
"""

import torch


class SharpnessAware:
    """The perturbation of SAM/ASAM over `params`; the optimizer itself stays the caller's."""

    def __init__(self, params, rho=0.05, adaptive=False):
        self.params = [p for p in params if p.requires_grad]
        self.rho, self.adaptive = rho, adaptive
        self.offsets = []

    @torch.no_grad()
    def perturb(self):
        """Move every weight to w + e along its current gradient; False (nothing moved) when they are not finite."""
        grads = [(p, p.grad) for p in self.params if p.grad is not None]
        if not grads:
            return False
        norm = torch.linalg.vector_norm(
            torch.stack([torch.linalg.vector_norm(g * p.abs() if self.adaptive else g) for p, g in grads]))
        if not torch.isfinite(norm) or norm == 0:
            return False
        scale = self.rho / (norm + 1e-12)
        for p, g in grads:
            e = (g * p.square() if self.adaptive else g) * scale
            p.add_(e)
            self.offsets.append((p, e))
        return True

    @torch.no_grad()
    def restore(self):
        """Move the weights back to w."""
        for p, e in self.offsets:
            p.sub_(e)
        self.offsets.clear()


def sharpness_aware_pass(sam, second_loss, scaler):
    """The second pass of an update, after the first backward: perturb, backpropagate `second_loss()` there, move back.

    The first pass's gradients are replaced by the second's. Returns the second loss, or None when
    the first gradients were not finite (AMP overflow): the scaler then skips the step as usual.
    """
    if not sam.perturb():
        return None
    for p in sam.params:
        p.grad = None
    loss = second_loss()
    scaler.scale(loss).backward()
    sam.restore()
    return loss
