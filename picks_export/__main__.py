"""`python -m picks_export`: the same command line as the `picks-export` script."""

from .cli import main

main()
