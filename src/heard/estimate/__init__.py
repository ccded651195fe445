"""Corrected estimates: shares that survive the classifier's errors.

:mod:`heard.estimate.ppi` is the statistics (prediction-powered inference,
PPI++), pure NumPy; :mod:`heard.estimate.corrected` applies it to a store's
labels, hand codes and sample (``heard estimate``, the report).

Example:
    >>> from heard.estimate import estimate_store          # doctest: +SKIP
    >>> estimate_store(store).to_dict()["acts"]["silencing"]["method"]   # doctest: +SKIP
    'ppi'
"""

from __future__ import annotations

from heard.estimate.corrected import Estimates, Truth, estimate_store, load_truth
from heard.estimate.ppi import ShareEstimate, model_only_share, ppi_difference, ppi_share

__all__ = ["Estimates", "ShareEstimate", "Truth", "estimate_store", "load_truth", "model_only_share", "ppi_difference",
           "ppi_share"]
