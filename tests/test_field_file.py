"""A user's own fields from a file: the header checks at config time (each refusal names the config key,
the file, the array's key and what was expected), the import (split, standardisation), and the scores
without factors."""

import h5py
import numpy as np
import pytest
from conftest import REPO

from fieldvae.config import ConfigError, load_yaml, validate_config
from fieldvae.core.dataset_file import load_dataset, physical_units
from fieldvae.core.field_file import (header, import_fields, problems,
                                      split_sizes)
from fieldvae.core.io import save_arrays
from fieldvae.vae.evaluate import NO_FACTORS, evaluate

SCHEMA = REPO / "workflow/schemas/config.schema.yaml"
N, C, H, W = 40, 2, 10, 14
RNG = np.random.default_rng(5)
FIELDS = (3.0 + 2.0 * RNG.standard_normal((N, C, H, W))) * np.array([1.0, 100.0])[:, None, None]
FACTORS = RNG.uniform(size=(N, 2))


def write(path, **arrays):
    arrays = {"fields": FIELDS, "factors": FACTORS, **arrays}
    arrays = {k: v for k, v in arrays.items() if v is not None}
    if path.suffix == ".npz":
        np.savez(path, **arrays)
    else:
        with h5py.File(path, "w") as f:
            for key, value in arrays.items():
                f.create_dataset(key, data=value)
    return path


def entry(path, **changes):
    out = {"file": str(path), "fields": "fields", "factors": "factors", "factor_names": ["a", "b"],
           "split": {"n_train": 24, "n_test": 10, "n_labelled": 6}, "seed": 3, **changes}
    return {k: v for k, v in out.items() if v is not None}


@pytest.fixture(params=[".h5", ".npz"])
def good(tmp_path, request):
    return write(tmp_path / f"fields{request.param}")


def test_header_reads_shapes_and_types(good):
    arrays = header(good)
    assert arrays["fields"] == ((N, C, H, W), np.dtype(np.float64)) and arrays["factors"][0] == (N, 2)
    assert problems(entry(good), "x.") == []
    assert split_sizes(entry(good)) == {"train": 24, "test": 10, "labelled": 6}


def test_import_splits_standardises_and_undoes_it(good):
    arrays = import_fields(entry(good), seed=3)
    train, test, labelled = arrays["train_index"], arrays["test_index"], arrays["labelled_index"]
    assert (len(train), len(test), len(labelled)) == (24, 10, 6)
    assert len(np.unique(np.concatenate([train, test, labelled]))) == 40  # disjoint, every sample once
    standard = arrays["fields"][train].astype(np.float64)
    np.testing.assert_allclose(standard.mean(axis=(0, 2, 3)), 0, atol=1e-6)
    np.testing.assert_allclose(standard.std(axis=(0, 2, 3)), 1, atol=1e-5)  # channel 2 was 100x channel 1
    np.testing.assert_allclose(physical_units(arrays["fields"], arrays), FIELDS, rtol=1e-5, atol=1e-4)  # float32
    np.testing.assert_array_equal(arrays["theta"], FACTORS)
    assert arrays["factor_names"].tolist() == ["a", "b"]
    again, other = import_fields(entry(good), seed=3), import_fields(entry(good), seed=4)
    assert np.array_equal(again["train_index"], train) and not np.array_equal(other["train_index"], train)


def test_import_takes_the_files_index_arrays(tmp_path):
    path = write(tmp_path / "f.h5", tr=np.arange(30), te=np.arange(30, 40))
    arrays = import_fields(entry(path, split={"train": "tr", "test": "te"}), seed=0)
    assert arrays["train_index"].tolist() == list(range(30)) and arrays["labelled_index"].size == 0
    assert split_sizes(entry(path, split={"train": "tr", "test": "te"})) == {"train": 30, "test": 10, "labelled": 0}


def test_default_split_and_no_standardisation(good):
    arrays = import_fields(entry(good, split=None, standardise=False), seed=1)
    assert [len(arrays[k]) for k in ("train_index", "test_index", "labelled_index")] == [28, 8, 4]
    np.testing.assert_array_equal(arrays["fields"], FIELDS.astype(np.float32))
    without = import_fields(entry(good, split=None, factors=None, factor_names=None), seed=1)
    assert without["theta"].shape == (N, 0) and without["labelled_index"].size == 0  # no labels without factors


def test_imported_file_is_a_dataset_any_reader_accepts(good, tmp_path):
    save_arrays(tmp_path / "d.npz", import_fields(entry(good), 3), {"made": "test"})
    arrays, _ = load_dataset(tmp_path / "d.npz")
    assert arrays["fields"].shape == (N, C, H, W) and arrays["fields"].dtype == np.float32


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_values_are_refused_with_their_place(tmp_path, value):
    fields = FIELDS.copy()
    fields[7, 1, 2, 3] = value
    path = write(tmp_path / "f.h5", fields=fields)
    with pytest.raises(ValueError, match=r"f.h5: array 'fields' has 1 non-finite values, the first at index \(7, 1, 2, 3\)"):
        import_fields(entry(path), 0)
    factors = FACTORS.copy()
    factors[4, 0] = value
    with pytest.raises(ValueError, match=r"array 'factors' has 1 non-finite values, the first at index \(4, 0\)"):
        import_fields(entry(write(tmp_path / "g.npz", factors=factors)), 0)


@pytest.fixture
def config():
    return load_yaml(REPO / "config.yaml")


def with_file_dataset(config, dataset, sweep=None):
    config["datasets"]["mine"] = dataset
    config["experiments"]["mine"] = {"dataset": "mine", "prior": "scaled", "schedule": "plain",
                                     **({"sweep": sweep} if sweep else {})}
    return config


REFUSED = {
    "missing file": (lambda p: entry(p.with_name("nowhere.h5")), None, "'datasets.mine.file': ", "nowhere.h5: no such file"),
    "not an array file": (lambda p: entry(p.with_suffix(".txt")), None, "'datasets.mine.file': expected a file name "
                          "ending in .npz, .h5 or .hdf5, got", ""),
    "missing fields key": (lambda p: entry(p, fields="u"), None, "'datasets.mine.fields': ",
                           "no array 'u'; the file has factors, fields"),
    "missing factors key": (lambda p: entry(p, factors="theta"), None, "'datasets.mine.factors': ", "no array 'theta'"),
    "fields of rank 3": (lambda p: entry(write(p, fields=FIELDS[:, 0])), None, "'datasets.mine.fields': ",
                         "array 'fields' has shape (40, 10, 14); expected (N, C, H, W)"),
    "factor count not matching the fields": (lambda p: entry(write(p, factors=FACTORS[:-3])), None,
                                             "'datasets.mine.factors': ",
                                             "array 'factors' has shape (37, 2); expected (40, s)"),
    "names not matching the factors": (lambda p: entry(p, factor_names=["a"]), None, "'datasets.mine.factor_names': ",
                                       "1 names for the 2 factors"),
    "fewer samples than the split asks": (lambda p: entry(p, split={"n_train": 30, "n_test": 10, "n_labelled": 6}), None,
                                          "'datasets.mine.split': ", "30 + 10 + 6 samples (train + test + labelled) "
                                          "asked", ),
    "overlapping split indices": (lambda p: entry(write(p, tr=np.arange(30), te=np.arange(25, 40)),
                                                  split={"train": "tr", "test": "te"}), None,
                                  "'datasets.mine.split.test': ", "te shares 5 sample(s) with tr: [25, 26, 27, 28, 29]"),
    "split index beyond N": (lambda p: entry(write(p, tr=np.arange(30), te=np.arange(30, 41)),
                                             split={"train": "tr", "test": "te"}), None,
                             "'datasets.mine.split.test': ", "te has indices outside [0, 40): [40]"),
    "float split indices": (lambda p: entry(write(p, tr=np.arange(30.0), te=np.arange(30, 40)),
                                            split={"train": "tr", "test": "te"}), None,
                            "'datasets.mine.split.train': ", "tr has dtype float64, shape (30,); expected a 1-d integer"),
    "n_latent not the factor count": (lambda p: entry(write(p, factors=RNG.uniform(size=(N, 3))), factor_names=None),
                                      "labels", "'datasets.mine.factors': ",
                                      "has 3 factors; the semi-supervised experiment has n_latent 2"),
    "label sweep beyond the labelled pool": (lambda p: entry(p, split={"n_train": 24, "n_test": 10, "n_labelled": 6}),
                                             "labels", "'datasets.mine.split': ",
                                             "the label sweep of scale 'quick' asks for 32 labels; the labelled pool "),
    "semi-supervised without factors": (lambda p: entry(p, factors=None, factor_names=None), "labels",
                                        "'datasets.mine.factors': ", "a semi-supervised experiment needs the factors"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_at_config_check_naming_key_file_and_expectation(config, tmp_path, case):
    make, sweep, key, message = REFUSED[case]
    dataset = make(write(tmp_path / "fields.h5"))
    with pytest.raises(ConfigError) as err:
        validate_config(with_file_dataset(config, dataset, sweep), SCHEMA)
    text = str(err.value)
    assert f"config key {key}" in text and message in text, text
    if "no such file" not in message and "ending in" not in key:
        assert "fields.h5" in text  # the file is named


def test_a_good_file_dataset_passes_the_config_check(config, good):
    config["scale"] = "tiny"  # its label sweep, [2], fits the labelled pool of 6
    assert validate_config(with_file_dataset(config, entry(good), "labels"), SCHEMA)


def test_header_check_does_not_read_the_fields(tmp_path, monkeypatch):
    """A config check of a file reads headers only: the fields' data are never loaded."""
    path = write(tmp_path / "f.npz")
    monkeypatch.setattr(np, "load", lambda *a, **k: pytest.fail("np.load read the data"))
    assert problems(entry(path), "x.") == []


def latents(theta_columns):
    rng = np.random.default_rng(0)
    mu = rng.standard_normal((64, 2))
    return {"mu_test": mu, "logvar_test": np.full((64, 2), -3.0), "theta_test": mu[:, :theta_columns] * 2 + 1,
            "mu_train": mu, "theta_train": mu[:, :theta_columns] * 2 + 1}


HISTORY = {key: np.full(20, value) for key, value in
           {"rate": 3.0, "distortion": -100.0, "loss": -1.0, "nll_per_pixel": -1.0, "label_nll": 0.0}.items()}


def test_scores_without_factors_are_skipped_with_the_reason():
    scores = evaluate(latents(0), HISTORY, 0, None)
    assert scores["factor_scores_reason"] == NO_FACTORS and scores["disentangled"] is None
    assert scores["s_d"] is None and scores["mig"] is None and scores["over_regularised"] is False
    assert scores["rate"] == 3.0


def test_s_kl_of_a_file_dataset_uses_its_training_factors():
    """No sampler: the training split's factors (four modes) are S_KL's reference. A code that is the
    test factors up to an axis-aligned affine map scores about 0; the same code rotated by 45 degrees
    mixes the modes and scores far higher (lower is more disentangled)."""
    rng = np.random.default_rng(1)

    def modes(n):
        return rng.choice([-1.0, 1.0], size=(n, 2)) + 0.25 * rng.standard_normal((n, 2))

    theta_test, theta_train = modes(256), modes(512)
    rotation = np.array([[1, -1], [1, 1]]) / np.sqrt(2)
    scores = [evaluate({"mu_test": code, "logvar_test": np.full((256, 2), -6.0), "theta_test": theta_test,
                        "mu_train": theta_train, "theta_train": theta_train}, HISTORY, 0, None)["s_kl"]
              for code in (3 * theta_test + 1, theta_test @ rotation)]
    assert abs(scores[0]) < 0.3 and scores[1] > scores[0] + 1, scores
