"""The run plan: the one place that turns the configuration into runs. Every run of a scale is a Run
with everything that makes it (experiment, dataset, prior, sweep value, seed, protocol, and the model
and training settings it trains with); the workflow's rules look runs up here by their wildcards,
and a run's folder name (fieldvae.paper.run_ids) is only a name, never read back for a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from fieldvae.paper import objectives_study, protocol_study, run_ids

# The experiments the paper's figures and claims are drawn from, and the sweep each must have (checked
# with the configuration, fieldvae.config).
FIGURE_EXPERIMENTS = {**dict.fromkeys(["standard", "shifted", "shifted_hierarchical", "mixture", "mixture_hierarchical"]),
                      "beta_sweep": "betas", "semi_supervised": "labels"}


@dataclass(frozen=True)
class Run:
    experiment: str
    dataset: str
    prior: str
    seed: int
    beta: float | None = None  # the fixed beta of a beta sweep's run
    labels: int | None = None  # the label count of a label sweep's run
    protocol: str | None = None  # the protocol study's protocol of a virtual experiment
    model: dict = field(default_factory=dict, compare=False)  # ModelConfig fields (the grid: the data's)
    training: dict = field(default_factory=dict, compare=False)  # TrainingConfig fields

    @property
    def id(self) -> str:
        """The run's folder name: seed<n>, beta<value>_seed<n> or labels<count>_seed<n>."""
        sweep, value = ("betas", self.beta) if self.beta is not None else ("labels", self.labels)
        return run_ids.make(sweep if value is not None else None, value, self.seed)


def experiments(config: dict) -> dict[str, dict]:
    """Every experiment that trains: the configured ones and the studies' virtual ones
    (<experiment>~<protocol>, fieldvae.paper.protocol_study; <experiment>~<objective><weight>,
    fieldvae.paper.objectives_study)."""
    out = dict(config["experiments"])
    if config.get("protocol_study"):
        out |= protocol_study.experiments(config["protocol_study"], config["experiments"])
    if config.get("objectives_study"):
        out |= objectives_study.experiments(config["objectives_study"], config["experiments"])
    return out


def plan(config: dict, scale: str) -> list[Run]:
    """Every run of every experiment at `scale`: its trials times its sweep's values."""
    return [run for name in experiments(config) for run in experiment_runs(config, scale, name)]


def experiment_runs(config: dict, scale: str, name: str) -> list[Run]:
    """The runs of one experiment at `scale`, sweep value by sweep value, seed by seed."""
    preset = config["scales"][scale]
    experiment = experiments(config)[name]
    sweep = experiment.get("sweep")
    values = [None] if sweep is None else preset["sweeps"][sweep]
    trials = experiment.get("trials") or preset.get("experiment_trials", {}).get(name, preset["trials"])
    if isinstance(trials, dict):  # a study's trials per scale
        trials = trials[scale]
    schedule = preset["schedules"][experiment["schedule"]]
    if "protocol" in experiment:
        schedule = protocol_study.protocol_schedule(preset["schedules"], experiment["schedule"], experiment["protocol"])
    base = {**schedule, **experiment.get("training", {})}
    runs = []
    for value in values:
        beta, labels = (value, None) if sweep == "betas" else (None, value)
        training = {**base, **({"fixed_beta": float(beta)} if beta is not None else {}),
                    **({"labels": labels} if labels is not None else {}), "compile": preset.get("compile", False)}
        runs += [Run(name, experiment["dataset"], experiment["prior"], seed, beta, labels,
                     name.partition(protocol_study.SEPARATOR)[2] if "protocol" in experiment else None,
                     {**config["model"], "prior": experiment["prior"]}, training) for seed in range(trials)]
    return runs


def one_percent_labels(config: dict, scale: str) -> int:
    """The label count that reads as the paper's "around 1%" (C12, C15, figure 15) at `scale`."""
    preset = config["scales"][scale]
    count = run_ids.one_percent_labels(preset["sweeps"]["labels"], preset["n_train"])
    if count is None:
        raise ValueError(f"config key 'scales.{scale}.sweeps.labels': figure 15 needs a label count of at least "
                         f"1% of n_train ({0.01 * preset['n_train']:g}), got {preset['sweeps']['labels']}")
    return count


class Lookup:
    """The runs of a configuration by scale, experiment and run id, each scale planned once (the
    workflow looks a run up for every job)."""

    def __init__(self, config: dict):
        self.config = config
        self._by_id = cache(self._index)

    def _index(self, scale: str) -> dict[tuple[str, str], Run]:
        return {(run.experiment, run.id): run for run in plan(self.config, scale)}

    def run(self, scale: str, experiment: str, run_id: str) -> Run:
        try:
            return self._by_id(scale)[experiment, run_id]
        except KeyError:
            raise ValueError(f"no run {experiment}/{run_id} in the plan of scale {scale!r}") from None

    def runs(self, scale: str, experiment: str) -> list[Run]:
        return [run for (name, _), run in self._by_id(scale).items() if name == experiment]
