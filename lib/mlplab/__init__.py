"""mlplab: a reproducible deep-learning lab report (PyTorch MLPs, scikit-learn, Quarto)."""

__version__ = "0.1.0"
