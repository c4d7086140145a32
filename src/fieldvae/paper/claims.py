"""The claims table: every quantitative claim of the paper (SPEC E: C1-C15, and the two claims of
figure 14's caption) with what we measured, the test, and a verdict: `reproduced`, `contradicted`,
`inconclusive at n trials` (next to the trials that would give 80% power for the effect the paper
states), `undecidable at n trials` (these trials cannot reach a verdict honestly: see
fieldvae.core.verdict_calibration), or `not measured` (an input is missing; the reason is given).
The verdict rules open the markdown table (fieldvae.paper.claims_table.RULES); the tests and verdicts
are fieldvae.core.verdicts', what each claim counts is fieldvae.paper.claim_measures'.
"""

from __future__ import annotations

import math
from collections import defaultdict

from fieldvae.core import verdicts
from fieldvae.core.claim_calibration import calibrate
from fieldvae.core.verdicts import Comparison, Flat, Rate
from fieldvae.paper import claim_measures as m
from fieldvae.paper.claims_table import CALIBRATION_COLUMNS, COLUMNS
from fieldvae.paper.margins import (CONSISTENTLY, IDENTICAL_SHARE, MANY, NEVER,
                                    ROUGHLY_HALF, UNAFFECTED)

_FLAT_HOW = "OLS of the final {} (mean over the last 10 epochs) of each semi_supervised run on log2(label count)"

CLAIMS = {  # id: figure, claim, the paper's words and numbers, the numbers a test uses (None: the measure says)
    "C1": ("fig11", "without HP on mixture data some runs over-regularise",
           '"out of 50 trials, 10% trained without HP were unable to avoid over-regularization" (5/50)',
           Rate(0.1, 0.0, (5, 50), stated=True)),
    "C2": ("fig11", "without HP on mixture data no run disentangles",
           '"disentanglement was never observed without the use of hierarchical priors" (0/50)',
           Rate(0.0, 0.25, (0, 50))),
    "C3": ("fig12", "with HP on mixture data no run over-regularises",
           '"all trials with HP successfully avoided over-regularization" (0/50); contrast: the standard prior\'s 0.1',
           Rate(0.0, 0.1, (0, 50))),
    "C3b": ("fig11, fig12", "on mixture data runs over-regularise more often without HP than with it",
            '"Training VAEs without hierarchical priors results in over-regularization more often" (5/50 vs 0/50)',
            Comparison(0.1, 0.0)),
    "C4": ("fig12", "with HP on mixture data about half disentangle",
           '"reasonable disentanglement ... in roughly half of all trained VAEs (out of 50)" (no count: "roughly '
           'half" read as a third to two thirds); contrast: "rarely" (0.1), as without HP',
           Rate(0.5, 0.1, band=ROUGHLY_HALF)),
    "C4b": ("fig11, fig12", "on mixture data HP disentangles more often than the standard prior",
            "roughly half of 50 with HP, never without (25/50 vs 0/50)", Comparison(0.5, 0.0)),
    "C5": ("fig12, fig10", "HP failures sit near a 45 degree rotation",
           '"it has always been observed at around a 45-degree rotation" (no count: "always" read as at least '
           f'{CONSISTENTLY:g} of the failures); contrast: where the rule\'s failures sit when codes point anywhere '
           "(the share within 15 degrees of 45 of the failures of codes at uniform random angles on mixture data, "
           "simulated through the same rule: the rule calibration's null)", Rate(CONSISTENTLY, math.nan)),
    "C6a": ("fig8", "shifted data: never disentangled without HP",
            '"disentanglement was never observed using the standard VAE after many experiments" (no count: "never" '
            f'read as a rate of at most {NEVER:g}); contrast as C2', Rate(NEVER, 0.25)),
    "C6b": ("fig8, fig9", "shifted data: HP disentangles more often than the standard prior",
            '"good disentanglement can be achieved" with HP, never without (rates not given; we assume 0.5 vs 0, '
            "as on mixture data)", Comparison(0.5, 0.0)),
    "C7": ("fig4", "large fixed beta over-regularises",
           '"many values of beta between 5 and 100 fall into the over-regularized solution" (no count: "many" read '
           f'as at least {MANY:g}); contrast: "rarely" (0.1)', Rate(MANY, 0.1)),
    "C8": ("fig3", "an over-regularised basin lies between random initialisations and the good solution",
           '"Between the random initializations and desirable converged solutions there exists a region of local '
           f'minima" (no count: read as on at least {CONSISTENTLY:g} of the lines); contrast: no more lines with a '
           'basin than without (0.5)', Rate(CONSISTENTLY, 0.5)),
    "C9": ("fig3", "no local minima along random directions out of the good solution",
           '"no local minima are found around the converged solution" (1000 directions, no count of minima: read '
           f'as along at most {NEVER:g} of the directions); contrast: 1 in 4', Rate(NEVER, 0.25)),
    "C10": ("fig5", "two runs differing only in seed reach similar losses, one may disentangle and the other not, "
                    "with a barrier between", "one pair", None),
    "C11": ("fig10", "S_D drops with a rotation of the latent space",
            '"rotation dramatically impacts disentanglement" (no number)', None),
    "C12": ("fig14", "about 1% labels gives consistently good disentanglement",
            '"labeling around 1% of the samples begins to result in consistently good disentanglement" (the first '
            f'label count at or above 1%; no count: "consistently" read as at least {CONSISTENTLY:g}); contrast: a coin flip (0.5)',
            Rate(CONSISTENTLY, 0.5)),
    "C13": ("fig14", "3-8% labels give nearly identical representations across trials",
            '"labeling between 3% and 8% results in learning disentangled latent representations which are nearly '
            'identical between trials" (no count: "nearly identical between trials" read as at least '
            f'{CONSISTENTLY:g} of the runs); contrast: a coin flip (0.5)', Rate(CONSISTENTLY, 0.5)),
    "C14a": ("fig14", "the training NLL does not depend on the label count",
             '"training losses are unaffected by the number of labeled samples"', Flat("nll_per_pixel", UNAFFECTED["nll_per_pixel"], "label count", _FLAT_HOW.format("nll_per_pixel"))),
    "C14b": ("fig14", "the training rate (KL) does not depend on the label count",
             '"training losses are unaffected by the number of labeled samples"', Flat("rate", UNAFFECTED["rate"], "label count", _FLAT_HOW.format("rate"))),
    "C15": ("fig15", "with about 1% labels the aggregated posterior matches p(theta) better than without labels",
            '"the aggregated posterior matches the generative parameter distribution much better than the '
            'unsupervised case with just over 1% of the samples labeled" (no number; the first label count at or '
            "above 1%, as C12 and fig15; the unsupervised case: the same prior and schedule without labels)", None),
    "F14a": ("fig14", "the disentanglement score increases with the label count",
             '"Disentanglement score mean increases with ratio of labeled to unlabeled samples" (no number)', None),
    "F14b": ("fig14", "disentanglement becomes more consistent with more labels",
             '"Disentanglement also becomes more consistently observed" (no number)', Comparison()),
}


# Claims whose contrast is a null simulated through the disentangled rule (fieldvae.paper.rule_calibration),
# on this data set's factors: a failure is defined by the rule, so where failures sit is compared with
# where the rule puts the failures of codes at uniform random angles.
SIMULATED_NULLS = {"C5": "mixture"}


def claims(rows: list[dict], n_train: int, lines=None, directions=None, between=None, rotations=None,
           nulls: dict[str, float] | None = None) -> list[dict]:
    """One row per claim, judged by RULES. rows: every per-experiment table row; lines, directions,
    between: landscape rows; rotations: (run name, rows) per rotated run; nulls: the simulated null
    share of the rule's failures near 45 degrees, per data set (SIMULATED_NULLS)."""
    runs = defaultdict(list)
    for row in rows:
        runs[row["experiment"]].append(row)
    measures = {
        "C1": lambda: m.flags(runs, "mixture", "over_regularised"),
        "C2": lambda: m.flags(runs, "mixture", "disentangled"),
        "C3": lambda: m.flags(runs, "mixture_hierarchical", "over_regularised"),
        "C3b": lambda: m.arms(runs, "over_regularised", "mixture", "mixture_hierarchical"),
        "C4": lambda: m.flags(runs, "mixture_hierarchical", "disentangled"),
        "C4b": lambda: m.arms(runs, "disentangled", "mixture_hierarchical", "mixture"),
        "C5": lambda: m.near_45_failures(runs),
        "C6a": lambda: m.flags(runs, "shifted", "disentangled"),
        "C6b": lambda: m.arms(runs, "disentangled", "shifted_hierarchical", "shifted"),
        "C7": lambda: m.large_beta(runs),
        "C8": lambda: m.dips(lines, "init", "t", "lines"),
        "C9": lambda: m.dips(directions, "direction", "alpha", "directions"),
        "C10": lambda: m.between_runs(between),
        "C11": lambda: m.rotation(rotations, runs),
        "C12": lambda: m.labelled(runs, n_train, m.one_percent, lambda r: r["disentangled"], "disentangled runs"),
        "C13": lambda: m.labelled(runs, n_train, m.three_to_eight_percent, m.identical,
                                 f"runs whose latent k explains >= {IDENTICAL_SHARE:.0%} of theta_k"),
        "C14a": lambda: m.loss_groups(runs, "nll_per_pixel"),
        "C14b": lambda: m.loss_groups(runs, "rate"),
        "C15": lambda: m.s_kl_with_labels(runs, n_train),
        "F14a": lambda: m.increases(runs),
        "F14b": lambda: m.more_consistent(runs),
    }
    out, judged = [], []
    for claim_id, measure in measures.items():
        figure, claim, paper, numbers = CLAIMS[claim_id]
        row = dict.fromkeys((*COLUMNS, *CALIBRATION_COLUMNS), "-") | {"id": claim_id, "figure": figure,
                                                                        "claim": claim, "paper": paper}
        try:
            if claim_id in SIMULATED_NULLS:
                numbers = m.with_null(numbers, nulls or {}, SIMULATED_NULLS[claim_id])
            row |= verdicts.plan(numbers)
            measured = measure()
            row |= verdicts.judge(numbers, measured)
            judged.append((row, numbers, measured))
        except m.NotMeasured as missing:
            row |= {"verdict": "not measured", "how": str(missing), "paper_right": f"not measured: {missing}"}
        out.append(row)
    tested = verdicts.holm_adjust([row for row, _, _ in judged])
    for row, numbers, measured in judged:
        others = [r for r in tested if r is not row]
        row |= calibrate(numbers, measured, row["verdict"],
                          ([r["p_reproduce"] for r in others], [r["p_contradict"] for r in others]))
    return out
