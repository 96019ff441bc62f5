"""How the book's figures look: the matplotlib settings of every chapter, in one place.

Each chapter starts with a hidden cell::

    import matplotlib.pyplot as plt
    import figstyle

    figstyle.use()

(the chapters run with ``book/`` as their working directory, so the import
finds this file). Figures are SVG drawn on white, so that they stay sharp at
any zoom and readable in the dark theme.

Sizes. At a desktop width of 1280 px the text column holds an image of at most
:data:`COLUMN_PX` pixels; an SVG's natural width is 96 px per inch of
``figsize``. A figure at most :data:`MAX_WIDTH` inches wide is therefore shown
at its natural size, and its text at ``FONT_SIZE * 4/3`` px: 10 pt tick
labels and legends are about 13 px, their 70 % super- and subscripts about
9.5 px. A wider figure is scaled down with all its text, so figures with
several panels use more rows, not more width. On a phone every figure is
scaled down; tapping it opens the SVG at full size.

After changing this file, rebuild from scratch (``jupyter-book clean .``, or
delete ``_build/.jupyter_cache``): the execution cache of the chapters does not
know that they depend on it.
"""
from __future__ import annotations

import matplotlib
from matplotlib_inline.backend_inline import set_matplotlib_formats

#: Widest image, in CSS pixels, that the text column shows unscaled at 1280 px.
COLUMN_PX = 672
#: Widest ``figsize`` (inches) that is shown unscaled: COLUMN_PX at 96 px per inch,
#: less a margin for labels that ``bbox_inches="tight"`` adds outside the axes.
MAX_WIDTH = 6.8
#: Base font size in points: tick labels, legends and axis labels.
FONT_SIZE = 10.5

RC = {
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.facecolor": "white",
    "figure.dpi": 100,
    "figure.figsize": (6.4, 3.6),
    "font.size": FONT_SIZE,
    "axes.titlesize": "medium",
    "legend.fontsize": "medium",
    "xtick.labelsize": "medium",
    "ytick.labelsize": "medium",
    # Same ids in every build, so that a rebuild does not change the SVG files.
    "svg.hashsalt": "nn-course",
}


def use() -> None:
    """Draw inline figures as SVG with the book's settings (call once per chapter)."""
    set_matplotlib_formats("svg")
    matplotlib.rcParams.update(RC)
