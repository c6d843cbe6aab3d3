"""``assert a == b`` on resources or renders explains the difference field by field, with
where each value came from."""
from __future__ import annotations

from ..diff import explain
from ..engine.resource import Resource
from ..resources import Resources


def pytest_assertrepr_compare(config, op, left, right):
    if op != "==":
        return None
    kinds = (Resource, Resources)
    if isinstance(left, kinds) and isinstance(right, kinds) and type(left) is type(right):
        return explain(left, right)
    return None
