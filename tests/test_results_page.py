"""The results page: the claims table's verdicts exactly, counted right, the sections as built, and the
build's wall time and training cost from the files themselves."""

import os

import pytest

from fieldvae.cli import main
from fieldvae.core.io import load_rows
from fieldvae.paper.claims import claims
from fieldvae.paper.claims_table import write
from fieldvae.paper.results_page import (training_core_minutes, verdict_counts,
                                         wall_seconds)


def runs(experiment, n, k=0):
    return [{"experiment": experiment, "run": f"seed{i}", "disentangled": i < k, "over_regularised": False,
             "code_angle": 40.0, "s_d": 0.8, "s_kl": 1.0, "diagonal_share": 0.5, "nll_per_pixel": -1.0, "rate": 2.0}
            for i in range(n)]


@pytest.fixture
def built(tmp_path):
    """A claims table, an LJ table and a protocol table, two datasets and two training benchmarks,
    with file times an hour and a half apart."""
    table = claims(runs("mixture", 10) + runs("mixture_hierarchical", 10, k=6), 512)
    write(tmp_path / "claims.csv", tmp_path / "claims.md", table, "tiny")
    (tmp_path / "lj.md").write_text("# Lennard-Jones (tiny)\n\n| set | AUC |\n|---|---|\n| gamma 3 | 0.9 |\n")
    (tmp_path / "protocol.md").write_text("# Protocol study\n\n| protocol | verdict |\n|---|---|\n| scale | reproduced |\n")
    for name, seconds in (("a.tsv", 120.0), ("b.tsv", 60.0)):
        (tmp_path / name).write_text(f"s\th:m:s\tmax_rss\n{seconds}\t0:02:00\t100\n")
    for name in ("d1.npz", "d2.npz"):
        (tmp_path / name).write_bytes(b"")
    start = 1_700_000_000
    os.utime(tmp_path / "d1.npz", (start, start))
    os.utime(tmp_path / "d2.npz", (start + 60, start + 60))
    for name in ("claims.csv", "lj.md", "protocol.md"):
        os.utime(tmp_path / name, (start + 5400, start + 5400))
    return tmp_path, table


def test_the_page_holds_every_claim_with_its_verdict_and_the_build(built):
    root, table = built
    assert main(["results-page", "--scale", "tiny", "--claims", str(root / "claims.csv"), "--lj-table",
                 str(root / "lj.md"), "--protocol-study", str(root / "protocol.md"), "--datasets",
                 str(root / "d1.npz"), str(root / "d2.npz"), "--benchmarks", str(root / "a.tsv"), str(root / "b.tsv"),
                 "--out", str(root / "RESULTS.md")]) == 0
    page = (root / "RESULTS.md").read_text()
    for row in load_rows([root / "claims.csv"]):
        assert f"| {row['id']} | {row['claim']} |" in page and f"| {row['verdict']} |" in page
    counts = verdict_counts(table)
    assert sum(counts.values()) == len(table) and counts["not measured"] > 0 and counts["reproduced"] > 0
    assert "Verdicts: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + "." in page
    assert "1 h 30 min" in page and "training: 3 core-minutes in 2 runs" in page
    assert "## Lennard-Jones anomaly detection\n\n| set | AUC |" in page and "# Lennard-Jones (tiny)" not in page
    assert "## Protocol study" in page and "| scale | reproduced |" in page
    assert "logical cores, GPU:" in page and "commit `" in page


def test_wall_time_and_training_cost_come_from_the_files(built):
    root, _ = built
    assert wall_seconds([root / "d2.npz", root / "d1.npz"], [root / "lj.md", root / "claims.csv"]) == 5400
    assert training_core_minutes([root / "a.tsv", root / "b.tsv"]) == pytest.approx(3.0)


def test_without_a_protocol_study_the_page_has_no_such_section(built):
    root, _ = built
    assert main(["results-page", "--scale", "tiny", "--claims", str(root / "claims.csv"), "--lj-table",
                 str(root / "lj.md"), "--datasets", str(root / "d1.npz"), "--benchmarks", str(root / "a.tsv"),
                 "--out", str(root / "RESULTS.md")]) == 0
    assert "Protocol study" not in (root / "RESULTS.md").read_text()
