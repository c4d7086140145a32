"""The claims table as written: the verdict rules that open it, its columns, and the CSV and markdown
of the claims and of their verdict calibration."""

from __future__ import annotations

from fieldvae.core.claim_calibration import SIMULATIONS
from fieldvae.core.io import atomic_path, save_rows
from fieldvae.paper.margins import (CONSISTENTLY, MANY, NEVER, ROUGHLY_HALF,
                                    UNAFFECTED)

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
    "for a band, at the paper's rate inside it; exact power saw-tooths with the trial count), at the raw level "
    "0.05: Holm's adjustment asks for more, which the verdict calibration's decidable_from counts. The "
    "'disentangled' and over-regularised flags are those of the "
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
    "a test for. A claim whose input is missing is 'not measured', with the reason. A claim reads `undecidable at n`, with "
    "the trials that would decide it, where it is inconclusive and its trials cannot reach `reproduced`, or "
    "contradicted where a right paper would be contradicted more than 5% of the time (reachable_at_n, "
    "false_contradiction; the verdict calibration table gives the whole calculation). For a claim without a "
    "count model, `reproduced` is within reach when the outcome most favourable to the paper (every run in its "
    "direction, complete separation) reproduces it after Holm's adjustment; one pair of runs (C10) gives no test "
    "and is undecidable at any n.")
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
    "by the same test; decidable_from is then in runs per label count. Other rows without a count model say why, "
    "and whether the outcome most favourable to the paper reaches `reproduced` at these trials (decidable_from: "
    "the trials, per arm for two groups, from which it does).")


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


def _cell(value) -> str:
    text = f"{value:.3g}" if isinstance(value, float) else str(value)
    return text.replace("|", "/") or "-"
