"""A claims-table row's verdict calibration: how often its rule, at this build's own trials and after
Holm's adjustment among the other rows, says each verdict when the paper is right and when it is wrong
(fieldvae.core.verdict_calibration), and the row's verdict made `undecidable at n` where these trials
cannot deliver it honestly, with the trials that would decide it.
"""

from __future__ import annotations

from fieldvae.core import verdict_calibration
from fieldvae.core.stats import lasting, proportions_test
from fieldvae.core.streams import rng
from fieldvae.core.verdicts import (Comparison, Flat, Rate, compare_rates,
                                    flat, flat_margin, g, holm_verdict,
                                    judge_rate, pooled_scatter, trials)

SIMULATIONS = 400  # simulated sweeps per model of a claim without a count model (Flat)
MAX_SIMULATED_RUNS = 40  # runs per sweep value up to which a deciding count is searched for such a claim
# Equal rates of both arms, the null of a comparison: its worst case is reported.
EQUAL_RATES = tuple(round(0.05 * i, 2) for i in range(1, 20))


def calibrate(numbers, measured, verdict: str, others: tuple[list[float], list[float]]) -> dict:
    """The row's calibration columns, and `verdict` made `undecidable at n` where these trials cannot
    deliver it. others: the other rows' reproduce and contradict p-values (Holm's families)."""
    if isinstance(numbers, Rate):
        fields, calibration, at, most, unit = _rate(numbers, measured, others)
    elif isinstance(numbers, Comparison) and numbers.p_more is not None:
        fields, calibration, at, most, unit = _comparison(numbers, measured, others)
    elif isinstance(numbers, Flat) and pooled_scatter(measured) > 0:
        fields, calibration, at, most, unit = _flat(numbers, measured, others)
    else:
        reason = ("the paper states no rates" if isinstance(numbers, Comparison) else
                  "the scatter is 0" if isinstance(numbers, Flat) else
                  "no count model (a trend, a shift or one pair; the paper states no effect size)")
        return {"paper_right": f"not simulated: {reason}", "reachable_at_n": "not simulated"} | \
            _best_outcome(numbers, measured, verdict, others)
    fields |= {"reachable_at_n": ", ".join(calibration.reachable),
               "false_contradiction": calibration.right["contradicted"],
               **{f"right_{v}": p for v, p in calibration.right.items()},
               **{f"wrong_{v}": p for v, p in calibration.wrong.items()}}
    if not calibration.decidable:
        needed = verdict_calibration.deciding_trials(at, most)
        fields["decidable_from"] = (f"more than {most}" if needed is None else str(needed)) + unit
    if verdict_calibration.undecidable(verdict, calibration):
        fields["verdict"] = f"undecidable at {fields['trials']} (decidable from {fields['decidable_from']})"
    return fields


def _rate(numbers: Rate, measured, others):
    _, n, _ = measured

    def at(count, wrong=False):
        return verdict_calibration.rate(lambda k: holm_verdict(judge_rate(numbers, k, count, ""), others), count,
                                        numbers.rights(), numbers.p_alt if wrong else None)
    fields = {"trials": trials(n), "decidable_from": f"{n} (this build)",
              "paper_right": f"rate {' or '.join(map(g, numbers.rights()))}" + (" (the worse)" if numbers.band else ""),
              "paper_wrong": f"rate {g(numbers.p_alt)}"}
    return fields, at(n, wrong=True), at, verdict_calibration.MAX_TRIALS, ""


def _comparison(numbers: Comparison, measured, others):
    (name1, _, n1), (name2, _, n2), _ = measured

    def arms(m1, m2, wrong=False):
        return verdict_calibration.comparison(
            lambda k1, k2: holm_verdict(compare_rates((name1, k1, m1), (name2, k2, m2), ""), others), m1, m2,
            (numbers.p_more, numbers.p_fewer), tuple((p, p) for p in EQUAL_RATES) if wrong else ())
    calibration = arms(n1, n2, wrong=True)
    fields = {"trials": f"{n1} vs {n2} trials", "decidable_from": f"{n1} vs {n2} (this build)",
              "paper_right": f"rates {g(numbers.p_more)} ({name1}) and {g(numbers.p_fewer)} ({name2})",
              "paper_wrong": f"equal rates, the worst of 0.05 to 0.95: {g(EQUAL_RATES[calibration.worst])}"}
    return fields, calibration, lambda count: arms(count, count), verdict_calibration.MAX_TRIALS, " per arm"


def _flat(numbers: Flat, groups: dict[float, list[float]], others):
    """Sweeps simulated with the build's design and the pooled scatter: slope 0 (right), slope at the
    margin (wrong), SIMULATIONS each from the stream verdict_simulation."""
    scatter = pooled_scatter(groups)
    margin = flat_margin(numbers, groups)

    def simulate(sizes: dict, key) -> verdict_calibration.Calibration:
        draw = rng("verdict_simulation", 0, numbers.score, key)
        outcomes = [[{x: slope * x + scatter * draw.standard_normal(n) for x, n in sizes.items()}
                     for _ in range(SIMULATIONS)] for slope in (0.0, margin)]
        return verdict_calibration.simulated(lambda outcome: holm_verdict(flat(numbers, outcome), others), *outcomes)

    def at(count):
        if count < 2:  # one run per sweep value leaves no scatter to test against
            return verdict_calibration.Calibration(dict.fromkeys(verdict_calibration.VERDICTS, 0.0), None, ())
        return simulate(dict.fromkeys(groups, count), count)
    fields = {"trials": trials(sum(map(len, groups.values()))),
              "decidable_from": f"{max(map(len, groups.values()))} (this build)",
              "paper_right": f"slope 0 with the pooled scatter {scatter:.3g}, {SIMULATIONS} simulated sweeps",
              "paper_wrong": f"slope at the margin, {margin:.3g} per doubling"}
    return fields, simulate({x: len(ys) for x, ys in groups.items()}, "build"), at, MAX_SIMULATED_RUNS, \
        f" runs per {numbers.unit}"


def _best_outcome(numbers, measured, verdict: str, others) -> dict:
    """A row without a model of the paper being right can still be asked whether the outcome most
    favourable to the paper that these trials can give (all runs in the paper's direction, complete
    separation) reaches `reproduced` after Holm's adjustment. Where it cannot, an `inconclusive` reads
    `undecidable at n`, with the trials (per arm) from which that outcome would reproduce the claim.
    The measure says what its test's best outcome is (`best`: its p-value at given trials per arm;
    None: one pair, no test); a comparison of two rates without the paper's rates is Boschloo's."""
    if isinstance(numbers, Comparison):
        (_, _, n1), (_, _, n2), _ = measured
        best, sizes, count = (lambda a, b: proportions_test(a, a, 0, b, "greater")), (n1, n2), f"{n1} vs {n2} trials"
    elif isinstance(measured, dict) and "best" in measured:
        best, sizes, count = measured["best"], measured["sizes"], measured["trials"]
    else:
        return {}
    if best is None:
        fields = {"reachable_at_n": "not simulated; no test", "decidable_from": "none: no test"}
    else:
        def reaches(*arms) -> bool:
            judged = {"p_reproduce": best(*arms), "p_contradict": 1.0, "trials": ""}
            return verdict_calibration.kind(holm_verdict(judged, others)) == "reproduced"
        if reaches(*sizes):
            return {"reachable_at_n": "not simulated; reproduced reachable"}
        try:
            needed = str(lasting(lambda n: float(reaches(*[n] * len(sizes))), 1.0, verdict_calibration.MAX_TRIALS,
                                 "a reproducing best outcome"))
        except ValueError:
            needed = f"more than {verdict_calibration.MAX_TRIALS}"
        fields = {"reachable_at_n": "not simulated; reproduced out of reach",
                  "decidable_from": needed + (" per arm" if len(sizes) > 1 else "")}
    if verdict_calibration.kind(verdict) == "inconclusive":
        why = "no test decides it" if best is None else f"decidable from {fields['decidable_from']}"
        fields["verdict"] = f"undecidable at {count} ({why})"
    return fields
