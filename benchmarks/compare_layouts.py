"""Compare what users read from two results databases: every ``export`` table (with and
without the noise filters, and with the ``ai_training.*`` filters) and every view.

Used to check that the content-addressed layout (schema 2) gives the same rows as the
schema-1 code: build one database with the old code and one with this code from the same
inputs, then compare them, each read by the code that wrote it::

    git archive b09efca | tar -x -C /tmp/old
    (cd /tmp/old && python cli.py scan ../shared/corpora/policy_versions --db /tmp/old.sqlite)
    python cli.py scan ../shared/corpora/policy_versions --db /tmp/new.sqlite
    python benchmarks/compare_layouts.py /tmp/old /tmp/old.sqlite . /tmp/new.sqlite

Rows of the ``clauses`` export table are compared as sorted lists: the schema-1 code ordered
them by date, service and index only, which leaves ties between document types in no
particular order. The ``clauses`` view's ``annotation_set`` column (new in schema 2) is left
out.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

DUMP = r"""
import pickle, sqlite3, sys
code, db, out = sys.argv[1:4]
sys.path.insert(0, code)
from analyzer import export
res = {}
for table in export.TABLES:
    res["export " + table] = export.query(db, table, include_noise=True)
    if table != "changes":
        res["export " + table + " (noise filtered)"] = export.query(db, table)
res["export findings --flag ai_training.* --min-severity medium"] = export.query(
    db, "findings", flag="ai_training.*", min_severity="medium")
res["export clauses --flag ai_training.*"] = export.query(db, "clauses", flag="ai_training.*")
c = sqlite3.connect(db)
for view in ["findings_view", "changes_view", "timeline_view", "versions_view", "clauses",
             "annotations", "version_texts"]:
    cols = [d[0] for d in c.execute(f"select * from {view} limit 0").description]
    if view == "clauses" and "annotation_set" in cols:
        cols.remove("annotation_set")
    sel = ", ".join('"%s"' % x for x in cols)
    rows = c.execute(f"select {sel} from {view}").fetchall()
    res["view " + view] = (cols, sorted(rows, key=repr))
pickle.dump(res, open(out, "wb"))
"""


def dump(code: str, db: str, out: Path) -> dict:
    subprocess.run([sys.executable, "-c", DUMP, code, db, str(out)], check=True)
    with out.open("rb") as fh:
        return pickle.load(fh)


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    code_a, db_a, code_b, db_b = sys.argv[1:]
    tmp = Path(tempfile.mkdtemp())
    a, b = dump(code_a, db_a, tmp / "a.pkl"), dump(code_b, db_b, tmp / "b.pkl")
    same = True
    for key in a:
        x, y = a[key], b.get(key)
        if key.startswith("export clauses") and y is not None:
            x, y = (x[0], sorted(x[1], key=repr)), (y[0], sorted(y[1], key=repr))
        ok = x == y
        same &= ok
        print(f"{key}: {len(x[1])} rows, {'identical' if ok else 'DIFFERENT'}")
    print("all identical" if same else "DIFFERENCES FOUND")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
