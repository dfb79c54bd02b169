"""Image-to-text discovery: a table of image ids and the string each image shows (BMS: train_labels.csv with
image_id and InChI), the images it names (in nested folders too), the test images the sample's ids name, and the
column the submission writes. Standard library only, like the rest of discovery.
"""

from lib.layout import (
    PROBE_IDS,
    TRAIN_DIRS,
    ambiguous,
    find_test_dir,
    find_test_without_sample,
    id_key,
    is_number,
    locate_image_dir,
    resolvable_ids,
    table_id_column,
    table_source,
    training_tables,
)
from lib.paths import IMAGE_SUFFIXES

TEXT_MIN_LENGTH = 6  # characters on average: shorter strings are labels, not text to read
TEXT_MIN_DISTINCT = 0.5  # the share of distinct values from which a column is text, not classes


def text_columns(header, rows, exclude=()):
    """The columns of a table that hold free text: mostly distinct strings, several characters long, whose words are
    mostly not numbers (RLE masks, box strings and label ids are numbers with a few words between) and that are not
    image file names (an id column of paths)."""
    found = []
    for i, column in enumerate(header):
        values = [r[i] for r in rows[:2000] if len(r) > i and r[i]]
        if column in exclude or len(values) < 8:
            continue
        words = [w for v in values for w in v.split()]
        if 2 * sum(map(is_number, words)) >= len(words) or 2 * sum(v.lower().endswith(IMAGE_SUFFIXES) for v in values) \
                >= len(values):  # numbers, or file names (an id column)
            continue
        if len(set(values)) >= TEXT_MIN_DISTINCT * len(values) and sum(map(len, values)) >= TEXT_MIN_LENGTH * len(values):
            found.append(column)
    return found


def discover_image2text(inputs, plan, params):
    """Fill the plan's table, id and text columns, image folders, test ids and submission."""
    tables = training_tables(inputs, params.get("train_csv", ""))
    if not tables:
        raise FileNotFoundError(f"no table of image ids and their strings in {inputs.root} (looked for train.csv, "
                                "train_labels.csv, ...); set train_csv")
    table = tables[0]
    header, rows = inputs.read_csv(table)
    plan.set("train_csv", table, table_source(tables, params.get("train_csv", "")))
    plan.set("id_col", *table_id_column(inputs, plan, params, table, header, rows))
    given, value_cols = params.get("text_col", ""), plan.get("value_cols", [])
    if given:
        if given not in header:
            raise KeyError(f"text_col={given!r} is not a column of {table} ({header}); fix text_col")
        plan.set("text_col", given, "parameter text_col")
    elif len(value_cols) == 1 and value_cols[0] in header:
        plan.set("text_col", value_cols[0], f"{plan['sample_csv']}'s value column is in {table}")
    else:
        found = text_columns(header, rows, exclude=(plan["id_col"],))
        if len(found) != 1:
            raise ambiguous(f"{len(found)} columns of {table} hold free text" if found else
                            f"no column of {table} holds free text", found or header, "text_col")
        plan.set("text_col", found[0], f"{table}: the one column of free text")
    ids = [r[header.index(plan["id_col"])] for r in rows[: PROBE_IDS * 4]]
    train_dir, source = locate_image_dir(inputs, resolvable_ids(inputs, ids), params.get("train_image_dir", ""),
                                         "train_image_dir", TRAIN_DIRS)
    if train_dir is None:
        raise FileNotFoundError(f"no folder holds the images named in {table}:{plan['id_col']} (first: {ids[:2]}); "
                                "set train_image_dir")
    plan.set("train_image_dir", train_dir, source)
    plan.set("id_key", id_key(inputs, train_dir, ids[:PROBE_IDS]), f"{table}:{plan['id_col']} names the files below it")
    if plan.get("sample_csv"):
        find_test_dir(inputs, plan, params)
        plan.set("sample_roles", {plan["sample_id_col"]: "image id", **{c: "the string the image shows"
                                                                       for c in value_cols}},
                 f"{plan['sample_csv']}: every column explained")
    else:
        test_dir = find_test_without_sample(inputs, plan, params)
        plan.set("submission", [plan["id_col"], plan["text_col"]],
                 f"no sample submission: every image of {test_dir}/, its string" if test_dir is not None else
                 "no sample submission and no test folder: trains, validates and saves the weights; no submission.csv")
    plan.set("submission_format", "text", "one string per image")
    metric = params.get("metric", "") or "levenshtein"
    plan.set("metric", metric, "parameter metric" if params.get("metric") else "the usual metric for strings: the mean "
             "Levenshtein distance")
