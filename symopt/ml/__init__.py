"""The lecture's training tools: classification, feature scaling, batch norm, batch size, diagnosis.

* :mod:`~symopt.ml.classification`: softmax, cross-entropy, the likelihood, and the
  saturation argument for cross-entropy over squared error;
* :mod:`~symopt.ml.scaling`: the badly scaled regression, its condition number and
  gradient-descent step counts before and after standardising;
* :mod:`~symopt.ml.batchnorm`: an exact batch-norm layer with its gradient, and
  training-mode vs inference-mode outputs;
* :mod:`~symopt.ml.batchsize`: exact mean and covariance of mini-batch gradients and the
  measured small-batch vs large-batch table;
* :mod:`~symopt.ml.diagnose`: model bias, optimization issue, overfitting or mismatch.

>>> from symopt import ml
>>> ml.cross_entropy(2, [0, 1])
-y2 + LogSumExp(y1, y2)
"""

from __future__ import annotations

from .batchnorm import (BatchNormGradient, BatchNormInference, BatchNormLayer,
                        BatchNormNetwork, InferenceRow, batch_norm, batch_norm_gradient,
                        batch_norm_inference, batch_norm_input_gradient)
from .batchsize import (BatchSizeRow, BatchSizeTable, MinibatchMoments, batch_size_table,
                        minibatch_gradient_moments, per_sample_gradients,
                        sample_minibatch_gradients, updates_per_epoch)
from .classification import (LogSumExp, SaturationComparison, SaturationRow,
                             compare_mse_cross_entropy, cross_entropy, cross_entropy_gradient,
                             likelihood, log_softmax, logit_symbols, sigmoid, softmax,
                             target_symbols)
from .diagnose import Diagnosis, Evidence, Run, diagnose, read_runs
from .scaling import (FeatureScalingReport, best_learning_rate, contraction_factor,
                      feature_scaling_experiment, lecture_data, predicted_steps, standardize)

__all__ = [
    # classification
    "LogSumExp", "logit_symbols", "target_symbols", "softmax", "log_softmax",
    "cross_entropy", "sigmoid", "cross_entropy_gradient", "likelihood",
    "SaturationRow", "SaturationComparison", "compare_mse_cross_entropy",
    # feature scaling
    "lecture_data", "standardize", "best_learning_rate", "contraction_factor",
    "predicted_steps", "FeatureScalingReport", "feature_scaling_experiment",
    # batch normalization
    "BatchNormLayer", "BatchNormGradient", "batch_norm", "batch_norm_gradient",
    "batch_norm_input_gradient", "BatchNormNetwork", "InferenceRow", "BatchNormInference",
    "batch_norm_inference",
    # batch size
    "updates_per_epoch", "per_sample_gradients", "MinibatchMoments",
    "minibatch_gradient_moments", "sample_minibatch_gradients", "BatchSizeRow",
    "BatchSizeTable", "batch_size_table",
    # diagnosis
    "Run", "Evidence", "Diagnosis", "diagnose", "read_runs",
]
