"""Strings as character tokens and back, the Levenshtein distance, and greedy decoding of image-to-text models."""

import numpy as np
import torch

PAD, BOS, EOS = 0, 1, 2  # the three tokens before the characters: padding, the start and the end of a string


class CharTokenizer:
    """One token per character of the training strings; a character it has not seen is dropped."""

    def __init__(self, alphabet):
        self.alphabet = list(alphabet)
        self.index = {c: i + 3 for i, c in enumerate(self.alphabet)}

    @classmethod
    def fit(cls, texts):
        return cls(sorted({c for text in texts for c in text}))

    def __len__(self):
        return len(self.alphabet) + 3

    def encode(self, text, length):
        """`length` token ids: start, the characters (cut to fit), end, then padding."""
        ids = [BOS, *[self.index[c] for c in text if c in self.index][: length - 2], EOS]
        return ids + [PAD] * (length - len(ids))

    def decode(self, ids):
        """The string of the token ids up to the first end token."""
        out = []
        for i in ids:
            if i == EOS:
                break
            if i >= 3:
                out.append(self.alphabet[i - 3])
        return "".join(out)


def levenshtein(a, b):
    """Edit distance (one character inserted, deleted or replaced per step); the table row by row with numpy."""
    if not a or not b:
        return len(a) + len(b)
    target = np.array([ord(c) for c in b])
    steps = np.arange(len(b) + 1)
    row = steps.copy()
    for k, char in enumerate(a, start=1):
        new = np.empty_like(row)
        new[0] = k
        new[1:] = np.minimum(row[1:] + 1, row[:-1] + (target != ord(char)))  # a deletion or a replacement
        row = np.minimum.accumulate(new - steps) + steps  # then insertions, along the row
    return int(row[-1])


def mean_levenshtein(truths, predictions):
    return float(np.mean([levenshtein(t, p) for t, p in zip(truths, predictions, strict=True)])) if truths else 0.0


@torch.no_grad()
def greedy_decode(models, images, max_length):
    """(N, max_length - 1) token ids of the most likely string of each image, one token at a time; several models
    (the folds) average their log-probabilities at every step."""
    memories = [model.encode(images) for model in models]
    tokens = torch.full((len(images), 1), BOS, dtype=torch.long, device=images.device)
    done = torch.zeros(len(images), dtype=torch.bool, device=images.device)
    for _ in range(max_length - 1):
        log_probs = sum(model.decode(memory, tokens)[:, -1].float().log_softmax(-1)
                        for model, memory in zip(models, memories, strict=True)) / len(models)
        step = log_probs.argmax(-1).masked_fill(done, PAD)
        tokens = torch.cat([tokens, step[:, None]], dim=1)
        done |= step == EOS
        if bool(done.all()):
            break
    out = torch.full((len(images), max_length - 1), PAD, dtype=torch.long)
    out[:, : tokens.shape[1] - 1] = tokens[:, 1:].cpu()
    return out.numpy()
