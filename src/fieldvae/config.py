"""The workflow configuration: loading, and validation with messages that name the key.

The JSON schema (workflow/schemas/config.schema.yaml) checks structure and types; `validate_config`
adds the checks a schema cannot express (grid sizes, cross-references, sizes that depend on the
scale) and reports every problem at once, each as "config key 'a.b.c': what was expected".
"""

from __future__ import annotations

import math
from pathlib import Path

import jsonschema
import yaml

# A generated dataset is held in memory whole, by the job that writes it and by every training job.
MAX_DATASET_BYTES = 4 * 2**30


class ConfigError(ValueError):
    """The configuration is invalid; the message lists every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader (plain data only: no tag constructs a Python object), refusing a key
    given twice in one mapping, which the plain loader resolves silently in favour of the last, and
    aliases (*name), which let a few hundred bytes expand to billions of values."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, f"alias *{event.anchor} found; expected plain values "
                                              "(anchors and aliases are not accepted)", event.start_mark)
        return super().compose_node(parent, index)


def _unique_keys(loader: _StrictLoader, node: yaml.MappingNode) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        try:
            duplicate = key in seen
        except TypeError:  # a list or mapping as a key: construct_mapping names it
            break
        if duplicate:
            raise yaml.constructor.ConstructorError(None, None, f"key {key!r} given twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_keys)


def load_yaml(path: str | Path) -> dict:
    """A YAML file of plain data with keys at the top level; any problem is a ConfigError naming the
    file, and the line where YAML found it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no configuration file at {path}")
    try:
        with open(path, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_StrictLoader)
    except yaml.YAMLError as err:
        raise ConfigError([f"{path}: not valid YAML of plain data: {' '.join(str(err).split())}"]) from err
    except UnicodeDecodeError as err:
        raise ConfigError([f"{path}: not UTF-8 text (byte {err.start}: {err.reason}); expected a YAML file"]) from err
    if not isinstance(data, dict):
        raise ConfigError([f"{path}: expected a mapping of keys at the top level, got {type(data).__name__}"])
    if "__use_yte__" in data:
        raise ConfigError([f"{path}: key '__use_yte__': YTE templates evaluate Python; expected plain YAML"])
    return data


def load_schema(path: str | Path) -> dict:
    """The workflow's own schema: trusted, so its YAML aliases (shared field lists) are read."""
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def validate_config(config: dict, schema_path: str | Path, files=()) -> dict:
    """Return `config` unchanged if valid, else raise ConfigError listing every problem. `files`: the
    configuration files it was read from (by Snakemake), read again here to refuse duplicate keys."""
    for path in files:
        load_yaml(path)
    validator = _Validator(load_schema(schema_path))
    problems = [_describe(e) for e in sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))]
    problems += _non_finite(config, [])
    if not problems:  # the cross-checks assume a structurally valid config
        problems = _cross_check(config)
    if problems:
        raise ConfigError(problems)
    return config


# JSON Schema counts 33.0 as an integer; the checks below and the commands need an int.
_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=(
    jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda checker, value: isinstance(value, int) and not isinstance(value, bool))))


def _non_finite(value, path: list) -> list[str]:
    """A problem for every NaN or infinite number (YAML's .nan and .inf): the schema's bounds let them pass."""
    if isinstance(value, float) and not math.isfinite(value):
        return [f"{_key(path)}: expected a finite number, got {value}"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _non_finite(v, [*path, k])]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite(v, [*path, i])]
    return []


def _key(path) -> str:
    key = ""
    for part in path:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return f"config key '{key}'" if key else "config"


def _describe(error: jsonschema.ValidationError) -> str:
    where, v, value = _key(error.absolute_path), error.validator, error.instance
    if v == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(value) - set(allowed))
        return f"{where}: unknown key {', '.join(map(repr, extra))}; expected only {', '.join(allowed)}"
    if v == "required":
        missing = [k for k in error.validator_value if k not in value]
        return f"{where}: missing key {', '.join(map(repr, missing))}"
    if v == "type":
        return f"{where}: expected {_article(error.validator_value)}, got {value!r}"
    if v == "enum":
        return f"{where}: expected one of {', '.join(map(str, error.validator_value))}, got {value!r}"
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        op = {"minimum": ">=", "exclusiveMinimum": ">", "maximum": "<=", "exclusiveMaximum": "<"}[v]
        why = f" ({error.schema['description'].strip()})" if v == "maximum" and "description" in error.schema else ""
        return f"{where}: expected a value {op} {error.validator_value}, got {value!r}{why}"
    if v == "pattern" and "npz" in error.validator_value:
        return f"{where}: expected a file name ending in .npz, .h5 or .hdf5, got {value!r}"
    if v == "pattern":
        return f"{where}: expected a name of letters, digits and underscores starting with a letter, got {value!r}"
    if v in ("minProperties", "minItems") and error.validator_value == 1:
        return f"{where}: must not be empty"
    if v == "minItems":
        return f"{where}: expected at least {error.validator_value} items, got {value!r}"
    return f"{where}: {error.message}"


def _article(type_name) -> str:
    names = [type_name] if isinstance(type_name, str) else list(type_name)
    words = {"integer": "an integer", "number": "a number", "string": "a string", "object": "a mapping",
             "array": "a list", "boolean": "true or false"}
    return " or ".join(words.get(n, n) for n in names)


def _cross_check(config: dict) -> list[str]:
    problems = []
    scales, datasets = config["scales"], config["datasets"]
    if config["scale"] not in scales:
        problems.append(f"config key 'scale': expected one of the defined scales {', '.join(scales)}, got {config['scale']!r}")
    for name, preset in scales.items():
        n = preset["grid"]
        if (n - 1) & (n - 2):
            problems.append(f"config key 'scales.{name}.grid': expected 2^k + 1 nodes per side (9, 17, 33, 65, ...), got {n}")
            continue
        for dname, d in datasets.items():
            if "kle_terms" in d and d["kle_terms"] > n * n:
                problems.append(f"config key 'datasets.{dname}.kle_terms': {d['kle_terms']} terms exceed the "
                                f"{n * n} nodes of the {n} x {n} grid of scale '{name}'")
        total = preset["n_train"] + preset["n_test"] + preset["n_labelled"]
        dataset_bytes = total * 4 * n * n * 4  # float32 p, u_x, u_y and log K per sample
        if dataset_bytes > MAX_DATASET_BYTES:
            problems.append(f"config key 'scales.{name}.n_train': {total} samples (n_train + n_test + n_labelled) on "
                            f"the {n} x {n} grid take {dataset_bytes // 2**30} GiB a dataset; expected at most "
                            f"{MAX_DATASET_BYTES // 2**30} GiB")
        if config["figures"]["fig1"]["sample"] >= total:
            problems.append(f"config key 'figures.fig1.sample': expected a sample index below {total}, "
                            f"the dataset size of scale '{name}', got {config['figures']['fig1']['sample']}")
    for name, e in config["experiments"].items():
        if e["dataset"] not in datasets:
            problems.append(f"config key 'experiments.{name}.dataset': unknown dataset {e['dataset']!r}; "
                            f"defined: {', '.join(datasets)}")
        for sname, preset in scales.items():
            if e["schedule"] not in preset["schedules"]:
                problems.append(f"config key 'experiments.{name}.schedule': schedule {e['schedule']!r} is not defined "
                                f"for scale '{sname}' (defined: {', '.join(preset['schedules'])})")
    model = config["model"]
    if len(model["blocks"]) % 2 == 0:
        problems.append(f"config key 'model.blocks': expected an odd number of block sizes (k encoder blocks, then "
                        f"k + 1 decoder blocks), got {model['blocks']}")
    if len(model["prior_variances"]) != model["n_latent"]:
        problems.append(f"config key 'model.prior_variances': expected {model['n_latent']} values "
                        f"(one per latent, n_latent), got {len(model['prior_variances'])}")
    for name, preset in scales.items():
        for experiment in preset.get("experiment_trials", {}):
            if experiment not in config["experiments"]:
                problems.append(f"config key 'scales.{name}.experiment_trials.{experiment}': unknown experiment; "
                                f"defined: {', '.join(config['experiments'])}")
        if preset["landscape"]["samples"] > preset["n_train"]:
            problems.append(f"config key 'scales.{name}.landscape.samples': expected at most n_train "
                            f"({preset['n_train']}), got {preset['landscape']['samples']}")
        for label_count in preset["sweeps"]["labels"]:
            if label_count > preset["n_labelled"]:
                problems.append(f"config key 'scales.{name}.sweeps.labels': {label_count} labels exceed the "
                                f"labelled pool of {preset['n_labelled']} samples")
        for sched_name, sched in preset["schedules"].items():
            if sched["recon_epochs"] > sched["epochs"]:
                problems.append(f"config key 'scales.{name}.schedules.{sched_name}.recon_epochs': expected at most "
                                f"epochs ({sched['epochs']}), got {sched['recon_epochs']}")
            if sched["lr"][0][0] != 0:
                problems.append(f"config key 'scales.{name}.schedules.{sched_name}.lr': the first entry must start "
                                f"at epoch 0, got {sched['lr'][0][0]}")
    for i, d in enumerate(config["figures"]["fig1"]["datasets"]):
        if d not in datasets or "file" in datasets[d]:
            problems.append(f"config key 'figures.fig1.datasets[{i}]': expected a Darcy dataset (figure 1 shows "
                            f"permeabilities), got {d!r}; defined: {', '.join(n for n in datasets if 'file' not in datasets[n])}")
    if "protocol_study" in config:
        problems += _cross_check_protocol_study(config["protocol_study"], config["experiments"], config["scales"])
    return problems + _cross_check_files(config) + _cross_check_lj(config["lj"], scales)


def _cross_check_protocol_study(study: dict, experiments: dict, scales: dict) -> list[str]:
    """The pairs name defined experiments; a protocol names every schedule they train with (changes,
    or {}: that schedule's runs are the scale's own) or none, only one changes nothing, and a
    `schedule` to start from is a schedule of every scale."""
    problems = []
    names = [name for pair in study["pairs"].values() for name in pair]
    for data, pair in study["pairs"].items():
        for name in pair:
            if name not in experiments:
                problems.append(f"config key 'protocol_study.pairs.{data}': unknown experiment {name!r}; "
                                f"defined: {', '.join(experiments)}")
    schedules = sorted({experiments[name]["schedule"] for name in names if name in experiments})
    for protocol, changes in study["protocols"].items():
        unchanged = [s for s in schedules if s not in changes]
        if changes and unchanged:
            problems.append(f"config key 'protocol_study.protocols.{protocol}': expected every schedule the pairs "
                            f"train with ({', '.join(schedules)}) named, with changes or {{}} (its runs are the "
                            f"scale's own), or none ({{}}: the scale's own runs), got none for {', '.join(unchanged)}")
    for protocol, changes in study["protocols"].items():
        for name, change in changes.items():
            missing = [scale for scale, preset in scales.items() if change.get("schedule", name) not in preset["schedules"]]
            if missing:
                problems.append(f"config key 'protocol_study.protocols.{protocol}.{name}.schedule': "
                                f"{change.get('schedule', name)!r} is not a schedule of scale {', '.join(missing)}")
    unchanged_protocols = [protocol for protocol, changes in study["protocols"].items() if not any(changes.values())]
    if len(unchanged_protocols) > 1:
        problems.append(f"config key 'protocol_study.protocols': expected at most one protocol without changes "
                        f"(it reads the scale's own runs), got {', '.join(unchanged_protocols)}")
    return problems


def _cross_check_files(config: dict) -> list[str]:
    """Every dataset read from a file, against the file's header (its fields are not read): keys,
    ranks, counts, the split, and the factor count a semi-supervised experiment on it needs."""
    from fieldvae.core.field_file import problems, split_sizes

    found = []
    for name, entry in config["datasets"].items():
        if "file" not in entry:
            continue
        labelled = [e for e in config["experiments"].values() if e["dataset"] == name and e.get("sweep") == "labels"]
        entry_problems = problems(entry, f"config key 'datasets.{name}.", config["model"]["n_latent"] if labelled else None)
        found += entry_problems
        if labelled and not entry_problems and config["scale"] in config["scales"]:
            most, pool = max(config["scales"][config["scale"]]["sweeps"]["labels"]), split_sizes(entry)["labelled"]
            if most > pool:
                found.append(f"config key 'datasets.{name}.split': the label sweep of scale '{config['scale']}' asks for "
                             f"{most} labels; the labelled pool of {entry['file']} has {pool}")
    return found


def _cross_check_lj(lj: dict, scales: dict) -> list[str]:
    """The control gamma must be unseen but inside the training range, the unseen gamma outside it."""
    problems = []
    low, high = min(lj["gammas"]), max(lj["gammas"])
    if not low < lj["control_gamma"] < high or lj["control_gamma"] in lj["gammas"]:
        problems.append(f"config key 'lj.control_gamma': expected a gamma between {low:g} and {high:g} that is not "
                        f"a training gamma, got {lj['control_gamma']:g}")
    if low <= lj["unseen_gamma"] <= high:
        problems.append(f"config key 'lj.unseen_gamma': expected a gamma outside the training range "
                        f"[{low:g}, {high:g}], got {lj['unseen_gamma']:g}")
    if lj["blackout_block"] > 30:
        problems.append(f"config key 'lj.blackout_block': expected at most 30 (the matrix size), got {lj['blackout_block']}")
    for name, preset in scales.items():
        if round(lj["training"]["test_fraction"] * preset["lj"]["samples"]) < 1:
            problems.append(f"config key 'scales.{name}.lj.samples': too few configurations to hold out "
                            f"test_fraction {lj['training']['test_fraction']} of them")
    return problems
