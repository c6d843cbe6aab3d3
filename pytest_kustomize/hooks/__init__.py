"""The pytest layer, one hook module per feature (as pytest's own ``_pytest/``).

``pytest_kustomize.plugin`` (the ``pytest11`` entry point) lists them in ``pytest_plugins``;
each module only wires plain modules of the package to options, fixtures and hooks."""
