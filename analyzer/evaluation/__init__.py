"""Evaluation of the pipeline and the trained models on labelled data."""
