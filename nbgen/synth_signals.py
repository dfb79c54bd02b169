"""Synthetic miniatures of signal competitions read as images: spectrograms in parquet files, soft labels from votes.

hms: hms-harmful-brain-activity-classification (COMPETITIONS.md): train.csv (eeg_id, eeg_sub_id, offsets,
    spectrogram_id, spectrogram_sub_id, label_id, patient_id, expert_consensus, six *_vote counts), several label
    rows per recording; train_spectrograms/<spectrogram_id>.parquet (a time column, then 400 power columns: four
    scalp regions x 100 frequencies); train_eegs/<eeg_id>.parquet (200 Hz channels); test.csv (spectrogram_id,
    eeg_id, patient_id); test_* the same; sample_submission.csv: eeg_id and the six vote columns, one row per test
    label row, so eeg_id repeats. A class shows as power in its own band of frequencies in every region.
"""

from __future__ import annotations

from pathlib import Path

from nbgen.synth_io import SynthCompetition, write_csv

SIGNAL_LAYOUTS = ("hms",)
VOTES = ("seizure_vote", "lpd_vote", "gpd_vote", "lrda_vote", "grda_vote", "other_vote")
CONSENSUS = ("Seizure", "LPD", "GPD", "LRDA", "GRDA", "Other")
REGIONS = ("LL", "RL", "LP", "RP")
FREQUENCIES = 100  # columns per region, 0.59 to 19.92 Hz as the competition's files name them
EEG_CHANNELS = ("Fp1", "F3", "C3", "P3", "F7", "T3", "T5", "O1", "Fz", "Cz", "Pz", "Fp2", "F4", "C4", "P4", "F8",
                "T4", "T6", "O2", "EKG")  # HMS's order
LEFT = ("Fp1", "F3", "C3", "P3", "F7", "T3", "T5", "O1")
# What the known-competitions entry sets: folds by patient; spectrograms are not cropped, turned or recoloured.
KNOWN_PARAMS = {"group_col": "patient_id", "crop_scale_min": "1.0", "affine_p": "0.0", "color_p": "0.0"}
ROWS_PER_RECORDING = 2  # label rows per recording (eeg_sub_id 0, 1): the sample repeats its eeg_id as often


def make_signals(folder: Path, layout: str, n_train: int = 24, n_test: int = 7, seed: int = 0) -> SynthCompetition:
    """Write the miniature `layout` into `folder` and describe it; truth maps a test eeg_id to its rows' votes
    (each a distribution over VOTES), in sample order."""
    import numpy as np

    if layout not in SIGNAL_LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; use one of {', '.join(SIGNAL_LAYOUTS)}")
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    header = ["eeg_id", "eeg_sub_id", "eeg_label_offset_seconds", "spectrogram_id", "spectrogram_sub_id",
              "spectrogram_label_offset_seconds", "label_id", "patient_id", "expert_consensus", *VOTES]
    rows, test_rows, sample_rows, truth = [], [], [], {}
    for split, count in (("train", n_train), ("test", n_test)):
        for i in range(count):
            klass = (i + (split == "test")) % len(VOTES)
            spectrogram_id, eeg_id = 353733 + 7919 * i + (10**6 if split == "test" else 0), 1628180742 + 104729 * i + (
                10**8 if split == "test" else 0)
            patient_id = 42516 + i // 2 + (5000 if split == "test" else 0)
            _write_spectrogram(rng, folder / f"{split}_spectrograms" / f"{spectrogram_id}.parquet", klass)
            _write_eeg(rng, folder / f"{split}_eegs" / f"{eeg_id}.parquet", klass)
            for sub in range(ROWS_PER_RECORDING):
                votes = [0] * len(VOTES)
                votes[klass] = int(rng.integers(3, 9))
                for other in rng.choice(len(VOTES), size=2, replace=False):
                    votes[other] += int(rng.integers(0, 3))
                if split == "train":
                    rows.append([eeg_id, sub, 10 * sub, spectrogram_id, sub, 10 * sub, 4000 + len(rows), patient_id,
                                 CONSENSUS[int(np.argmax(votes))], *votes])
                else:
                    test_rows.append([spectrogram_id, eeg_id, patient_id])
                    sample_rows.append([eeg_id, *[round(1 / len(VOTES), 6)] * len(VOTES)])
                    truth.setdefault(str(eeg_id), []).append([v / sum(votes) for v in votes])
    write_csv(folder / "train.csv", header, rows)
    write_csv(folder / "test.csv", ["spectrogram_id", "eeg_id", "patient_id"], test_rows)
    sample_header = ["eeg_id", *VOTES]
    write_csv(folder / "sample_submission.csv", sample_header, sample_rows)
    return SynthCompetition(folder, layout, list(VOTES), sample_header, [str(r[0]) for r in sample_rows],
                            params=dict(KNOWN_PARAMS), truth=truth)


def _write_spectrogram(rng, path: Path, klass: int) -> None:
    """Power per 2 s row, log-normal noise and a few NaNs, with each class's pattern as an EEG reader sees it:
    seizure a rhythm (a band at 6-8 Hz) everywhere; LPD and GPD periodic discharges (broadband every 8 s) on the
    left (LL, LP) or everywhere; LRDA and GRDA rhythmic delta (below 2 Hz) on the left or everywhere; other none."""
    import numpy as np
    import pandas as pd

    n_rows = int(rng.integers(40, 80))
    power = np.exp(rng.normal(0.0, 1.0, size=(n_rows, len(REGIONS), FREQUENCIES)))
    regions = [0, 2] if VOTES[klass] in ("lpd_vote", "lrda_vote") else list(range(len(REGIONS)))
    boost = np.exp(3.0)
    if VOTES[klass] == "seizure_vote":
        power[:, :, 28:40] *= boost
    elif VOTES[klass] in ("lpd_vote", "gpd_vote"):
        for region in regions:
            power[int(rng.integers(0, 4))::4, region, :60] *= boost
    elif VOTES[klass] in ("lrda_vote", "grda_vote"):
        for region in regions:
            power[:, region, :8] *= boost
    power[rng.random(power.shape) < 0.01] = np.nan
    columns = [f"{region}_{0.59 + f * (19.92 - 0.59) / (FREQUENCIES - 1):.2f}" for region in REGIONS
               for f in range(FREQUENCIES)]
    frame = pd.DataFrame(power.reshape(n_rows, -1).astype(np.float32), columns=columns)
    frame.insert(0, "time", np.arange(1, 2 * n_rows, 2, dtype=np.int64))
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)


def _write_eeg(rng, path: Path, klass: int) -> None:
    """Ten seconds of 200 Hz electrodes (EEG_CHANNELS), each with its own gain and phase so that neighbouring
    differences keep the rhythm: seizure a 7 Hz rhythm everywhere; LPD and GPD a discharge every second on the left
    or everywhere; LRDA and GRDA a 1.5 Hz delta on the left or everywhere; other noise only."""
    import numpy as np
    import pandas as pd

    t = np.arange(2000) / 200.0
    vote = VOTES[klass]
    columns = {}
    for name in EEG_CHANNELS:
        gain, phase = rng.uniform(0.3, 1.7), rng.uniform(0, 2 * np.pi)
        left = name in LEFT or vote not in ("lpd_vote", "lrda_vote")
        signal = rng.normal(0, 10, size=t.size)
        if vote == "seizure_vote":
            signal += 60 * gain * np.sin(2 * np.pi * 7 * t + phase)
        elif vote in ("lpd_vote", "gpd_vote") and left and name != "EKG":
            signal += 120 * gain * (np.abs((t + phase / 7) % 1.0) < 0.05)
        elif vote in ("lrda_vote", "grda_vote") and left and name != "EKG":
            signal += 60 * gain * np.sin(2 * np.pi * 1.5 * t + phase)
        columns[name] = signal.astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(columns).to_parquet(path, index=False)
