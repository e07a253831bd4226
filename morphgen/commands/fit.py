"""``morphgen fit``: fit a config's distributions to attributes measured on real data."""

from __future__ import annotations

import argparse
from pathlib import Path

from morphgen.config import load_config
from morphgen.errors import MorphgenError
from morphgen.gaps.fit import ALIASES, METHODS, fit_config
from morphgen.gaps.report import write_fit
from morphgen.gaps.sources import load_csv


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``fit`` subcommand."""
    parser = sub.add_parser(
        "fit",
        help="fit a config's pose (and other) distributions to a CSV of real attributes",
        description="Every CSV column that names a config distribution is fitted: "
        f"{', '.join(ALIASES)} (pose), or any key path such as camera.distance_mm. "
        "Prints the KL divergences to the target before and after.",
    )
    parser.add_argument("--target", required=True, metavar="CSV", help="real-data attributes")
    parser.add_argument("--config", required=True, metavar="YAML", help="base config")
    parser.add_argument("-o", "--out", required=True, metavar="YAML", help="fitted config")
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="gmm",
        help="gmm: Gaussian mixture by maximum likelihood, components by BIC (default); "
        "empirical: resample the target's values",
    )
    parser.add_argument("--max-components", type=int, default=5, metavar="K")
    parser.add_argument(
        "--columns", metavar="A,B", help="fit only these CSV columns (default: all that match)"
    )
    parser.add_argument(
        "--samples", type=int, default=20000, metavar="N", help="draws per KL estimate"
    )
    parser.add_argument(
        "--report", metavar="DIR", help="also write charts of target, before and after to DIR"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Fit, write the fitted config, print the before/after divergences."""
    if args.max_components < 1 or args.samples < 10:
        raise MorphgenError("--max-components must be >= 1 and --samples >= 10")
    target = load_csv(Path(args.target))
    config = load_config(args.config)
    out = Path(args.out)
    columns = [c.strip() for c in args.columns.split(",")] if args.columns else None
    fitted, results = fit_config(
        config, target, columns, args.method, args.max_components, args.samples, out.parent
    )
    header = (
        f"# fitted by `morphgen fit` to {args.target} from {args.config} ({args.method})\n"
        f"# fitted keys: {', '.join(r.path for r in results)}\n"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(header + fitted.dump_yaml())
    load_config(out)  # what we wrote must load as any config does
    print(f"KL divergence in nats, T = target ({args.target}), C = config samples:\n")
    w = max(len(r.column) for r in results)
    print(
        f"{'column':<{w}}  {'key':<18}  {'before T||C':>11}  {'C||T':>7}  "
        f"{'after T||C':>10}  {'C||T':>7}  fitted"
    )
    for r in results:
        kind = r.spec["dist"]
        if kind == "mixture":
            kind += f" of {len(r.spec['components'])}"
        print(
            f"{r.column:<{w}}  {r.path:<18}  {r.before.kl_ab:11.4f}  {r.before.kl_ba:7.4f}  "
            f"{r.after.kl_ab:10.4f}  {r.after.kl_ba:7.4f}  {kind}"
        )
    print(f"\nwrote {out}")
    if args.report:
        print(f"report: {write_fit(results, Path(args.report))}")
    return 0
