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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="policydiff")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
