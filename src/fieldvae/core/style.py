"""One look for every figure: paper-sized fonts, vector PDF, provenance in the PDF metadata."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from fieldvae.core.io import atomic_path  # noqa: E402

TEXT_WIDTH = 7.0  # inches: a two-column journal page
FIELD_CMAP = "viridis"
DIVERGING_CMAP = "RdBu_r"


def apply() -> None:
    sns.set_theme(context="paper", style="white", font_scale=0.9)
    plt.rcParams.update({
        "figure.dpi": 150,
        "savefig.bbox": "tight",
        "savefig.pad_inches": 0.02,
        "pdf.fonttype": 42,  # embed TrueType fonts, editable in vector tools
        "image.interpolation": "nearest",
        "axes.titlesize": 8,
        "axes.labelsize": 8,
    })


def save(fig: plt.Figure, path, provenance: dict) -> None:
    """Write `fig` to `path` atomically, the provenance record stored as the PDF's Subject."""
    metadata = {"Creator": "fieldvae", "Subject": json.dumps(provenance, sort_keys=True)}
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=str(path).rsplit(".", 1)[-1], metadata=metadata)
    plt.close(fig)
