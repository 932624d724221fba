"""Per-test example budgets under the Hypothesis profile that tests/conftest.py loads.

``examples(n)``: a test's budget under the ``ci`` profile is ``n`` (the counts documented in
docs/reliability.md); the other profiles scale it by their ``max_examples`` relative to ci's
(``dev`` a tenth, ``thorough`` ten times)."""

from __future__ import annotations

from hypothesis import settings

CI_EXAMPLES = 100


def examples(n: int) -> int:
    return max(1, round(n * settings.default.max_examples / CI_EXAMPLES))
