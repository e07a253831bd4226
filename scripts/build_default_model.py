#!/usr/bin/env python3
"""Build morphgen's default model from a checkout of ICT-FaceKit (github.com/ICT-VGL/ICT-FaceKit).

    git clone https://github.com/ICT-VGL/ICT-FaceKit
    python scripts/build_default_model.py ICT-FaceKit

writes ``assets/default_model.h5`` (Basel / Statismo HDF5 layout) and its sha256 in
``assets/default_model.sha256``. The build is deterministic: the same checkout gives
the same bytes. See README, section "The default model".
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from morphgen.errors import MorphgenError
from morphgen.model.build.ict import ICT_FACE_MODEL_LIGHT, ICTLayout, build_default_model
from morphgen.model.statismo import write_statismo

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def main(argv: list[str] | None = None, layout: ICTLayout = ICT_FACE_MODEL_LIGHT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ict", type=Path, help="ICT-FaceKit checkout (or its FaceXModel folder)")
    parser.add_argument("--out", type=Path, default=ASSETS / "default_model.h5")
    parser.add_argument("--shape-retained", type=float, default=0.995)
    parser.add_argument("--expression-retained", type=float, default=0.999)
    args = parser.parse_args(argv)
    try:
        model, report = build_default_model(
            args.ict,
            layout,
            shape_retained=args.shape_retained,
            expression_retained=args.expression_retained,
        )
        write_statismo(model, args.out)
    except MorphgenError as exc:
        print(f"build_default_model: error: {exc}", file=sys.stderr)
        return 2
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    args.out.with_suffix(".sha256").write_text(f"{digest}  {args.out.name}\n")
    for key, value in vars(report).items():
        print(f"{key}: {value}")
    print(f"size_bytes: {args.out.stat().st_size}")
    print(f"sha256: {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
