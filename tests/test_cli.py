"""The command-line entry point: help everywhere, clear errors with a non-zero exit."""

import argparse
import json
import sys

import numpy as np
import pytest
from conftest import REPO, run

from fieldvae.cli import _parser, main
from fieldvae.figure_command import FIGURE_PACKAGES, module_name


def subcommand_paths(parser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from subcommand_paths(sub, (*prefix, name))


def test_every_subcommand_has_help(capsys):
    paths = list(subcommand_paths(_parser()))
    assert {("kle",), ("dataset",), ("figure",), ("check-config",), ("config-reference",)} <= set(paths)
    for path in paths:
        with pytest.raises(SystemExit) as exit_:
            main([*path, "--help"])
        assert exit_.value.code == 0
        assert f"usage: fieldvae {' '.join(path)}" in capsys.readouterr().out


def test_entry_point_is_installed():
    assert "usage: fieldvae" in run(["fieldvae", "--help"], cwd=REPO).stdout


def test_errors_name_the_problem_and_exit_2(tmp_path, capsys):
    assert main(["kle", "--grid", "30", "--terms", "2", "--out", str(tmp_path / "k.npz")]) == 2
    assert "fieldvae kle: error: grid must be 2^k + 1" in capsys.readouterr().err
    assert main(["dataset", "--kle", str(tmp_path / "none.npz"), "--theta", "standard", "--seed", "0",
                 "--n-train", "1", "--n-test", "1", "--n-labelled", "0", "--out", str(tmp_path / "d.npz")]) == 2
    assert "no result file at" in capsys.readouterr().err
    assert main(["dataset", "--kle", "x", "--theta", "lognormal", "--seed", "0", "--n-train", "1", "--n-test", "1",
                 "--n-labelled", "0", "--out", "y"]) == 2
    assert "--theta: unknown distribution 'lognormal'" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())
    np.savez(tmp_path / "mine.npz", u=np.zeros((4, 1, 9, 9)))
    entry = json.dumps({"file": str(tmp_path / "mine.npz"), "fields": "fields", "seed": 0})
    assert main(["import-fields", "--entry", entry, "--seed", "0", "--out", str(tmp_path / "d.npz")]) == 2
    assert "--entry key 'fields': " in capsys.readouterr().err and not (tmp_path / "d.npz").exists()


def test_check_config(tmp_path, capsys):
    assert main(["check-config", str(REPO / "config.yaml"), "--schema", str(REPO / "workflow/schemas/config.schema.yaml")]) == 0
    (tmp_path / "bad.yaml").write_text((REPO / "config.yaml").read_text().replace("grid: 65", "grid: 64"))
    assert main(["check-config", str(tmp_path / "bad.yaml"), "--schema", str(REPO / "workflow/schemas/config.schema.yaml")]) == 2
    assert "config key 'scales.paper.grid'" in capsys.readouterr().err


def test_steps_that_run_no_model_do_not_import_torch():
    """`import torch` costs about a second of every job that does it; the data, scoring, table and
    figure steps of the paper's study run no model and skip it."""
    modules = ["fieldvae.cli", "fieldvae.core.field_file", "fieldvae.darcy.kle", "fieldvae.darcy.dataset", "fieldvae.vae.evaluate",
               "fieldvae.paper.runs", "fieldvae.paper.summary", "fieldvae.paper.claims", "fieldvae.lj.sampler",
               *(f"fieldvae.paper.plotting.{name}" for name in
                 ("fig1", "fig3", "fig4", "fig5", "fig7", "fig10", "fig13", "fig14", "overview")),
               "fieldvae.lj.figures.lj_samples", "fieldvae.lj.figures.lj_physics", "fieldvae.lj.figures.lj_latent"]
    code = f"import sys, {', '.join(modules)}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'torch')[:3])"
    assert run([sys.executable, "-c", code], cwd=REPO).stdout.strip() == "[]"


def test_the_figure_command_names_what_is_wrong(tmp_path, capsys):
    out = ["--out", str(tmp_path / "f.pdf")]
    assert main(["figure", "panels", *out]) == 2  # a plotting module that draws no figure of its own
    assert "figure 'panels': no such figure (fieldvae.paper.plotting.panels has no from_files)" in capsys.readouterr().err
    assert main(["figure", "drawing", *out]) == 2  # the Lennard-Jones figures' shared drawing
    assert "figure 'drawing': no such figure (fieldvae.lj.figures.drawing has no from_files)" in capsys.readouterr().err
    assert main(["figure", "fig99", *out]) == 2
    assert ("figure 'fig99': no such figure (no module fig99 in fieldvae.paper.plotting or fieldvae.lj.figures)"
            in capsys.readouterr().err)
    assert main(["figure", "../fig5", *out]) == 2
    assert "figure '../fig5': expected the name of a plotting module" in capsys.readouterr().err
    assert main(["figure", "fig5", *out]) == 2
    assert "figure fig5: expected --input between=..., not given" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["figure", "fig5", "--input", "between", *out])
    assert "expected KEY=VALUE with a lowercase key, got 'between'" in capsys.readouterr().err


def test_a_figure_name_belongs_to_one_figure_package():
    """`fieldvae figure NAME` finds a module by its name alone: the packages must not share one."""
    names = [{path.stem for path in (REPO / "src" / package.replace(".", "/")).glob("*.py")} - {"__init__"}
             for package in FIGURE_PACKAGES]
    assert names[0] & names[1] == set() and {"fig14", "overview"} <= names[0] and "lj_anomaly" in names[1]
    assert module_name("fig14") == "fieldvae.paper.plotting.fig14"
    assert module_name("lj_anomaly") == "fieldvae.lj.figures.lj_anomaly"
