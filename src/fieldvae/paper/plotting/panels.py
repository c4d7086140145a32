"""Panels shared by several figures: reconstructions, densities in latent space, latent-factor scatter."""

from __future__ import annotations

import numpy as np
from scipy.stats import gaussian_kde

from fieldvae.core import style
from fieldvae.core.metrics.aggregate import aggregate_density


def reconstruction(axes, truth: np.ndarray, recon: np.ndarray, fig, channels=("$p$", "$u_x$", "$u_y$")) -> None:
    """axes (channels, 3): a row per channel; columns test sample, reconstruction, error. Fields keep
    their aspect ratio (rows x columns)."""
    height, width = truth.shape[-2:]
    extent = (0, width / max(height, width), 0, height / max(height, width))
    for row, (t, r, label) in enumerate(zip(truth, recon, channels)):
        vmax = float(np.abs(t).max()) or 1.0
        for col, (field, title) in enumerate(((t, "test sample"), (r, "reconstruction"), (r - t, "error"))):
            ax = axes[row, col]
            limit = vmax if col < 2 else (float(np.abs(r - t).max()) or 1.0)
            im = ax.imshow(field, origin="lower", cmap=style.DIVERGING_CMAP, vmin=-limit, vmax=limit, extent=extent)
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(title)
            if col == 0:
                ax.set_ylabel(label)
            fig.colorbar(im, ax=ax, shrink=0.8)


def latent_density(ax, mu: np.ndarray, logvar: np.ndarray, title: str, reference=None) -> None:
    """Contours of the exact aggregated posterior q(z) over z1, z2, on a window that holds the
    posterior means and three posterior standard deviations around them, with optional reference
    samples (a fixed prior's)."""
    mu, logvar = mu[:, :2], logvar[:, :2]
    reach = 3 * np.exp(0.5 * logvar).max(0)
    points = mu if reference is None else np.vstack([mu, reference[:, :2]])
    lo, hi = points.min(0) - reach, points.max(0) + reach
    x, y = np.meshgrid(np.linspace(lo[0], hi[0], 121), np.linspace(lo[1], hi[1], 121))
    density = aggregate_density(mu, logvar, np.column_stack([x.ravel(), y.ravel()])).reshape(x.shape)
    ax.contourf(x, y, density, levels=12, cmap="Blues")
    if reference is not None:
        ax.scatter(reference[:, 0], reference[:, 1], s=2, c="k", alpha=0.25, lw=0, label="prior samples")
    _latent_axes(ax, title, "$z_1$", "$z_2$")


def sample_density(ax, samples: np.ndarray, title: str, labels=(r"$\theta_1$", r"$\theta_2$")) -> None:
    """Kernel density estimate of 2-D samples, with the samples."""
    pad = 0.125 * np.ptp(samples[:, :2], axis=0)  # about 0.5 for the Darcy factors; scaled for other units
    lo, hi = samples[:, :2].min(0) - pad, samples[:, :2].max(0) + pad
    x, y = np.meshgrid(np.linspace(lo[0], hi[0], 100), np.linspace(lo[1], hi[1], 100))
    density = gaussian_kde(samples[:, :2].T)(np.vstack([x.ravel(), y.ravel()])).reshape(x.shape)
    ax.contourf(x, y, density, levels=12, cmap="Oranges")
    ax.scatter(samples[:, 0], samples[:, 1], s=2, c="k", alpha=0.25, lw=0)
    spans = np.ptp(samples[:, :2], axis=0)
    _latent_axes(ax, title, *labels, equal=max(spans) < 3 * min(spans))  # factors in other units: not equal


def _latent_axes(ax, title, xlabel, ylabel, equal: bool = True) -> None:
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if equal:
        ax.set_aspect("equal", adjustable="box")


def factor_scatter(axes, mu: np.ndarray, theta: np.ndarray, logvar=None, names=None) -> None:
    """axes (latents, factors): latent mean z_i against factor theta_j with the correlation;
    with logvar, one posterior standard deviation as error bars; names: the factors' (default theta_j)."""
    for i in range(axes.shape[0]):
        for j in range(axes.shape[1]):
            ax = axes[i, j]
            r = np.corrcoef(mu[:, i], theta[:, j])[0, 1]
            if logvar is None:
                ax.scatter(theta[:, j], mu[:, i], s=3, alpha=0.5, lw=0)
            else:
                ax.errorbar(theta[:, j], mu[:, i], yerr=np.exp(0.5 * logvar[:, i]), fmt="o", ms=1.5,
                            alpha=0.4, elinewidth=0.5)
            ax.set_title(f"corr = {r:+.2f}", fontsize=7)
            ax.set_xlabel(names[j] if names else rf"$\theta_{j + 1}$")
            ax.set_ylabel(rf"$\mu_{i + 1}$")
