"""`edoc edxml` (not yet available)."""

import click


@click.command("edxml")
def edxml() -> None:
    """Not yet available in this version."""
    raise click.UsageError("edoc edxml is not available yet")
