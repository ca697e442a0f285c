"""Even out paper brightness: estimate the background at low resolution and divide the page by it."""

from __future__ import annotations

import cv2
import numpy as np

BACKGROUND_DPI = 50.0  # paper brightness varies slowly: estimating it this coarse is enough and cheap
FIT_DPI = 20.0  # the smooth illumination model is fitted on a grid this coarse
FIT_DEGREE = 3
PAPER_TOLERANCE = 0.12  # local background darker than the smooth model by more than this is content


def local_background(gray_small: np.ndarray, dpi: float) -> np.ndarray:
    """Closing removes ink strokes, a median smooths what is left; large dark regions survive it."""
    k = max(3, round(0.12 * dpi) | 1)
    closed = cv2.morphologyEx(gray_small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    m = max(3, round(0.25 * dpi) | 1)
    return cv2.medianBlur(closed, min(m, 255))


def smooth_model(local: np.ndarray, dpi: float) -> np.ndarray:
    """A low-order polynomial surface fitted to the paper samples only (photos, shading dropped)."""
    factor = min(1.0, FIT_DPI / dpi)
    coarse = cv2.resize(local, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA).astype(np.float64)
    h, w = coarse.shape
    yy, xx = np.mgrid[0:h, 0:w]
    terms = _poly_terms(xx.ravel() / max(w - 1, 1), yy.ravel() / max(h - 1, 1))
    values = coarse.ravel()
    use = np.ones(values.size, dtype=bool)
    fit = np.full(values.size, float(np.percentile(values, 90)))
    for _ in range(3):
        if use.sum() < terms.shape[1] * 4:
            break
        # OpenCV's solver rather than numpy's: threaded BLAS stalls badly on a loaded machine
        _, coef = cv2.solve(terms[use], values[use][:, None], flags=cv2.DECOMP_CHOLESKY | cv2.DECOMP_NORMAL)
        fit = (terms * coef.ravel()).sum(axis=1)
        use = values >= fit * (1 - PAPER_TOLERANCE / 2)
    model = np.clip(fit, 1, 255).reshape(h, w).astype(np.float32)
    return cv2.resize(model, (local.shape[1], local.shape[0]), interpolation=cv2.INTER_LINEAR)


def _poly_terms(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.stack([x**i * y**j for i in range(FIT_DEGREE + 1) for j in range(FIT_DEGREE + 1 - i)], axis=1)


def background(gray_small: np.ndarray, dpi: float) -> np.ndarray:
    """Paper brightness: the local estimate where it looks like paper, the smooth model under content."""
    local = local_background(gray_small, dpi)
    model = smooth_model(local, dpi)
    content = local < model * (1 - PAPER_TOLERANCE)
    # soften the switch so photo edges do not get a seam
    weight = cv2.GaussianBlur(content.astype(np.float32), (0, 0), 0.05 * dpi)
    mixed = local.astype(np.float32) * (1 - weight) + model * weight
    return np.clip(mixed, 1, 255).astype(np.uint8)


def page_background(small: np.ndarray, dpi: float) -> np.ndarray:
    """Background of a grey or BGR copy, channel by channel, at BACKGROUND_DPI (upscale to use it)."""
    factor = min(1.0, BACKGROUND_DPI / dpi)
    coarse = cv2.resize(small, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    coarse_dpi = dpi * factor
    if coarse.ndim == 2:
        return background(coarse, coarse_dpi)
    return cv2.merge([background(c, coarse_dpi) for c in cv2.split(coarse)])


def divide_by(page: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """Divide a page by a background of any resolution (upscaled to fit): paper becomes white."""
    if bg.shape[:2] != page.shape[:2]:
        bg = cv2.resize(bg, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(page, bg, scale=255)
