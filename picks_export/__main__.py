"""`python -m picks_export`: the same command line as the `picks-export` script."""

from .console import main

main()
