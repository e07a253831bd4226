"""The realism report over several draws of a config: ``python scripts/realism_draws.py``.

Thirty identities are few (see the report's 95% interval), so the README's realism numbers
are given for the protocol's draw (``configs/realism.yaml``, ``seed: 0``), two more draws
(``seed: 1``, ``seed: 2``) and a set of three times as many identities. This generates each
variant of the config (``--seeds``, ``--counts``) into ``--out`` (replacing what an earlier
run wrote there), runs ``morphgen realism``'s evaluation on it, writes its report beside it
and prints one row per variant. Needs the ``eval`` extra; about 4 minutes for the defaults.

    python scripts/realism_draws.py                                  # the README's four sets
    python scripts/realism_draws.py --config my.yaml --seeds 0 1 2 3 --counts 30
"""

from __future__ import annotations

import argparse
import itertools
import shutil
from pathlib import Path

import morphgen
from morphgen.gaps import face_pipeline
from morphgen.gaps.realism import evaluate, summarise, write_realism
from morphgen.io.readers import open_dataset

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "configs/realism.yaml")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument(
        "--counts", type=int, nargs="+", default=[30, 90],
        help="identities; the counts after the first are drawn with the first seed",
    )  # fmt: skip
    parser.add_argument("--out", type=Path, default=Path("out/realism_draws"))
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    face_pipeline.require()
    pipeline = face_pipeline.load_pipeline(1)
    base = morphgen.load_config(args.config)
    variants = [(seed, args.counts[0]) for seed in args.seeds]
    variants += [(args.seeds[0], count) for count in args.counts[1:]]
    print("| seed | identities | detection | NME | AUC | confusable (95% interval) | rank-1 |")
    print("|---:|---:|---:|---:|---:|---|---:|")
    for seed, count in variants:
        config = base.model_copy(deep=True)
        config.seed = seed
        config.identities.count = count
        data = args.out / f"seed{seed}_n{count}"
        # made anew each time: generate() resumes a finished dataset of the same config (even
        # with overwrite), which would keep images rendered by older code
        if data.exists():
            shutil.rmtree(data)
        morphgen.generate(config, data, workers=args.workers, progress=False)
        dataset = open_dataset(data)
        ev = evaluate(itertools.islice(iter(dataset), len(dataset)), pipeline, len(dataset), False)
        summary = summarise(ev, str(data))
        write_realism(ev, summary, data.with_name(data.name + "_realism"))
        v = summary["identity"]["all_images"]
        low, high = (100 * x for x in v["confusable_rate_95"])
        print(
            f"| {seed} | {count} | {summary['detection']['rate']:.3f} | "
            f"{summary['landmarks']['nme_all_images']['mean']:.3f} | {v['auc']:.3f} | "
            f"{100 * v['confusable_rate']:.1f}% ({low:.1f}-{high:.1f}%) | {v['rank1']:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
