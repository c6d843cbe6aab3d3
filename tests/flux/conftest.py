"""Fixtures of tests/flux (helpers in flux_oracle.py)."""
from __future__ import annotations

import pytest

pytest.register_assert_rewrite("flux_oracle")

from flux_oracle import FluxOracle  # noqa: E402


@pytest.fixture
def flux(tmp_path):
    return FluxOracle(str(tmp_path))
