"""Training (SPEC C): configuration in `config`, the loop in `trainer`, kept apart from the models."""
