"""When is a run over-regularised (paper section 4.2)? The KL collapses towards 0 and the decoder
outputs the data mean for every input.

The rule: a run is over-regularised if
  (a) its final rate, the mean per-sample regulariser of its last epochs (nats), is below 0.1, or
  (b) no latent's posterior mean varies across test inputs by more than a tenth of its posterior
      standard deviation: std_n(mu_i) < 0.1 * rms_n(sigma_i) for every latent i.
(a) bounds the information the code carries about the input (for the hierarchical prior the rate is
an upper bound, so (a) holds only if the true rate is lower still); (b) says the code is noise: the
decoder can then only output one mean for all inputs. Either alone implies the collapse.
"""

from __future__ import annotations

import numpy as np

from fieldvae.core.metrics.checks import as_samples

RATE_THRESHOLD = 0.1  # nats per sample
SIGNAL_THRESHOLD = 0.1  # std of posterior means over inputs / rms posterior std


def final_rate(rates, epochs: int = 10) -> float:
    """Mean rate of the last `epochs` epochs of a history."""
    rates = np.asarray(rates, dtype=np.float64)
    if rates.size == 0:
        raise ValueError("the history has no epochs")
    return float(rates[-epochs:].mean())


def signal_to_noise(mu, logvar) -> np.ndarray:
    """Per latent: std over inputs of the posterior mean / rms of the posterior std."""
    mu, logvar = as_samples(mu, "posterior means"), as_samples(logvar, "posterior log-variances")
    return mu.std(0) / np.sqrt(np.exp(logvar).mean(0))


def over_regularised(rate: float, mu, logvar) -> bool:
    return bool(rate < RATE_THRESHOLD or np.all(signal_to_noise(mu, logvar) < SIGNAL_THRESHOLD))
