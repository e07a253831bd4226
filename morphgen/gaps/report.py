"""Write the ``stats`` and ``compare`` reports: JSON, PNG charts (one per attribute and an
``overview.png`` of all of them) and an HTML page that shows them."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from morphgen.gaps.attributes import SHARE_PREFIX, info
from morphgen.gaps.divergence import (
    BINNING_TEXT,
    SMOOTHING_TEXT,
    Divergence,
    finite,
    probabilities,
    shared_edges,
)
from morphgen.gaps.plot import BLUE, ORANGE, Series, histogram_chart, tile
from morphgen.gaps.sources import Source

if TYPE_CHECKING:
    from morphgen.gaps.fit import FitResult


def summary(values: np.ndarray) -> dict[str, float | int]:
    """Count, missing count and the usual location/spread statistics of finite values."""
    x = finite(values)
    out: dict[str, float | int] = {"n": int(x.size), "missing": int(np.size(values) - x.size)}
    if x.size:
        p05, median, p95 = np.percentile(x, [5, 50, 95])
        out.update(
            mean=float(x.mean()),
            std=float(x.std()),
            min=float(x.min()),
            p05=float(p05),
            median=float(median),
            p95=float(p95),
            max=float(x.max()),
        )
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name) or "attribute"


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def _ordered(names: list[str]) -> list[str]:
    """Attributes first, mask class shares last."""
    return sorted(names, key=lambda n: n.startswith(SHARE_PREFIX))


_STYLE = """
body{font-family:system-ui,sans-serif;margin:24px;color:#222;background:#f6f6f4}
h1{font-size:22px;margin:0 0 4px} p.meta{color:#666;margin:0 0 18px;font-size:13px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));gap:14px}
.card{background:#fff;border-radius:6px;padding:10px;box-shadow:0 1px 3px #0002}
.card img{width:100%;max-width:520px;display:block} .card p{margin:6px 4px;font-size:13px}
table{border-collapse:collapse;background:#fff;font-size:13px;margin-bottom:18px}
td,th{padding:4px 10px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left} .bar{background:#e67814;height:10px}
"""


def html_page(title: str, meta: str, body: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<p class='meta'>{meta}</p>{body}</body></html>\n"
    )


def html_grid(cards: list[str]) -> str:
    return f"<div class='grid'>{''.join(cards)}</div>"


def html_card(png: str, text: str) -> str:
    return f"<div class='card'><img src='{png}' alt=''><p>{text}</p></div>"


def write_stats(source: Source, out_dir: Path) -> Path:
    """stats.json, plots/*.png and index.html for one source; returns the HTML path."""
    plots = out_dir / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    attributes: dict[str, dict] = {}
    cards, never, charts = [], [], []
    for name in _ordered(list(source.attributes)):
        values = source.attributes[name]
        x = finite(values)
        about = info(name)
        entry: dict = {"per": about.per, "unit": about.unit, "text": about.text}
        entry["summary"] = summary(values)
        attributes[name] = entry
        if x.size == 0 or (name.startswith(SHARE_PREFIX) and not x.any()):
            never.append(name)
            continue
        edges = shared_edges(x, x[:0])
        counts, _ = np.histogram(x, bins=edges)
        entry["histogram"] = {"edges": edges.tolist(), "counts": counts.tolist()}
        s = entry["summary"]
        subtitle = (
            f"n={s['n']}  mean={_fmt(s['mean'])}  sd={_fmt(s['std'])}  "
            f"median={_fmt(s['median'])}  range {_fmt(s['min'])}..{_fmt(s['max'])}"
        )
        chart = histogram_chart(
            name, subtitle, edges, [Series(name, counts / x.size, BLUE)], about.unit
        )
        png = f"plots/{_slug(name)}.png"
        chart.save(out_dir / png)
        charts.append(chart)
        cards.append(html_card(png, html.escape(f"{about.text} (one value per {about.per})")))
    (out_dir / "stats.json").write_text(
        json.dumps(
            {
                "source": str(source.path),
                "kind": source.kind,
                "binning": BINNING_TEXT,
                "attributes": attributes,
            },
            indent=2,
        )
    )
    absent = ""
    if never:
        absent = (
            "<p class='meta'>No values (or always zero): " + html.escape(", ".join(never)) + "</p>"
        )
    meta = html.escape(f"{source.kind} {source.path}; bar height = share of values per bin")
    tile(charts).save(out_dir / "overview.png")
    index = out_dir / "index.html"
    index.write_text(html_page(f"morphgen stats: {source.name}", meta, absent + html_grid(cards)))
    return index


def write_compare(a: Source, b: Source, divergences: list[Divergence], out_dir: Path) -> Path:
    """compare.json, overlaid plots/*.png and index.html ranking the attributes."""
    plots = out_dir / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    label_a, label_b = f"A: {a.name}", f"B: {b.name}"
    top = max((d.symmetric for d in divergences), default=1.0) or 1.0
    rows, cards, charts = [], [], []
    for rank, d in enumerate(divergences, 1):
        pa = probabilities(a.attributes[d.attribute], d.edges, 0.0)
        pb = probabilities(b.attributes[d.attribute], d.edges, 0.0)
        subtitle = (
            f"KL(A||B)={d.kl_ab:.3f}  KL(B||A)={d.kl_ba:.3f} nats  "
            f"{d.edges.size - 1} bins  nA={d.n_a} nB={d.n_b}"
        )
        series = [Series(label_a, pa, BLUE), Series(label_b, pb, ORANGE)]
        png = f"plots/{_slug(d.attribute)}.png"
        chart = histogram_chart(
            f"{rank}. {d.attribute}", subtitle, d.edges, series, info(d.attribute).unit
        )
        chart.save(out_dir / png)
        charts.append(chart)
        cards.append(html_card(png, html.escape(info(d.attribute).text)))
        width = int(200 * d.symmetric / top)
        rows.append(
            f"<tr><td>{rank}. {html.escape(d.attribute)}</td><td>{d.kl_ab:.4f}</td>"
            f"<td>{d.kl_ba:.4f}</td><td>{d.symmetric:.4f}</td><td>{d.noise_floor:.4f}</td>"
            f"<td>{d.edges.size - 1}</td>"
            f"<td style='text-align:left'><div class='bar' style='width:{width}px'></div></td></tr>"
        )
    compared = {d.attribute for d in divergences}
    only = sorted((set(a.attributes) | set(b.attributes)) - compared)
    (out_dir / "compare.json").write_text(
        json.dumps(
            {
                "a": str(a.path),
                "b": str(b.path),
                "binning": BINNING_TEXT,
                "smoothing": SMOOTHING_TEXT,
                "units": "nats",
                "ranked_by": "KL(A||B) + KL(B||A)",
                "ranked": [d.to_dict() for d in divergences],
                "not_compared": only,
            },
            indent=2,
        )
    )
    table = (
        "<table><tr><th>attribute (most different first)</th><th>KL(A||B)</th><th>KL(B||A)</th>"
        "<th>sum</th><th>noise</th><th>bins</th><th></th></tr>" + "".join(rows) + "</table>"
    )
    meta = html.escape(
        f"A = {a.kind} {a.path}; B = {b.kind} {b.path}. KL in nats. Binning: {BINNING_TEXT}. "
        f"Smoothing: {SMOOTHING_TEXT}. Charts show unsmoothed shares. 'noise' is what either "
        "direction reads for two samples of one distribution, (bins-1)/2 (1/nA + 1/nB)."
    )
    if only:
        meta += "<br>Not compared (in one source only, or one constant in both): " + html.escape(
            ", ".join(only)
        )
    tile(charts).save(out_dir / "overview.png")
    index = out_dir / "index.html"
    index.write_text(
        html_page(
            f"morphgen compare: {a.name} vs {b.name}",
            meta,
            table + html_grid(cards),
        )
    )
    return index


GREY = (150, 150, 150)


def write_fit(results: list[FitResult], out_dir: Path) -> Path:
    """fit.json, target/before/after charts and index.html for ``morphgen fit``'s results."""
    (out_dir / "plots").mkdir(parents=True, exist_ok=True)
    cards, charts = [], []
    for r in results:
        d = r.draws
        edges = shared_edges(d["target"], np.concatenate([d["before"], d["after"]]))
        series = [
            Series("target", probabilities(d["target"], edges, 0.0), BLUE),
            Series("before (base config)", probabilities(d["before"], edges, 0.0), GREY),
            Series("after (fitted config)", probabilities(d["after"], edges, 0.0), ORANGE),
        ]
        subtitle = (
            f"KL(target||config) {r.before.kl_ab:.3f} -> {r.after.kl_ab:.3f} nats; "
            f"KL(config||target) {r.before.kl_ba:.3f} -> {r.after.kl_ba:.3f}"
        )
        chart = histogram_chart(
            f"{r.column} ({r.path})", subtitle, edges, series, info(r.column).unit
        )
        png = f"plots/{_slug(r.column)}.png"
        chart.save(out_dir / png)
        charts.append(chart)
        cards.append(html_card(png, html.escape(f"fitted: {r.spec['dist']}")))
    summary_json = {
        "binning": BINNING_TEXT,
        "smoothing": SMOOTHING_TEXT,
        "units": "nats",
        "results": [r.to_dict() for r in results],
    }
    (out_dir / "fit.json").write_text(json.dumps(summary_json, indent=2))
    tile(charts).save(out_dir / "overview.png")
    meta = html.escape(f"Binning: {BINNING_TEXT}. Smoothing: {SMOOTHING_TEXT}.")
    index = out_dir / "index.html"
    index.write_text(html_page("morphgen fit: target, before and after", meta, html_grid(cards)))
    return index


def report_dir_beside(path: Path, name: str) -> Path:
    """Next to the source (never inside a dataset): ``out/demo`` -> ``out/demo_stats``."""
    path = path.resolve()
    return path.with_name(f"{path.stem if path.is_file() else path.name}_{name}")
