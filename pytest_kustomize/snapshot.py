"""Golden-file snapshots of renders: ``__kustomize_snapshots__/<test file>/<test id>.yaml`` next to the
test, named from the test's node id only (so runs with and without pytest-xdist agree). A
mismatch fails with a unified diff; in CI mode a missing snapshot fails instead of being
written; an update rewrites them."""
from __future__ import annotations

import difflib
import os
import re

SNAPSHOT_DIR = "__kustomize_snapshots__"   # not syrupy's __snapshots__: it deletes files it does not know
UPDATE_HINT = "run pytest with --kustomize-snapshot-update to accept it"


class SnapshotMismatch(AssertionError):
    pass


class SnapshotMissing(AssertionError):
    pass


def safe_name(name: str) -> str:
    """A file-name-safe form of a test id (``TestX::test_y[a/b]`` -> ``TestX.test_y_a_b_``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name.replace("::", "."))


def snapshot_dir(test_file: str) -> str:
    base = os.path.splitext(os.path.basename(test_file))[0]
    return os.path.join(os.path.dirname(test_file), SNAPSHOT_DIR, base)


def snapshot_path(test_file: str, test_name: str, suffix: str = "") -> str:
    """The snapshot file of ``test_name`` (the node id after the file, e.g. ``test_y[p]``)."""
    return os.path.join(snapshot_dir(test_file),
                        safe_name(test_name + (("-" + suffix) if suffix else "")) + ".yaml")


def compare(text: str, path: str, update: bool, ci: bool = False) -> str:
    """Compare ``text`` with the snapshot at ``path``; write it when updating, or when it is
    missing outside CI mode. Returns "written", "updated" or "match"; raises SnapshotMismatch
    with a diff, or SnapshotMissing in CI mode."""
    __tracebackhide__ = True
    existed = os.path.exists(path)
    old = open(path, encoding="utf-8").read() if existed else None
    if old == text:
        return "match"
    rel = os.path.relpath(path)
    if update or (not existed and not ci):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return "updated" if existed else "written"
    if not existed:
        raise SnapshotMissing("snapshot %s does not exist and CI mode does not write it (%s "
                              "locally and commit the file)" % (rel, UPDATE_HINT.replace(
                                  " to accept it", "")))
    diff = "".join(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                        "snapshot " + rel, "render"))
    raise SnapshotMismatch("render differs from snapshot %s (%s):\n%s" % (rel, UPDATE_HINT, diff))


class Snapshot:
    """The ``kustomize_snapshot`` fixture: ``kustomize_snapshot.assert_match(resources)``.
    ``used`` (a set) collects the paths of the snapshots it compared."""

    def __init__(self, test_file: str, test_name: str, update: bool, ci: bool = False,
                 used: set | None = None):
        self.test_file = test_file
        self.test_name = test_name
        self.update = update
        self.ci = ci
        self.used = used if used is not None else set()

    def assert_match(self, rendered, name: str = "") -> str:
        """Compare (or write) the snapshot; returns "written", "updated" or "match"."""
        __tracebackhide__ = True
        text = rendered if isinstance(rendered, str) else rendered.to_yaml()
        path = snapshot_path(self.test_file, self.test_name, name)
        self.used.add(os.path.abspath(path))
        return compare(text, path, self.update, self.ci)


def unused_snapshots(test_file: str, used: set, protected_names) -> list:
    """Snapshot files of ``test_file`` not in ``used`` and not belonging to a test named in
    ``protected_names`` (tests that did not pass may not have reached their snapshots)."""
    d = snapshot_dir(test_file)
    if not os.path.isdir(d):
        return []
    prefixes = [safe_name(n) for n in protected_names]
    out = []
    for entry in sorted(os.listdir(d)):
        p = os.path.abspath(os.path.join(d, entry))
        stem = entry[:-5] if entry.endswith(".yaml") else None
        if stem is None or p in used:
            continue
        if any(stem == pre or stem.startswith(pre + "-") for pre in prefixes):
            continue
        out.append(p)
    return out
