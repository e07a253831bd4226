"""``python scripts/bench.py [options]``: the same as ``morphgen bench [options]``."""

import sys

from morphgen.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
