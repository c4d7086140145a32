"""The protocol study: protocols applied to schedules, its experiments, and its cells' counts, tests
and costs on tables whose answer is known."""

import pytest

from fieldvae.core.io import load_rows
from fieldvae.core.stats import proportions_test, wilson
from fieldvae.paper import protocol_study as ps
from fieldvae.paper.plotting import protocol_angles

PLAIN = {"epochs": 180, "recon_epochs": 60, "lr": [[0, 2e-3], [150, 1e-3]], "batch_size": 64}
STUDY = {"trials": 4, "pairs": {"mixture": ["mixture", "mixture_hierarchical"]},
         "protocols": {"scale": {}, "long": {"plain": {"recon_fraction": 0.62, "epochs_factor": 2},
                                             "hierarchical": {"lr_factor": 0.3}}}}
HIERARCHICAL = {"epochs": 400, "recon_epochs": 184, "lr": [[0, 1e-3], [300, 5e-4]], "batch_size": 64}
SCHEDULES = {"plain": PLAIN, "hierarchical": HIERARCHICAL}
BASE = {"mixture": {"dataset": "mixture", "prior": "standard", "schedule": "plain"},
        "mixture_hierarchical": {"dataset": "mixture", "prior": "hierarchical", "schedule": "hierarchical"},
        "standard": {"dataset": "standard", "prior": "standard", "schedule": "plain"}}
SCHEDULES_OF = {name: e["schedule"] for name, e in BASE.items()}


def test_a_protocol_changes_epochs_phase_and_rates_of_a_schedule():
    assert ps.protocol_schedule(SCHEDULES, "plain", {}) == PLAIN
    longer = ps.protocol_schedule(SCHEDULES, "plain", {"recon_fraction": 0.62, "epochs_factor": 2})
    assert (longer["epochs"], longer["recon_epochs"]) == (360, 223)  # 62% of 360
    assert longer["lr"] == [[0, 2e-3], [300, 1e-3]] and longer["batch_size"] == 64  # change points scale too
    slower = ps.protocol_schedule(SCHEDULES, "plain", {"lr_factor": 0.25})
    assert slower["lr"] == [[0, pytest.approx(5e-4)], [150, pytest.approx(2.5e-4)]] and slower["recon_epochs"] == 60
    assert ps.protocol_schedule(SCHEDULES, "plain", {"epochs_factor": 0.5})["recon_epochs"] == 30  # the phase keeps its share
    with pytest.raises(ValueError, match="protocol: unknown change recon_epochs; expected only"):
        ps.protocol_schedule(SCHEDULES, "plain", {"recon_epochs": 10})


def test_a_protocol_can_train_a_prior_on_another_schedule_and_reuse_an_unchanged_one():
    """Both priors on the hierarchical schedule: the standard prior trains it as a virtual experiment,
    the hierarchical prior's runs are the scale's own, and the angles pool each experiment once."""
    assert ps.protocol_schedule(SCHEDULES, "plain", {"schedule": "hierarchical"}) == HIERARCHICAL
    halved = ps.protocol_schedule(SCHEDULES, "plain", {"schedule": "hierarchical", "lr_factor": 0.5})
    assert halved["epochs"] == 400 and halved["lr"] == [[0, pytest.approx(5e-4)], [300, pytest.approx(2.5e-4)]]
    with pytest.raises(ValueError, match="schedule 'slow' is not a schedule of the scale"):
        ps.protocol_schedule(SCHEDULES, "plain", {"schedule": "slow"})
    study = {**STUDY, "protocols": {"scale": {}, "same": {"plain": {"schedule": "hierarchical"}, "hierarchical": {}}}}
    assert sorted(ps.experiments(study, BASE)) == ["mixture~same"]
    assert ps.cell_experiments(study, SCHEDULES_OF) == ["mixture", "mixture_hierarchical", "mixture~same"]
    tables = {"mixture": [], "mixture_hierarchical": [{"code_angle": 40.0, "disentangled": False,
                                                       "over_regularised": False}], "mixture~same": []}
    (standard, hierarchical) = ps.code_angles(study, SCHEDULES_OF, tables, {"mixture": 0.5})
    assert hierarchical["failed_angles"] == [40.0]  # read by two protocols, counted once


def test_the_study_experiments_are_the_pairs_under_every_protocol_with_changes():
    experiments = ps.experiments(STUDY, BASE)
    assert sorted(experiments) == ["mixture_hierarchical~long", "mixture~long"]  # `scale` is not trained again
    assert experiments["mixture~long"] == {**BASE["mixture"], "protocol": {"recon_fraction": 0.62, "epochs_factor": 2},
                                           "trials": 4}
    assert experiments["mixture_hierarchical~long"]["protocol"] == {"lr_factor": 0.3}
    assert ps.cell_experiments(STUDY, SCHEDULES_OF) == ["mixture", "mixture_hierarchical", "mixture~long", "mixture_hierarchical~long"]
    shared = {**STUDY, "pairs": {**STUDY["pairs"], "standard": ["mixture", "standard"]}}  # two pairs, one experiment
    assert ps.cell_experiments(shared, SCHEDULES_OF) == ["mixture", "mixture_hierarchical", "standard", "mixture~long",
                                           "mixture_hierarchical~long", "standard~long"]


def _runs(disentangled, over_regularised, n):
    return [{"disentangled": i < disentangled, "over_regularised": i >= n - over_regularised} for i in range(n)]


def test_cells_count_test_and_cost_each_protocol_and_data_set():
    tables = {"mixture": _runs(0, 3, 10), "mixture_hierarchical": _runs(6, 0, 10),
              "mixture~long": _runs(2, 0, 10), "mixture_hierarchical~long": _runs(2, 0, 10)}
    seconds = {name: [60.0] * 10 for name in tables}
    rows = ps.cells(STUDY, SCHEDULES_OF, tables, seconds)
    assert [(r["protocol"], r["data"]) for r in rows] == [("scale", "mixture"), ("long", "mixture")]
    scale, long = rows
    assert (scale["standard_disentangled"], scale["hierarchical_disentangled"], scale["standard_n"]) == (0, 6, 10)
    assert (scale["hierarchical_disentangled_low"], scale["hierarchical_disentangled_high"]) == wilson(6, 10)
    assert scale["disentangled_p"] == pytest.approx(proportions_test(6, 10, 0, 10, "greater"))
    assert scale["disentangled_verdict"] == "reproduced"  # 6/10 against 0/10
    assert scale["over_regularised_p"] == pytest.approx(proportions_test(3, 10, 0, 10, "greater"))
    assert long["disentangled_verdict"].startswith("inconclusive") and long["disentangled_p"] > 0.5
    assert scale["core_minutes"] == pytest.approx(20.0)  # 20 runs of a minute
    # Holm over the two cells: the smaller p doubled, the larger kept (never below the smaller's adjusted)
    assert scale["disentangled_p_holm"] == pytest.approx(2 * scale["disentangled_p"])
    assert long["disentangled_p_holm"] == pytest.approx(max(long["disentangled_p"], 2 * scale["disentangled_p"]))


def test_a_cell_significant_alone_is_not_after_holm():
    """5/10 against 1/10 over-regularised: p = 0.031 alone, 0.062 with the second cell's test beside it."""
    tables = {"mixture": _runs(0, 5, 10), "mixture_hierarchical": _runs(0, 1, 10),
              "mixture~long": _runs(0, 0, 10), "mixture_hierarchical~long": _runs(0, 0, 10)}
    scale, long = ps.cells(STUDY, SCHEDULES_OF, tables, {name: [1.0] * 10 for name in tables})
    assert scale["over_regularised_p"] < 0.05 < scale["over_regularised_p_holm"]
    assert scale["over_regularised_verdict"] == "inconclusive at 10 vs 10 trials"


def test_diverged_runs_are_counted_in_n_as_neither(tmp_path):
    hierarchical = _runs(4, 0, 10)
    for r in hierarchical[-2:]:
        r["diverged"] = True
    tables = {"mixture": _runs(0, 0, 10), "mixture_hierarchical": hierarchical}
    study = {**STUDY, "protocols": {"scale": {}}}
    (row,) = ps.cells(study, SCHEDULES_OF, tables, {name: [1.0] for name in tables})
    assert (row["hierarchical_diverged"], row["standard_diverged"], row["hierarchical_n"]) == (2, 0, 10)
    assert row["hierarchical_disentangled"] == 4
    # ... and left out: 4/8 against 0/10 (each test's p with and without them, and both verdicts)
    assert row["disentangled_p"] == pytest.approx(proportions_test(4, 10, 0, 10, "greater"))
    assert row["disentangled_p_without_diverged"] == pytest.approx(proportions_test(4, 8, 0, 10, "greater"))
    assert row["disentangled_trials_without_diverged"] == "8 vs 10 trials"
    ps.write(tmp_path / "s.csv", tmp_path / "s.md", [row], study, "tiny")
    last = (tmp_path / "s.md").read_text().splitlines()[-1]
    assert last.endswith("| 0 | 2 | 0 |") and f"reproduced (Holm p {row['disentangled_p_without_diverged']:.3f})" in last


def test_an_arm_whose_runs_all_diverged_has_no_test_without_them(tmp_path):
    hierarchical = _runs(0, 0, 10)
    for r in hierarchical:
        r["diverged"] = True
    study = {**STUDY, "protocols": {"scale": {}}}
    (row,) = ps.cells(study, SCHEDULES_OF, {"mixture": _runs(3, 0, 10), "mixture_hierarchical": hierarchical},
                      {"mixture": [1.0], "mixture_hierarchical": [1.0]})
    assert row["disentangled_verdict"].startswith("inconclusive")  # counted as failures: 0/10 against 3/10
    assert row["disentangled_verdict_without_diverged"] == "no test: every run of an arm diverged"
    assert row["disentangled_p_without_diverged"] is None and row["disentangled_p_without_diverged_holm"] is None
    ps.write(tmp_path / "s.csv", tmp_path / "s.md", [row], study, "tiny")
    assert "no test: every run of an arm diverged |" in (tmp_path / "s.md").read_text()


def test_the_opposite_direction_is_a_contradiction(tmp_path):
    tables = {"mixture": _runs(7, 0, 10), "mixture_hierarchical": _runs(0, 0, 10)}
    study = {**STUDY, "protocols": {"scale": {}}}
    (row,) = ps.cells(study, SCHEDULES_OF, tables, {name: [1.0] for name in tables})
    assert row["disentangled_verdict"] == "contradicted" and row["disentangled_p_opposite"] < 0.05
    ps.write(tmp_path / "s.csv", tmp_path / "s.md", [row], study, "tiny")
    assert load_rows([tmp_path / "s.csv"])[0]["disentangled_verdict"] == "contradicted"
    md = (tmp_path / "s.md").read_text()
    assert "| scale | mixture | 7/10 [0.40, 0.89] | 0/10 [0.00, 0.28] |" in md and "contradicted" in md


def test_code_angles_pool_the_protocols_and_test_the_failures_near_45_degrees_against_the_rules_null():
    def runs(angles, disentangled=0, over_regularised=0):
        return [{"code_angle": None if a is None else float(a), "disentangled": i < disentangled,
                 "over_regularised": i >= len(angles) - over_regularised} for i, a in enumerate(angles)]

    tables = {"mixture": runs([5, 40, 44, 10], disentangled=1, over_regularised=1),
              "mixture~long": runs([61, 29] + [None]),  # a failure without a code angle is not near 45
              "mixture_hierarchical": runs([42] * 9 + [3], disentangled=1),
              "mixture_hierarchical~long": runs([44] * 10)}
    standard, hierarchical = ps.code_angles(STUDY, SCHEDULES_OF, tables, {"mixture": 0.5})
    assert (standard["prior"], standard["failed_angles"], standard["disentangled_angles"]) == (
        "standard", [40.0, 44.0, 61.0, 29.0], [5.0])  # the run at 10 degrees is over-regularised
    assert (standard["near_45"], standard["failed"]) == (2, 5)  # 29, 61 and no angle are not within 15 of 45
    assert standard["p_near_45"] == pytest.approx(26 / 32)  # P(X >= 2), X ~ Bin(5, 1/2): the rule's null
    assert (hierarchical["near_45"], hierarchical["failed"]) == (18, 19)
    assert hierarchical["p_near_45"] == pytest.approx(20 / 2**19)  # P(X >= 18), X ~ Bin(19, 1/2)
    assert hierarchical["disentangled_angles"] == [42.0]

    titles = [ax.get_title() for ax in protocol_angles.draw([standard, hierarchical]).axes]
    assert titles[0].endswith("2/5 failed near 45°, null 0.50, p = 0.81")
    assert ps.code_angles(STUDY, SCHEDULES_OF, tables, {})[0]["p_near_45"] is None  # no null for the data set: no test
    assert titles[1].endswith(f"18/19 failed near 45°, null 0.50, p = {hierarchical['p_near_45']:.2g}")


def test_training_seconds_come_from_snakemakes_benchmark_file(tmp_path):
    path = tmp_path / "seed0.tsv"
    path.write_text("s\th:m:s\tmax_rss\tcpu_time\n81.25\t0:01:21\t512.0\t80.9\n")
    assert ps.training_seconds(path) == 81.25
