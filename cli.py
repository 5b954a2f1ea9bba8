"""policydiff command line: a thin shell over the ``analyzer`` library."""

from __future__ import annotations

import sys

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
# ``policydiff --help`` and cold starts stay fast.

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
) -> None:
    """Compare two versions of a policy or notice, clause by clause.

    OLD and NEW are files (.md, .txt, .html, .pdf, optionally .gz). Findings are printed
    first (highest severity first), then the substantive changes. Exit codes: 0 done,
    1 a finding reached --fail-on, 2 bad input or usage.

    Example: policydiff compare old.md new.md --format json --output diff.json
    """
    from analyzer.engine import default_analyzer

    engine = default_analyzer()
    shared = _meta(service=service, document_type=document_type)
    old_v = engine.load(old, **shared, **_meta(date=old_date))
    new_v = engine.load(new, **shared, **_meta(date=new_date))
    comparison = engine.compare(old_v, new_v)
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
    (AI-training language present, vague purposes).

    Example: policydiff analyze policy.md --format markdown
    """
    from analyzer.engine import default_analyzer

    engine = default_analyzer()
    analysis = engine.analysis(
        engine.load(file, **_meta(service=service, document_type=document_type, date=date))
    )
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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="policydiff")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
