"""Hugging Face transformers detectors offline: the local weights folder, configs without the hub, box conventions.

The DETR family takes and gives boxes normalised to the image as (cx, cy, w, h); the competition's
boxes are corner pixels. Weights come from a `save_pretrained` folder or a hub cache snapshot that
is attached as an input: a folder holding config.json whose path names the model.
"""

import numpy as np
import torch

from lib.boxes import xyxy_to_yolo

# model type -> (config class, image processor class, extra config for a build without the hub)
FAMILIES = {
    "rt_detr_v2": ("RTDetrV2Config", "RTDetrImageProcessor", {}),
    "deformable_detr": ("DeformableDetrConfig", "DeformableDetrImageProcessor", {"use_pretrained_backbone": False}),
    "detr": ("DetrConfig", "DetrImageProcessor", {"use_pretrained_backbone": False}),
}


def model_type(model_name):
    """The transformers model type a hub name or a tiny smoke name stands for ('PekingU/rtdetr_v2_r18vd' -> rt_detr_v2)."""
    name = model_name.lower().replace("-", "_")
    if "rtdetr_v2" in name or "rt_detr_v2" in name:
        return "rt_detr_v2"
    if "deformable" in name:
        return "deformable_detr"
    if "detr" in name:
        return "detr"
    raise ValueError(f"model_name={model_name!r}: not an RT-DETR v2, Deformable DETR or DETR checkpoint name")


def scratch_config(model_name, num_labels, tiny=False):
    """The model's configuration without the hub: the library's defaults, or a tiny one for smoke runs."""
    import transformers

    kind = model_type(model_name)
    config_class, _, extra = FAMILIES[kind]
    kwargs = dict(extra)
    if tiny and kind == "rt_detr_v2":
        backbone = transformers.RTDetrResNetConfig(embedding_size=16, hidden_sizes=[16, 32, 64, 128], depths=[1, 1, 1, 1],
                                                   layer_type="basic", out_features=["stage2", "stage3", "stage4"])
        kwargs.update(backbone_config=backbone, d_model=64, encoder_hidden_dim=64, encoder_in_channels=[32, 64, 128],
                      encoder_ffn_dim=128, decoder_ffn_dim=128, decoder_layers=2, num_queries=30,
                      decoder_in_channels=[64, 64, 64], decoder_n_points=4)
    elif tiny:
        kwargs.update(backbone="resnet18", d_model=64, encoder_layers=1, decoder_layers=2, encoder_ffn_dim=128,
                      decoder_ffn_dim=128, num_queries=30, encoder_attention_heads=2, decoder_attention_heads=2)
    return getattr(transformers, config_class)(num_labels=num_labels, **kwargs)


def scratch_processor(model_name):
    """The model family's image processor with its defaults (post-processing and normalisation)."""
    import transformers

    return getattr(transformers, FAMILIES[model_type(model_name)][1])()


def model_targets(boxes, labels, width, height, device):
    """Corner pixel boxes and class indices -> the DETR family's training target of one image."""
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    return {"class_labels": torch.as_tensor(np.asarray(labels, dtype=np.int64), device=device),
            "boxes": torch.as_tensor(xyxy_to_yolo(boxes, width, height).astype(np.float32).reshape(-1, 4), device=device)}
