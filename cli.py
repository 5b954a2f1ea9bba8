"""policydiff command line: a thin shell over the ``analyzer`` library."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from analyzer import __version__
from analyzer.errors import PolicyDiffError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class PolicyDiffGroup(click.Group):
    """Maps library errors to one-line messages and exit code 2 (``--debug`` re-raises)."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except PolicyDiffError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=PolicyDiffGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="policydiff")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Compare versions of privacy policies and notices, clause by clause, and flag what
    changed in what a company does with personal data."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


# --- compare / analyze / demo (report formats: analyzer.report) ---------------------------------
# Imports of the engine, rich and the report modules stay inside the commands so that
# ``policydiff --help`` and cold starts stay fast. These one-shot commands run with the cyclic
# garbage collector paused (it would walk the objects of every import and of the analysis
# several times over, for no memory back: measured 10-17% of a cold compare's CPU, peak memory
# unchanged), multiply the models' sparse features with numpy rather than import scipy
# (``numpy_products``: same numbers), and, when run as the ``policydiff`` program, end the
# process without the interpreter's teardown (:func:`main`; docs/decisions/0011-cold-start.md).

#: Set by a command whose process may end without the interpreter's teardown (:func:`main`).
_QUICK_EXIT: list[bool] = []

REPORT_FORMATS = ("rich", "text", "json", "markdown", "csv", "html")


def output_options(fn):  # type: ignore[no-untyped-def]
    """Reusable ``--format`` / ``--output`` options (after sqlite-utils' output decorator)."""
    fn = click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, writable=True, path_type=str),
        default=None,
        help="Write the report to FILE instead of the terminal.",
    )(fn)
    fn = click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(REPORT_FORMATS, case_sensitive=False),
        default="rich",
        show_default=True,
        help="Report format: rich (terminal view), text, json, markdown, csv or html.",
    )(fn)
    return fn


def _emit(obj, fmt: str, output: str | None) -> None:  # type: ignore[no-untyped-def]
    """Print ``obj`` in ``fmt`` to the terminal, or write it to ``output``."""
    from analyzer.errors import UsageError
    from analyzer.report import render

    fmt = fmt.lower()
    if fmt == "rich" and output is None:
        from rich.console import Console

        from analyzer.report.terminal import print_report

        print_report(obj, Console(highlight=False, emoji=False))
        return
    rendered = render(obj, fmt)
    if output is None:
        click.echo(rendered, nl=not rendered.endswith("\n"))
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(rendered)
    except OSError as exc:
        raise UsageError(
            f"cannot write the report ({exc.strerror})",
            path=output,
            fix="choose a writable file path with --output",
        ) from exc
    click.echo(f"Wrote {fmt} report to {output}", err=True)


def _warn(obj) -> None:  # type: ignore[no-untyped-def]
    """One stderr line per warning of the report (e.g. a language the patterns do not cover)."""
    from analyzer.report._common import warning_lines

    for line in warning_lines(obj):
        click.echo(line, err=True)


def _meta(**kw: str | None) -> dict[str, str]:
    return {k: v for k, v in kw.items() if v}


def _fail_on_exit(ctx: click.Context, findings, fail_on: str | None) -> None:  # type: ignore[no-untyped-def]
    """Exit 1 when a finding reaches ``--fail-on``."""
    if not fail_on:
        return
    from analyzer.datamodel import severity_rank

    threshold = severity_rank(fail_on)
    hits = [f for f in findings if severity_rank(f.severity) >= threshold]
    if hits:
        click.echo(f"{len(hits)} finding(s) at or above {fail_on}", err=True)
        ctx.exit(1)


fail_on_option = click.option(
    "--fail-on",
    type=click.Choice(("info", "low", "medium", "high"), case_sensitive=False),
    default=None,
    help="Exit with code 1 when a finding reaches this severity (for CI and scripts).",
)


@cli.command(name="compare")
@click.argument("old", type=str)
@click.argument("new", type=str)
@output_options
@fail_on_option
@click.option("--service", default=None, help="Service name (e.g. Chirp), for both versions.")
@click.option("--document-type", default=None, help="Document type, e.g. 'Privacy Policy'.")
@click.option("--old-date", default=None, help="Date of OLD (YYYY-MM-DD) if not in its name.")
@click.option("--new-date", default=None, help="Date of NEW (YYYY-MM-DD) if not in its name.")
@click.option(
    "--cross-language",
    is_flag=True,
    help="OLD and NEW are the same policy in two languages (e.g. English and German): align "
    "clauses by what they state and report statements made in one language only.",
)
@click.pass_context
def compare_cmd(
    ctx: click.Context,
    old: str,
    new: str,
    fmt: str,
    output: str | None,
    fail_on: str | None,
    service: str | None,
    document_type: str | None,
    old_date: str | None,
    new_date: str | None,
    cross_language: bool,
) -> None:
    """Compare two versions of a policy or notice, clause by clause.

    OLD and NEW are files (.md, .txt, .html, .pdf, optionally .gz). Findings are printed
    first (highest severity first), then the substantive changes. Each version runs the
    patterns of its own language (English, German or French); a version in another
    language gets a one-line warning naming what is not annotated. Exit codes: 0 done,
    1 a finding reached --fail-on, 2 bad input or usage.

    Example: policydiff compare old.md new.md --format json --output diff.json
    """
    from analyzer._gc import gc_paused
    from analyzer.classify.linear import numpy_products

    _QUICK_EXIT.append(True)
    with gc_paused(), numpy_products():
        from analyzer.engine import default_analyzer

        engine = default_analyzer()
        shared = _meta(service=service, document_type=document_type)
        old_v = engine.load(old, **shared, **_meta(date=old_date))
        new_v = engine.load(new, **shared, **_meta(date=new_date))
        if cross_language:
            comparison = engine.compare_languages(old_v, new_v)
        else:
            comparison = engine.compare(old_v, new_v)
        _warn(comparison)
        _emit(comparison, fmt, output)
    _fail_on_exit(ctx, comparison.findings, fail_on)


@cli.command(name="analyze")
@click.argument("file", type=str)
@output_options
@fail_on_option
@click.option("--service", default=None, help="Service name (e.g. Chirp).")
@click.option("--document-type", default=None, help="Document type, e.g. 'Privacy Policy'.")
@click.option("--date", default=None, help="Version date (YYYY-MM-DD) if not in the file name.")
@click.pass_context
def analyze_cmd(
    ctx: click.Context,
    file: str,
    fmt: str,
    output: str | None,
    fail_on: str | None,
    service: str | None,
    document_type: str | None,
    date: str | None,
) -> None:
    """Analyze one version: its clauses, their annotations and single-version findings
    (AI-training language present, vague purposes). The document's language (English,
    German or French) decides the patterns; another language gets a one-line warning naming
    what is not annotated.

    Example: policydiff analyze policy.md --format markdown
    """
    from analyzer._gc import gc_paused
    from analyzer.classify.linear import numpy_products

    _QUICK_EXIT.append(True)
    with gc_paused(), numpy_products():
        from analyzer.engine import default_analyzer

        engine = default_analyzer()
        analysis = engine.analysis(
            engine.load(file, **_meta(service=service, document_type=document_type, date=date))
        )
        _warn(analysis)
        _emit(analysis, fmt, output)
    _fail_on_exit(ctx, analysis.findings, fail_on)


@cli.command(name="demo")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("rich", "text", "markdown", "json"), case_sensitive=False),
    default="rich",
    show_default=True,
    help="Report format.",
)
def demo_cmd(fmt: str) -> None:
    """Run policydiff on the bundled examples of a fictional service.

    Compares the three versions of the privacy policy of "Chirp", a fictional social network,
    in date order, then analyzes the notice e-mail that announced its AI-training change.

    The examples live in the installed package (corpora/examples); see their README for the
    flags each step is meant to raise.
    """
    import json

    from analyzer.demo import run_demo

    steps = run_demo()
    fmt = fmt.lower()
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in steps], indent=2, ensure_ascii=False))
        return
    for step in steps:
        if fmt == "rich":
            from rich.console import Console
            from rich.rule import Rule
            from rich.text import Text

            from analyzer.report.terminal import print_report

            console = Console(highlight=False, emoji=False)
            console.print(Rule(Text(step.title, style="bold magenta")))
            print_report(step.result, console)
            console.print()
        else:
            from analyzer.report import render

            heading = f"## {step.title}" if fmt == "markdown" else f"=== {step.title} ==="
            click.echo(heading + "\n")
            click.echo(render(step.result, fmt))


# --- end of compare / analyze / demo ------------------------------------------------------------


# -- batch scanning, histories and exports (issue 4) ---------------------------------------------
def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _ScanProgress:
    """A rich progress bar on stderr (versions done, throughput, ETA); only on a terminal."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]scan[/]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("versions"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[last]}"),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = None
        self.words = 0
        self.started = 0.0

    def __call__(self, event: str, info: dict) -> None:
        import time

        if event == "start":
            self.started = time.perf_counter()
            self.progress.start()
            self.task = self.progress.add_task("scan", total=info["versions"], rate="", last="")
        elif event == "series" and self.task is not None:
            self.words += info["words"]
            elapsed = max(time.perf_counter() - self.started, 1e-6)
            self.progress.update(
                self.task,
                advance=info["versions"],
                last=info["service"],
                rate=f"{self.words / elapsed:,.0f} words/s",
            )
        elif event == "end":
            self.progress.stop()


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--db",
    "db",
    default="policydiff.sqlite",
    show_default=True,
    help="SQLite database to write (created if missing).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (default: number of cores).",
)
@click.option(
    "--dask",
    "dask_address",
    metavar="ADDRESS",
    default=None,
    help="Run on a Dask cluster: a scheduler address, or 'local' for a LocalCluster.",
)
@click.option("--force", is_flag=True, help="Redo every series, even unchanged ones.")
@click.option(
    "--doc-timeout",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="Time limit to read, analyze or compare one document; a document over it is "
    "recorded as failed and the scan goes on (0: no limit).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar (default: when stderr is a terminal).",
)
def scan(
    paths: tuple[str, ...],
    db: str,
    jobs: int | None,
    dask_address: str | None,
    force: bool,
    doc_timeout: float,
    as_json: bool,
    progress: bool | None,
) -> None:
    """Scan folders, Open Terms Archive histories, git repositories (git:PATH) or JSONL/CSV
    manifests into a SQLite database: every version analyzed, successive versions compared,
    timelines built. Re-running is incremental.

    Exit code 0 (with a warning line when some files failed), 3 when every file failed."""
    import json as _json

    from analyzer.scan import scan as run_scan

    show = _stderr_is_tty() if progress is None else progress
    bar = _ScanProgress() if show else None
    summary = run_scan(
        list(paths),
        db=db,
        jobs=jobs,
        dask=dask_address,
        force=force,
        progress=bar,
        doc_timeout=doc_timeout or None,
    )
    if as_json:
        click.echo(_json.dumps(summary.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_summary(summary)
    if summary.interrupted:
        click.echo(
            "Interrupted: the series finished so far are saved; run the same command "
            "again to continue.",
            err=True,
        )
        sys.exit(130)
    if summary.all_failed:
        click.echo(
            f"Error: every file failed ({len(summary.errors)} errors; see the errors "
            f"table of {db}).",
            err=True,
        )
        sys.exit(3)
    if summary.errors:
        click.echo(
            f"Warning: {len(summary.errors)} file(s) failed and were left out; see the "
            f"errors table of {db}.",
            err=True,
        )


def _print_summary(summary) -> None:  # type: ignore[no-untyped-def]
    s = summary
    rate = s.words_analyzed / s.seconds if s.seconds else 0.0
    click.echo(
        f"Scanned {s.series} series ({s.series_unchanged} unchanged) into {s.db} in "
        f"{s.seconds:.1f}s: {s.versions} versions, {s.versions_analyzed} analyzed, "
        f"{s.versions_reused} reused, {s.versions_skipped} skipped, {s.versions_failed} failed "
        f"({rate:,.0f} words/s)."
    )
    if s.sets_reused:
        click.echo(
            f"Annotations of {s.sets_reused:,} clause(s) read from the database "
            "(annotated before by this pipeline)."
        )
    if s.status_counts:
        click.echo(
            "Versions by status: "
            + ", ".join(f"{k} {v}" for k, v in sorted(s.status_counts.items()))
        )
    if s.findings_by_flag:
        click.echo("Findings by flag:")
        for flag, n in s.findings_by_flag.most_common():
            click.echo(f"  {flag}: {n}")
    else:
        click.echo("Findings: none.")
    if s.errors:
        click.echo(f"Errors ({len(s.errors)}):")
        for e in s.errors[:20]:
            click.echo(f"  {e.source}: {e.reason} [{e.error_type}]")
        if len(s.errors) > 20:
            click.echo(f"  ... and {len(s.errors) - 20} more in the errors table")


@cli.command()
@click.argument("service")
@click.option(
    "--db",
    "db",
    default="policydiff.sqlite",
    show_default=True,
    help="SQLite database written by `policydiff scan`.",
)
@click.option("--document-type", "-t", default=None, help="Only this document type.")
@click.option("--collection", default=None, help="Only this collection.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
)
@click.option(
    "--all", "show_all", is_flag=True, help="Also show events suppressed as capture flip-flops."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to FILE instead of standard output.",
)
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="With --format html: also write the comparison report of every pair on the timeline "
    "into DIR (re-reading the versions' source files) and link each mark to it. Give the "
    "folder of --output, or a folder below it, so the relative links resolve.",
)
def history(
    service: str,
    db: str,
    document_type: str | None,
    collection: str | None,
    fmt: str,
    show_all: bool,
    output: str | None,
    reports_dir: str | None,
) -> None:
    """Print the timeline of SERVICE: when each purpose, data category, legal basis,
    recipient, exclusion, vague purpose and AI-training clause appeared or disappeared.

    Example: policydiff history Chirp --format html -o out/chirp.html --reports out/pairs
    """
    import json as _json

    from analyzer.errors import UsageError
    from analyzer.store import Store

    with Store(db, readonly=True) as store:
        rows = store.timeline(
            service, document_type=document_type, collection=collection, include_suppressed=show_all
        )
        known = store.services()
        versions = store.versions_of(service, document_type=document_type, collection=collection)
    if not rows and service.lower() not in {k.lower() for k in known}:
        raise UsageError(
            f"no service {service!r} in the database",
            path=db,
            fix="use one of: " + (", ".join(known) or "(none: run scan first)"),
        )
    if reports_dir and fmt != "html":
        raise UsageError("--reports goes with --format html", fix="add --format html")
    if fmt == "html":
        import os

        from analyzer.history import write_compare_reports
        from analyzer.report.html import render_history

        events = [e for _, _, e in rows]
        links: dict[tuple[str, str], str] = {}
        if reports_dir:
            names, problems = write_compare_reports(events, versions, reports_dir, service=service)
            base = os.path.dirname(os.path.abspath(output)) if output else os.getcwd()
            rel = os.path.relpath(os.path.abspath(reports_dir), base).replace(os.sep, "/")
            links = {pair: f"{rel}/{name}" for pair, name in names.items()}
            click.echo(f"Wrote {len(names)} comparison report(s) to {reports_dir}.", err=True)
            for line in problems:
                click.echo(f"warning: no report for {line}", err=True)
        doctypes = sorted({v["document_type"] for v in versions})
        text = render_history(
            events,
            service=service,
            document_type=doctypes[0] if len(doctypes) == 1 else None,
            versions=versions,
            compare_links=links,
        )
    elif fmt == "json":
        text = (
            _json.dumps(
                [{**e.to_dict(), "collection": c, "status": st} for c, st, e in rows],
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    else:
        text = _history_text(service, rows)
    if output:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        click.echo(text, nl=False)


def _history_text(service: str, rows: list) -> str:
    import io

    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, width=160, force_terminal=False)
    if not rows:
        console.print(f"No timeline events for {service}.")
        return buf.getvalue()
    groups: dict[tuple[str, str], list] = {}
    for collection, status, e in rows:
        groups.setdefault((collection, e.document_type), []).append((status, e))
    for (collection, doctype), events in groups.items():
        table = Table(title=f"{service} / {doctype} ({collection})", title_justify="left")
        for col in ("date", "event", "family", "label", "flag", "clause"):
            table.add_column(col, overflow="fold", max_width=70 if col == "clause" else None)
        for status, e in events:
            mark = {"pending": " (unconfirmed)", "suppressed": " (flip-flop)"}.get(status, "")
            clause = e.clause_text if len(e.clause_text) < 200 else e.clause_text[:197] + "..."
            table.add_row(
                e.date,
                e.event + mark,
                e.family,
                e.label,
                f"{e.flag} ({e.severity})" if e.flag else "",
                clause,
            )
        console.print(table)
    return buf.getvalue()


@cli.command()
@click.option(
    "--db",
    "db",
    default="policydiff.sqlite",
    show_default=True,
    help="SQLite database written by `policydiff scan`.",
)
@click.option(
    "--table",
    "table",
    type=click.Choice(["findings", "changes", "clauses", "timeline"]),
    default="findings",
    show_default=True,
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "parquet", "xlsx", "markdown"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to FILE (required for parquet and xlsx).",
)
@click.option("--service", default=None, help="Only this service (glob, case-insensitive).")
@click.option("--flag", default=None, help="Only flags matching this glob, e.g. 'ai_training.*'.")
@click.option("--since", default=None, help="Only versions dated on or after this ISO date.")
@click.option(
    "--min-severity",
    type=click.Choice(["info", "low", "medium", "high"]),
    default=None,
    help="Only findings at or above this severity.",
)
@click.option(
    "--include-noise",
    is_flag=True,
    help="Keep capture flip-flop noise and non-substantive changes.",
)
def export(
    db: str,
    table: str,
    fmt: str,
    output: str | None,
    service: str | None,
    flag: str | None,
    since: str | None,
    min_severity: str | None,
    include_noise: bool,
) -> None:
    """Export findings, changes, clauses or the timeline as CSV, JSON Lines, Parquet, Excel
    or Markdown (spreadsheet formulas in cells are escaped)."""
    from analyzer.export import query, write

    columns, rows = query(
        db,
        table,
        service=service,
        flag=flag,
        since=since,
        min_severity=min_severity,
        include_noise=include_noise,
    )
    write(columns, rows, fmt, output)
    if output:
        click.echo(f"Wrote {len(rows)} {table} rows to {output}.", err=True)


@cli.command()
@click.option(
    "--db",
    "db",
    default="policydiff.sqlite",
    show_default=True,
    help="SQLite database written by `policydiff scan`.",
)
@click.option("--service", default=None, help="Only this service (glob, case-insensitive).")
@click.option("--flag", default=None, help="Only flags matching this glob, e.g. 'ai_training.*'.")
@click.option("--since", default=None, help="Only versions dated on or after this ISO date.")
@click.option(
    "--min-severity",
    type=click.Choice(["info", "low", "medium", "high"]),
    default=None,
    help="Only findings at or above this severity.",
)
@click.option(
    "--per",
    type=click.Choice(["finding", "comparison"]),
    default="finding",
    show_default=True,
    help="One entry per finding, or per comparison of two versions.",
)
@click.option(
    "--reports",
    "reports_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write the HTML report of every comparison in the feed into DIR (rebuilt from the "
    "database) and link each entry to it.",
)
@click.option(
    "--link-base",
    default=None,
    help="What report links start with, e.g. https://example.org/reports (default: the "
    "--reports folder relative to the feed file).",
)
@click.option("--limit", type=int, default=None, help="Keep only the newest N entries.")
@click.option("--title", default=None, help="Feed title.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to FILE instead of standard output.",
)
def feed(
    db: str,
    service: str | None,
    flag: str | None,
    since: str | None,
    min_severity: str | None,
    per: str,
    reports_dir: str | None,
    link_base: str | None,
    limit: int | None,
    title: str | None,
    output: str | None,
) -> None:
    """Write an Atom feed of the findings in the database (what changed in substance),
    filtered like `export`, e.g. every AI-training finding with links to the reports:

    policydiff feed --flag 'ai_training.*' --per comparison -o out/ai.xml --reports out/reports
    """
    import os

    from analyzer.feed import build_feed

    if link_base is None and reports_dir is not None:
        base = os.path.dirname(os.path.abspath(output)) if output else os.getcwd()
        link_base = os.path.relpath(os.path.abspath(reports_dir), base).replace(os.sep, "/")
    result = build_feed(
        db,
        service=service,
        flag=flag,
        since=since,
        min_severity=min_severity,
        per=per,
        reports=reports_dir,
        link_base=link_base,
        title=title,
        limit=limit,
    )
    if output:
        Path(output).write_bytes(result.xml)
        click.echo(f"Wrote {result.entries} entries to {output}.", err=True)
    else:
        sys.stdout.buffer.write(result.xml)
        sys.stdout.flush()
    if reports_dir:
        click.echo(f"Wrote {len(result.reports)} comparison report(s) to {reports_dir}.", err=True)
    for line in result.problems:
        click.echo(f"warning: no report for {line}", err=True)


@cli.command()
@click.option(
    "--db",
    "db",
    default="policydiff.sqlite",
    show_default=True,
    help="SQLite database written by `policydiff scan`.",
)
@click.option("--no-vacuum", is_flag=True, help="Do not compact the file afterwards.")
def migrate(db: str, no_vacuum: bool) -> None:
    """Convert a database written by an older policydiff (schema 1) to the current layout,
    in place and in one transaction, then compact it (VACUUM). Same rows in the views and
    exports; a current database is left as it is."""
    from analyzer.errors import UsageError
    from analyzer.store import Store

    if not Path(db).is_file():
        raise UsageError("no such database", path=db, fix="give the .sqlite file to migrate")
    before = Path(db).stat().st_size
    with Store(db) as store:
        if not no_vacuum:
            store.conn.execute("VACUUM")
    after = Path(db).stat().st_size
    click.echo(f"{db}: schema is current ({before:,} -> {after:,} bytes).")


# -- training and evaluation of the models (issue 3) ----------------------------------------------
@cli.command("train")
@click.option(
    "--corpora",
    "corpora_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Shared corpora folder (default: $POLICYDIFF_CORPORA or ../shared/corpora).",
)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write <name>.skops, <name>.npz and <name>.md (default: models/).",
)
@click.option(
    "--task",
    "tasks",
    multiple=True,
    type=click.Choice(["opp115", "goppc", "vagueness", "ai_training"]),
    help="Train only this model (repeatable; default: all).",
)
def train_cmd(corpora_path: Path | None, output: Path | None, tasks: tuple[str, ...]) -> None:
    """Retrain every classifier from the shared corpora, with fixed seeds, and write the
    skops files, their inference arrays (.npz, what compare and analyze read) and model
    cards."""
    from analyzer.classify.train import train_all

    reports = train_all(
        corpora_path, output, tasks or None, progress=lambda m: click.echo(m, err=True)
    )
    for name, rep in reports.items():
        val = rep.get("validation", {})
        line = f"{name}: validation macro-F1 {val.get('macro_f1')}, micro-F1 {val.get('micro_f1')}"
        if "grouped_cv_f1" in rep:  # the AI-training model: no split, services held out in CV
            line = f"{name}: F1 of trains, cross-validation by service, {rep['grouped_cv_f1']}"
        if "regressor" in rep:
            line += f", score Pearson {rep['regressor']['pearson']}"
        click.echo(f"{line} ({rep.get('train_seconds')} s)")


@cli.command("evaluate")
@click.argument(
    "task",
    type=click.Choice(["opp115", "goppc", "vagueness", "ai-pairs", "ai-clauses", "reviews"]),
)
@click.argument("data", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--loso",
    is_flag=True,
    help="ai-clauses: also validate leave one service out (the AI-training model retrained "
    "without each service; takes a few minutes).",
)
@click.option(
    "--rows",
    "row_files",
    multiple=True,
    help="ai-clauses: row files of DATA to score (repeatable; default clauses.jsonl; e.g. "
    "clauses_en.jsonl clauses_de.jsonl clauses_fr.jsonl).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--models",
    "models_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of trained models (default: models/).",
)
@click.option(
    "--corpora",
    "corpora_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="reviews: folder holding ai_pairs/ and policy_versions/ (default: DATA/..).",
)
def evaluate_cmd(
    task: str,
    data: Path,
    fmt: str,
    models_dir: Path | None,
    loso: bool,
    row_files: tuple[str, ...],
    corpora_dir: Path | None,
) -> None:
    """Evaluate on labelled DATA in the shared-corpora format of TASK: opp115 (JSONL of
    {"text","labels"}), goppc (folder of GoPPC XML policies), vagueness (docs.jsonl),
    ai-pairs (folder of labelled version pairs), ai-clauses (the ai_clauses folder: each
    labelled sentence located in its source document and judged as part of it), reviews (a
    finding_reviews folder: findings judged correct/wrong/debatable by a reviewer; the
    current tool is run on the same pairs and histories and, per flag, wrong findings still
    raised, correct ones kept and new unreviewed ones are counted)."""
    if task in ("ai-clauses", "reviews"):
        if task == "ai-clauses":
            from analyzer.evaluation.ai_clauses import evaluate_ai_clauses, format_text

            result = evaluate_ai_clauses(data, loso=loso, files=row_files or ("clauses.jsonl",))
        else:
            from analyzer.evaluation.reviews import (
                evaluate_reviews,
                format_text,  # type: ignore[no-redef]
            )

            result = evaluate_reviews(data, corpora_dir)
        if fmt == "json":
            click.echo(json.dumps(result, ensure_ascii=False, default=str))
        else:
            click.echo(format_text(result))
        return
    from analyzer.classify.evaluate import evaluate, render_text

    result = evaluate(task, data, models_dir)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, default=str))
    else:
        click.echo(render_text(result))


def main() -> None:
    """Console-script entry point.

    After ``compare`` and ``analyze`` (one-shot commands that start no process or thread and
    whose output is written and closed when they return), the process ends with
    ``os._exit`` once the standard streams and logging are flushed: the interpreter's
    teardown of the spaCy, numpy and pydantic modules and the analysis objects took 0.15-0.4 s
    of CPU and does nothing those commands need. Every other command exits normally.
    """
    try:
        cli(prog_name="policydiff")
    except SystemExit as exc:
        if not _QUICK_EXIT:
            raise
        code = exc.code
    else:
        if not _QUICK_EXIT:
            return
        code = 0
    if code is not None and not isinstance(code, int):  # sys.exit("message"), as Python does
        print(code, file=sys.stderr)
        code = 1
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: what normal exit would also meet
            pass
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
