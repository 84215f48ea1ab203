"""The implementation of :mod:`symopt.plot`, split by job (import :mod:`symopt.plot` instead).

* :mod:`._backend` imports matplotlib lazily and makes display-free figures;
* :mod:`.geometry` holds the numbers: slices, default regions, contour levels (NumPy only);
* :mod:`.landscape` draws the loss, its critical points, families, escape arrows and paths;
* :mod:`.charts` draws loss curves, schedules and basin maps;
* :mod:`.readback` reads the plotted data back from the matplotlib artists.
"""
