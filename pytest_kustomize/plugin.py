"""pytest entry point (``pytest11``): registers the hook module of each feature, as
pytest's own ``_pytest/`` does. The work is in plain modules of the package; each hook
module only wires one feature to options, fixtures and hooks (see hooks/__init__.py)."""
from __future__ import annotations

pytest_plugins: list[str] = [
    "pytest_kustomize.hooks.render",       # the kustomize fixture, kustomize_overlays marker
    "pytest_kustomize.hooks.yamltests",    # test_*.kustomize.yaml files
    "pytest_kustomize.hooks.validation",   # --kustomize-validate items
    "pytest_kustomize.hooks.snapshot",     # kustomize_snapshot, --kustomize-snapshot-*
    "pytest_kustomize.hooks.cluster",      # kube_cluster
    "pytest_kustomize.hooks.assertrepr",   # field diffs for == on resources
    "pytest_kustomize.hooks.git",          # --kustomize-base-ref, kustomize_base/_diff
    "pytest_kustomize.hooks.flux",         # flux fixture, flux_tree, kustomize_flux_trees
    "pytest_kustomize.hooks.tracebacks",   # short failures for render/snapshot errors
    "pytest_kustomize.hooks.report",       # --kustomize-html report
    "pytest_kustomize.hooks.progress",     # --kustomize-progress: long operations
]
