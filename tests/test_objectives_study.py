"""The objectives study: its experiments, its cells' counts and tests against the hierarchical prior
(Holm over the arms), the paragraph that answers its question from the table, and its figure."""

import copy

import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.stats
from conftest import REPO

from fieldvae.config import load_yaml
from fieldvae.core import style
from fieldvae.core.stats import proportions_test
from fieldvae.paper import objectives_study as study_module
from fieldvae.paper import plan
from fieldvae.paper.plotting import objectives_study as figure

CONFIG = load_yaml(REPO / "config.yaml")
STUDY = {"trials": {"quick": 10}, "data": "mixture", "also": "shifted",
         "weights": {"tcvae": [2, 6], "mmd": [10]}, "best": {"tcvae": 6, "mmd": 10},
         "hierarchical": {"mixture": "mixture_hierarchical", "shifted": "shifted_hierarchical"}}


def runs(k, n, s_d=(0.8, 0.9), nll=-1.0):
    return [{"disentangled": i < k, "over_regularised": False, "code_angle": 5.0, "s_d": s_d[i % 2], "s_kl": 1.0,
             "mig": 0.3, "dci_disentanglement": 0.5, "nll_per_pixel": nll} for i in range(n)]


def tables(mixture_tcvae2=10):
    return {"mixture": runs(0, 10), "mixture_hierarchical": runs(2, 10, nll=-1.5),
            "mixture~tcvae2": runs(mixture_tcvae2, 10, s_d=(0.95, 0.97), nll=-1.2), "mixture~tcvae6": runs(3, 10),
            "mixture~mmd10": runs(0, 10, s_d=(0.5, 0.52)), "shifted": runs(0, 10), "shifted_hierarchical": runs(5, 10),
            "shifted~tcvae6": runs(4, 10), "shifted~mmd10": runs(0, 10)}


def test_experiments_are_the_standard_prior_with_the_objectives_penalty():
    base = CONFIG["experiments"]
    made = study_module.experiments(STUDY, base)
    assert list(made) == ["mixture~tcvae2", "mixture~tcvae6", "mixture~mmd10", "shifted~tcvae6", "shifted~mmd10"]
    assert made["mixture~tcvae2"] == {**base["mixture"], "trials": {"quick": 10},
                                      "training": {"objective": "tcvae", "objective_weight": 2}}
    assert study_module.read_experiments(STUDY) == ["mixture", "mixture_hierarchical", "mixture~tcvae2",
                                                    "mixture~tcvae6", "mixture~mmd10", "shifted",
                                                    "shifted_hierarchical", "shifted~tcvae6", "shifted~mmd10"]


def test_quick_plans_the_studys_runs_at_its_trials():
    runs_ = [r for r in plan.plan(CONFIG, "quick") if "~" in r.experiment and r.training.get("objective")]
    study = CONFIG["objectives_study"]
    cells = sum(len(w) for w in study["weights"].values()) + len(study["best"])
    assert len(runs_) == cells * study["trials"]["quick"] and all(r.prior == "standard" for r in runs_)
    assert len([r for r in plan.plan(CONFIG, "tiny") if r.training.get("objective")]) == cells


def test_cells_count_test_against_the_hierarchical_prior_and_adjust():
    rows = study_module.cells(STUDY, tables(), {"mixture~tcvae2": [60.0, 60.0]})
    by_arm = {(r["data"], r["arm"]): r for r in rows}
    best = by_arm["mixture", "tcvae 2"]
    assert (best["disentangled"], best["runs"], best["core_minutes"]) == (10, 10, 2.0)
    assert best["p_more"] < 0.001 and best["p_more_holm"] == pytest.approx(min(1.0, 5 * best["p_more"]))
    assert best["against_hierarchical"] == "more often"
    assert by_arm["shifted", "tcvae 6"]["against_hierarchical"].startswith("inconclusive at 10 vs 10 trials")
    assert by_arm["mixture", "hierarchical prior"]["p_more"] is None  # the contrasts have no test of their own
    assert best["nll_per_pixel_mean"] == pytest.approx(-1.2)
    # the power after the adjustment over the 5 arms, at its worst case (Bonferroni), recounted outcome by outcome
    binom = scipy.stats.binom.pmf
    power = sum(binom(k1, 10, 0.5) * binom(k2, 10, 0.1) for k1 in range(11) for k2 in range(11)
                if 5 * proportions_test(k1, 10, k2, 10, "greater") < 0.05
                and 5 * proportions_test(k1, 10, k2, 10, "less") >= 0.05)
    assert best["power"] == pytest.approx(power, abs=1e-6) and 0.2 < power < 0.4


def test_the_answer_is_written_from_the_table():
    rows = study_module.cells(STUDY, tables(), {})
    shares = study_module.score_shares(STUDY, tables())
    text = study_module.answer(rows, STUDY, shares)
    p_more = next(r["p_more_holm"] for r in rows if r["arm"] == "tcvae 2")
    assert text.startswith(f"On mixture data, tcvae 2 (p {p_more:.3f}) disentangles more often than the hierarchical "
                           "prior (Holm-adjusted Boschloo p < 0.05; 2 inconclusive at these trials).")
    assert ("The hierarchical prior disentangles 2/10 [0.06, 0.51] and the standard prior on the objectives' "
            "schedule 0/10 [0.00, 0.28]; the objectives' arm that disentangles most often in these runs (not tested "
            "between arms): tcvae 2 10/10 [0.72, 1.00], its training NLL -0.2 [-0.2, -0.2] nats per pixel from the "
            "standard prior's and +0.3 [+0.3, +0.3] from the hierarchical prior's") in text
    assert ("On shifted data, at the weight of each objective chosen before the build (`best`), against the "
            "hierarchical prior's 5/10 [0.24, 0.76]: tcvae 6 4/10 "
            "[0.17, 0.69], inconclusive at 10 vs 10 trials; mmd 10 0/10 [0.00, 0.28], less often.") in text
    tied = study_module.answer(study_module.cells(STUDY, tables(mixture_tcvae2=3), {}), STUDY, None)
    assert "the objectives' arms that disentangle most often in these runs (not tested between arms): tcvae 2 3/10" in tied
    assert "; tcvae 6 3/10 [0.11, 0.60], its training NLL +0 (no spread) nats per pixel from the standard" in tied
    # S_D by hand: cell means 0.96, 0.85 (tcvae, 0.905) and 0.51 (mmd), grand mean 0.7733, 10 seeds each
    objective, weight, seed = 20 * (0.905 - 0.77333) ** 2 + 10 * (0.51 - 0.77333) ** 2, 20 * 0.055 ** 2, 0.027
    noise = seed / 27  # the seeds' mean square; one degree of freedom between the objectives
    assert shares["share"]["objective"] == pytest.approx((objective - noise) / (objective + weight + seed), rel=1e-4)
    assert "over the 30 of 30 objectives' runs on mixture" in text and "the objective 92% [" in text
    assert "unlike the image benchmarks" in text and "with probability 0.30." in text
    # the F test of objective over weight: mmd's one weight against tcvae's two (1 and 1 degrees of freedom)
    p = scipy.stats.f.sf(objective / (weight / 1), 1, 1)
    assert text.endswith(f"; these trials do not show the objectives differing by more than their weights do (nested "
                         f"F test of objective over weight, p = {p:.3f}).")
    none = study_module.answer(study_module.cells(STUDY, tables(mixture_tcvae2=0), {}), STUDY, shares)
    assert none.startswith("On mixture data, none of the objectives' arms is shown to disentangle more often than the "
                           "hierarchical prior (Holm-adjusted Boschloo p < 0.05; 3 inconclusive at these trials).")
    one = {**STUDY, "trials": {"tiny": 1}}
    tiny = study_module.cells(one, {name: runs(0, 1) for name in tables()}, {})
    assert {r["against_hierarchical"] for r in tiny if r["objective"]} == {"undecidable at 1 vs 1 trials"}
    assert study_module.score_shares(one, {name: runs(0, 1) for name in tables()}) is None
    text = study_module.answer(tiny, one, None)
    assert "no objective's run disentangles" in text and "no outcome can show it" in text
    assert "needs three scored runs at every weight" in text


def test_the_reconstruction_cost_has_welchs_interval():
    a, b = [-1.0, -1.2, -0.9, -1.4, -1.1], [-1.5, -1.3, -1.6, -1.2]
    arm, contrast = (study_module._summary([{**runs(0, 1)[0], "nll_per_pixel": v} for v in values]) for values in (a, b))
    welch = scipy.stats.ttest_ind(a, b, equal_var=False).confidence_interval(0.95)
    assert study_module._difference(arm, contrast) == (f"{np.mean(a) - np.mean(b):+.3g} "
                                                       f"[{welch.low:+.3g}, {welch.high:+.3g}]")
    one = study_module._summary([{**runs(0, 1)[0], "nll_per_pixel": -1.0}])
    assert study_module._difference(one, contrast) == f"{-1.0 - np.mean(b):+.3g} (one run: no interval)"


def test_write_and_figure(tmp_path):
    rows = study_module.cells(STUDY, tables(), {})
    study_module.write(tmp_path / "s.csv", tmp_path / "s.md", rows, STUDY, "quick", None)
    md = (tmp_path / "s.md").read_text()
    assert "# Objectives study (quick scale)" in md and "| mixture | tcvae 2 | 10/10 [0.72, 1.00] |" in md
    fig = figure.draw(rows)
    fig.canvas.draw()
    assert style.overlapping_texts(fig) == []
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][:3] == [
        "mixture: standard prior", "mixture: hierarchical prior", "mixture: tcvae 2 *"]
    assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()] == ["mixture", "shifted", "paper's prior",
                                                                           "tcvae", "mmd"]
    plt.close(fig)


def test_the_configuration_check_names_a_missing_scale_and_contrast():
    from fieldvae.config_checks import cross_check

    config = copy.deepcopy(CONFIG)
    del config["objectives_study"]["trials"]["paper"]
    config["objectives_study"]["hierarchical"]["shifted"] = "shifted_hierarchy"
    problems = cross_check(config)
    assert "config key 'objectives_study.trials': expected a count for scale 'paper', got none" in problems
    assert ("config key 'objectives_study.hierarchical.shifted': expected the hierarchical-prior experiment to "
            "compare shifted with, got 'shifted_hierarchy'") in problems
