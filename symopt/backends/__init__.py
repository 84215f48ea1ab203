"""Where the numbers are computed: the NumPy loop of run, and the optional JAX programs.

:mod:`~symopt.backends.numpy_loop` iterates any NumericLoss-like object;
:mod:`~symopt.backends.jax_loop` runs a whole trajectory as one compiled JAX program and
:mod:`~symopt.backends.jax_loss` prints exact derivatives to ``jax.numpy``. JAX is imported
only by the last two, and only when a JAX backend is asked for.
"""
