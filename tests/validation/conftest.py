"""Validation tests run every case through both validators."""
from __future__ import annotations

import pytest

from _agreement import agreement
from pytest_kustomize.tools import require_tool
from pytest_kustomize.validation import validate


@pytest.fixture
def both():
    """validate() with kubeconform and with the in-process validator; asserts that they
    give the same verdict and flag the same fields, and returns the kubeconform report."""
    require_tool("kubeconform")

    def run(resources, **kw):
        a = validate(resources, validator="kubeconform", **kw)
        b = validate(resources, validator="jsonschema", **kw)
        assert (a.validator, b.validator) == ("kubeconform", "jsonschema")
        assert agreement(a) == agreement(b)
        return a
    return run
