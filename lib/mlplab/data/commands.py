"""`mlplab data check|synth`: human-readable summaries on stdout, UserError for bad input."""

from __future__ import annotations

from pathlib import Path

from mlplab.errors import UserError
from mlplab.data.io import atomic_write_bytes, csv_bytes
from mlplab.data.maintenance import load_maintenance
from mlplab.data.nyse import load_nyse
from mlplab.data.provenance import Loaded
from mlplab.data.maintenance_generator import synth_maintenance
from mlplab.data.nyse_generator import synth_nyse

DATASETS = ("nyse", "maintenance")


def _dataset(name: str) -> str:
    if name not in DATASETS:
        raise UserError(f"unknown dataset {name!r}; expected one of {', '.join(DATASETS)}")
    return name


def summary_lines(dataset: str, ld: Loaded) -> list[str]:
    """The check summary, one fact per line (also usable in notebooks)."""
    p, r = ld.provenance, ld.report
    lines = []
    if p.synthetic:
        lines.append("SYNTHETIC embedded default — not real data; put the Kaggle file in data/raw/ (see data/README.md)")
    lines += [
        f"dataset:   {dataset}",
        f"source:    {p.source}",
        f"path:      {p.path}",
        f"sha256:    {p.sha256}",
        f"layout:    {r.get('layout', '')}",
        f"rows:      {r['rows']:,}",
        f"columns:   {', '.join(r['columns'])}",
    ]
    if dataset == "nyse":
        lines += [
            f"dates:     {r['date_min']} .. {r['date_max']} ({r['n_days']:,} trading days)",
            f"symbols:   {r['n_symbols']:,}",
            f"ohlc violations: {r['ohlc_violations']:,}",
        ]
        if "sector_source" in r:
            lines.append(f"sectors:   from {r['sector_source']} ({r['symbols_without_sector']} symbols without)")
    else:
        width = max(len(k) for k in r["class_counts"])
        total = max(r["rows"], 1)
        lines.append("class counts (failure_type):")
        lines += [f"  {k:<{width}}  {n:>6,}  {100 * n / total:5.2f}%" for k, n in r["class_counts"].items()]
        li = r["label_inconsistencies"]
        lines.append(f"label inconsistencies: {li['failure_type_with_target_0']} failure type with target 0, "
                     f"{li['target_1_with_no_failure']} target 1 with 'No Failure'")
        if li["rows"]:
            shown = ", ".join(map(str, li["rows"][:30])) + (" ..." if len(li["rows"]) > 30 else "")
            lines.append(f"  UDI: {shown}")
        lines.append(f"label rule: {r['label_rule']}")
    lines.append(f"duplicates dropped: {r['duplicates_dropped']:,}")
    lines.append("warnings:  " + ("none" if not r["warnings"] else ""))
    lines += [f"  - {w}" for w in r["warnings"]]
    return lines


def check(dataset: str, path: str | None) -> int:
    if dataset in ("imdb", "newsgroups"):  # Lab 5: text sets; the embedded default is a real subset
        from mlplab.data import imdb, newsgroups

        mod = imdb if dataset == "imdb" else newsgroups
        corpus = imdb.load_imdb(path) if dataset == "imdb" else newsgroups.load_newsgroups(path)
        print("\n".join(mod.describe(corpus)))
        return 0
    if dataset == "fashion-mnist":  # Lab 3: images (IDX or Kaggle CSV); the embedded default is a real subset
        from mlplab.data import fashion_mnist

        print("\n".join(fashion_mnist.describe(fashion_mnist.load_fashion_mnist(path))))
        return 0
    if dataset in ("california", "wildfire"):  # Lab 2: real data, also as the embedded default (no synth)
        from mlplab.data import california, wildfire

        mod = california if dataset == "california" else wildfire
        loaded = california.load_california(path) if dataset == "california" else wildfire.load_wildfire(path)
        print("\n".join(mod.summary_lines(loaded)))
        return 0
    if dataset in ("nab", "airquality"):  # Lab 4: real data (no synth); each loader module prints its own summary
        from mlplab.data import airquality, nab

        loaded = nab.load_nab_taxi(path) if dataset == "nab" else airquality.load_airquality(path)
        print("\n".join((nab if dataset == "nab" else airquality).summary_lines(loaded)))
        return 0
    ds = _dataset(dataset)
    ld = load_nyse(path) if ds == "nyse" else load_maintenance(path)
    print("\n".join(summary_lines(ds, ld)))
    return 0


def synth(dataset: str, out: str, rows: int | None, seed: int) -> int:
    ds = _dataset(dataset)
    if rows is not None and rows < 1:
        raise UserError(f"--rows must be a positive integer, got {rows}")
    target = Path(out)
    if target.is_dir():
        raise UserError(f"--out {target}: is a directory, expected a CSV file path")
    if ds == "nyse":
        frame = synth_nyse(seed=seed, rows=rows)
    else:
        frame = synth_maintenance(rows=rows or 10_000, seed=seed)
    try:
        atomic_write_bytes(target, csv_bytes(frame))
    except OSError as exc:
        raise UserError(f"--out {target}: cannot write ({exc.strerror or exc})") from None
    extra = (f", {frame['symbol'].nunique()} symbols, {frame['date'].iloc[0][:10]} .. {frame['date'].iloc[-1][:10]}"
             if ds == "nyse" else
             ", " + ", ".join(f"{k}: {n}" for k, n in frame["Failure Type"].value_counts().items()))
    print(f"wrote {target} ({len(frame):,} rows, {frame.shape[1]} columns, seed {seed}{extra}); SYNTHETIC embedded default")
    return 0
