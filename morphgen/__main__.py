"""``python -m morphgen``: the same command line as ``morphgen``."""

import sys

from morphgen.cli import main

if __name__ == "__main__":
    sys.exit(main())
