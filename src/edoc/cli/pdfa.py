"""`edoc pdfa` (not yet available)."""

import click


@click.command("pdfa")
def pdfa() -> None:
    """Not yet available in this version."""
    raise click.UsageError("edoc pdfa is not available yet")
