"""The disentangled rule checked on codes whose angle we chose, on each data set's own factors: it
is trusted only because it gives the known answer here (figures/rule_calibration.pdf).

A synthetic code is a data set's standardised test factors rotated by a chosen angle, through a
monotone warp of each latent, standardised, plus Gaussian noise of a chosen share of its standard
deviation (noise after the warp, so the warp changes what the ranks see). The
decision curves are the fraction of such codes the rule passes at each angle, per data set, noise
level and warp; the flip angle of a curve is where that fraction crosses one half. One rule, one
meaning: every flip angle lies within FLIP_TOLERANCE of MAX_CODE_ANGLE.

The null of "failures sit near 45 degrees" (C5, the protocol study's angle histograms): a failure
is defined by the same rule, so where failures sit must be compared with where the rule's failures
sit when codes point anywhere. Codes at uniform random angles (0 to 90 degrees, noise drawn from
NOISES) go through the same rule; the null share is the fraction of their failures within
NEAR_45_DEGREES of 45. For a rule that reads angles truly it is near 1/2 (failures lie between the
cut and 45), not the 1/3 a uniform angle puts there. A test compares with the upper end of its 95%
Wilson interval (`null_upper`), so the simulation's own error cannot make the failures look nearer
45 than chance puts them.
"""

from __future__ import annotations

import numpy as np

from fieldvae.core.io import atomic_path, load_rows, save_rows
from fieldvae.core.metrics.code_angle import code_geometry
from fieldvae.core.metrics.disentangled import MAX_CODE_ANGLE, disentangled
from fieldvae.core.stats import wilson
from fieldvae.paper.claim_measures import near_45
from fieldvae.paper.margins import NEAR_45_DEGREES

ANGLES = (0.0, 5.0, 10.0, 12.5, 15.0, 17.5, 20.0, 25.0, 30.0, 45.0)
NOISES = (0.02, 0.1, 0.3, 0.5)  # in standard deviations of a standardised factor
WARPS = {"linear": lambda u: u, "exp": lambda u: np.exp(u / 2), "tanh": np.tanh}  # noise comes after the warp
FLIP_TOLERANCE = 5.0  # degrees


def standardised(factors: np.ndarray) -> np.ndarray:
    return (factors - factors.mean(axis=0)) / factors.std(axis=0)


def synthetic_code(factors: np.ndarray, degrees: float, noise: float, warp, rng: np.random.Generator) -> np.ndarray:
    """The first two standardised factors rotated by `degrees`, the others kept, warped, standardised,
    plus noise."""
    z = standardised(factors)
    a = np.radians(degrees)
    z[:, :2] = z[:, :2] @ np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    return standardised(warp(z)) + noise * rng.standard_normal(z.shape)


def decision_curves(datasets: dict[str, np.ndarray], trials: int, rng: np.random.Generator,
                    angles=ANGLES) -> list[dict]:
    """One row per (data set, warp, noise, angle): the fraction of `trials` codes the rule passes, with
    its Wilson interval, and the median angle it reads."""
    if trials < 1:
        raise ValueError(f"trials: expected at least 1 code per cell, got {trials}")
    rows = []
    for data, factors in datasets.items():
        for warp_name, warp in WARPS.items():
            for noise in NOISES:
                for degrees in angles:
                    read = [code_geometry(synthetic_code(factors, degrees, noise, warp, rng), factors)
                            for _ in range(trials)]
                    passed = sum(disentangled(*geometry, False) for geometry in read)
                    read = [geometry.angle for geometry in read]
                    low, high = wilson(passed, trials)
                    rows.append({"data": data, "warp": warp_name, "noise": noise, "angle": degrees, "codes": trials,
                                 "passed": passed, "pass_rate": passed / trials, "pass_low": low, "pass_high": high,
                                 "median_angle_read": float(np.nanmedian(read)) if not np.all(np.isnan(read)) else None})
    return rows


def flip_angles(curves: list[dict]) -> list[dict]:
    """Per (data set, warp, noise), the angle where the pass rate crosses one half (linear between
    the angles of the curve; None where it never does)."""
    out = []
    keys = dict.fromkeys((r["data"], r["warp"], r["noise"]) for r in curves)
    for data, warp, noise in keys:
        points = sorted((r["angle"], r["pass_rate"]) for r in curves
                        if (r["data"], r["warp"], r["noise"]) == (data, warp, noise))
        flip = None
        for (a0, p0), (a1, p1) in zip(points, points[1:]):
            if p0 >= 0.5 > p1:
                flip = a0 + (p0 - 0.5) / (p0 - p1) * (a1 - a0)
                break
        out.append({"data": data, "warp": warp, "noise": noise, "flip_angle": flip,
                    "within_tolerance": flip is not None and abs(flip - MAX_CODE_ANGLE) <= FLIP_TOLERANCE})
    return out


def null_near_45(factors: np.ndarray, codes: int, rng: np.random.Generator) -> dict:
    """Codes at uniform random angles through the rule: of those it fails, how many
    sit within NEAR_45_DEGREES of 45; `null_share` is the fraction a test of C5 compares with."""
    if codes < 1:
        raise ValueError(f"codes: expected at least 1, got {codes}")
    angles = []
    for _ in range(codes):
        geometry = code_geometry(synthetic_code(factors, rng.uniform(0.0, 90.0), rng.choice(NOISES), WARPS["linear"],
                                                rng), factors)
        if not disentangled(*geometry, False):
            angles.append(geometry.angle)
    near = sum(near_45(a) for a in angles)
    if not angles:
        raise ValueError("no simulated code failed the rule: no null share")
    return {"codes": codes, "failures": len(angles), "near_45": near, "null_share": near / len(angles),
            "null_upper": wilson(near, len(angles))[1]}


def write(csv_path, null_csv_path, md_path, curves: list[dict], flips: list[dict], nulls: list[dict], scale: str,
          seed: int) -> None:
    """The decision curves and the nulls as CSV; as markdown, the flip angles and the nulls."""
    save_rows(csv_path, curves)
    save_rows(null_csv_path, nulls)
    lines = [f"# The disentangled rule on codes of known angle (scale `{scale}`)", "",
             f"Synthetic codes: each data set's standardised test factors rotated by a chosen angle, through a "
             f"monotone warp, plus noise (in standard deviations of the warped latent); {curves[0]['codes']} codes "
             f"per cell, stream "
             f"`rule_calibration` of seed {seed}. The rule passes a code whose angle is at most {MAX_CODE_ANGLE:g} "
             f"degrees; the flip angle is where the pass rate crosses one half, and should lie within "
             f"{FLIP_TOLERANCE:g} degrees of {MAX_CODE_ANGLE:g} everywhere.", "",
             "| data | warp | noise | flip angle | within tolerance |", "|---|---|---|---|---|"]
    lines += [f"| {f['data']} | {f['warp']} | {f['noise']:g} | "
              f"{'never' if f['flip_angle'] is None else format(f['flip_angle'], '.1f')} | {f['within_tolerance']} |"
              for f in flips]
    lines += ["", f"Null of 'failures sit near 45 degrees': codes at uniform random angles (0-90 degrees, noise drawn "
              f"from {', '.join(map(str, NOISES))}) through the same rule (stream `rule_null` of seed {seed}); "
              f"null_share is the fraction of the rule's failures within {NEAR_45_DEGREES:g} degrees of 45; tests compare "
              "with null_upper, the upper end of its 95% Wilson interval.", "",
              "| data | codes | failures | near 45 | null_share | null_upper |", "|---|---|---|---|---|---|"]
    lines += [f"| {n['data']} | {n['codes']} | {n['failures']} | {n['near_45']} | {n['null_share']:.3f} | "
              f"{n['null_upper']:.3f} |" for n in nulls]
    with atomic_path(md_path) as tmp:
        tmp.write_text("\n".join(lines) + "\n")


def null_shares(path) -> dict[str, float]:
    """data set -> the null share a test compares with (the upper end of the simulated share's
    interval), from the rule_null.csv this module writes."""
    rows = load_rows([path])
    if not rows or not {"data", "null_upper"} <= set(rows[0]):
        raise ValueError(f"{path}: expected rule_null.csv from `fieldvae rule-calibration` (columns data, null_upper)")
    return {str(r["data"]): float(r["null_upper"]) for r in rows}
