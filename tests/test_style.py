"""Figures a reader can read: the overlap check finds labels printed over each other, and figure 14's
label axes (the case that had them) are ticked at the runs' label counts without overlap."""

import matplotlib.pyplot as plt
import numpy as np

from fieldvae.core import style
from fieldvae.paper.plotting import fig14


def drawn(fig):
    fig.canvas.draw()
    return fig


def test_overlap_check_finds_minor_log_labels_printed_over_each_other():
    # figure 14's old left axis: a log axis over part of a decade labels every minor tick
    style.apply()
    fig, ax = plt.subplots(figsize=(3.4, 2.8))
    ax.plot([1 / 512, 32 / 512], [0, 1])
    ax.set_xscale("log")
    pairs = style.overlapping_texts(drawn(fig))
    assert pairs and all("10^{" in a and "10^{" in b for a, b in pairs)
    plt.close(fig)


def test_overlap_check_passes_separate_labels_and_sees_a_moved_one():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xticks([0, 1], ["left", "right"])
    ax.set_title("title")
    assert style.overlapping_texts(drawn(fig)) == []
    ax.text(0, -0.05, "over the tick", transform=ax.get_xaxis_transform(), ha="center", va="top")
    assert [set(pair) for pair in style.overlapping_texts(drawn(fig))] == [{"left", "over the tick"}]
    plt.close(fig)


def runs(counts, trials=3):
    rng = np.random.default_rng(0)
    history = {"nll_per_pixel": [1.0, 0.5], "reg_per_latent": [2.0, 1.0]}
    return [{"labels": c, "s_d": rng.uniform(0.5, 1), "s_d_factors": 0.75, "history": history}
            for c in counts for _ in range(trials)]


def test_fig14_names_the_label_counts_without_overlap():
    for counts, n in (([1, 4, 6, 32], 512), ([1, 2, 4, 8, 16, 32, 64, 128, 256, 512], 13120)):
        fig = drawn(fig14.draw(runs(counts), n))
        left, right = fig.axes[:2]
        assert [t.get_text().strip() for t in left.get_xticklabels()] == [f"{c}/{n}" for c in counts]
        assert [t.get_text().strip() for t in right.get_xticklabels()] == [str(c) for c in counts]
        assert style.overlapping_texts(fig) == []
        plt.close(fig)
