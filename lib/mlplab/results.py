"""Compatibility name for the results contract, which lives in mlplab.experiment.schema."""

from mlplab.experiment.schema import (NOTEBOOKS, ResultsError, jsonable, read_results, results_path, validate,  # noqa: F401
                                      write_results)
