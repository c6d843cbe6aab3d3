"""What two validators must agree on."""


def agreement(report) -> list:
    """Each resource's status and the set of fields flagged (their wording differs, and
    jsonschema reports each missing property apart)."""
    return [(r.resource_id, r.status, sorted({e.path for e in r.errors}))
            for r in report.results]
