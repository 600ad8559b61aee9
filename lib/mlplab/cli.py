"""The `mlplab` command: data, run, render, bench.

Exit codes: 0 success, 2 bad input (one line on stderr), 1 a failure of the run itself.
"""

from __future__ import annotations

import argparse
import sys

from mlplab.errors import UserError

DATASETS = ("nyse", "maintenance")


class _Parser(argparse.ArgumentParser):
    """argparse prints usage + error on two lines; we want one line and exit 2."""

    def error(self, message):  # noqa: D401
        raise UserError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mlplab", description="Reproducible MLP lab report: data, analysis runs, rendering, benchmarks.")
    sub = p.add_subparsers(dest="command", metavar="{data,run,render,bench}", parser_class=_Parser)
    sub.required = True

    d = sub.add_parser("data", help="check or synthesise the datasets")
    dsub = d.add_subparsers(dest="data_command", metavar="{check,synth}", parser_class=_Parser)
    dsub.required = True
    c = dsub.add_parser("check", help="load and validate a dataset and print a summary")
    c.add_argument("dataset", choices=DATASETS + ("nab", "airquality", "california", "wildfire", "fashion-mnist", "imdb",
                                                 "newsgroups"))
    c.add_argument("--path", help="CSV file (default: data/raw/ or $MLPLAB_DATA_DIR, else the embedded default)")
    s = dsub.add_parser("synth", help="write the embedded synthetic default of a dataset")
    s.add_argument("dataset", choices=DATASETS)
    s.add_argument("--out", required=True, help="output CSV path")
    s.add_argument("--rows", type=_positive_int, help="number of rows (default: full size)")
    s.add_argument("--seed", type=int, default=0, help="random seed (default 0)")

    r = sub.add_parser("run", help="execute the analysis notebooks with papermill (stale ones only)")
    r.add_argument("--profile", default="full", help="parameter profile in params/ (quick|full)")
    r.add_argument("--only", action="append", help="run only this notebook (e.g. regression, classification, comparison)")
    r.add_argument("--lab", dest="labs", action="append", type=int, metavar="N",
                   help="run only the notebooks of lab N (repeatable)")
    r.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override one parameter (YAML-typed); NAME.key=value targets one notebook")
    r.add_argument("--force", action="store_true", help="re-run even when nothing changed")
    r.add_argument("--no-progress", action="store_true", help="no progress bars")
    r.add_argument("--pre-render", action="store_true", help=argparse.SUPPRESS)

    rd = sub.add_parser("render", help="render the Quarto book (HTML site and/or PDF)")
    rd.add_argument("--to", choices=("html", "pdf", "all"), default="all")

    b = sub.add_parser("bench", help="training throughput: fast path vs skorch's default path")
    b.add_argument("--json", action="store_true", help="print one JSON object")
    b.add_argument("--rows", type=_positive_int, default=851_264)
    b.add_argument("--quick", action="store_true", help="tiny sizes, for smoke tests")
    return p


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _dispatch(args) -> int:
    if args.command == "data":
        from mlplab.data import commands

        if args.data_command == "check":
            return commands.check(args.dataset, args.path)
        return commands.synth(args.dataset, args.out, rows=args.rows, seed=args.seed)
    if args.command == "run":
        from mlplab import runner

        return runner.run(profile=args.profile, only=args.only, overrides=args.overrides, labs=args.labs,
                          force=args.force, progress=not args.no_progress, pre_render=args.pre_render)
    if args.command == "render":
        from mlplab import render

        return render.render(to=args.to)
    if args.command == "bench":
        from mlplab import bench

        return bench.main(as_json=args.json, rows=args.rows, quick=args.quick)
    raise UserError(f"unknown command {args.command!r}")


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return int(_dispatch(args) or 0)
    except UserError as exc:
        print(f"mlplab: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mlplab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `mlplab data check nyse | head`
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
