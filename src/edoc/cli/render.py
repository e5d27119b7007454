"""`edoc render` (not yet available)."""

import click


@click.command("render")
def render() -> None:
    """Not yet available in this version."""
    raise click.UsageError("edoc render is not available yet")
