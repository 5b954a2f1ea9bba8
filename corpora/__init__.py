"""Example documents written for this project (``examples/``) and readers for the public
corpus formats in ``../shared/corpora`` (one module per format)."""
