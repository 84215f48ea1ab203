"""Where matplotlib is imported: lazily, with an install hint, and without a display.

Nothing in symopt imports matplotlib at import time.  Figures are made with
``matplotlib.figure.Figure`` on an Agg canvas (no pyplot, no global figure list, no
display needed); only ``show=True`` goes through pyplot, which picks the interactive
backend when there is a display and falls back to Agg when there is none.
"""

from __future__ import annotations

from typing import Any, Sequence

__all__ = ["require_matplotlib", "new_axes", "legend_below", "finish", "INSTALL_HINT"]

#: What to run when matplotlib is missing.
INSTALL_HINT = 'pip install "symopt[plot]"'
#: Oldest matplotlib (major, minor) the figures are drawn with.
MINIMUM_VERSION = (3, 8)


def require_matplotlib() -> Any:
    """Import and return matplotlib, or raise ImportError naming the extra to install."""
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(f"symopt.plot needs matplotlib, which is not installed; run "
                          f"{INSTALL_HINT} (or pip install matplotlib)") from error
    version = tuple(int(part) for part in matplotlib.__version__.split(".")[:2]
                    if part.isdigit())
    if version < MINIMUM_VERSION:
        # contour sets became single artists (with a gid and levels to read back) in 3.8
        raise ImportError(f"symopt.plot needs matplotlib >= 3.8, found "
                          f"{matplotlib.__version__}; run pip install -U matplotlib")
    return matplotlib


def new_axes(ax: Any = None, *, show: bool = False,
             figsize: tuple[float, float] = (6.4, 5.6)) -> tuple[Any, Any]:
    """The figure and axes to draw on: ``ax``'s own, or a new pair.

    Without ``show`` the new figure lives on an Agg canvas and is not registered with
    pyplot, so scripts and tests need no display and leak no figures.
    """
    require_matplotlib()
    if ax is not None:
        if not hasattr(ax, "figure") or not hasattr(ax, "plot"):
            raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
        return ax.figure, ax
    if show:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig, fig.add_subplot()


def legend_below(ax: Any, extra: Sequence[Any] = ()) -> None:
    """A legend of the labelled artists (and ``extra`` handles) below the axes.

    Below the axes it covers nothing; its grey background lets white and yellow lines show.
    """
    handles, labels = ax.get_legend_handles_labels()
    handles = handles + list(extra)
    labels = labels + [h.get_label() for h in extra]
    if not handles:
        return
    columns = 3 if max(len(label) for label in labels) <= 22 else 2
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.11),
              ncol=min(columns, len(handles)), fontsize="small", facecolor="#d9d9d9",
              edgecolor="none", framealpha=1.0)


def finish(fig: Any, show: bool) -> Any:
    """Show the figure when asked (through pyplot), and return it."""
    if show:
        import matplotlib.pyplot as plt

        plt.show()
    return fig
