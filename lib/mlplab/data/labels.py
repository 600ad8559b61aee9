"""The maintenance label: failure types, the flag-to-type rule and the rule for disagreeing rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

FAILURE_TYPES = ("No Failure", "Heat Dissipation Failure", "Power Failure", "Overstrain Failure",
                 "Tool Wear Failure", "Random Failures")

# UCI flag -> Kaggle failure type, in priority order: when several flags are set the first wins.
# The order is the one the Kaggle file itself follows (rows meeting both the HDF and PWF rules are
# labelled Power Failure; rows meeting the OSF rule and another are labelled with the other).
FLAG_PRIORITY = (
    ("PWF", "Power Failure"),
    ("HDF", "Heat Dissipation Failure"),
    ("TWF", "Tool Wear Failure"),
    ("OSF", "Overstrain Failure"),
    ("RNF", "Random Failures"),
)

LABEL_RULE = (
    "The multi-class label is failure_type exactly as given in the file; target (Machine failure) is "
    "dropped from the features because it is the label itself, and udi and product_id are dropped as "
    "identifiers; rows where target and failure_type disagree are counted and kept with their "
    "failure_type unchanged (never relabelled or removed); UCI files get failure_type from the first "
    "set flag in the order PWF, HDF, TWF, OSF, RNF, and 'No Failure' when no flag is set."
)


def priority_failure_type(flags: pd.DataFrame) -> np.ndarray:
    """One failure type per row from 0/1 flag columns TWF, HDF, PWF, OSF, RNF (first in FLAG_PRIORITY wins)."""
    conditions = [flags[flag].astype(bool).to_numpy() for flag, _ in FLAG_PRIORITY]
    choices = [name for _, name in FLAG_PRIORITY]
    return np.select(conditions, choices, default="No Failure").astype(object)
