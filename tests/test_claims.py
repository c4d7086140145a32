"""The claims table on synthetic runs whose verdicts are known."""

import math

import numpy as np
import pytest
from conftest import settings_of

from fieldvae.core import stats
from fieldvae.core.io import load_rows
from fieldvae.paper.claim_measures import has_dip
from fieldvae.paper.claims import CLAIMS, claims
from fieldvae.paper.claims_table import COLUMNS, RULES, write
from fieldvae.paper.run_ids import one_percent_labels


def run(experiment, name, **scores):
    row = {"experiment": experiment, "run": name, **settings_of(name), "s_d": 0.8, "s_d_factors": 0.95, "axis_share": 0.6,
           "diagonal_share": 0.6, "code_angle": 40.0, "disentangled": False, "over_regularised": False, "s_kl": 1.0,
           "nll_per_pixel": -1.0, "rate": 2.0}
    return row | scores


def group(experiment, n, flag=None, k=0, **scores):
    """n runs of an experiment, the first k of them with `flag` set."""
    return [run(experiment, f"seed{i}", **({flag: i < k} if flag else {}), **scores) for i in range(n)]


def by_id(rows, n_train=512, **inputs):
    return {row["id"]: row for row in claims(rows, n_train, **inputs)}


def test_every_claim_has_a_row_with_every_column_and_missing_inputs_are_not_measured():
    table = claims([], 512)
    assert [row["id"] for row in table] == list(CLAIMS)
    assert all(set(COLUMNS) <= set(row) for row in table)
    assert {row["verdict"] for row in table} == {"not measured"}
    assert by_id([])["C4"]["how"] == "no runs of experiment 'mixture_hierarchical'"
    assert by_id([])["C1"]["trials_for_80pct_power"] == 16  # the plan is shown before anything is measured
    sweep = [run("beta_sweep", f"beta{b}_seed0", over_regularised=True) for b in (1, 0.1)]
    row = by_id(sweep)["C7"]
    assert row["verdict"] == "not measured" and "no beta between 5 and 100" in row["how"]


def test_half_with_hp_against_none_without_is_reproduced():
    table = by_id(group("mixture_hierarchical", 50, "disentangled", 25) + group("mixture", 50))
    assert table["C4b"]["verdict"] == "reproduced"
    assert table["C4b"]["p_reproduce"] < 1e-8 and table["C4b"]["p_contradict"] == 1.0
    assert table["C4"]["verdict"] == "reproduced" and table["C2"]["verdict"] == "reproduced"
    assert table["C4"]["measured"] == "25/50 = 0.50 [95% CI 0.37, 0.63]"


def test_too_few_trials_are_inconclusive_with_the_trials_that_would_do():
    table = by_id(group("mixture_hierarchical", 3) + group("mixture", 3))
    # 3/3 against 0/3 gives p = 0.016 alone, too much once Holm adjusts it among the table's other tests
    assert table["C4b"]["verdict"] == "undecidable at 3 vs 3 trials (decidable from 4 per arm)"
    assert table["C4b"]["trials_for_80pct_power"] == f"{stats.trials_two_sample(0.5, 0.0)} per arm" == "10 per arm"
    # 0/3 cannot reject a rate of 0.1, nor can any outcome of 3 trials; alone 0/29 would (0.9^28 > 0.05 > 0.9^29),
    # beside the table's other five tests, none significant, Holm asks 0.05/6: 0.9^45 > 0.0083 > 0.9^46
    assert sum(isinstance(r["p_reproduce"], float) for r in table.values()) == 6
    assert table["C3"]["verdict"] == "undecidable at 3 trials (decidable from 46)"
    assert table["C3"]["trials_for_80pct_power"] == 29


def test_hp_worse_than_standard_is_contradicted():
    table = by_id(group("mixture_hierarchical", 20) + group("mixture", 20, "disentangled", 10))
    assert table["C4b"]["verdict"] == "contradicted" and table["C4b"]["p_contradict"] < 0.001
    assert table["C4"]["verdict"] == "contradicted"  # 0/20 against the paper's 25/50
    assert table["C2"]["verdict"] == "contradicted"  # 10/20 against the paper's 0/50


def test_rate_claims_contradiction_takes_precedence_and_uses_the_paper_counts_or_margins():
    # 3/30 rejects the contrast 0.1? no matter: it is clearly below "roughly half" (a third at the least)
    table = by_id(group("mixture_hierarchical", 30, "disentangled", 3) + group("mixture", 50))
    assert table["C4"]["verdict"] == "contradicted" and table["C4"]["p_paper"] == "0.333 to 0.667 (margin)"
    assert table["C4"]["p_contradict"] == pytest.approx(2 * stats.binomial_test(3, 30, 1 / 3, "less"))
    assert table["C1"]["p_contradict"] == pytest.approx(stats.proportions_test(0, 50, 5, 50, "two-sided"))
    assert table["C1"]["p_paper"] == "5/50 (the paper's counts)"
    # a rate the paper states ("roughly half", "10% of 50") is contradicted from either side ...
    table = by_id(group("mixture_hierarchical", 50, "disentangled", 50) + group("mixture", 50, "over_regularised", 50))
    assert table["C4"]["verdict"] == "contradicted" and table["C1"]["verdict"] == "contradicted"
    # ... a bound ("many": at least half) only from the side of its contrast
    many = by_id([run("beta_sweep", f"beta10_seed{s}", over_regularised=True) for s in range(10)])
    assert many["C7"]["verdict"] == "reproduced" and many["C7"]["p_paper"] == "at least 0.5 (margin)"
    # "never" on shifted data (no count) is the margin 0.05, on mixture data the paper's 0/50; with one contrast
    # (0.25) both become decidable at the same n
    shifted, mixture = by_id(group("shifted", 10, "disentangled", 1)), by_id(group("mixture", 10, "disentangled", 1))
    assert shifted["C6a"]["p_paper"] == "at most 0.05 (margin)"
    # 1/10 is inconclusive, and 0/10, the best outcome, gives 0.75^10 = 0.056: ten trials cannot reproduce "never"
    assert shifted["C6a"]["verdict"] == "undecidable at 10 trials (decidable from 11)"  # the only test there
    # on mixture data C1 is tested too, so Holm asks 0.025 of C2's 0/n: 0.75^12 > 0.025 > 0.75^13
    assert mixture["C2"]["verdict"] == "undecidable at 10 trials (decidable from 13)"
    # 4/10 contradicts "never" although 10 trials cannot reproduce it: a right paper is never contradicted
    assert by_id(group("shifted", 10, "disentangled", 4))["C6a"]["verdict"] == "contradicted"
    assert by_id(group("shifted", 11))["C6a"]["verdict"] == "reproduced"  # 0.75^11 < 0.05


def test_verdicts_come_from_holm_adjusted_p_values():
    """0/50 against the paper's 5/50 contradicts it alone (p = 0.035), but not among the table's other tests:
    Holm multiplies the smallest of m p-values by m, the next by m - 1, ..., and never lowers one."""
    table = claims(group("mixture_hierarchical", 30, "disentangled", 3) + group("mixture", 50), 512)
    tested = [row for row in table if isinstance(row["p_contradict"], float)]
    c1 = next(row for row in table if row["id"] == "C1")
    assert c1["p_contradict"] < 0.05 <= c1["p_contradict_holm"] and c1["verdict"] == "inconclusive at 50 trials"
    assert all(row["p_contradict_holm"] >= row["p_contradict"] and row["p_reproduce_holm"] >= row["p_reproduce"]
               for row in tested)
    smallest = min(tested, key=lambda row: row["p_contradict"])
    assert smallest["p_contradict_holm"] == pytest.approx(min(1.0, len(tested) * smallest["p_contradict"]))
    assert stats.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_failed_hp_runs_near_45_degrees_against_the_rules_simulated_null():
    runs = (group("mixture_hierarchical", 4, "disentangled", 4, code_angle=2.0)
            + [run("mixture_hierarchical", f"seed{i}", code_angle=a) for i, a in enumerate([44, 38, 31, 42, 50, 58], 4)]
            + [run("mixture_hierarchical", "seed19", over_regularised=True, code_angle=5.0),
               run("mixture_hierarchical", "seed20", code_angle=math.nan)])
    row = by_id(runs, nulls={"mixture": 0.5})["C5"]
    assert row["measured"].startswith("6/7 ")  # disentangled, over-regularised runs left out; no angle: not near
    assert row["p_alt"] == "0.5" and row["p_reproduce"] == pytest.approx(8 / 128)  # the null, not a third
    row = by_id([r for r in runs if r["run"] != "seed20"], nulls={"mixture": 0.5})["C5"]
    assert row["measured"].startswith("6/6 ") and row["verdict"] == "reproduced"
    row = by_id(runs + [run("mixture_hierarchical", "seed21", code_angle=10.0),
                        run("mixture_hierarchical", "seed22", code_angle=80.0)], nulls={"mixture": 0.5})["C5"]
    assert row["measured"].startswith("6/9 ")  # 10 and 80 degrees are not within 15 of 45
    assert by_id(runs)["C5"]["verdict"] == "not measured" and "simulated null" in by_id(runs)["C5"]["how"]


def test_beta_sweep_counts_only_beta_between_5_and_100():
    runs = [run("beta_sweep", f"beta{b}_seed{s}", over_regularised=b >= 5)
            for b in (100, 10, 5, 1, 0.1) for s in range(3)]
    row = by_id(runs)["C7"]
    assert row["measured"].startswith("9/9 ") and "beta 5, 10, 100" in row["how"]
    assert row["verdict"] == "reproduced"


def test_has_dip():
    assert not has_dip([1000, 1000, 5, 3, 1, -2])  # clipped plateau, then down: no basin
    assert has_dip([1000, 1000, 1.0, 0.5, 1.2, -2])  # down into a basin, over a barrier, down
    assert not has_dip([1.0, 1.0005, 1.0, 2.0])  # a wiggle within the tolerance
    assert not has_dip([100, 99.5, 100]) and has_dip([100, 98, 100])  # walls must rise 1% of the floor's loss
    assert not has_dip([0.0, -0.0005, 0.0]) and has_dip([0.0, -0.002, 0.0])  # ... and 1e-3 near a loss of 0
    assert not has_dip([0, 1, 4, 9, 1000])  # rising out of the trained solution
    assert not has_dip([0, 1])


def test_landscape_claims():
    ts = np.linspace(0, 1, 11)
    basin = [1000, 1000, 3, 1, 0.5, 1, 2, 0, -1, -2, -3]
    lines = [{"init": i, "t": t, "loss": loss if i < 4 else 1000 * (1 - t)}
             for i in range(5) for t, loss in zip(ts, basin)]
    directions = [{"direction": d, "alpha": a, "loss": 10 * a**2} for d in range(60) for a in ts[::-1]]  # unsorted
    table = by_id([], lines=lines, directions=directions)
    assert table["C8"]["measured"].startswith("4/5 ")
    assert table["C8"]["verdict"] == "inconclusive at 5 trials"  # 4/5 rejects neither 0.5 nor "at least 0.9"
    assert table["C9"]["measured"].startswith("0/60 ") and table["C9"]["verdict"] == "reproduced"  # 0.75^60 < 0.05


def test_between_runs_is_undecidable_at_one_pair():
    between = [{"t": t, "loss": 1 + 4 * t * (1 - t), "s_d": 0.9 - 0.4 * t} for t in np.linspace(0, 1, 5)]
    row = by_id([], between=between)["C10"]
    assert row["verdict"] == "undecidable at 1 pair (no test decides it)"  # never reported as inconclusive
    assert row["reachable_at_n"] == "not simulated; no test"
    assert "barrier (highest interior loss above the higher end) 1" in row["measured"]
    assert "end S_D 0.900, 0.500" in row["measured"]


def test_rotation_sign_test():
    def study(drop):
        return [{"angle": a, "nll_per_pixel": -1.0, "reg_per_latent": 1.0 + a / 90, "reg_per_latent_diagonal": 1.0,
                 "s_d": 0.9 - drop * a / 100} for a in (0, 15, 30, 45, 60)]

    aligned = group("mixture_hierarchical", 8, "disentangled", 8)
    failed = [run("mixture_hierarchical", f"seed{i}") for i in range(8, 13)]
    rotations = [(f"mixture_hierarchical/seed{i}", study(1 if i < 8 else -1)) for i in range(13)]
    row = by_id(aligned + failed, rotations=rotations)["C11"]  # runs already near 45 degrees are left out
    assert row["verdict"] == "reproduced" and row["p_reproduce"] == pytest.approx(1 / 256)
    assert row["measured"].startswith("S_D lower at 45 than at 0 degrees in 8/8 ")
    assert "change of reg_per_latent mean 0.5" in row["measured"]
    row = by_id(aligned, rotations=[(f"mixture_hierarchical/seed{i}", study(-1)) for i in range(8)])["C11"]
    assert row["verdict"] == "contradicted"
    assert by_id(failed, rotations=rotations)["C11"]["verdict"] == "not measured"


def test_a_claim_without_a_count_model_whose_best_outcome_cannot_reproduce_it_is_undecidable():
    """The outcome most favourable to the paper, through the row's own test: every rotated run loses
    S_D. Two runs give at best p = 1/4, five give 1/32 (the only row with a test here, so no Holm)."""
    def study():
        return [{"angle": a, "s_d": 0.9 - a / 100} for a in (0, 45)]

    def c11(n):
        return by_id(group("standard", n, "disentangled", n), rotations=[(f"standard/seed{i}", study()) for i in range(n)])["C11"]
    assert c11(2)["verdict"] == "undecidable at 2 trials (decidable from 5)"
    assert c11(2)["reachable_at_n"] == "not simulated; reproduced out of reach"
    assert c11(5)["verdict"] == "reproduced" and c11(5)["reachable_at_n"] == "not simulated; reproduced reachable"
    # S_KL 3 vs 3 fully separated: Mann-Whitney's smallest p is 1/20, not below 0.05; 4 vs 4 gives 1/70
    # (twice that after Holm beside C12's row)
    runs = labelled([6], s_kl=lambda c, s: 0.1 + 0.01 * s) + [run("unlabelled", f"seed{i}", s_kl=2.0 + i) for i in range(3)]
    assert by_id(runs)["C15"]["verdict"] == "undecidable at 3 vs 3 trials (decidable from 4 per arm)"


def labelled(counts, seeds=3, **per_count):
    """Semi-supervised runs; per_count values are functions of (count, seed)."""
    return [run("semi_supervised", f"labels{c}_seed{s}", **{k: f(c, s) for k, f in per_count.items()})
            for c in counts for s in range(seeds)]


def test_label_claims_pick_the_paper_ranges():
    runs = labelled([1, 4, 8, 32, 128], seeds=10, disentangled=lambda c, s: c >= 4,
                    diagonal_share=lambda c, s: 0.97 if c == 32 else 0.5)
    table = by_id(runs)
    assert "at 8 labels (1.56%)" in table["C12"]["how"] and table["C12"]["verdict"] == "reproduced"  # 10/10 vs 0.5
    assert table["C12"]["p_paper"] == "at least 0.9 (margin)"
    assert "at 32 labels (6.25%)" in table["C13"]["how"] and table["C13"]["measured"].startswith("10/10 ")
    assert table["F14b"]["verdict"] == "reproduced"  # 10/10 at 128 labels against 0/10 at 1
    assert by_id(labelled([1, 128]))["C13"]["verdict"] == "not measured"


def test_training_losses_against_labels():
    rng = np.random.default_rng(0)
    counts = [1, 4, 8, 32, 128]
    runs = labelled(counts, seeds=30, nll_per_pixel=lambda c, s: -1 + 0.02 * rng.standard_normal(),
                    rate=lambda c, s: 2 + 0.3 * math.log2(c) + 0.1 * rng.standard_normal())
    flat = by_id(runs)
    assert flat["C14a"]["verdict"] == "reproduced"  # no trend, the slope tight inside the margin
    assert flat["C14b"]["verdict"] == "contradicted"  # 2.1 over the sweep against a margin of 0.5
    # "unaffected": at most 0.1 nats per pixel over the sweep's 7 doublings, whatever the scatter or the mean
    assert f"margin {0.1 / 7:.3g} = 0.1 over the sweep / 7 doublings" in flat["C14a"]["measured"]
    shifted = by_id([{**r, "nll_per_pixel": r["nll_per_pixel"] + 5.0} for r in runs])
    assert shifted["C14a"]["verdict"] == flat["C14a"]["verdict"] and shifted["C14a"]["p_reproduce"] == \
        pytest.approx(flat["C14a"]["p_reproduce"])  # a constant added to the loss changes nothing
    scatter = float(flat["C14a"]["measured"].rsplit("SD ", 1)[1])
    needed = stats.seeds_for_flat_slope(np.log2(counts), 0.1 / 7 / scatter)
    assert flat["C14a"]["trials_for_80pct_power"] == f"{needed} runs per label count"
    assert flat["F14a"]["verdict"].startswith("inconclusive")  # S_D constant
    few = by_id(labelled([1, 128], seeds=2, nll_per_pixel=lambda c, s: -1 + 0.1 * s))
    assert few["C14a"]["verdict"] == "inconclusive at 4 trials"
    assert by_id(labelled([8], seeds=3))["C14a"]["verdict"] == "not measured"


def test_disentanglement_score_rises_with_labels():
    row = by_id(labelled([1, 4, 16, 64], s_d=lambda c, s: 0.6 + 0.05 * math.log2(c) + 0.01 * s))["F14a"]
    assert row["verdict"] == "reproduced" and "slope 0.05 per doubling" in row["measured"]


def test_s_kl_with_labels_against_runs_without_labels():
    runs = (labelled([4, 6, 32], seeds=6, s_kl=lambda c, s: 0.1 + 0.01 * s) + group("unlabelled", 6, s_kl=2.0)
            + group("mixture", 6, s_kl=0.01))  # the standard prior's runs are not the contrast
    row = by_id(runs)["C15"]
    assert "at 6 labels (1.17%)" in row["how"]  # the first count at or above 1% of 512
    assert row["p_reproduce"] == pytest.approx(stats.mann_whitney([0.1 + 0.01 * s for s in range(6)], [2.0] * 6, "less"))
    assert row["verdict"] == "reproduced" and "(no labels, 6 runs)" in row["measured"]
    assert by_id(labelled([8]))["C15"]["verdict"] == "not measured"  # no runs without labels
    assert by_id(labelled([1, 4]) + group("unlabelled", 3))["C15"]["verdict"] == "not measured"  # none >= 1%


def test_one_percent_is_the_first_label_count_at_or_above_it():
    assert one_percent_labels([1, 4, 6, 32], 512) == 6 and one_percent_labels([1, 16], 512) == 16 and one_percent_labels([1, 16], 100) == 1
    assert one_percent_labels([1, 2, 4], 512) is None and one_percent_labels([2], 32) == 2


def test_write_csv_and_markdown(tmp_path):
    table = claims(group("mixture_hierarchical", 3) + group("mixture", 3), 512)
    write(tmp_path / "claims.csv", tmp_path / "claims.md", table, "quick")
    back = load_rows([tmp_path / "claims.csv"])
    assert [r["id"] for r in back] == list(CLAIMS) and back[0]["verdict"] == table[0]["verdict"]
    md = (tmp_path / "claims.md").read_text().splitlines()
    assert md[0] == "# Claims of the paper against this pipeline (scale `quick`)" and md[2] == RULES
    assert len([line for line in md if line.startswith("| C") or line.startswith("| F")]) == len(CLAIMS)
    assert not list(tmp_path.glob(".*.part"))
