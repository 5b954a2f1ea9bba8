"""policydiff command line: a thin shell over the ``analyzer`` library."""

from __future__ import annotations

import json
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
    help="Where to write <name>.skops and <name>.md (default: models/).",
)
@click.option(
    "--task",
    "tasks",
    multiple=True,
    type=click.Choice(["opp115", "goppc", "vagueness"]),
    help="Train only this model (repeatable; default: all).",
)
def train_cmd(corpora_path: Path | None, output: Path | None, tasks: tuple[str, ...]) -> None:
    """Retrain every classifier from the shared corpora, with fixed seeds, and write the
    skops files and model cards."""
    from analyzer.classify.train import train_all

    reports = train_all(
        corpora_path, output, tasks or None, progress=lambda m: click.echo(m, err=True)
    )
    for name, rep in reports.items():
        val = rep.get("validation", {})
        line = f"{name}: validation macro-F1 {val.get('macro_f1')}, micro-F1 {val.get('micro_f1')}"
        if "regressor" in rep:
            line += f", score Pearson {rep['regressor']['pearson']}"
        click.echo(f"{line} ({rep.get('train_seconds')} s)")


@cli.command("evaluate")
@click.argument("task", type=click.Choice(["opp115", "goppc", "vagueness", "ai-pairs"]))
@click.argument("data", type=click.Path(exists=True, path_type=Path))
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
def evaluate_cmd(task: str, data: Path, fmt: str, models_dir: Path | None) -> None:
    """Evaluate on labelled DATA in the shared-corpora format of TASK: opp115 (JSONL of
    {"text","labels"}), goppc (folder of GoPPC XML policies), vagueness (docs.jsonl),
    ai-pairs (folder of labelled version pairs)."""
    from analyzer.classify.evaluate import evaluate, render_text

    result = evaluate(task, data, models_dir)
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, default=str))
    else:
        click.echo(render_text(result))


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="policydiff")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
