"""Predictive maintenance (Kaggle shivamb/... or UCI AI4I 2020): load either into one canonical frame.

Canonical columns: udi, product_id, type, air_temperature_k, process_temperature_k,
rotational_speed_rpm, torque_nm, tool_wear_min, target, failure_type (see LABEL_RULE).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import polars as pl

from mlplab.errors import UserError
from mlplab.data import validate as v
from mlplab.data.io import csv_bytes, display_path, read_header, read_table, sha256_file
from mlplab.data.labels import FAILURE_TYPES, FLAG_PRIORITY, LABEL_RULE, priority_failure_type
from mlplab.data.provenance import Loaded, Provenance
from mlplab.data.resolve import DatasetSpec, half_of, locate
from mlplab.data.maintenance_generator import GENERATOR_VERSION, synth_maintenance

KAGGLE_HANDLE = "shivamb/machine-predictive-maintenance-classification"
FILE_NAMES = ("predictive_maintenance.csv", "ai4i2020.csv")
FEATURES = ("air_temperature_k", "process_temperature_k", "rotational_speed_rpm", "torque_nm", "tool_wear_min")
BASE = ("udi", "product_id", "type", *FEATURES)
CANONICAL = (*BASE, "target", "failure_type")
FLAGS = ("TWF", "HDF", "PWF", "OSF", "RNF")
TYPES = ("L", "M", "H")
ALIASES = {
    "product": "product_id", "productid": "product_id",
    "air_temperature": "air_temperature_k", "process_temperature": "process_temperature_k",
    "rotational_speed": "rotational_speed_rpm", "torque": "torque_nm", "tool_wear": "tool_wear_min",
    "failuretype": "failure_type",
}


def _is_kaggle(cols: set[str]) -> bool:
    return set(BASE) | {"target", "failure_type"} <= {ALIASES.get(c, c) for c in cols}


def _is_uci(cols: set[str]) -> bool:
    return set(BASE) | {"machine_failure", *(f.lower() for f in FLAGS)} <= {ALIASES.get(c, c) for c in cols}


def _is_maintenance(cols: set[str]) -> bool:
    return _is_kaggle(cols) or _is_uci(cols)


def _looks_like_maintenance(cols: set[str]) -> bool:
    canon = {ALIASES.get(c, c) for c in cols}
    return half_of((*BASE, "target", "failure_type"))(canon) or half_of((*BASE, "machine_failure"))(canon)


def _check_columns(raw: pl.DataFrame, path: Path) -> tuple[pl.DataFrame, dict[str, str], str]:
    """Canonical names, the layout (Kaggle or UCI) and its required columns: what a header alone can fail."""
    df, original = v.rename_canonical(raw, path, ALIASES)
    cols = set(df.columns)
    layout = "uci" if not _is_kaggle(cols) and "machine_failure" in cols else "kaggle"
    labels = ("target", "failure_type") if layout == "kaggle" else ("machine_failure", *(f.lower() for f in FLAGS))
    v.require_columns(df, BASE + labels, path,
                      "predictive maintenance (Kaggle layout; a UCI file needs 'Machine failure' and TWF,HDF,PWF,OSF,RNF)")
    return df, original, layout


def check_header(path: Path) -> None:
    """The header checks of `normalize_maintenance` without reading the rows (UserError naming the file)."""
    cols = read_header(path)
    _check_columns(pl.DataFrame(schema=dict.fromkeys(cols, pl.String)), path)


EMBEDDED_SEED = 0
SPEC = DatasetSpec(name="maintenance", handle=KAGGLE_HANDLE, names=FILE_NAMES, accepts=_is_maintenance,
                   looks_like=_looks_like_maintenance, check_header=check_header,
                   columns=",".join(CANONICAL) + " (or the UCI flags)",
                   embedded=f"synth_maintenance generator v{GENERATOR_VERSION} seed {EMBEDDED_SEED}")


def normalize_maintenance(raw: pl.DataFrame, path: Path) -> tuple[pd.DataFrame, dict]:
    """Validate a string-typed Kaggle or UCI table; return the canonical frame and a report."""
    df, original, layout = _check_columns(raw, path)
    df = v.numeric(df, ("udi", *FEATURES), path, original)
    v.integral(df, "udi", path, original)
    v.non_negative(df, FEATURES, path, original)
    df = v.categorical(df, "type", TYPES, path, original)
    pid = df["product_id"].str.strip_chars()
    if (pid.is_null() | (pid == "")).any():
        i = int((pid.is_null() | (pid == "")).arg_true()[0])
        raise UserError(f"{path}: column {original['product_id']!r} is empty at data row {i + 1} (line {i + 2})")
    df = df.with_columns(pid.alias("product_id"))

    if layout == "kaggle":
        df = v.numeric(df, ("target",), path, original)
        _binary(df, "target", path, original)
        df = v.categorical(df, "failure_type", FAILURE_TYPES, path, original)
    else:
        flags = tuple(f.lower() for f in FLAGS)
        df = v.numeric(df, ("machine_failure", *flags), path, original)
        for col in ("machine_failure", *flags):
            _binary(df, col, path, original)
        flag_frame = pd.DataFrame({f: df[f.lower()].to_numpy() for f, _ in FLAG_PRIORITY})
        df = df.with_columns(pl.col("machine_failure").alias("target"),
                             pl.Series("failure_type", priority_failure_type(flag_frame).tolist(), dtype=pl.String))

    df = df.select(CANONICAL)
    warnings: list[str] = []
    n0 = df.height
    df = df.unique(maintain_order=True)
    dups = n0 - df.height
    if dups:
        warnings.append(f"{dups} duplicate rows dropped")

    frame = df.to_pandas()
    frame = frame.astype({"udi": "int64", "product_id": "str", "type": "str", "target": "int64",
                          "failure_type": "str", **{c: "float64" for c in FEATURES}})
    frame = frame.reset_index(drop=True)
    inconsistent = label_inconsistencies(frame)
    n_bad = inconsistent["failure_type_with_target_0"] + inconsistent["target_1_with_no_failure"]
    if n_bad:
        warnings.append(
            f"{n_bad} rows where target and failure_type disagree "
            f"({inconsistent['failure_type_with_target_0']} failure type with target 0, "
            f"{inconsistent['target_1_with_no_failure']} target 1 with 'No Failure'); kept, failure_type as given"
        )
    report = {
        "layout": "Kaggle predictive_maintenance.csv" if layout == "kaggle" else "UCI ai4i2020.csv (flags -> failure_type)",
        "duplicates_dropped": dups,
        "class_counts": {t: int((frame["failure_type"] == t).sum()) for t in FAILURE_TYPES},
        "label_inconsistencies": inconsistent,
        "label_rule": LABEL_RULE,
        "warnings": warnings,
    }
    return frame, report


def _binary(df: pl.DataFrame, col: str, path: Path, original: dict[str, str]) -> None:
    bad = ~df[col].is_in([0.0, 1.0])
    if bad.any():
        i = int(bad.arg_true()[0])
        raise UserError(f"{path}: column {original.get(col, col)!r} has value {df[col][i]} at data row {i + 1} "
                        f"(line {i + 2}); expected 0 or 1")


def label_inconsistencies(frame: pd.DataFrame) -> dict:
    """Rows where the binary target and the failure type disagree (the real Kaggle file has 27)."""
    typed_ok = (frame["failure_type"] != "No Failure") & (frame["target"] == 0)
    silent = (frame["failure_type"] == "No Failure") & (frame["target"] == 1)
    return {
        "failure_type_with_target_0": int(typed_ok.sum()),
        "target_1_with_no_failure": int(silent.sum()),
        "rows": frame.loc[typed_ok | silent, "udi"].astype(int).tolist(),
    }


def load_maintenance(path: str | Path | None = None) -> Loaded:
    """Load the maintenance table: `path`, else the data dir, else kagglehub, else the embedded default
    (only when no candidate file exists; a candidate that fails validation raises a UserError)."""
    src = locate(SPEC, path)
    file = src.path
    if file is None:
        raw = synth_maintenance(seed=EMBEDDED_SEED)
        data = csv_bytes(raw)
        name = f"embedded:synth_maintenance(seed={EMBEDDED_SEED})"
        frame, report = normalize_maintenance(pl.from_pandas(raw.astype(str)), Path(name))
        report["warnings"].insert(0, "SYNTHETIC embedded default: no maintenance file found (" + "; ".join(src.notes) + ")")
        prov = Provenance(source="embedded", path=name, rows=len(frame), sha256=hashlib.sha256(data).hexdigest(),
                          synthetic=True, note=f"synthetic AI4I 2020 process (UCI rules), 10,000 rows, "
                                               f"generator v{GENERATOR_VERSION}")
    else:
        frame, report = normalize_maintenance(read_table(file), file)
        prov = Provenance(source=src.kind, path=display_path(file), rows=len(frame), sha256=sha256_file(file),
                          synthetic=False, note="; ".join(([src.version] if src.version else []) + list(src.notes)))
    report.update({"rows": int(len(frame)), "columns": list(frame.columns)})
    return Loaded(frame=frame, provenance=prov, report=report, file=None if file is None else file.resolve())
