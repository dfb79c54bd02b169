"""Hugging Face transformers segmenters offline: configs without the hub, Mask2Former's targets and semantic maps.

SegFormer gives per-class logits at a quarter of the input size: upsampled, they train and
predict like any smp model's. Mask2Former gives queries (a class distribution and a mask each):
it trains with its own matching loss on one binary mask per class present, and its semantic map
is the sum over queries of class probability x mask probability, as its image processor does.
"""

import torch
import torch.nn.functional as F

# model type -> (config class, extra config for a build without the hub)
SEG_FAMILIES = {"mask2former": ("Mask2FormerConfig", {"use_pretrained_backbone": False}), "segformer": ("SegformerConfig", {})}


def seg_model_type(model_name):
    """'facebook/mask2former-swin-tiny-ade-semantic' -> mask2former; 'nvidia/segformer-b2-...' or 'nvidia/mit-b2' -> segformer."""
    name = model_name.lower()
    if "mask2former" in name:
        return "mask2former"
    if "segformer" in name or "/mit-" in name or name.startswith("mit-"):
        return "segformer"
    raise ValueError(f"model_name={model_name!r}: not a Mask2Former or SegFormer checkpoint name")


def seg_scratch_config(model_name, num_labels, tiny=False):
    """The segmenter's configuration without the hub: the library's defaults, or a tiny one for smoke runs."""
    import transformers

    kind = seg_model_type(model_name)
    config_class, extra = SEG_FAMILIES[kind]
    kwargs = dict(extra)
    if tiny and kind == "mask2former":
        kwargs.update(backbone_config=transformers.SwinConfig(embed_dim=16, depths=[1, 1, 1, 1], num_heads=[1, 1, 1, 1],
                                                              window_size=4, out_features=["stage1", "stage2", "stage3", "stage4"]),
                      hidden_dim=32, mask_feature_size=32, feature_size=32, encoder_layers=1, decoder_layers=2, num_queries=10,
                      dim_feedforward=64, num_attention_heads=2, encoder_feedforward_dim=64)
    elif tiny:
        kwargs.update(hidden_sizes=[16, 32, 64, 128], depths=[1, 1, 1, 1], decoder_hidden_size=32, num_attention_heads=[1, 1, 2, 2])
    return getattr(transformers, config_class)(num_labels=num_labels, **kwargs)


def mask2former_targets(masks):
    """(N, K, H, W) 0/1 masks -> Mask2Former's targets: per image, one binary mask and class index per class present."""
    mask_labels, class_labels = [], []
    for image in masks:
        present = torch.nonzero(image.flatten(1).any(1)).flatten()
        mask_labels.append(image[present].float())
        class_labels.append(present.long())
    return mask_labels, class_labels


def semantic_scores(class_logits, mask_logits):
    """(N, K, h, w) per-class scores from Mask2Former's queries: sum over queries of P(class) x P(pixel in mask)."""
    classes = F.softmax(class_logits.float(), dim=-1)[..., :-1]  # the last class is 'no object'
    return torch.einsum("nqk,nqhw->nkhw", classes, mask_logits.float().sigmoid())


class SegBatch:
    """Images and their masks: Mask2Former's training loss needs the targets in the forward pass."""

    def __init__(self, pixels, masks):
        self.pixels, self.masks = pixels, masks

    def __len__(self):
        return len(self.pixels)


class Segmenter(torch.nn.Module):
    """(N, channels, H, W) logits at the input size, as an smp model gives; Mask2Former's training gives its loss.

    kind: 'mask2former' or 'segformer'; multiclass: one class per pixel, with a background channel first."""

    def __init__(self, net, kind, multiclass):
        super().__init__()
        self.net, self.kind, self.multiclass = net, kind, multiclass

    def forward(self, x):
        if isinstance(x, SegBatch):
            if self.training and self.kind == "mask2former":
                mask_labels, class_labels = mask2former_targets(x.masks)
                return self.net(pixel_values=x.pixels, mask_labels=mask_labels, class_labels=class_labels)
            x = x.pixels
        out = self.net(pixel_values=x)
        if self.kind == "segformer":
            return F.interpolate(out.logits, size=x.shape[-2:], mode="bilinear", align_corners=False)
        scores = semantic_scores(out.class_queries_logits, out.masks_queries_logits)
        scores = F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False).clamp(1e-4, 1 - 1e-4)
        if self.multiclass:  # a background channel first; a softmax gives the scores back
            background = (1 - scores.max(1, keepdim=True).values).clamp(min=1e-4)
            return torch.log(torch.cat([background, scores], 1))
        return torch.logit(scores)  # a sigmoid gives the scores back


def auto_segmenter(kind):
    """The transformers auto class that builds a `kind` model."""
    import transformers

    return transformers.AutoModelForUniversalSegmentation if kind == "mask2former" else transformers.AutoModelForSemanticSegmentation


def segmenter_from_config(config_dir, kind, multiclass):
    """An untrained Segmenter of the architecture a training run saved (config.json in config_dir), for its checkpoints."""
    import transformers

    return Segmenter(auto_segmenter(kind).from_config(transformers.AutoConfig.from_pretrained(config_dir)), kind, multiclass)
