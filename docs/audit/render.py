"""Render the tables of docs/auditing.md from an audit's JSON report.

Run: python docs/audit/render.py docs/audit/report.json audit/ (the prefix of the
plots' links, relative to the page).
"""

import json
import sys

DTYPES = ["float16", "bfloat16", "float32", "float64", "complex64", "complex128"]
MARK = {"fits": "fits", "does not fit": "**no**", "skipped": "skipped", "error": "error"}


def main(path, prefix=""):
    body = json.load(open(path, encoding="utf-8"))
    rows = body["rows"]
    print(
        f"Run of {body['date']} on {body['machine']}; {body['n']:,} samples per row "
        f"(fan_in {body['fans'][0]}, fan_out {body['fans'][1]}), base seed {body['seed']}; "
        f"{body['policy']}.\n"
    )
    print("Versions: " + "; ".join(f"{k}: {v}" for k, v in body["versions"].items()) + ".\n")
    if body["skipped_frameworks"]:
        print(
            "Skipped: "
            + "; ".join(f"{k} ({v})" for k, v in body["skipped_frameworks"].items())
            + ".\n"
        )
    counts = ", ".join(f"{v} {k}" for k, v in body["counts"].items())
    print(f"{len(rows)} rows: {counts}.\n")
    producers = {}
    for row in rows:
        producers.setdefault((row["framework"], row["producer"], row["claim"]), {})[
            row["dtype"]
        ] = row
    print("| framework | initializer | claims | " + " | ".join(DTYPES) + " |")
    print("|---|---|---|" + "---|" * len(DTYPES))
    for (framework, producer, claim), by_dtype in producers.items():
        cells = []
        for dtype in DTYPES:
            row = by_dtype.get(dtype)
            if row is None:
                cells.append("")
                continue
            mark = MARK[row["status"]]
            cells.append(f"[{mark}]({prefix}{row['plot']})" if row.get("plot") else mark)
        print(f"| {framework} | `{producer}` | {claim} | " + " | ".join(cells) + " |")
    print("\nThe rows that do not fit, with what their reports show:\n")
    print("| framework | initializer | dtype | std / target | what the report shows |")
    print("|---|---|---|---|---|")
    sys.path.insert(0, ".")
    from glorot_numba._audit import _cell, _effects

    for row in rows:
        if row["status"] in ("does not fit", "error"):
            ratio = f"{row['std_ratio']:.4f}" if "std_ratio" in row else ""
            print(
                f"| {row['framework']} | `{row['producer']}` | {row['dtype']} | {ratio} | "
                f"{_cell(_effects(row))} |"
            )


if __name__ == "__main__":
    main(*sys.argv[1:3])
