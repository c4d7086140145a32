"""The results page of a build, `results/<scale>/RESULTS.md`: what the built tables say, written by a
rule, so no verdict is ever copied into prose by hand (a copied number goes stale the day the code
changes). It holds the claims with their verdicts and calibration, the Lennard-Jones table, the
protocol study where it was built, and what made the build: the commit, the machine, its wall time
(from the first dataset written to the last table, by the files' times) and its training cost.
"""

from __future__ import annotations

import datetime
import os
import platform
from collections import Counter
from pathlib import Path

from fieldvae.core.io import atomic_path, load_rows
from fieldvae.core.provenance import code_version
from fieldvae.paper.protocol_study import training_seconds

VERDICT_KINDS = ("reproduced", "contradicted", "inconclusive", "undecidable", "not measured")
CLAIM_COLUMNS = ("id", "claim", "measured", "p_reproduce_holm", "p_contradict_holm", "verdict",
                 "false_contradiction", "reachable_at_n")


def machine() -> str:
    """The CPU model, its logical cores and the GPU, if PyTorch sees one."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), model)
    except OSError:
        pass
    gpu = "none"
    try:
        import torch

        if torch.cuda.is_available():
            gpu = torch.cuda.get_device_name(0)
    except ImportError:
        pass
    return f"{model}, {os.cpu_count()} logical cores, GPU: {gpu}"


def wall_seconds(first: list[Path], last: list[Path]) -> float:
    """Seconds from the earliest modification of `first` (what a build writes first) to the latest of
    `last` (what it writes last)."""
    return max(p.stat().st_mtime for p in last) - min(p.stat().st_mtime for p in first)


def training_core_minutes(benchmarks: list[Path]) -> float:
    """Core-minutes of the training jobs, from their Snakemake benchmark files (one thread each)."""
    return sum(training_seconds(path) for path in benchmarks) / 60


def verdict_counts(claims: list[dict]) -> dict[str, int]:
    counts = Counter(next(k for k in VERDICT_KINDS if row["verdict"].startswith(k)) for row in claims)
    return {kind: counts.get(kind, 0) for kind in VERDICT_KINDS}


def page(scale: str, claims: list[dict], sections: dict[str, str], build: dict) -> str:
    """The page: the build's record, the claims' verdicts and their counts, then each section (a
    built markdown table, its own title dropped)."""
    counts = verdict_counts(claims)
    hours, rest = divmod(round(build["wall_seconds"]), 3600)
    lines = [f"# Results at scale `{scale}`", "",
             f"Written by the `results_page` rule from the built tables, {build['written']}. Code: commit "
             f"`{build['git_commit']}`{' with uncommitted edits' if build['git_dirty'] else ''} (package "
             f"{build['package_version']}). Machine: {build['machine']}. Wall time from the first dataset to the "
             f"last table: {hours} h {rest // 60} min; training: {build['training_core_minutes']:.0f} core-minutes "
             f"in {build['runs']} runs.", "",
             "## The paper's claims", "",
             "Verdicts: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ". The rules, the tests and "
             f"every column are in `tables/{scale}/claims.md`; the calibration of every rule (the chance of each "
             f"verdict when the paper is right and when it is wrong) in `tables/{scale}/verdict_calibration.md`. "
             "p-values are Holm-adjusted over the table; false_contradiction is P(contradicted | paper right) at "
             "these trial counts.", "",
             "| " + " | ".join(CLAIM_COLUMNS) + " |", "|" + "---|" * len(CLAIM_COLUMNS)]
    lines += ["| " + " | ".join(_cell(row.get(c, "-")) for c in CLAIM_COLUMNS) + " |" for row in claims]
    for title, table in sections.items():
        lines += ["", f"## {title}", "", *_without_title(table)]
    return "\n".join(lines) + "\n"


def write(out: Path, scale: str, claims_csv: Path, sections: dict[str, Path], first: list[Path],
          last: list[Path], benchmarks: list[Path]) -> None:
    build = {**code_version(), "machine": machine(), "wall_seconds": wall_seconds(first, last),
             "training_core_minutes": training_core_minutes(benchmarks), "runs": len(benchmarks),
             "written": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    text = page(scale, load_rows([claims_csv]), {title: path.read_text() for title, path in sections.items()}, build)
    with atomic_path(out) as tmp:
        Path(tmp).write_text(text)


def _without_title(markdown: str) -> list[str]:
    lines = markdown.strip("\n").splitlines()
    body = lines[1:] if lines and lines[0].startswith("# ") else lines
    while body and not body[0].strip():
        body = body[1:]
    return body


def _cell(value) -> str:
    text = f"{value:.3g}" if isinstance(value, float) else str(value)
    return text.replace("|", "/") or "-"
