"""Maintenance loader: Kaggle and UCI layouts derived from the real sample, label checks, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlplab.data import FAILURE_TYPES, LABEL_RULE, load_maintenance
from mlplab.data.labels import FLAG_PRIORITY
from mlplab.errors import UserError

from conftest import ROOT

CANONICAL = ["udi", "product_id", "type", "air_temperature_k", "process_temperature_k", "rotational_speed_rpm",
             "torque_nm", "tool_wear_min", "target", "failure_type"]
# Class counts of the committed sample (tests/data/SOURCE.md; counted once from the file): every
# failure class, with all 18 Random Failures rows and all 27 rows whose Target and Failure Type disagree.
SAMPLE_COUNTS = {"No Failure": 259, "Heat Dissipation Failure": 30, "Power Failure": 30,
                 "Overstrain Failure": 30, "Tool Wear Failure": 25, "Random Failures": 18}
FLAG_OF = {name: flag for flag, name in FLAG_PRIORITY}


@pytest.fixture
def raw(maintenance_sample) -> pd.DataFrame:
    return pd.read_csv(maintenance_sample, dtype=str)


def _write(df: pd.DataFrame, path, sep=",", bom=False):
    path.write_bytes(("\ufeff" if bom else "").encode() + df.to_csv(index=False, sep=sep).encode())
    return path


def _to_uci(raw: pd.DataFrame) -> pd.DataFrame:
    """The UCI layout: 'Machine failure' plus one 0/1 flag per failure mode."""
    uci = raw.drop(columns=["Target", "Failure Type"]).copy()
    uci["Machine failure"] = raw["Target"]
    for flag, name in FLAG_PRIORITY:
        uci[flag] = (raw["Failure Type"] == name).astype(int).astype(str)
    return uci[[*uci.columns[:8], "Machine failure", "TWF", "HDF", "PWF", "OSF", "RNF"]]


def test_real_sample(maintenance_sample, monkeypatch):
    monkeypatch.setenv("MLPLAB_ROOT", str(ROOT))
    ld = load_maintenance(maintenance_sample)
    f, r = ld.frame, ld.report
    assert list(f.columns) == CANONICAL and len(f) == 392
    assert f["udi"].dtype == np.int64 and f["target"].dtype == np.int64
    assert all(f[c].dtype == np.float64 for c in CANONICAL[3:8])
    assert set(f["type"]) == {"L", "M", "H"} and set(f["failure_type"]) == set(FAILURE_TYPES)
    assert r["class_counts"] == SAMPLE_COUNTS
    li = r["label_inconsistencies"]
    # the same 27 disagreeing rows as the full file: 18 Random Failures with Target 0, 9 'No Failure' with Target 1
    assert (li["failure_type_with_target_0"], li["target_1_with_no_failure"]) == (18, 9)
    assert len(li["rows"]) == 27 and li["rows"][:3] == [1222, 1303, 1438] and li["rows"][-1] == 9016
    bad = f[f["udi"].isin(li["rows"])]
    assert ((bad["target"] == 1) == (bad["failure_type"] == "No Failure")).all()
    assert set(bad.loc[bad["target"] == 0, "failure_type"]) == {"Random Failures"}
    assert r["label_rule"] == LABEL_RULE and "failure_type" in LABEL_RULE and "dropped" in LABEL_RULE
    assert any("27 rows where target and failure_type disagree" in w for w in r["warnings"])
    p = ld.provenance
    assert p.source == "file" and not p.synthetic and p.rows == 392
    assert p.path == "tests/data/predictive_maintenance.csv" and ld.file == maintenance_sample.resolve()
    first = f.iloc[0]
    assert (first["udi"], first["product_id"], first["torque_nm"]) == (62, "M14921", 38.2)


def test_uci_layout_maps_flags(raw, tmp_path, maintenance_sample):
    ld = load_maintenance(_write(_to_uci(raw), tmp_path / "ai4i2020.csv"))
    ref = load_maintenance(maintenance_sample).frame
    pd.testing.assert_frame_equal(ld.frame, ref)
    assert ld.report["layout"].startswith("UCI")


def test_uci_priority_when_several_flags(raw, tmp_path):
    uci = _to_uci(raw.head(6))
    uci.loc[0, ["Machine failure", "HDF", "PWF"]] = "1"  # PWF wins over HDF
    uci.loc[1, ["Machine failure", "OSF", "TWF"]] = "1"  # TWF wins over OSF
    uci.loc[2, ["Machine failure"]] = "1"  # no flag: 'No Failure', counted as an inconsistency
    uci.loc[3, ["RNF"]] = "1"  # flag without machine failure: kept, counted
    f = load_maintenance(_write(uci, tmp_path / "u.csv")).frame
    assert f["failure_type"].tolist()[:4] == ["Power Failure", "Tool Wear Failure", "No Failure", "Random Failures"]
    ld = load_maintenance(_write(uci, tmp_path / "u.csv"))
    # rows 3 and 4 of the sample are UDI 84 and 94
    assert ld.report["label_inconsistencies"] == {"failure_type_with_target_0": 1, "target_1_with_no_failure": 1,
                                                  "rows": [84, 94]}


@pytest.mark.parametrize("variant", ["renamed", "lower_snake", "tab", "bom"])
def test_variants(variant, raw, tmp_path, maintenance_sample):
    v, sep, bom = raw.head(300).copy(), ",", False
    if variant == "renamed":
        v.columns = [c.replace(" ", "_") for c in v.columns]  # Air_temperature_[K], Product_ID, ...
        assert "Air_temperature_[K]" in v.columns and "Product_ID" in v.columns
    elif variant == "lower_snake":
        v.columns = ["udi", "product_id", "type", "air_temperature_k", "process_temperature_k",
                     "rotational_speed_rpm", "torque_nm", "tool_wear_min", "target", "failure_type"]
    elif variant == "tab":
        sep = "\t"
    else:
        bom = True
    f = load_maintenance(_write(v, tmp_path / "x.csv", sep=sep, bom=bom)).frame
    pd.testing.assert_frame_equal(f, load_maintenance(maintenance_sample).frame.head(300))


def test_duplicates_dropped(raw, tmp_path):
    v = pd.concat([raw.head(50), raw.iloc[[3, 4, 5]]])
    ld = load_maintenance(_write(v, tmp_path / "d.csv"))
    assert len(ld.frame) == 50 and ld.report["duplicates_dropped"] == 3
    assert "3 duplicate rows dropped" in ld.report["warnings"]


def test_missing_columns_all_named(raw, tmp_path):
    p = _write(raw.drop(columns=["Torque [Nm]", "Failure Type"]).head(5), tmp_path / "m.csv")
    with pytest.raises(UserError) as e:
        load_maintenance(p)
    assert "m.csv: missing required column(s) torque_nm, failure_type" in str(e.value)


@pytest.mark.parametrize("col,value,pattern", [
    ("Type", "X", r"column 'Type' has unknown value 'X' at data row 4 .* expected one of L, M, H"),
    ("Failure Type", "Meltdown", r"column 'Failure Type' has unknown value 'Meltdown' at data row 4"),
    ("Torque [Nm]", "-3.2", r"column 'Torque \[Nm\]' has negative value -3.2 at data row 4"),
    ("Rotational speed [rpm]", "fast", r"column 'Rotational speed \[rpm\]' has non-numeric value 'fast' at data row 4"),
    ("Target", "2", r"column 'Target' has value 2.0 at data row 4 \(line 5\); expected 0 or 1"),
    ("UDI", "3.5", r"column 'UDI' has non-integer value 3.5"),
])
def test_bad_values_name_column_and_row(col, value, pattern, raw, tmp_path):
    v = raw.head(10).copy()
    v.loc[3, col] = value
    with pytest.raises(UserError, match=r"bad\.csv: " + pattern):
        load_maintenance(_write(v, tmp_path / "bad.csv"))


def test_header_only_and_empty(tmp_path, raw):
    p = tmp_path / "h.csv"
    p.write_text(",".join(raw.columns) + "\n")
    with pytest.raises(UserError, match=r"h\.csv: has a header but no data rows"):
        load_maintenance(p)
    e = tmp_path / "e.csv"
    e.write_bytes(b"")
    with pytest.raises(UserError, match=r"e\.csv: file is empty"):
        load_maintenance(e)
