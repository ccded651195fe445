"""Classify: codebook labels for units and posts, training, evaluation and explanations.

Example:
    >>> from heard.classify import Classifier                     # doctest: +SKIP
    >>> Classifier.load().label_posts(["I believe you."])[0].act  # doctest: +SKIP
    'solidarity'
"""

from __future__ import annotations

from heard.classify.classifier import Classifier, Explanation
from heard.classify.coded import Coded, load_coded
from heard.classify.heads import Heads
from heard.classify.posts import combine, post_label

__all__ = ["Classifier", "Coded", "Explanation", "Heads", "combine", "load_coded", "post_label"]
