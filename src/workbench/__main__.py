"""`python -m workbench`: the `workbench` command, where the console script is not on PATH."""

import sys

from workbench.cli import main

if __name__ == "__main__":  # importing this module (pydoc, tools that scan packages) must not run the command
    sys.exit(main())
