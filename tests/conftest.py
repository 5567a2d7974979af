"""Shared test settings: the hypothesis profiles, chosen by ``HYPOTHESIS_PROFILE``.

* ``ci`` (default): hypothesis' usual 100 examples for a plain ``@given``, no deadline (CI
  machines stall); the property suites in ``tests/properties`` scale their own, smaller
  counts from it (see ``tests/properties/support.py``) and run in well under a minute.
* ``nightly``: 20 times as many examples everywhere, for a scheduled run::

      HYPOTHESIS_PROFILE=nightly python -m pytest tests/properties
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("nightly", max_examples=2000, deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
