"""``python -m dlgraph``: the same CLI as the ``dlgraph`` command."""

from .cli import main

main()
