"""The built-in kustomize engine: load a kustomization, generate, transform, print.

``build_resources(path, BuildOptions(...))`` is the entry point; it returns the final,
ordered ``ResourceList``. The engine imports nothing above it (no pytest, no queries, no
presentation): ``pytest_kustomize.build`` wraps its result for users."""
from __future__ import annotations

from .build import build_resources
from .target import BuildOptions

__all__ = ["build_resources", "BuildOptions"]
