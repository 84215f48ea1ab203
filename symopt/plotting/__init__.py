"""The implementation of :mod:`symopt.plot`, split by job (import :mod:`symopt.plot` instead).

* :mod:`._backend` imports matplotlib lazily and makes display-free figures;
* :mod:`.geometry` holds the numbers: slices, default regions, contour levels (NumPy only);
* :mod:`.scene` draws the parts of a landscape: the loss, critical points, families,
  escape arrows, paths;
* :mod:`.landscape` holds the public landscape and trajectories functions;
* :mod:`.charts` draws loss curves, schedules and basin maps;
* :mod:`.readback` reads the plotted data back from the matplotlib artists.
"""
