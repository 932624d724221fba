"""Small real datasets shipped with rankagg (see SOURCE.txt beside this file).

>>> import rankagg as ra
>>> ra.datasets.llmfao().shape
(8931, 8)
"""

from __future__ import annotations

from importlib import resources

import polars as pl

__all__ = ["llmfao", "LLMFAO_OUTCOMES"]

LLMFAO_OUTCOMES = {"left": 1.0, "right": 0.0, "tie": 0.5}
"""The outcome mapping of LLMFAO's ``winner`` column (``left`` is column ``a``)."""


def llmfao() -> pl.DataFrame:
    """LLMFAO: 8,931 crowd judgements comparing 59 LLMs (Apache-2.0).

    Columns ``left`` and ``right`` name the models, ``winner`` is ``left``, ``right`` or ``tie``
    (map it with :data:`LLMFAO_OUTCOMES`).
    """
    with resources.files(__package__).joinpath("llmfao.csv").open("rb") as f:
        return pl.read_csv(f)
