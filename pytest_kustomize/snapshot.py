"""Golden-file snapshots of renders: ``__snapshots__/<test file>/<test name>.yaml`` next to
the test; ``--snapshot-update`` rewrites them; a mismatch fails with a unified diff."""
from __future__ import annotations

import difflib
import os
import re


class SnapshotMismatch(AssertionError):
    pass


def snapshot_path(test_file: str, test_name: str, suffix: str = "") -> str:
    base = os.path.splitext(os.path.basename(test_file))[0]
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name + (("-" + suffix) if suffix else ""))
    return os.path.join(os.path.dirname(test_file), "__snapshots__", base, safe + ".yaml")


def compare(text: str, path: str, update: bool) -> str:
    """Compare ``text`` with the snapshot at ``path``; write it when updating or missing.
    Returns "written", "updated" or "match"; raises SnapshotMismatch with a diff."""
    if not os.path.exists(path) or update:
        existed = os.path.exists(path)
        old = open(path, encoding="utf-8").read() if existed else None
        if old != text:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            return "updated" if existed else "written"
        return "match"
    with open(path, encoding="utf-8") as f:
        old = f.read()
    if old == text:
        return "match"
    diff = "".join(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                        "snapshot " + os.path.relpath(path), "render"))
    raise SnapshotMismatch("render differs from snapshot %s (run pytest with "
                           "--snapshot-update to accept it):\n%s" % (os.path.relpath(path), diff))


class Snapshot:
    """The ``kustomize_snapshot`` fixture: ``kustomize_snapshot.assert_match(resources)``."""

    def __init__(self, test_file: str, test_name: str, update: bool):
        self.test_file = test_file
        self.test_name = test_name
        self.update = update

    def assert_match(self, rendered, name: str = "") -> str:
        """Compare (or write) the snapshot; returns "written", "updated" or "match"."""
        text = rendered if isinstance(rendered, str) else rendered.to_yaml()
        return compare(text, snapshot_path(self.test_file, self.test_name, name), self.update)
