"""The claims table: every quantitative claim of the paper (SPEC E: C1-C15, and the two claims of
figure 14's caption) with what we measured, the test, and a verdict: `reproduced`, `contradicted`,
`inconclusive at n trials` (next to the trials that would give 80% power for the effect the paper
states), `undecidable at n trials` (these trials cannot reach a verdict honestly: see
fieldvae.core.verdict_calibration), or `not measured` (an input is missing; the reason is given).
RULES below, which also opens the markdown table, states how a verdict is reached.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import NamedTuple

import numpy as np

from fieldvae.core import stats, verdict_calibration
from fieldvae.core.io import atomic_path, save_rows
from fieldvae.core.streams import rng
from fieldvae.darcy.run_ids import one_percent_labels, parse

ALPHA = stats.ALPHA
NEAR_45_DEGREES = 15.0  # C5: a failed run's code within this of a 45 degree rotation
IDENTICAL_SHARE = 0.95  # C13: latent k explains >= 95% of theta_k in every run, so runs agree closely
# The paper's words read as numbers, each stated once, with the words beside it in CLAIMS: where the
# paper gives no count, a claim in words is tested one-sample against its margin.
NEVER = 0.05  # "never" (without a count), "no local minima are found": a rate of at most 1 in 20
CONSISTENTLY = 0.9  # "always", "consistently", "nearly identical between trials": at least 9 in 10
MANY = 0.5  # "many": at least half
ROUGHLY_HALF = (1 / 3, 2 / 3)  # "roughly half": between a third and two thirds
DIP_MARGIN = 0.01  # C8, C9: a local minimum counts when both its walls rise more than 1% of its loss above it
DIP_TOLERANCE = 1e-3  # ... and more than this (loss units: above float32 noise at the clip, 1000)
# C14: "unaffected": over the whole label sweep a training loss moves by at most this much, in its own
# units (not relative to its mean: NLL per pixel has an arbitrary constant and may be negative)
UNAFFECTED = {"nll_per_pixel": 0.1, "rate": 0.5}  # nats per pixel; nats
SIMULATIONS = 400  # simulated sweeps per model of a claim without a count model (C14)
MAX_SIMULATED_RUNS = 40  # runs per label count up to which a deciding count is searched for such a claim
RULES = (
    "Verdict rules (every test exact where an exact test exists; verdicts at level 0.05 after Holm's adjustment "
    "over the table's rows, done separately for the reproduce tests and the contradict tests; raw and adjusted "
    "p-values side by side). A rate claim has the paper's rate p_paper and a contrast p_alt that would make it "
    "false. p_paper is the paper's counts where it gives them ('10% of 50' = 5/50, 'never ... out of 50' = 0/50); "
    "where the paper states a rate in words, it is a margin stated once for those words: 'never' at most "
    f"{NEVER:g}, 'always' or 'consistently' at least {CONSISTENTLY:g}, 'many' at least {MANY:g}, 'roughly half' "
    f"{ROUGHLY_HALF[0]:.3g} to {ROUGHLY_HALF[1]:.3g}. A rate claim is contradicted when our counts differ from "
    "the paper's in the direction of p_alt, or on either side where the paper states the rate itself with its "
    "counts ('10% of 50') rather than a bound ('never', 'many') (Boschloo's test against the paper's counts), "
    "or lie beyond the margin (the exact binomial test at the margin; for a band, the smaller of its two "
    "one-sided p-values, doubled), otherwise reproduced when the one-sided exact binomial test rejects p_alt in "
    "the paper's direction, otherwise inconclusive; its power column is the trials from which that binomial test "
    "keeps rejecting p_alt with probability >= 0.8 when the rate is the paper's (at a margin's edge nearest p_alt; "
    "exact power saw-tooths with the trial count). The 'disentangled' and over-regularised flags are those of the "
    "summary tables. A directional claim (one prior against another, a trend along the "
    "label sweep, a sign test, a shift of S_KL) is reproduced when the one-sided test in the paper's direction gives "
    "p < 0.05 and contradicted when the one-sided test in the opposite direction does; comparisons of rates use "
    "Boschloo's test, and their power is per arm, for Fisher's exact test at the paper's rates (enough for Boschloo). "
    "A claim of no effect (training losses against the label count) uses the OLS slope against log2(labels) and a "
    "margin stated once: 'unaffected' reads as a change over the whole sweep of at most "
    f"{UNAFFECTED['nll_per_pixel']:g} nats per pixel (NLL) or {UNAFFECTED['rate']:g} nats (rate) (not the data's "
    "own scatter, which would let noisier data pass more easily); reproduced when "
    "two one-sided t-tests place the slope inside the "
    "margin, contradicted when its 95% interval lies beyond the margin. Contradiction takes precedence. p_reproduce "
    "and p_contradict are the p-values of the two tests; 'not stated' means the paper gives no effect size to power "
    "a test for. A claim whose input is missing is 'not measured', with the reason; one pair of runs (C10) gives no "
    "test and stays inconclusive. A count claim reads `undecidable at n`, with the trials that would decide it, "
    "where it is inconclusive and its trials cannot reach `reproduced`, or contradicted where a right paper would "
    "be contradicted more than 5% of the time (reachable_at_n, false_contradiction; the verdict calibration table "
    "gives the whole calculation).")
COLUMNS = ("id", "figure", "claim", "paper", "p_paper", "p_alt", "measured", "test", "p_reproduce",
           "p_reproduce_holm", "p_contradict", "p_contradict_holm", "verdict", "reachable_at_n", "false_contradiction", "trials_for_80pct_power", "how")
# The verdict calibration (fieldvae.core.verdict_calibration) of each row, at the row's own trials.
CALIBRATION_COLUMNS = ("id", "claim", "trials", "paper_right", "right_reproduced", "right_contradicted",
                       "right_inconclusive", "paper_wrong", "wrong_reproduced", "wrong_contradicted",
                       "wrong_inconclusive", "reachable_at_n", "decidable_from")
CALIBRATION_RULES = (
    "Each count claim's verdict rule, calibrated at this build's own trial counts: the probability of each verdict "
    "when the paper is right (its rate, or its two rates) and when it is wrong (the contrast p_alt; for a comparison, "
    "both arms at the mean of the paper's two rates), summed exactly over every outcome those trials can give, each "
    "judged by the same code as the claims table (outcomes below 1e-9 under both models are left out). "
    "reachable_at_n: the verdicts some outcome gives. A row is decidable when `reproduced` is reachable and "
    "P(contradicted | paper right) is at most 0.05; decidable_from is the trial count (per arm, for a comparison) "
    "from which it is and stays so. Where a row is not decidable, an `inconclusive` with `reproduced` out of reach, "
    "or a `contradicted` that a right paper would get more than 5% of the time, reads `undecidable at n` in the "
    "claims table; a contradiction a right paper gets at most 5% of the time stands, and so does a reproduction. "
    "Against the paper's counts (Boschloo), P(contradicted | paper right) is conditional on those counts; against "
    "a margin it is at the margin's edge (for a band, the worse edge), the least favourable rate a right paper "
    "can have. Each outcome is judged as the table judges it, Holm-adjusted among the other rows' p-values as "
    "built (their outcomes held fixed), so `reachable_at_n` and `decidable_from` are what these trials can deliver "
    "after the adjustment. Where "
    "p_alt is 0 or 1 the 'paper wrong' model is deterministic (C1: 'wrong' then means no run over-regularises). "
    "right_reproduced is the power; wrong_reproduced the false-reproduction rate (a comparison's: its worst case "
    "over equal rates of both arms). A claim of no effect of the label count (C14) has no count model: its sweep is "
    "simulated, the build's own design with the pooled within-count scatter, slope 0 when the paper is right and "
    f"the margin when it is wrong, {SIMULATIONS} sweeps each (stream verdict_simulation of seed 0), every one judged "
    "by the same test; decidable_from is then in runs per label count. Other rows without a count model say why.")


class Rate(NamedTuple):
    """A rate claim: the paper's rate (its counts where it gives them, else the margin its words
    read as), the contrast that would make the claim false, and how far off our counts may be: a
    bound ("never", "many": only the side of the contrast contradicts), a rate the paper states with
    its counts ("10% of 50": far off on either side contradicts; `stated`), or a band of words
    ("roughly half": outside it contradicts; p_paper is then its centre)."""
    p_paper: float
    p_alt: float
    counts: tuple[int, int] | None = None
    stated: bool = False
    band: tuple[float, float] | None = None

    def rights(self) -> tuple[float, ...]:
        """The rates a right paper may have at the least: the band's edges, or p_paper."""
        return self.band or (self.p_paper,)

    def margin(self) -> str:
        if self.counts:
            return f"{self.counts[0]}/{self.counts[1]} (the paper's counts)"
        if self.band:
            return f"{self.band[0]:.3g} to {self.band[1]:.3g} (margin)"
        return f"{'at least' if self.p_paper > self.p_alt else 'at most'} {self.p_paper:g} (margin)"


class Flat(NamedTuple):
    """A claim of no effect of the label count on a training loss (C14): its verdict is calibrated by
    simulating the sweep's design with the measured scatter (no count model)."""
    score: str


class Comparison(NamedTuple):
    """A comparison of two rates: the paper's rate in the arm where it is higher and in the other
    (None where the paper states none)."""
    p_more: float | None = None
    p_fewer: float | None = None


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
             '"training losses are unaffected by the number of labeled samples"', Flat("nll_per_pixel")),
    "C14b": ("fig14", "the training rate (KL) does not depend on the label count",
             '"training losses are unaffected by the number of labeled samples"', Flat("rate")),
    "C15": ("fig15", "with about 1% labels the aggregated posterior matches p(theta) better than without labels",
            '"the aggregated posterior matches the generative parameter distribution much better than the '
            'unsupervised case with just over 1% of the samples labeled" (no number; the first label count at or '
            "above 1%, as C12 and fig15; the unsupervised case: the same prior and schedule without labels)", None),
    "F14a": ("fig14", "the disentanglement score increases with the label count",
             '"Disentanglement score mean increases with ratio of labeled to unlabeled samples" (no number)', None),
    "F14b": ("fig14", "disentanglement becomes more consistent with more labels",
             '"Disentanglement also becomes more consistently observed" (no number)', Comparison()),
}


# Claims whose contrast is a null simulated through the disentangled rule (fieldvae.darcy.rule_calibration),
# on this data set's factors: a failure is defined by the rule, so where failures sit is compared with
# where the rule puts the failures of codes at uniform random angles.
SIMULATED_NULLS = {"C5": "mixture"}


class NotMeasured(Exception):
    """A claim's input is missing; the message is the reason shown in the table."""


def claims(rows: list[dict], n_train: int, lines=None, directions=None, between=None, rotations=None,
           nulls: dict[str, float] | None = None) -> list[dict]:
    """One row per claim, judged by RULES. rows: every per-experiment table row; lines, directions,
    between: landscape rows; rotations: (run name, rows) per rotated run; nulls: the simulated null
    share of the rule's failures near 45 degrees, per data set (SIMULATED_NULLS)."""
    runs = defaultdict(list)
    for row in rows:
        runs[row["experiment"]].append(row)
    measures = {
        "C1": lambda: _flags(runs, "mixture", "over_regularised"),
        "C2": lambda: _flags(runs, "mixture", "disentangled"),
        "C3": lambda: _flags(runs, "mixture_hierarchical", "over_regularised"),
        "C3b": lambda: _arms(runs, "over_regularised", "mixture", "mixture_hierarchical"),
        "C4": lambda: _flags(runs, "mixture_hierarchical", "disentangled"),
        "C4b": lambda: _arms(runs, "disentangled", "mixture_hierarchical", "mixture"),
        "C5": lambda: _near_45(runs),
        "C6a": lambda: _flags(runs, "shifted", "disentangled"),
        "C6b": lambda: _arms(runs, "disentangled", "shifted_hierarchical", "shifted"),
        "C7": lambda: _large_beta(runs),
        "C8": lambda: _dips(lines, "init", "t", "lines"),
        "C9": lambda: _dips(directions, "direction", "alpha", "directions"),
        "C10": lambda: _between(between),
        "C11": lambda: _rotation(rotations, runs),
        "C12": lambda: _labelled(runs, n_train, _one_percent, lambda r: r["disentangled"], "disentangled runs"),
        "C13": lambda: _labelled(runs, n_train, _three_to_eight_percent, _identical,
                                 f"runs whose latent k explains >= {IDENTICAL_SHARE:.0%} of theta_k"),
        "C14a": lambda: _loss_groups(runs, "nll_per_pixel"),
        "C14b": lambda: _loss_groups(runs, "rate"),
        "C15": lambda: _s_kl_with_labels(runs, n_train),
        "F14a": lambda: _increases(runs),
        "F14b": lambda: _more_consistent(runs),
    }
    out, judged = [], []
    for claim_id, measure in measures.items():
        figure, claim, paper, numbers = CLAIMS[claim_id]
        row = dict.fromkeys((*COLUMNS, *CALIBRATION_COLUMNS), "-") | {"id": claim_id, "figure": figure,
                                                                        "claim": claim, "paper": paper}
        try:
            if claim_id in SIMULATED_NULLS:
                numbers = _with_null(numbers, nulls or {}, SIMULATED_NULLS[claim_id])
            row |= _plan(numbers)
            measured = measure()
            row |= _judge(numbers, measured)
            judged.append((row, numbers, measured))
        except NotMeasured as missing:
            row |= {"verdict": "not measured", "how": str(missing), "paper_right": f"not measured: {missing}"}
        out.append(row)
    tested = _adjust([row for row, _, _ in judged])
    for row, numbers, measured in judged:
        others = [r for r in tested if r is not row]
        row |= _calibrate(numbers, measured, row["verdict"],
                          ([r["p_reproduce"] for r in others], [r["p_contradict"] for r in others]))
    return out


def _adjust(rows: list[dict]) -> list[dict]:
    """Holm over the rows that have tests, for the reproduce tests and the contradict tests
    separately; the verdicts become those of the adjusted p-values. Returns the rows tested."""
    tested = [row for row in rows if _finite(row["p_reproduce"]) and _finite(row["p_contradict"])]
    for family in ("p_reproduce", "p_contradict"):
        for row, adjusted in zip(tested, stats.holm([row[family] for row in tested])):
            row[f"{family}_holm"] = adjusted
    for row in tested:
        row["verdict"] = decide(row["p_reproduce_holm"], row["p_contradict_holm"], row["trials"])
    return tested


def _holm_verdict(judged: dict, others: tuple[list[float], list[float]]) -> str:
    """The verdict a row's raw tests get after Holm's adjustment among the other rows' p-values."""
    return decide(stats.holm([*others[0], judged["p_reproduce"]])[-1],
                  stats.holm([*others[1], judged["p_contradict"]])[-1], judged["trials"])


# --- verdicts -----------------------------------------------------------------------------------

def _plan(numbers) -> dict:
    """The paper's side of a claim: its rates, the contrast, and the trials a test needs."""
    if isinstance(numbers, Rate):
        needed = (stats.trials_in_band(numbers.p_paper, *numbers.band) if numbers.band
                  else stats.trials_one_sample(numbers.p_paper, numbers.p_alt))
        return {"p_paper": numbers.margin(), "p_alt": _g(numbers.p_alt), "trials_for_80pct_power": needed}
    if isinstance(numbers, Comparison) and numbers.p_more is not None:
        return {"p_paper": f"{_g(numbers.p_more)} vs {_g(numbers.p_fewer)}", "p_alt": "equal rates",
                "trials_for_80pct_power": f"{stats.trials_two_sample(numbers.p_more, numbers.p_fewer)} per arm"}
    return {"trials_for_80pct_power": "not stated"}


def _judge(numbers, measured) -> dict:
    if isinstance(numbers, Rate):
        return _rate(numbers, *measured)
    if isinstance(numbers, Comparison):
        return compare_rates(*measured)
    if isinstance(numbers, Flat):
        return _unaffected(numbers.score, measured) | {"trials_for_80pct_power": _flat_slope_seeds(
            list(measured), _flat_margin(numbers.score, measured), _pooled_scatter(measured))}
    return measured


# Equal rates of both arms, the null of a comparison: its worst case is reported.
EQUAL_RATES = tuple(round(0.05 * i, 2) for i in range(1, 20))


def _calibrate(numbers, measured, verdict: str, others: tuple[list[float], list[float]]) -> dict:
    """The row's verdict calibration, and its verdict made `undecidable at n` where these trials
    cannot deliver it (fieldvae.core.verdict_calibration)."""
    if isinstance(numbers, Rate):
        _, n, _ = measured
        trials, this_build = _trials(n), f"{n} (this build)"

        def at(count, wrong=False):
            return verdict_calibration.rate(lambda k: _holm_verdict(_rate(numbers, k, count, ""), others), count,
                                            numbers.rights(), numbers.p_alt if wrong else None)
        calibration = at(n, wrong=True)
        fields = {"paper_right": f"rate {' or '.join(map(_g, numbers.rights()))}"
                                 + (" (the worse)" if numbers.band else ""),
                  "paper_wrong": f"rate {_g(numbers.p_alt)}"}
    elif isinstance(numbers, Comparison) and numbers.p_more is not None:
        (name1, _, n1), (name2, _, n2), _ = measured
        trials, this_build = f"{n1} vs {n2} trials", f"{n1} vs {n2} (this build)"

        def arms(m1, m2, wrong=False):
            return verdict_calibration.comparison(
                lambda k1, k2: _holm_verdict(compare_rates((name1, k1, m1), (name2, k2, m2), ""), others), m1, m2,
                (numbers.p_more, numbers.p_fewer), tuple((p, p) for p in EQUAL_RATES) if wrong else ())

        def at(count):
            return arms(count, count)
        calibration = arms(n1, n2, wrong=True)
        fields = {"paper_right": f"rates {_g(numbers.p_more)} ({name1}) and {_g(numbers.p_fewer)} ({name2})",
                  "paper_wrong": f"equal rates, the worst of 0.05 to 0.95: {_g(EQUAL_RATES[calibration.worst])}"}
    elif isinstance(numbers, Flat) and _pooled_scatter(measured) > 0:
        scatter = _pooled_scatter(measured)
        margin = _flat_margin(numbers.score, measured)
        trials = _trials(sum(map(len, measured.values())))
        this_build = f"{max(map(len, measured.values()))} (this build)"

        def simulate(sizes: dict, key) -> verdict_calibration.Calibration:
            draw = rng("verdict_simulation", 0, numbers.score, key)
            outcomes = [[{x: slope * x + scatter * draw.standard_normal(n) for x, n in sizes.items()}
                         for _ in range(SIMULATIONS)] for slope in (0.0, margin)]
            return verdict_calibration.simulated(lambda g: _holm_verdict(_unaffected(numbers.score, g), others),
                                                 *outcomes)

        def at(count):
            if count < 2:  # one run per count leaves no scatter to test against
                return verdict_calibration.Calibration(dict.fromkeys(verdict_calibration.VERDICTS, 0.0), None, ())
            return simulate(dict.fromkeys(measured, count), count)
        calibration = simulate({x: len(ys) for x, ys in measured.items()}, "build")
        fields = {"paper_right": f"slope 0 with the pooled scatter {scatter:.3g}, {SIMULATIONS} simulated sweeps",
                  "paper_wrong": f"slope at the margin, {margin:.3g} per doubling"}
    else:
        reason = ("the paper states no rates" if isinstance(numbers, Comparison) else
                  "the scatter is 0" if isinstance(numbers, Flat) else
                  "no count model (a trend, a shift or one pair; the paper states no effect size)")
        return {"paper_right": f"not simulated: {reason}", "reachable_at_n": "not simulated"}
    fields |= {"trials": trials, "reachable_at_n": ", ".join(calibration.reachable),
               "false_contradiction": calibration.right["contradicted"], "decidable_from": this_build,
               **{f"right_{v}": p for v, p in calibration.right.items()},
               **{f"wrong_{v}": p for v, p in calibration.wrong.items()}}
    if not calibration.decidable:
        most = MAX_SIMULATED_RUNS if isinstance(numbers, Flat) else verdict_calibration.MAX_TRIALS
        needed = verdict_calibration.deciding_trials(at, most)
        fields["decidable_from"] = ((f"more than {most}" if needed is None else str(needed))
                                    + {Rate: "", Comparison: " per arm", Flat: " runs per label count"}[type(numbers)])
    if verdict_calibration.undecidable(verdict, calibration):
        fields["verdict"] = f"undecidable at {trials} (decidable from {fields['decidable_from']})"
    return fields


def decide(p_reproduce: float, p_contradict: float, trials: str) -> str:
    """The verdict of a pair of tests at level ALPHA; contradiction takes precedence."""
    if p_contradict < ALPHA:
        return "contradicted"
    if p_reproduce < ALPHA:
        return "reproduced"
    return f"inconclusive at {trials}"


def _rate(numbers: Rate, k: int, n: int, how: str) -> dict:
    """k of n against the paper's rate and the contrast that would make the claim false."""
    towards_paper, towards_alt = ("greater", "less") if numbers.p_paper > numbers.p_alt else ("less", "greater")
    p_reproduce = stats.binomial_test(k, n, numbers.p_alt, towards_paper)
    reproduce = f"exact binomial one-sided ({towards_paper}) vs p_alt"
    if numbers.band:  # reproduced only inside the band: two one-sided tests (TOST) at its edges
        p_reproduce = max(stats.binomial_test(k, n, numbers.band[0], "greater"),
                          stats.binomial_test(k, n, numbers.band[1], "less"))
        reproduce = f"two one-sided exact binomial tests inside {numbers.band[0]:.3g} to {numbers.band[1]:.3g}"
    sides = "two-sided" if numbers.stated else towards_alt
    if numbers.counts:
        p_contradict = stats.proportions_test(k, n, *numbers.counts, sides)
        against = f"Boschloo {sides} vs the paper's {numbers.counts[0]}/{numbers.counts[1]}"
    elif numbers.band:
        low, high = numbers.band
        p_contradict = min(1.0, 2 * min(stats.binomial_test(k, n, low, "less"), stats.binomial_test(k, n, high, "greater")))
        against = f"exact binomial outside {low:.3g} to {high:.3g} (the smaller one-sided p, doubled)"
    else:
        p_contradict = stats.binomial_test(k, n, numbers.p_paper, sides)
        against = f"exact binomial {sides} vs the margin"
    return {"measured": _fraction(k, n), "trials": _trials(n),
            "test": f"reproduce: {reproduce}; contradict: {against}",
            "p_reproduce": p_reproduce, "p_contradict": p_contradict,
            "verdict": decide(p_reproduce, p_contradict, _trials(n)), "how": how}


def compare_rates(more: tuple[str, int, int], fewer: tuple[str, int, int], how: str) -> dict:
    """Arms (name, k, n): the claim is that the rate is higher in `more` than in `fewer`."""
    (name1, k1, n1), (name2, k2, n2) = more, fewer
    p_reproduce = stats.proportions_test(k1, n1, k2, n2, "greater")
    p_contradict = stats.proportions_test(k1, n1, k2, n2, "less")
    return {"measured": f"{name1} {_fraction(k1, n1)}; {name2} {_fraction(k2, n2)}", "trials": f"{n1} vs {n2} trials",
            "test": "Boschloo one-sided: reproduce (greater), contradict (less)",
            "p_reproduce": p_reproduce, "p_contradict": p_contradict,
            "verdict": decide(p_reproduce, p_contradict, f"{n1} vs {n2} trials"), "how": how}


def _directional(p_reproduce: float, p_contradict: float, trials: str, **fields) -> dict:
    return {"p_alt": "no effect", "p_reproduce": p_reproduce, "p_contradict": p_contradict, "trials": trials,
            "verdict": decide(p_reproduce, p_contradict, trials), **fields}


# --- what each claim counts ---------------------------------------------------------------------

def _experiment(runs, name: str) -> list[dict]:
    if not runs.get(name):
        raise NotMeasured(f"no runs of experiment {name!r}")
    return runs[name]


def _flags(runs, experiment: str, flag: str) -> tuple[int, int, str]:
    members = _experiment(runs, experiment)
    return sum(bool(r[flag]) for r in members), len(members), f"{flag} runs of {experiment}"


def _arms(runs, flag: str, more: str, fewer: str) -> tuple[tuple, tuple, str]:
    k1, n1, _ = _flags(runs, more, flag)
    k2, n2, _ = _flags(runs, fewer, flag)
    return (more, k1, n1), (fewer, k2, n2), f"{flag} runs of {more} against {fewer}"


def _with_null(numbers: Rate, nulls: dict[str, float], data: str) -> Rate:
    if data not in nulls:
        raise NotMeasured(f"no simulated null of the disentangled rule on {data} data (rule calibration)")
    return numbers._replace(p_alt=nulls[data])


def _near_45(runs) -> tuple[int, int, str]:
    failed = [r for r in _experiment(runs, "mixture_hierarchical")
              if not r["disentangled"] and not r["over_regularised"] and not r.get("diverged")]
    if not failed:
        raise NotMeasured("no mixture_hierarchical run failed without over-regularising")
    k = sum(near_45(r.get("code_angle")) for r in failed)
    return k, len(failed), (f"failed mixture_hierarchical runs (not disentangled, not over-regularised, not diverged) "
                            f"whose code angle is within {NEAR_45_DEGREES:g} degrees of 45 (a failure without an "
                            "angle is not)")


def near_45(angle) -> bool:
    """Whether a code angle (None or NaN: the code has none) lies within NEAR_45_DEGREES of 45."""
    return _finite(angle) and abs(angle - 45) <= NEAR_45_DEGREES


def _large_beta(runs) -> tuple[int, int, str]:
    large = [r for r in _experiment(runs, "beta_sweep") if 5 <= parse(r["run"]).beta <= 100]
    if not large:
        raise NotMeasured("no beta between 5 and 100 in the sweep")
    betas = sorted({parse(r["run"]).beta for r in large})
    return (sum(bool(r["over_regularised"]) for r in large), len(large),
            f"over-regularised beta_sweep runs at beta {', '.join(map(_g, betas))}")


def has_dip(losses, margin: float = DIP_MARGIN, tolerance: float = DIP_TOLERANCE) -> bool:
    """Whether some interior point lies below a point before it and a point after it by more than
    `margin` of its own loss (and more than `tolerance`): a local minimum with walls of a stated
    height, not a wiggle of the sampled loss profile."""
    y = np.asarray(losses, dtype=float)
    if len(y) < 3:
        return False
    before = np.maximum.accumulate(y)[:-2]  # max of y[:i] for each interior i
    after = np.maximum.accumulate(y[::-1])[::-1][2:]  # max of y[i + 1:]
    depth = np.maximum(margin * np.abs(y[1:-1]), tolerance)
    return bool(np.any((before - y[1:-1] > depth) & (after - y[1:-1] > depth)))


def _dips(landscape, key: str, position: str, name: str) -> tuple[int, int, str]:
    if not landscape:
        raise NotMeasured(f"no {name} of the loss landscape")
    profiles = defaultdict(list)
    for row in landscape:
        profiles[row[key]].append((row[position], row["loss"]))
    k = sum(has_dip([loss for _, loss in sorted(points)]) for points in profiles.values())
    return k, len(profiles), (f"{name} whose sampled loss has an interior point below a point before it and a "
                              f"point after it by more than {DIP_MARGIN:.0%} of its loss (and {DIP_TOLERANCE:g}): a "
                              f"local minimum strictly inside the {position} range; loss clipped at 1000")


def _between(between) -> dict:
    if not between:
        raise NotMeasured("no line between two trained standard runs")
    points = sorted((r["t"], r["loss"], r["s_d"]) for r in between)
    (_, loss0, s_d0), (_, loss1, s_d1) = points[0], points[-1]
    barrier = max((p[1] for p in points[1:-1]), default=math.nan) - max(loss0, loss1)
    return {"measured": f"end losses {loss0:.4g}, {loss1:.4g}; end S_D {s_d0:.3f}, {s_d1:.3f}; "
                        f"barrier (highest interior loss above the higher end) {barrier:.4g}",
            "test": "none: one pair of runs gives no test", "verdict": "inconclusive at 1 pair",
            "how": "loss and S_D along the line between two standard runs"}


def _rotation(rotations, runs) -> dict:
    """Only disentangled runs: rotating a code that already sits near 45 degrees raises S_D, so a
    sign test over every run would test nothing (the paper rotates a disentangled one)."""
    if not rotations:
        raise NotMeasured("no rotation study")
    aligned = {f"{r['experiment']}/{r['run']}" for rows in runs.values() for r in rows if r.get("disentangled")}
    rotations = [(name, rows) for name, rows in rotations if name in aligned]
    if not rotations:
        raise NotMeasured("no rotated run is disentangled")
    drops, changes = 0, defaultdict(list)
    for _, rows in rotations:
        start = min(rows, key=lambda r: abs(r["angle"]))
        turned = min(rows, key=lambda r: abs(r["angle"] - 45))
        drops += turned["s_d"] < start["s_d"]
        for name in ("reg_per_latent", "reg_per_latent_diagonal"):
            if _finite(start.get(name)) and _finite(turned.get(name)):
                changes[name].append(turned[name] - start[name])
    n = len(rotations)
    measured = [f"S_D lower at 45 than at 0 degrees in {_fraction(drops, n)}"]
    measured += [f"change of {name} mean {np.mean(v):.3g} [min {min(v):.3g}, max {max(v):.3g}]"
                 for name, v in changes.items()]
    return _directional(stats.binomial_test(drops, n, 0.5, "greater"), stats.binomial_test(drops, n, 0.5, "less"),
                        _trials(n), p_paper="not stated", measured="; ".join(measured),
                        test="sign test (exact binomial vs 0.5, one-sided each way)",
                        how="per rotated run, S_D and regularisers at the angles nearest 45 and 0 degrees")


def _label_runs(runs) -> dict[int, list[dict]]:
    by_count = defaultdict(list)
    for r in _experiment(runs, "semi_supervised"):
        by_count[parse(r["run"]).labels].append(r)
    return dict(sorted(by_count.items()))


def _one_percent(counts, n_train: int) -> list[int]:
    count = one_percent_labels(counts, n_train)
    return [] if count is None else [count]


def _three_to_eight_percent(counts, n_train: int) -> list[int]:
    return [c for c in counts if 0.03 <= c / n_train <= 0.08]


def _labelled(runs, n_train: int, pick, passes, what: str) -> tuple[int, int, str]:
    """Runs at the label counts `pick` chooses, and how many of them `passes`."""
    by_count = _label_runs(runs)
    counts = pick(list(by_count), n_train)
    if not counts:
        raise NotMeasured(f"no label count in the range (have {', '.join(map(str, by_count))} of {n_train})")
    members = [r for c in counts for r in by_count[c]]
    return (sum(bool(passes(r)) for r in members), len(members),
            f"{what} at {', '.join(f'{c} labels ({c / n_train:.2%})' for c in counts)}")


def _identical(row: dict) -> bool:
    return (row.get("diagonal_share") or 0.0) >= IDENTICAL_SHARE


def _loss_groups(runs, score: str) -> dict[float, list[float]]:
    """log2(label count) -> the score of each semi-supervised run at that count."""
    groups = {math.log2(c): [r[score] for r in rs if _finite(r.get(score))] for c, rs in _label_runs(runs).items()}
    groups = {x: ys for x, ys in groups.items() if ys}
    if len(groups) < 2 or sum(len(ys) - 1 for ys in groups.values()) < 1:
        raise NotMeasured(f"{score}: needs two label counts and a repeated one (for the within-count scatter)")
    return groups


def _flat_margin(score: str, groups: dict[float, list[float]]) -> float:
    """The largest slope per doubling that still counts as no effect: UNAFFECTED over the sweep's span."""
    return UNAFFECTED[score] / (max(groups) - min(groups))


def _pooled_scatter(groups: dict[float, list[float]]) -> float:
    dof = sum(len(ys) - 1 for ys in groups.values())
    return math.sqrt(sum(((np.asarray(ys) - np.mean(ys)) ** 2).sum() for ys in groups.values()) / dof)


def _unaffected(score: str, groups: dict[float, list[float]]) -> dict:
    """A no-effect claim: slope of the score against log2(labels) inside +-margin, where the margin
    is the score's UNAFFECTED change spread over the sweep's doublings."""
    scatter = _pooled_scatter(groups)
    span = max(groups) - min(groups)
    x, y = zip(*((x, v) for x, ys in groups.items() for v in ys))
    margin = _flat_margin(score, groups)
    fit = stats.slope(x, y)
    p_within = max(stats.slope_test(fit, -margin, "greater"), stats.slope_test(fit, margin, "less"))
    p_beyond = min(1.0, 2 * min(stats.slope_test(fit, margin, "greater"), stats.slope_test(fit, -margin, "less")))
    return {"p_paper": "slope 0", "p_alt": f"|slope| > {margin:.3g}",
            "measured": f"{_slope(fit)}; margin {margin:.3g} = {UNAFFECTED[score]:g} over the sweep / {span:g} "
                        f"doublings; pooled within-count SD {scatter:.3g}", "trials": _trials(len(x)),
            "test": "reproduce: two one-sided t-tests inside +-margin (TOST); contradict: 95% interval beyond the "
                    "margin (two-sided t-test at the margin)",
            "p_reproduce": p_within, "p_contradict": p_beyond,
            "verdict": decide(p_within, p_beyond, _trials(len(x))),
            "how": f"OLS of the final {score} (mean over the last 10 epochs) of each semi_supervised run on "
                   "log2(label count)"}


def _flat_slope_seeds(levels, margin: float, scatter: float) -> str:
    if scatter == 0:
        return "-"
    try:
        return f"{stats.seeds_for_flat_slope(levels, margin / scatter)} runs per label count"
    except ValueError:  # the margin is tiny against the scatter
        return "more than 10000 runs per label count"


def _increases(runs) -> dict:
    points = [(math.log2(parse(r["run"]).labels), r["s_d"]) for r in _experiment(runs, "semi_supervised")
              if _finite(r.get("s_d"))]
    if len({x for x, _ in points}) < 2 or len(points) < 3:
        raise NotMeasured("needs S_D at two label counts and three runs")
    fit = stats.slope(*zip(*points))
    return _directional(stats.slope_test(fit, 0.0, "greater"), stats.slope_test(fit, 0.0, "less"),
                        _trials(len(points)), p_paper="slope > 0",
                        measured=_slope(fit),
                        test="one-sided t-tests of the OLS slope: reproduce (> 0), contradict (< 0)",
                        how="OLS of the S_D of each semi_supervised run on log2(label count)")


def _more_consistent(runs) -> tuple[tuple, tuple, str]:
    by_count = _label_runs(runs)
    if len(by_count) < 2:
        raise NotMeasured("needs two label counts")
    few, many = min(by_count), max(by_count)
    k1, k2 = (sum(bool(r["disentangled"]) for r in by_count[c]) for c in (many, few))
    return ((f"{many} labels", k1, len(by_count[many])), (f"{few} labels", k2, len(by_count[few])),
            "disentangled semi_supervised runs at the largest against the smallest label count")


def _s_kl_with_labels(runs, n_train: int) -> dict:
    """fig15: S_KL at the label count that reads as 1% (as C12) against runs of the same prior and
    schedule without labels (experiment `unlabelled`), so only the labels differ."""
    by_count = _label_runs(runs)
    counts = _one_percent(by_count, n_train)
    if not counts:
        raise NotMeasured(f"no label count of at least 1% (have {', '.join(map(str, by_count))} of {n_train})")
    (count,) = counts
    labelled = [r["s_kl"] for r in by_count[count] if _finite(r.get("s_kl"))]
    unlabelled = [r["s_kl"] for r in _experiment(runs, "unlabelled") if _finite(r.get("s_kl"))]
    if not labelled or not unlabelled:
        raise NotMeasured("no S_KL scores for one of the groups")
    return _directional(stats.mann_whitney(labelled, unlabelled, "less"),
                        stats.mann_whitney(labelled, unlabelled, "greater"),
                        f"{len(labelled)} vs {len(unlabelled)} trials", p_paper="lower with labels",
                        measured=f"median S_KL {np.median(labelled):.3g} ({count} labels, {len(labelled)} runs) vs "
                                 f"{np.median(unlabelled):.3g} (no labels, {len(unlabelled)} runs)",
                        test="Mann-Whitney one-sided: reproduce (less), contradict (greater)",
                        how=f"S_KL of semi_supervised runs at {count} labels ({count / n_train:.2%}) against the "
                            "unlabelled runs (same data, prior and schedule, no labels)")


# --- writing --------------------------------------------------------------------------------------

def write(csv_path, md_path, rows: list[dict], scale: str) -> None:
    """The claims as CSV, and as markdown opening with the verdict rules."""
    _write_table(csv_path, md_path, rows, COLUMNS, f"Claims of the paper against this pipeline (scale `{scale}`)",
                 RULES)


def write_calibration(csv_path, md_path, rows: list[dict], scale: str) -> None:
    """The verdict calibration of every claim row, as CSV and as markdown opening with how it is made."""
    _write_table(csv_path, md_path, rows, CALIBRATION_COLUMNS,
                 f"Verdict calibration of the claims table (scale `{scale}`)", CALIBRATION_RULES)


def _write_table(csv_path, md_path, rows: list[dict], columns, title: str, rules: str) -> None:
    save_rows(csv_path, [{c: row[c] for c in columns} for row in rows])
    lines = [f"# {title}", "", rules, "", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(row[c]) for c in columns) + " |" for row in rows]
    with atomic_path(md_path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _fraction(k: int, n: int) -> str:
    low, high = stats.wilson(k, n)
    return f"{k}/{n} = {k / n:.2f} [95% CI {low:.2f}, {high:.2f}]"


def _slope(fit: stats.Slope) -> str:
    return f"slope {fit.estimate:.3g} per doubling of labels [95% CI {fit.low:.3g}, {fit.high:.3g}]"


def _trials(n: int) -> str:
    return f"{n} trial{'' if n == 1 else 's'}"


def _g(x: float) -> str:
    return f"{x:.3g}"


def _cell(value) -> str:
    text = f"{value:.3g}" if isinstance(value, float) else str(value)
    return text.replace("|", "/") or "-"
