"""What a change between two Git refs does to the rendered overlays.

``diff_refs(dirs, base, head=None)`` renders each overlay at ``base`` and at ``head`` (default:
the work tree) without touching the checkout, and pairs objects as the API server knows them
(``diff.diff(..., by="id")``): removed objects are what a prune deletes. An overlay whose input
files read the same at both refs is not rendered twice. ``RefDiff`` prints for people
(``to_text``), pull-request comments (``to_markdown``) and machines (``to_json``); its
``exit_code`` is ``flux diff``'s: 0 no change, 1 changes, 2 errors.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from . import build
from .diff import ADDED, CHANGED, REMOVED, OverlayDiff, diff, masked
from .engine import yamlio
from .engine.fs import DISK
from .engine.loader import KUSTOMIZATION_FILE_NAMES
from .errors import KustomizeError
from .resources import Resources
from .sources.git import GitTreeFS, open_repo, same_inputs

WORK_TREE = "work tree"


@dataclass
class OverlayResult:
    """One overlay: its diff, or the error that kept it from rendering at a side."""
    path: str
    diff: OverlayDiff = field(default_factory=OverlayDiff)
    base_error: str = ""
    head_error: str = ""
    new: bool = False            # not a kustomization at base: everything is added
    deleted: bool = False        # not a kustomization at head: everything is removed
    rebuilt: bool = True         # False: its inputs read the same at both refs
    base: Resources | None = None
    head: Resources | None = None

    @property
    def error(self) -> str:
        return "; ".join(e for e in (self.base_error and "at base: " + self.base_error,
                                     self.head_error and "at head: " + self.head_error) if e)

    def summary(self) -> str:
        if self.error:
            return "error: " + self.error
        note = " (new overlay)" if self.new else " (overlay deleted)" if self.deleted else ""
        return self.diff.summary() + note

    def to_dict(self) -> dict:
        d = {"path": self.path, "summary": self.summary(), "rebuilt": self.rebuilt,
             "new": self.new, "deleted": self.deleted, "error": self.error or None}
        d["objects"] = self.diff.to_dict()["objects"]
        return d


@dataclass
class RefDiff:
    base: str
    head: str
    base_commit: str
    head_commit: str
    overlays: list = field(default_factory=list)

    @property
    def errors(self) -> list:
        return [o for o in self.overlays if o.error]

    @property
    def changed(self) -> list:
        return [o for o in self.overlays if o.diff and not o.error]

    @property
    def exit_code(self) -> int:
        return 2 if self.errors else 1 if self.changed else 0

    def __bool__(self) -> bool:
        return bool(self.changed)

    def summary(self) -> str:
        n = {s: sum(1 for o in self.overlays for x in o.diff.objects if x.status == s)
             for s in (ADDED, REMOVED, CHANGED)}
        parts = ["%d of %d overlays changed" % (len(self.changed), len(self.overlays))]
        if any(n.values()):
            parts.append("%d added, %d removed (pruned), %d changed"
                         % (n[ADDED], n[REMOVED], n[CHANGED]))
        if self.errors:
            parts.append("%d with errors" % len(self.errors))
        return "diff %s..%s: %s" % (self.base, self.head, "; ".join(parts))

    # -- output ----------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"base": {"ref": self.base, "commit": self.base_commit},
                "head": {"ref": self.head, "commit": self.head_commit},
                "summary": self.summary(), "exit_code": self.exit_code,
                "overlays": [o.to_dict() for o in self.overlays]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False, default=_jsonable) + "\n"

    def to_text(self, color: bool = False) -> str:
        paint = _ansi if color else (lambda text, code: text)
        lines = []
        for o in self.overlays:
            head = "%s: %s" % (o.path, o.summary())
            lines.append(paint(head, "1;31" if o.error else "1"))
            for x in o.diff.objects:
                if x.status == REMOVED:
                    lines.append(paint("  - %s (removed: pruned)" % x.label, "31"))
                elif x.status == ADDED:
                    lines.append(paint("  + %s (added)" % x.label, "32"))
                else:
                    lines.append(paint("  ~ %s" % x.label, "33"))
                    lines.extend("      %s" % c for c in x.changes)
        lines.append(paint(self.summary(), "1"))
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        out = ["### pytest-kustomize: `%s` → `%s`" % (self.base, self.head), "",
               "**%s**" % self.summary(), ""]
        for o in self.overlays:
            out.append("#### `%s`: %s" % (o.path, o.summary()))
            out.append("")
            for x in o.diff.objects:
                sign = {ADDED: "➕", REMOVED: "➖ (pruned)", CHANGED: "✏️"}[x.status]
                out.append("<details><summary>%s <code>%s</code></summary>" % (
                    sign, _html(x.label)))
                out.append("")
                if x.status == CHANGED:
                    out.append("```diff")
                    for c in x.changes:
                        out.extend(_diff_lines(c))
                    out.append("```")
                else:
                    out.append("```yaml")
                    out.append(yamlio.dump_documents([masked(x.resource.data)]).rstrip("\n"))
                    out.append("```")
                out.append("</details>")
                out.append("")
        return "\n".join(out) + "\n"


def _diff_lines(c) -> list:
    if c.kind == "added":
        return ["+ %s: %s" % (c.path, _flat(c.new))]
    if c.kind == "removed":
        return ["- %s: %s" % (c.path, _flat(c.old))]
    return ["- %s: %s" % (c.path, _flat(c.old)), "+ %s: %s" % (c.path, _flat(c.new))]


def _flat(v) -> str:
    return json.dumps(v, default=_jsonable) if not isinstance(v, str) else v


def _jsonable(v):
    return repr(v)


def _html(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _ansi(text: str, code: str) -> str:
    return "\x1b[%sm%s\x1b[0m" % (code, text)


def build_at(path: "str | os.PathLike", ref: str | None = None, **options) -> Resources:
    """``build(path)`` as a checkout of ``ref`` renders it (None: the work tree)."""
    return build(path, ref=ref, **options)


def _is_kustomization(fs, path: str) -> bool:
    d = os.path.abspath(path)
    return any(fs.isfile(os.path.join(d, n)) for n in KUSTOMIZATION_FILE_NAMES)


def diff_overlay(path: str, base_fs, head_fs, *, ignore=(), name: str | None = None,
                 **options) -> OverlayResult:
    """Render ``path`` in two file systems (``head_fs`` None: the work tree) and diff;
    ``name`` is how reports call the overlay (default: ``path``)."""
    from_disk = head_fs is None
    name = path if name is None else name
    out = OverlayResult(name)
    head_view = head_fs if not from_disk else DISK
    out.new = not _is_kustomization(base_fs, path)
    out.deleted = not _is_kustomization(head_view, path)
    base = head = Resources([])
    if not out.new:
        try:
            base = build(path, fs=base_fs, **options)
        except (KustomizeError, RecursionError) as e:
            out.base_error = str(e)
    if not out.deleted:
        if not out.new and not out.base_error and same_inputs(base.inputs, base_fs, head_view):
            out.rebuilt = False
            out.base = out.head = base
            return out
        try:
            head = build(path, **options) if from_disk else build(path, fs=head_fs, **options)
        except (KustomizeError, RecursionError) as e:
            out.head_error = str(e)
    out.base, out.head = base, head
    if not out.error:
        out.diff = diff(base, head, by="id", ignore=ignore, name=name)
    return out


def diff_refs(dirs, base: str, head: str | None = None, *, ignore=(), **options) -> RefDiff:
    """Diff every overlay in ``dirs`` between the commits ``base`` and ``head`` (None: the
    work tree). ``options`` are ``build()``'s."""
    dirs = [os.fspath(d) for d in dirs]
    if not dirs:
        raise KustomizeError("diff: no overlay directories given")
    trees: dict[tuple, object] = {}

    def fs(d, ref):
        repo = open_repo(d)
        key = (repo.git_dir, ref)
        if key not in trees:
            trees[key] = GitTreeFS(repo, ref)
        return trees[key]

    first_base = fs(dirs[0], base)
    first_head = fs(dirs[0], head) if head is not None else None
    result = RefDiff(base, head or WORK_TREE, first_base.commit,
                     first_head.commit if first_head else "")
    for d in dirs:
        result.overlays.append(diff_overlay(d, fs(d, base),
                                            fs(d, head) if head is not None else None,
                                            ignore=ignore, **options))
    return result
