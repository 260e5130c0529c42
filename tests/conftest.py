"""Hypothesis profiles for the whole suite (loaded before any test module, so a test's own
``@settings(...)`` inherits them).

``ci`` (the default) is bounded so ``make test`` stays fast: a few dozen examples per
property, no deadline (shared CI runners are noisy; a timing assertion would be flaky).
``thorough`` is for a local bug hunt.  ``HYPOTHESIS_PROFILE=thorough make test`` picks it.
Every profile keeps Hypothesis's example database off (``database=None``), so a CI run
depends on its seed alone, and prints the reproduction blob of a failure.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

settings.register_profile("ci", max_examples=15, **_COMMON)
settings.register_profile("thorough", max_examples=300, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
