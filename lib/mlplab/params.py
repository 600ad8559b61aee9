"""Parameter profiles (params/<profile>.yml) and `--set` overrides, validated once at the edge.

A profile has one section per notebook (`regression`, `classification`, `comparison`). The keys a
notebook accepts, and their types, are those of its `parameters` cell (read with papermill), so the
notebook stays the single source of truth for its defaults (the full run).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from mlplab.errors import UserError


@dataclass(frozen=True)
class NotebookSpec:
    name: str        # results / profile section name
    source: str      # file name in analysis/
    module: str | None = None   # package module with an optional validate_params(dict)
    needs: tuple[str, ...] = ()  # notebooks whose results it reads (run first)
    lab: int = 1     # the book part it belongs to


# The book, in order: each lab's notebooks, its computed comparison/conclusions last. A lab adds its
# notebooks here (and a section per notebook to params/quick.yml and params/full.yml).
NOTEBOOKS: tuple[NotebookSpec, ...] = (
    NotebookSpec("regression", "01_regression_nyse.ipynb", "mlplab.regression", lab=1),
    NotebookSpec("classification", "02_classification_maintenance.ipynb", "mlplab.classification", lab=1),
    NotebookSpec("comparison", "03_comparison.ipynb", "mlplab.conclusions.lab1", needs=("regression", "classification"),
                 lab=1),
    NotebookSpec("california", "21_california.ipynb", "mlplab.california", lab=2),
    NotebookSpec("wildfire", "22_wildfire.ipynb", "mlplab.wildfire", lab=2),
    NotebookSpec("lab2_comparison", "23_lab2_conclusions.ipynb", "mlplab.conclusions.lab2",
                 needs=("california", "wildfire"), lab=2),
    NotebookSpec("fashion_mnist", "31_fashion_mnist.ipynb", "mlplab.fashion", lab=3),
    NotebookSpec("depth", "32_depth.ipynb", "mlplab.depth", lab=3),
    NotebookSpec("transfer", "34_transfer.ipynb", "mlplab.transfer", lab=3),
    NotebookSpec("lab3_conclusions", "33_lab3_conclusions.ipynb", "mlplab.conclusions.lab3",
                 needs=("fashion_mnist", "depth", "transfer"), lab=3),
    NotebookSpec("taxi_anomaly", "41_taxi_anomaly.ipynb", "mlplab.taxi", lab=4),
    NotebookSpec("air_quality", "42_air_quality.ipynb", "mlplab.airquality", lab=4),
    NotebookSpec("lab4_conclusions", "43_lab4_conclusions.ipynb", "mlplab.conclusions.lab4",
                 needs=("taxi_anomaly", "air_quality"), lab=4),
    NotebookSpec("imdb_sentiment", "51_imdb_sentiment.ipynb", "mlplab.imdb", lab=5),
    NotebookSpec("newsgroups", "52_newsgroups.ipynb", "mlplab.newsgroups", lab=5),
    NotebookSpec("lab5_conclusions", "53_lab5_conclusions.ipynb", "mlplab.conclusions.lab5",
                 needs=("imdb_sentiment", "newsgroups"), lab=5),
)
BY_NAME = {nb.name: nb for nb in NOTEBOOKS}


def notebook_defaults(path: Path) -> dict:
    """The `parameters` cell of a notebook as {name: default}, read with `ast` (literals only)."""
    import ast

    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as exc:  # noqa: BLE001 - any parse failure is a broken notebook file
        raise UserError(f"{path}: not a readable notebook ({exc})") from None
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if not cells:
        raise UserError(f"{path}: no code cell tagged 'parameters'")
    try:
        tree = ast.parse(cells[0].source)
    except SyntaxError as exc:
        raise UserError(f"{path}: parameters cell line {exc.lineno}: {exc.msg}") from None
    out = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else getattr(node, "target", None)
        if not isinstance(target, ast.Name) or getattr(node, "value", None) is None:
            continue
        try:
            out[target.id] = ast.literal_eval(node.value)
        except ValueError:
            raise UserError(f"{path}: parameter {target.id!r} must have a literal default") from None
    return out


def load_profile(params_dir: Path, profile: str) -> dict[str, dict]:
    path = params_dir / f"{profile}.yml"
    if not path.exists():
        known = sorted(p.stem for p in params_dir.glob("*.yml"))
        raise UserError(f"--profile {profile!r}: no file {path} (known profiles: {', '.join(known) or 'none'})")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" line {line + 1}" if line is not None else ""
        raise UserError(f"{path}{where}: not valid YAML") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of notebook sections (regression, classification, comparison)")
    unknown = [k for k in data if k not in BY_NAME]
    if unknown:
        raise UserError(f"{path}: unknown section {unknown[0]!r}; expected one of {', '.join(BY_NAME)}")
    for k, v in data.items():
        if v is None:
            data[k] = {}
        elif not isinstance(v, dict):
            raise UserError(f"{path}: section {k!r} must be a mapping of parameter: value")
        else:
            data[k] = coerce(v)
    return data


_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$")


def coerce(value):
    """YAML 1.1 reads `1e-3` as a string; scientific notation is a number here."""
    if isinstance(value, str) and _FLOAT.match(value.strip()):
        return float(value)
    if isinstance(value, list):
        return [coerce(v) for v in value]
    if isinstance(value, dict):
        return {k: coerce(v) for k, v in value.items()}
    return value


def parse_override(text: str) -> tuple[str | None, str, object]:
    """`key=value` or `notebook.key=value`; the value is typed by YAML (`[1, 2]`, `0.01`, `true`)."""
    if "=" not in text:
        raise UserError(f"--set {text!r}: expected KEY=VALUE (e.g. --set epochs=100)")
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key:
        raise UserError(f"--set {text!r}: empty parameter name before '='")
    try:
        value = coerce(yaml.safe_load(raw)) if raw.strip() else ""
    except yaml.YAMLError:
        raise UserError(f"--set {key}: value {raw!r} is not valid YAML") from None
    target = None
    if "." in key:
        target, key = key.split(".", 1)
        if target not in BY_NAME:
            raise UserError(f"--set {text!r}: unknown notebook {target!r}; expected one of {', '.join(BY_NAME)}")
    return target, key, value


def _type_ok(default, value) -> bool:
    if default is None or value is None:
        return True
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list):
        return isinstance(value, list)
    if isinstance(default, dict):
        return isinstance(value, dict)
    return True


def _type_name(default) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a mapping"}.get(type(default), type(default).__name__)


def resolve(specs, defaults: dict[str, dict], profile_data: dict[str, dict], overrides: list[str],
            profile: str) -> dict[str, dict]:
    """Merge defaults ← profile ← overrides for every selected notebook and validate everything first."""
    resolved = {}
    for spec in specs:
        params = dict(defaults[spec.name])
        for key, value in profile_data.get(spec.name, {}).items():
            if key not in params:
                raise UserError(f"params/{profile}.yml: {spec.name}.{key} is not a parameter of "
                                f"analysis/{spec.source} (known: {', '.join(sorted(params))})")
            params[key] = value
        if "profile" in params:
            params["profile"] = profile
        resolved[spec.name] = params
    for text in overrides:
        target, key, value = parse_override(text)
        targets = [target] if target else [s.name for s in specs if key in resolved[s.name]]
        if target and target not in resolved:
            raise UserError(f"--set {text!r}: notebook {target!r} is not selected by --only")
        if not targets or (target and key not in resolved[target]):
            where = target or "/".join(s.name for s in specs)
            raise UserError(f"--set {key}: unknown parameter for {where}")
        for t in targets:
            resolved[t][key] = value
    for spec in specs:
        params = resolved[spec.name]
        for key, value in params.items():
            default = defaults[spec.name].get(key)
            if not _type_ok(default, value):
                raise UserError(f"{spec.name}.{key}: expected {_type_name(default)}, got {value!r}")
        _module_validate(spec, params)
    return resolved


def _module_validate(spec: NotebookSpec, params: dict) -> None:
    if not spec.module:
        return
    try:
        mod = importlib.import_module(spec.module)
    except ImportError:
        return
    check = getattr(mod, "validate_params", None)
    if check is None:
        return
    try:
        check(params)
    except UserError as exc:
        raise UserError(f"{spec.name}: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise UserError(f"{spec.name}: {exc}") from None
