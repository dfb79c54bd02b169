"""Study-level labels beside image-level boxes (SIIM-COVID): the table, its classes, and each image's study.

The sample then holds two kinds of rows: '<image>_image' rows that name an image (through the id
template) and '<study>_study' rows that name a group of images. The study rows' labels come from a
table whose ids carry the same suffix and whose other columns are one-hot classes; an image's study
is spelled by a folder above it. Standard library only, like the rest of discovery.
"""

from lib.discover_boxes import unanswered_sample_rows
from lib.layout import PROBE_IDS, ambiguous
from lib.paths import template_key

STUDY_LEVELS = (1, 2, 3)  # how many folders above an image its study's folder may sit


def find_study_table(inputs, plan, params):
    """Set study_csv, study_classes, study_names and study_template when the sample has rows no image answers."""
    given = params.get("study_csv", "")
    others, word = unanswered_sample_rows(inputs, plan)
    if not others:
        if given:
            raise ValueError(f"study_csv={given!r}, but every row of {plan.get('sample_csv')} names an image; "
                             "set study_csv=''")
        return
    if not word:
        return  # not study rows: the test folder check reports the ids no image answers
    # Tables at the top of the folder, as the training tables are: not the thousands a folder of records may hold.
    candidates = [given] if given else [r for r in sorted(inputs.files) if r.endswith(".csv") and "/" not in r and r not in (
        plan.get("sample_csv"), plan.get("annotation_file"))]
    tables = [(rel, _one_hot_columns(inputs, rel, word)) for rel in candidates]
    tables = [(rel, cols) for rel, cols in tables if cols]
    if given and not tables:
        raise ValueError(f"study_csv={given!r}: its first column does not hold '<id>_{word}' ids with 0/1 class "
                         "columns; fix study_csv")
    if len(tables) > 1:
        raise ambiguous(f"several tables label the sample's '_{word}' rows", [r for r, _ in tables], "study_csv")
    if not tables:
        raise FileNotFoundError(
            f"{plan.get('sample_csv')} has {len(others)} rows like {others[0]!r} that name no image, and no table labels "
            f"them (first column '<id>_{word}', then 0/1 class columns); set study_csv")
    rel, columns = tables[0]
    header, rows = inputs.read_csv(rel)
    study_ids = {r[0] for r in rows}
    plan.set("study_csv", rel, "parameter study_csv" if given else
             f"the one table whose ids end in '_{word}' like {len(others)} sample rows, with one-hot columns")
    plan.set("study_classes", columns, f"{rel}: the 0/1 columns, one set per row")
    study_template = _study_template(inputs, plan, word, study_ids, params.get("study_template", ""))
    plan.set("study_template", study_template, "parameter study_template" if params.get("study_template") else
             f"the one folder level above the training images that spells {rel}'s ids")
    # The submission names a class by the first word of its column ('Typical Appearance' -> typical).
    spelled = [c.split()[0].lower() if c.split() else c for c in columns]
    given_names = [n.strip() for n in params.get("study_names", "").split(",") if n.strip()]
    sample_names = {str(v[0]).split()[0] for i, v in zip(plan.sample_ids, plan.sample_values, strict=False)
                    if i in others and v and str(v[0]).split()}
    study_names = given_names or spelled
    if len(study_names) != len(columns) or len(set(study_names)) != len(study_names):
        raise ValueError(f"study_names={params.get('study_names')!r}: give {len(columns)} distinct names, one per column "
                         f"of {rel} ({columns})")
    if not sample_names <= set(study_names):
        raise ValueError(f"{plan.get('sample_csv')}'s study rows name {sorted(sample_names)}, not among {study_names} "
                         f"(the first words of {rel}'s columns); set study_names to the submission's names, in column order")
    plan.set("study_names", study_names, "parameter study_names" if given_names else
             f"first word of each column, lowercased; the sample's study rows name {sorted(sample_names)}")


def _one_hot_columns(inputs, rel, word):
    """The class columns of `rel` when its first column holds '<id>_<word>' ids and every row has one 1; else []."""
    try:
        header, rows = inputs.read_csv(rel)
    except (OSError, UnicodeDecodeError, ValueError):
        return []
    probe = rows[: PROBE_IDS * 4]
    if len(header) < 3 or not probe or not all(r and r[0].endswith(f"_{word}") for r in probe):
        return []
    if not all(len(r) == len(header) and all(v in ("0", "1") for v in r[1:]) and r[1:].count("1") == 1 for r in probe):
        return []
    return header[1:]


def _study_template(inputs, plan, word, study_ids, given):
    """'{dirN}_<word>': the folder level whose names, with the suffix, are the table's study ids."""
    train = inputs.images_under(plan["train_image_dir"])[: PROBE_IDS * 4]
    test = inputs.images_under(plan["test_image_dir"])
    wanted = {i for i in plan.sample_ids if i.endswith(f"_{word}")}
    if given:
        levels = [given]
    else:
        levels = [f"{{dir{level}}}_{word}" for level in STUDY_LEVELS]
    fits = [t for t in levels if train and all(template_key(r, t) in study_ids for r in train)
            and wanted <= {template_key(r, t) for r in test}]
    if len(fits) > 1:
        raise ambiguous("several folder levels spell the study ids", fits, "study_template")
    if not fits:
        raise ValueError(f"no folder above the images spells the '_{word}' ids of {plan['study_csv']} and of the sample's "
                         f"study rows (tried {', '.join(levels)}); set study_template, e.g. '{{dir2}}_{word}'")
    return fits[0]
