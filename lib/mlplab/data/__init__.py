"""Data layer: loaders for both datasets (file, kagglehub or embedded default), validation, generators."""

from mlplab.data.labels import FAILURE_TYPES, LABEL_RULE
from mlplab.data.maintenance import load_maintenance
from mlplab.data.nyse import load_nyse
from mlplab.data.provenance import Loaded, Provenance
from mlplab.data.maintenance_generator import synth_maintenance
from mlplab.data.nyse_generator import synth_nyse
from mlplab.data.sources import resolve_source

__all__ = ["FAILURE_TYPES", "LABEL_RULE", "Loaded", "Provenance", "load_maintenance", "load_nyse",
           "resolve_source", "synth_maintenance", "synth_nyse"]
