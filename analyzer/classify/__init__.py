"""Trained clause classifiers (scikit-learn), saved and loaded with skops."""
