"""`edoc keys` (not yet available)."""

import click


@click.command("keys")
def keys() -> None:
    """Not yet available in this version."""
    raise click.UsageError("edoc keys is not available yet")
