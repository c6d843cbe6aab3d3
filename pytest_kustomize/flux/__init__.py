"""Flux: build Flux Kustomizations (kustomize.toolkit.fluxcd.io/v1) as kustomize-controller
and ``flux build kustomization`` do, on top of the engine."""
from __future__ import annotations

from .build import FluxBuild, build_kustomization, objects_to_yaml
from .objects import FluxKustomization, read_kustomization
from .varsub import Values

__all__ = ["FluxBuild", "FluxKustomization", "Values", "build_kustomization",
           "objects_to_yaml", "read_kustomization"]
