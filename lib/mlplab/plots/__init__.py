"""Every figure of the report, one style. Each function returns a matplotlib Figure.

Submodules by subject: style (the house style and save helper), eda_nyse, eda_maintenance,
curves (training curves), models (architecture diagrams), evaluation (residuals, confusion
matrices, ROC/PR), search (score vs parameter).
"""

from mlplab.plots.style import apply_style, new_figure, save_figure

__all__ = ["apply_style", "new_figure", "save_figure"]
