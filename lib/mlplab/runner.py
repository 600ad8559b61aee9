"""`mlplab run`: execute the stale analysis notebooks with papermill, atomically.

A notebook is stale when its source, its resolved parameters, the package (version and source) or
its input data changed since its last successful run. Each run executes into a staging directory;
only a fully successful run is moved into report/ (notebook, figures, results, generated pages),
so an interrupted or failing run never replaces valid outputs with something that looks valid.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import mlplab
from mlplab import params as P
from mlplab.errors import UserError

NYSE_FILES = ("prices-split-adjusted.csv", "prices.csv", "securities.csv")
MAINT_FILES = ("predictive_maintenance.csv", "ai4i2020.csv")
DATA_FILES = {"regression": NYSE_FILES, "classification": MAINT_FILES,
              "taxi_anomaly": ("nyc_taxi.csv", "nyc_taxi_windows.json", "nyc_taxi_labels.json", "combined_windows.json",
                               "combined_labels.json"),
              "air_quality": ("AirQualityUCI.csv", "AirQuality.csv", "air_quality.csv"),
              "california": ("california_housing.csv", "housing.csv", "cal_housing.csv"),
              "wildfire": ("Algerian_forest_fires_dataset_UPDATE.csv", "Algerian_forest_fires_dataset.csv",
                           "Algerian_forest_fires_cleaned_dataset.csv", "Algerian_forest_fires_cleaned.csv")}


def find_root(start: Path | None = None) -> Path:
    env = os.environ.get("MLPLAB_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for p in (here, *here.parents):
        if (p / "analysis").is_dir() and (p / "params").is_dir():
            return p
    raise UserError(f"{here}: not inside an mlplab project (no analysis/ and params/ found above it)")


def _sha_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def package_fingerprint() -> str:
    """Version plus a hash of the package's source: editing the code makes results stale."""
    h = hashlib.sha256(mlplab.__version__.encode())
    pkg = Path(mlplab.__file__).parent
    for f in sorted(pkg.rglob("*.py")):
        h.update(str(f.relative_to(pkg)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def data_dir(root: Path) -> Path:
    return Path(os.environ.get("MLPLAB_DATA_DIR") or root / "data" / "raw")


def _param_path(params: dict, key: str, root: Path) -> Path | None:
    value = params.get(key)
    if not isinstance(value, str) or not value:
        return None
    p = Path(value).expanduser()
    return p if p.is_absolute() else root / p


def _text_loader(module: str):
    def load():
        import importlib

        return importlib.import_module(f"mlplab.data.{module}")
    return load


TEXT_DATA = {"imdb_sentiment": _text_loader("imdb"), "newsgroups": _text_loader("newsgroups")}

# Notebooks whose input is one dataset of the data layer: (dataset, path parameter, securities parameter)
RESOLVED_DATA = {"regression": ("nyse", "data_path", "securities_path"),
                 "classification": ("maintenance", "data_path", None)}


def data_fingerprint(name: str, params: dict, root: Path) -> dict:
    """What the notebook will read, hashed: for the data notebooks the source the loader resolves
    (a file found under any name, with its sha256; the kagglehub version; the embedded generator),
    so a changed file is never skipped as unchanged; upstream results for the comparison.
    A candidate data file whose header does not fit raises the loader's UserError (exit 2)."""
    files: dict[str, str] = {}
    needs = P.BY_NAME[name].needs if name in P.BY_NAME else ()
    if needs:  # a comparison/conclusions notebook reads its lab's results
        for up in needs:
            p = root / "report" / "_results" / f"{up}.json"
            files[p.name] = _sha_file(p) if p.exists() else "missing"
        return files
    if name == "transfer" and _param_path(params, "data_path", root) is not None:  # a folder of the user's images
        from mlplab.data.images import fingerprint as folder_fingerprint  # noqa: PLC0415

        return folder_fingerprint(_param_path(params, "data_path", root))
    if name in ("fashion_mnist", "depth", "transfer"):  # Lab 3: the image layout the loader resolves, each file's sha256
        from mlplab.data.fashion_mnist import fingerprint as image_fingerprint  # noqa: PLC0415

        return image_fingerprint(_param_path(params, "data_path", root), directory=data_dir(root))
    if name in TEXT_DATA:  # Lab 5: the layout the text loader resolves, and the GloVe vectors it reads
        from mlplab.text import glove  # noqa: PLC0415

        out = TEXT_DATA[name]().fingerprint(_param_path(params, "data_path", root), data_dir(root))
        try:
            out["glove"] = glove.fingerprint(int(params.get("glove_dim", 50)), _param_path(params, "glove_path", root),
                                             data_dir(root))
        except UserError:
            out["glove"] = "missing"  # the notebook's own load says what to install
        return out
    if name in RESOLVED_DATA:
        from mlplab.data.sources import fingerprint  # noqa: PLC0415 — the data layer imports polars

        dataset, path_key, sec_key = RESOLVED_DATA[name]
        kwargs = {"securities": _param_path(params, sec_key, root)} if sec_key else {}
        return fingerprint(dataset, _param_path(params, path_key, root), directory=data_dir(root), **kwargs)
    for key, value in params.items():
        if key.endswith("path") and isinstance(value, str) and value:
            p = Path(value) if Path(value).is_absolute() else root / value
            files[key] = _sha_file(p) if p.is_file() else f"missing:{p}"
    ddir = data_dir(root)
    for fname in DATA_FILES.get(name, ()):
        p = ddir / fname
        if p.is_file():
            files[fname] = _sha_file(p)
    return files or {"source": "embedded"}


def _warn_state(path: Path, root: Path, what: str) -> None:
    try:
        shown = path.relative_to(root).as_posix()
    except ValueError:
        shown = str(path)
    print(f"mlplab run: {shown}: unreadable run state, {what}", file=sys.stderr)


def _read_state(state_file: Path, root: Path) -> dict | None:
    """The last successful run's record, or None. A corrupt record (bad JSON, wrong shape, unreadable)
    is dropped with a one-line warning: the notebook re-runs, which is always safe."""
    if not state_file.exists():
        return None
    try:
        doc = json.loads(state_file.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or not isinstance(doc.get("fingerprint"), dict):
            raise ValueError("not a run record")
        return doc
    except (OSError, UnicodeDecodeError, ValueError):  # JSONDecodeError is a ValueError
        _warn_state(state_file, root, "re-running")
        state_file.unlink(missing_ok=True)
        return None


def _last_profile(root: Path, default: str) -> str:
    """The profile of the last run (pre-render re-runs with it); a corrupt record falls back to `default`."""
    last = root / "report" / "_results" / ".state" / "last_profile"
    if not last.exists():
        return default
    try:
        name = last.read_text(encoding="utf-8").strip()
        if not name or not all(c.isalnum() or c in "-_." for c in name) or not (root / "params" / f"{name}.yml").is_file():
            raise ValueError(name)
        return name
    except (OSError, UnicodeDecodeError, ValueError):
        _warn_state(last, root, f"re-running with profile {default!r}")
        last.unlink(missing_ok=True)
        return default


def _state_path(root: Path, name: str) -> Path:
    return root / "report" / "_results" / ".state" / f"{name}.json"


def _outputs_present(root: Path, spec: P.NotebookSpec) -> bool:
    nb_ok = (root / "report" / spec.source).exists()
    if spec.name in ("regression", "classification"):
        return nb_ok and (root / "report" / "_results" / f"{spec.name}.json").exists()
    return nb_ok


def _write_json_atomic(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=True))
    os.replace(tmp, path)


def _replace_dir(src: Path, dst: Path) -> None:
    """Swap a directory in with two renames; the old copy is removed only after the swap."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    trash = dst.with_name(f".{dst.name}.old")
    if trash.exists():
        shutil.rmtree(trash)
    if dst.exists():
        os.replace(dst, trash)
    os.replace(src, dst)
    if trash.exists():
        shutil.rmtree(trash)


def _kernel_env(root: Path, staging: Path, spec: P.NotebookSpec) -> dict:
    env = {
        "MLPLAB_ROOT": str(root),
        "MLPLAB_REPORT_DIR": str(staging),
        "MLPLAB_DATA_DIR": str(data_dir(root)),
        "MLPLAB_CACHE_DIR": os.environ.get("MLPLAB_CACHE_DIR") or str(root / "data" / "cache"),
        "MLPLAB_RESULTS_DIR": str(root / "report" / "_results" if spec.needs else staging / "_results"),
        "MPLBACKEND": "Agg",
        "PYTHONWARNINGS": os.environ.get("PYTHONWARNINGS", "ignore::DeprecationWarning"),
    }
    return env


def _execute(root: Path, spec: P.NotebookSpec, params: dict, progress: bool) -> float:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    report = root / "report"
    staging = report / ".staging" / spec.name
    if staging.exists():
        shutil.rmtree(staging)
    (staging / "_results").mkdir(parents=True)
    out_nb = staging / spec.source
    saved = {k: os.environ.get(k) for k in _kernel_env(root, staging, spec)}
    os.environ.update(_kernel_env(root, staging, spec))
    t0 = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(root / "analysis" / spec.source), str(out_nb), parameters=params, kernel_name="python3",
            progress_bar=progress, request_save_on_cell_execute=False, cwd=str(report),
            # the kernel is a local child on loopback: its "running over TCP without encryption" warning,
            # printed once per notebook, and the "KeyboardInterrupt caught in kernel" an interrupt at a slow
            # shutdown logs on a loaded machine, after every cell ran, are noise in a batch run; a failing cell
            # still stops the run with its error (papermill raises it, not the kernel's log)
            extra_arguments=["--log-level=CRITICAL"],
        )
    except PapermillExecutionError as exc:
        failed = report / ".failed"
        failed.mkdir(parents=True, exist_ok=True)
        kept = failed / spec.source
        if out_nb.exists():
            os.replace(out_nb, kept)
        shutil.rmtree(staging, ignore_errors=True)
        raise RunFailed(f"{spec.name}: cell {exc.cell_index} (execution count {exc.exec_count}) raised "
                        f"{exc.ename}: {str(exc.evalue).splitlines()[0] if exc.evalue else ''} — partial notebook "
                        f"kept at {kept.relative_to(root)}; previous outputs untouched") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    seconds = time.perf_counter() - t0
    hide_parameter_cells(out_nb)
    _promote(root, spec, staging)
    return seconds


BOOK_HIDDEN = ("parameters", "injected-parameters")


def hide_parameter_cells(path: Path) -> None:
    """Tag the notebook's parameter cells `hide-code` (Quarto: echo false): the book lists every run's
    parameters in its appendix, and three folded "Show the code" bars in a row open a chapter badly."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "code" and any(t in tags for t in BOOK_HIDDEN) and "hide-code" not in tags:
            cell.metadata["tags"] = [*tags, "hide-code"]
    nbformat.write(nb, str(path))


def _promote(root: Path, spec: P.NotebookSpec, staging: Path) -> None:
    report = root / "report"
    (report / "_results").mkdir(parents=True, exist_ok=True)
    for res in (staging / "_results").glob("*.json"):
        os.replace(res, report / "_results" / res.name)
    figs = staging / "figures"
    if figs.exists():
        for sub in figs.iterdir():
            _replace_dir(sub, report / "figures" / sub.name)
    gen = staging / "_generated"
    if gen.exists():
        (report / "_generated").mkdir(parents=True, exist_ok=True)
        for f in gen.iterdir():
            os.replace(f, report / "_generated" / f.name)
    os.replace(staging / spec.source, report / spec.source)
    shutil.rmtree(staging, ignore_errors=True)


class RunFailed(Exception):
    """A notebook cell failed (not bad input): exit code 1."""


def select(only: list[str] | None, labs: list[int] | None = None) -> list[P.NotebookSpec]:
    """The notebooks named by --only, or those of the labs named by --lab, or all of them."""
    known_labs = sorted({nb.lab for nb in P.NOTEBOOKS})
    bad = [n for n in labs or [] if n not in known_labs]
    if bad:
        raise UserError(f"--lab {bad[0]}: expected one of {', '.join(map(str, known_labs))}")
    unknown = [o for o in only or [] if o not in P.BY_NAME]
    if unknown:
        raise UserError(f"--only {unknown[0]!r}: expected one of {', '.join(P.BY_NAME)}")
    if not only and not labs:
        return list(P.NOTEBOOKS)
    return [nb for nb in P.NOTEBOOKS if nb.name in (only or []) or nb.lab in (labs or [])]


def run(profile: str = "full", only: list[str] | None = None, overrides: list[str] | None = None,
        labs: list[int] | None = None,
        force: bool = False, progress: bool = True, pre_render: bool = False) -> int:
    for text in overrides or []:
        P.parse_override(text)  # syntax errors first, before touching any file
    root = find_root()
    if pre_render:
        if os.environ.get("MLPLAB_RENDERING"):
            print("mlplab run: called by `mlplab render`, notebooks already up to date")
            return 0
        if os.environ.get("QUARTO_PROJECT_RENDER_ALL") != "1":
            # Quarto runs pre-render for single-file renders too; the analysis is for whole-book renders.
            from mlplab import pages

            pages.write_generated_pages(root)
            print("mlplab run: single-file render, analysis not run (render the whole book to refresh it)")
            return 0
        profile = _last_profile(root, profile)
    specs = select(only, labs)
    for spec in specs:
        if not (root / "analysis" / spec.source).exists():
            raise UserError(f"analysis/{spec.source}: notebook not found")
    defaults = {s.name: P.notebook_defaults(root / "analysis" / s.source) for s in specs}
    profile_data = P.load_profile(root / "params", profile)
    resolved = P.resolve(specs, defaults, profile_data, overrides or [], profile)
    for spec in specs:
        for need in spec.needs:
            if need not in {s.name for s in specs} and not (root / "report" / "_results" / f"{need}.json").exists():
                raise UserError(f"--only {spec.name}: needs report/_results/{need}.json; run `mlplab run --only {need}` first")

    pkg = package_fingerprint()
    summary = []
    for spec in specs:
        fp = {
            "source": _sha_file(root / "analysis" / spec.source),
            "params": hashlib.sha256(json.dumps(resolved[spec.name], sort_keys=True, default=str).encode()).hexdigest(),
            "package": pkg,
            "data": data_fingerprint(spec.name, resolved[spec.name], root),
        }
        state_file = _state_path(root, spec.name)
        old = _read_state(state_file, root)
        if not force and old and old.get("fingerprint") == fp and _outputs_present(root, spec):
            print(f"skip {spec.name}: unchanged since {old.get('finished')} (source, parameters, package, data)")
            summary.append((spec.name, "skipped", 0.0))
            continue
        reason = "forced" if force else _why_stale(old, fp, root, spec)
        print(f"run  {spec.name} ({reason}) — analysis/{spec.source}, profile {profile}", flush=True)
        try:
            seconds = _execute(root, spec, resolved[spec.name], progress)
        except RunFailed as exc:
            print(f"mlplab run: FAILED {exc}", file=sys.stderr)
            return 1
        _write_json_atomic(state_file, {
            "fingerprint": fp, "profile": profile, "params": resolved[spec.name], "seconds": round(seconds, 1),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"), "version": mlplab.__version__,
        })
        print(f"done {spec.name} in {seconds:.1f} s", flush=True)
        summary.append((spec.name, "ran", seconds))
    for line in stale_readers(specs, [name for name, what, _ in summary if what == "ran"]):
        print(line)
    last = root / "report" / "_results" / ".state" / "last_profile"
    last.parent.mkdir(parents=True, exist_ok=True)
    last.write_text(profile + "\n")
    from mlplab import pages

    pages.write_generated_pages(root)
    return 0


def stale_readers(specs, ran: list[str]) -> list[str]:
    """One line per notebook left out of this run that reads results this run rewrote (a lab's conclusions after
    `--only` a chapter): `mlplab render` would otherwise show conclusions older than the chapter before them."""
    chosen = {s.name for s in specs}
    out = []
    for spec in P.NOTEBOOKS:
        changed = [n for n in spec.needs if n in ran]
        if spec.name not in chosen and changed:
            out.append(f"note: {spec.name} reads {', '.join(f'{n}.json' for n in changed)}, rewritten by this run; "
                       f"refresh it with `mlplab run --only {spec.name}` (or `mlplab run`) before rendering")
    return out


def _why_stale(old: dict | None, fp: dict, root: Path, spec: P.NotebookSpec) -> str:
    if not old:
        return "no previous run"
    changed = [k for k in ("source", "params", "package", "data") if old.get("fingerprint", {}).get(k) != fp[k]]
    if not changed and not _outputs_present(root, spec):
        return "outputs missing"
    return "changed: " + ", ".join(changed)
