"""The two-dimensional spiral data set of CS231n, with NumPy only.

Used by the training chapter and by the Labs of the normalization and
training exercise notebooks; `solutions.training` re-exports it.
"""
import numpy as np


def make_spiral(n_per_class, n_classes, rng, noise=0.2):
    r"""The two-dimensional spiral data set of CS231n: one arm per class.

    Parameters
    ----------
    n_per_class : int
        Points per class (at least 2).
    n_classes : int
        Number of classes (arms).
    rng : numpy.random.Generator
        Draws the angular noise, `n_classes * n_per_class` standard normal
        values, class 0 first.
    noise : float, optional
        Standard deviation of the noise added to the angle (default 0.2).

    Returns
    -------
    x : ndarray, float64, shape (n_classes * n_per_class, 2)
        Points, class by class.
    y : ndarray, int64, shape (n_classes * n_per_class,)
        Class of each point: `n_per_class` zeros, then ones, ...

    Notes
    -----
    Point $i = 0, \dots, n-1$ of class $k$ has radius $r_i = i / (n - 1)$ and
    angle $t = 4k + 4 i / (n - 1) + \text{noise} \cdot \varepsilon$ with
    $\varepsilon \sim \mathcal N(0, 1)$, and sits at $(r \sin t, r \cos t)$. No
    linear classifier separates the arms; a small MLP does.
    """
    n, K = int(n_per_class), int(n_classes)
    if n < 2 or K < 1:
        raise ValueError(f"need n_per_class >= 2 and n_classes >= 1; got {n_per_class}, {n_classes}")
    steps = np.linspace(0.0, 1.0, n)
    radius = np.tile(steps, K)
    y = np.repeat(np.arange(K, dtype=np.int64), n)
    angle = 4.0 * (y + radius) + noise * rng.standard_normal(K * n)
    x = radius[:, None] * np.stack([np.sin(angle), np.cos(angle)], axis=1)
    return x, y
