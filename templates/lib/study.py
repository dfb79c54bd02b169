"""Study-level classes beside image-level boxes (SIIM-COVID): aggregation, the combined mAP, the study rows.

A study's class probabilities are the mean of its images' probabilities. Its submission row names
every class with its probability and the whole-image box '0 0 1 1'; each image row ends with the
no-object label. Its score mixes what the boxes say (1 - the best box's score) with what the study
classifier says (its study's probability of the classes whose training images hold no box), by a
weight tuned on the out-of-fold images. The competition's metric is the mean, over the
study classes, the box classes and the no-object label, of VOC AP at IoU 0.5, every study and
every image taken as one 'image' of the VOC computation.
"""

import numpy as np

from lib.det_metrics import voc_map

WHOLE_IMAGE = (0, 0, 1, 1)


def study_means(image_probs, image_studies):
    """{study: mean of its images' probability rows}, studies in first-seen order."""
    rows = {}
    for probs, study in zip(np.asarray(image_probs, dtype=np.float64), image_studies, strict=True):
        rows.setdefault(study, []).append(probs)
    return {study: np.mean(r, axis=0) for study, r in rows.items()}


def no_object_score(scores):
    """How sure the boxes are that an image holds nothing: 1 - the best box's score (1 without boxes)."""
    scores = np.asarray(scores, dtype=np.float64)
    return float(1.0 - scores.max()) if scores.size else 1.0


def box_free_classes(image_classes, image_has_boxes, n_classes, share=0.9):
    """(study classes whose training images hold no box at least `share` of the time, every class's box-free share).

    In SIIM-COVID, 'negative' studies have no opacity: the classifier's probability of such classes is
    its probability that an image holds nothing."""
    image_classes = np.asarray(image_classes, dtype=int)
    free = ~np.asarray(image_has_boxes, dtype=bool)
    shares = [float(free[image_classes == k].mean()) if (image_classes == k).any() else float("nan") for k in range(n_classes)]
    return [k for k, s in enumerate(shares) if s >= share], shares


def no_box_probability(study_probs, box_free):
    """{study: its probability of the box-free classes} from study -> probabilities over the study classes."""
    return {study: float(np.asarray(probs, dtype=np.float64)[box_free].sum()) for study, probs in study_probs.items()}


def mixed_no_object_score(scores, study_none, weight):
    """(1 - weight) x (1 - the best box's score) + weight x the study's probability of no box (None: the boxes alone)."""
    boxes = no_object_score(scores)
    return boxes if study_none is None else (1 - weight) * boxes + weight * study_none


def no_object_scores(box_scores, study_none, weight):
    """{image: mixed_no_object_score}; box_scores: image -> the scores of its boxes; study_none: image -> its study's
    probability of no box (images absent: the boxes alone)."""
    return {image: mixed_no_object_score(scores, study_none.get(image), weight) for image, scores in box_scores.items()}


def study_string(names, probs):
    """'negative 0.7000 0 0 1 1 typical 0.2000 0 0 1 1 ...': every class, whole-image box."""
    return " ".join(f"{name} {p:.4f} 0 0 1 1" for name, p in zip(names, probs, strict=True))


def study_image_map(study_truth, study_probs, image_truth, image_predictions, n_box_classes, no_object_scores=None,
                    iou_threshold=0.5):
    """The combined mAP; returns (mAP, study-class mAP, image-label mAP).

    study_truth: study -> class index; study_probs: study -> probabilities over the study classes.
    image_truth: image -> (boxes, class indices); image_predictions: image -> (boxes, scores, class indices).
    no_object_scores: image -> the no-object score as submitted; default: no_object_score of its boxes.
    Labels: study classes first, then the box classes, then no-object (truth of an image without boxes).
    """
    n_study = len(next(iter(study_probs.values()))) if study_probs else 0
    none = n_study + n_box_classes
    whole = np.array([WHOLE_IMAGE], dtype=np.float64)
    truth, predictions = {}, {}
    for study, klass in study_truth.items():
        truth[("study", study)] = (whole, np.array([klass]))
        probs = np.asarray(study_probs[study], dtype=np.float64)
        predictions[("study", study)] = (np.repeat(whole, n_study, axis=0), probs, np.arange(n_study))
    for image, (boxes, labels) in image_truth.items():
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        truth[("image", image)] = (boxes, np.asarray(labels, dtype=int) + n_study) if len(boxes) else (whole, np.array([none]))
        p_boxes, p_scores, p_labels = image_predictions.get(image, (np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=int)))
        nothing = no_object_scores[image] if no_object_scores is not None else no_object_score(p_scores)
        predictions[("image", image)] = (
            np.concatenate([np.asarray(p_boxes, dtype=np.float64).reshape(-1, 4), whole]),
            np.concatenate([np.asarray(p_scores, dtype=np.float64), [nothing]]),
            np.concatenate([np.asarray(p_labels, dtype=int) + n_study, [none]]),
        )
    overall = voc_map(predictions, truth, iou_threshold)
    study_part = voc_map({k: v for k, v in predictions.items() if k[0] == "study"},
                         {k: v for k, v in truth.items() if k[0] == "study"}, iou_threshold)
    image_part = voc_map({k: v for k, v in predictions.items() if k[0] == "image"},
                         {k: v for k, v in truth.items() if k[0] == "image"}, iou_threshold)
    return overall, study_part, image_part


def tune_no_object_weight(study_truth, study_probs, image_truth, image_predictions, n_box_classes, study_none,
                          weights=(0.0, 0.25, 0.5, 0.75, 1.0)):
    """(the weight of no_object_scores with the best combined mAP, {weight: mAP}); ties go to the smaller weight."""
    box_scores = {image: image_predictions.get(image, (None, np.zeros(0)))[1] for image in image_truth}
    scores = {w: study_image_map(study_truth, study_probs, image_truth, image_predictions, n_box_classes,
                                 no_object_scores(box_scores, study_none, w))[0] for w in weights}
    return max(weights, key=lambda w: (scores[w], -w)), scores
