"""One look for every figure: paper-sized fonts, vector PDF, provenance in the PDF metadata."""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text  # noqa: E402
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


def overlapping_texts(fig: plt.Figure) -> list[tuple[str, str]]:
    """Pairs of visible, non-empty texts of one axes (tick labels, axis labels, title, legend and
    annotations) whose drawn boxes overlap: labels printed on top of each other are unreadable."""
    renderer = fig.canvas.get_renderer()
    pairs = []
    for ax in fig.axes:
        texts = [t for t in _drawn_texts(ax) if t.get_visible() and t.get_text().strip()]
        boxes = [t.get_window_extent(renderer) for t in texts]
        for i, j in ((i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))):
            if _shared_pixels(boxes[i], boxes[j]):
                pairs.append((texts[i].get_text(), texts[j].get_text()))
    return pairs


def _drawn_texts(ax) -> list:
    """The texts of `ax` that are drawn: tick labels only where their tick lies in the view (matplotlib
    keeps labelled ticks outside it, undrawn)."""
    ticks, shown = set(), []
    for axis in (ax.xaxis, ax.yaxis):
        low, high = sorted(axis.get_view_interval())
        slack = 1e-9 * max(abs(low), abs(high), 1.0)
        for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
            ticks.update((tick.label1, tick.label2))
            if low - slack <= tick.get_loc() <= high + slack:
                shown += [tick.label1, tick.label2]
    return [t for t in ax.findobj(matplotlib.text.Text) if t not in ticks] + shown


def _shared_pixels(a, b) -> bool:
    """Whether two boxes share more than a pixel each way (boxes that only touch do not overlap)."""
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 1 and min(a.y1, b.y1) - max(a.y0, b.y0) > 1


def save(fig: plt.Figure, path, provenance: dict) -> None:
    """Write `fig` to `path` atomically, the provenance record stored as the PDF's Subject; two texts
    of one axes drawn over each other are named in a warning on stderr (the figure's log)."""
    fig.canvas.draw()
    for a, b in overlapping_texts(fig):
        print(f"warning: {path}: overlapping text {a!r} and {b!r}", file=sys.stderr)
    metadata = {"Creator": "fieldvae", "Subject": json.dumps(provenance, sort_keys=True)}
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=str(path).rsplit(".", 1)[-1], metadata=metadata)
    plt.close(fig)


def save_figure(fig: plt.Figure, args) -> None:
    """Write a command's figure to its --out, with the command's parameters as the provenance. Figure
    commands import this where they draw, so no other command's code fingerprint covers plotting."""
    from fieldvae.core.cli_support import recorded_params
    from fieldvae.core.provenance import provenance

    save(fig, args.out, provenance(recorded_params(args)))
    print(f"wrote {args.out}", file=sys.stderr)
