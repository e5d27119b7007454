"""`edoc demo` (not yet available)."""

import click


@click.command("demo")
def demo() -> None:
    """Not yet available in this version."""
    raise click.UsageError("edoc demo is not available yet")
