"""Tests of analyzer.export: tables, filters, formats, formula escaping."""

from __future__ import annotations

import builtins
import csv
import io
import json

import pytest
from scan_helpers import AI, EXTRA, keyword_analyzer, text, write_history

from analyzer.errors import UsageError
from analyzer.export import escape_cell, query, to_markdown, write
from analyzer.scan import scan

FORMULA = '=HYPERLINK("http://evil.example","click") We use data to train AI models.'


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    write_history(
        root,
        "Acme",
        [
            ("2024-01-01", text()),
            ("2024-03-01", text(AI)),
            ("2024-05-01", text(AI, FORMULA)),
        ],
    )
    write_history(
        root,
        "Globex",
        [
            ("2023-06-01", text("We use data for other purposes.")),
            ("2023-07-01", text("We use data for other purposes.", EXTRA[0])),
        ],
    )
    path = tmp_path_factory.mktemp("db") / "out.sqlite"
    scan([root], db=path, jobs=1, factory=keyword_analyzer)
    return path


def rows_as_dicts(columns, rows):
    return [dict(zip(columns, r, strict=True)) for r in rows]


def test_findings_table_has_the_issue_columns(db):
    columns, rows = query(db, "findings")
    for col in (
        "service",
        "document_type",
        "date",
        "flag",
        "severity",
        "clause_text",
        "evidence",
        "reason",
    ):
        assert col in columns
    flags = sorted(r["flag"] for r in rows_as_dicts(columns, rows))
    assert flags == ["ai_training.added", "ai_training.added", "vague_purpose"]


@pytest.mark.parametrize(
    ("filters", "expected_flags"),
    [
        ({"flag": "ai_training.*"}, ["ai_training.added", "ai_training.added"]),
        ({"flag": "vague*"}, ["vague_purpose"]),
        ({"service": "glob*"}, ["vague_purpose"]),
        ({"service": "ACME"}, ["ai_training.added", "ai_training.added"]),
        ({"since": "2024-04-01"}, ["ai_training.added"]),
        ({"min_severity": "high"}, ["ai_training.added", "ai_training.added"]),
        ({"min_severity": "medium"}, ["ai_training.added", "ai_training.added", "vague_purpose"]),
        ({"flag": "nothing.*"}, []),
    ],
)
def test_findings_filters(db, filters, expected_flags):
    columns, rows = query(db, "findings", **filters)
    assert sorted(r["flag"] for r in rows_as_dicts(columns, rows)) == expected_flags


def test_changes_clauses_and_timeline_tables(db):
    columns, rows = query(db, "changes", service="acme")
    changes = rows_as_dicts(columns, rows)
    assert {c["kind"] for c in changes} == {"added"}
    assert all(c["substantive"] == 1 and c["noise"] == "" for c in changes)
    columns, rows = query(db, "clauses", flag="ai_training.*")
    clauses = rows_as_dicts(columns, rows)
    assert clauses and all("ai_training.use" in c["labels"] for c in clauses)
    columns, rows = query(db, "timeline", flag="ai_training.*")
    events = rows_as_dicts(columns, rows)
    # the legal basis stated in the same clause carries the clause's flag too, and so does
    # what the training covers (its legal basis, as an ai_training_scope item)
    assert sorted((e["family"], e["event"], e["date"][:10]) for e in events) == [
        ("ai_training", "appeared", "2024-03-01"),
        ("ai_training_scope", "appeared", "2024-03-01"),
        ("legal_basis", "appeared", "2024-03-01"),
    ]
    assert all(e["flag"] == "ai_training.added" for e in events)
    columns, rows = query(db, "timeline", min_severity="high")
    assert all(r["severity"] == "high" for r in rows_as_dicts(columns, rows))


@pytest.mark.parametrize(
    ("table", "kwargs"),
    [
        ("nope", {}),
        ("findings", {"min_severity": "critical"}),
        ("changes", {"flag": "x*"}),
        ("changes", {"min_severity": "high"}),
    ],
)
def test_bad_options_are_usage_errors(db, table, kwargs):
    with pytest.raises(UsageError):
        query(db, table, **kwargs)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 1", "'+33 1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain text", "plain text"),
        (3, 3),
        (None, None),
    ],
)
def test_escape_cell(value, expected):
    assert escape_cell(value) == expected


def test_csv_escapes_formulas(db):
    columns, rows = query(db, "findings", since="2024-04-01")
    out = io.StringIO()
    write(columns, rows, "csv", stream=out)
    [row] = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["clause_text"].startswith("'=HYPERLINK")


def test_jsonl_and_markdown(db, tmp_path):
    columns, rows = query(db, "findings")
    target = tmp_path / "f.jsonl"
    write(columns, rows, "jsonl", target)
    records = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(records) == len(rows) and set(records[0]) == set(columns)
    assert records[-1]["clause_text"].startswith("=HYPERLINK")  # JSON keeps the raw text
    md = to_markdown(["a", "b"], [("x|y", "line\nbreak")])
    assert md.splitlines() == ["| a | b |", "|---|---|", "| x\\|y | line<br>break |"]


def test_parquet_round_trip(db, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    columns, rows = query(db, "findings")
    target = tmp_path / "f.parquet"
    write(columns, rows, "parquet", target)
    table = pq.read_table(target)
    assert table.column_names == columns and table.num_rows == len(rows)


def test_xlsx_round_trip_escapes_formulas(db, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    columns, rows = query(db, "findings")
    target = tmp_path / "f.xlsx"
    write(columns, rows, "xlsx", target)
    ws = openpyxl.load_workbook(target).active
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert values[0] == columns and len(values) == len(rows) + 1
    cells = [v for r in values for v in r if isinstance(v, str)]
    assert any(v.startswith("'=HYPERLINK") for v in cells)
    assert not any(v.startswith("=") for v in cells)


@pytest.mark.parametrize(("fmt", "module"), [("parquet", "pyarrow"), ("xlsx", "openpyxl")])
def test_missing_extra_gives_a_clear_message(db, tmp_path, monkeypatch, fmt, module):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name.split(".")[0] == module:
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(UsageError) as err:
        write(["a"], [(1,)], fmt, tmp_path / f"x.{fmt}")
    assert f"policydiff[{fmt}]" in str(err.value)


def test_binary_formats_need_an_output_file():
    with pytest.raises(UsageError):
        write(["a"], [(1,)], "parquet", None)
