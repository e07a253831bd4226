"""sha256 of every file that each ready config writes, shrunk to a few identities.

Run it before and after a refactor that must not change output bytes, and compare:

    python scripts/shard_digests.py > before.json   # on the old commit
    python scripts/shard_digests.py > after.json    # on the new one
    cmp before.json after.json

``configs/demo.yaml`` is written in every format; the others in their own. The manifest is
left out (it records the morphgen version and absolute paths).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
from pathlib import Path

from morphgen import generate, load_config
from morphgen.config.schema import FORMATS

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--identities", type=int, default=3)
    parser.add_argument("--per-shard", type=int, default=4)
    args = parser.parse_args()
    digests = {}
    for path in sorted((ROOT / "configs").glob("*.yaml")):
        config = load_config(path)
        config.identities.count = args.identities
        config.output.samples_per_shard = args.per_shard
        for fmt in FORMATS if path.stem == "demo" else (config.output.format,):
            config.output.format = fmt
            with tempfile.TemporaryDirectory() as tmp:
                generate(config, tmp, workers=1, progress=False, backend="cpu")
                for file in sorted(Path(tmp).rglob("*")):
                    if file.is_file() and file.name != "manifest.json":
                        key = f"{path.stem}/{fmt}/{file.relative_to(tmp)}"
                        digests[key] = hashlib.sha256(file.read_bytes()).hexdigest()
    print(json.dumps(digests, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
