"""What every transformer shares: the provenance record of what it changed."""
from __future__ import annotations

from ..resource import Resource


def record(res: Resource, transformer: str, configured_in: str = "", detail: str = "") -> None:
    """Note on ``res`` that ``transformer`` (configured in file ``configured_in``) changed it.

    This feeds kustomize-style transformer annotations and the provenance shown in
    assertion failures.
    """
    entry = (transformer, configured_in, detail)
    if not res.origin.transformations or res.origin.transformations[-1] != entry:
        res.origin.transformations.append(entry)
