"""A persistent render cache: a render is stored with the fingerprint of every input it read
and handed back while all of them are unchanged.

Key: the overlay's absolute path, the build options, the package version and a hash of the
engine's own source. An entry records, for every file the render read and every directory it
looked at (kustomization roots, and the paths of links to them), what a render can learn
there: a file's real path and content hash, a directory's real path and listing, or that it is
missing. A lookup re-fingerprints them (content hashes are memoised per ``stat`` stamp within
the process) and is a hit only when all are equal; so edits, renames, re-pointed links, files
added next to a kustomization and Git checkouts all rebuild exactly the renders that read what
changed. Renders that ran helm, fetched a remote root, ran exec plugins or read another file
system are not stored.

An entry holds the resources (pickled) and, when the CLI stored it, the YAML text, so a warm
``build --all`` prints without rendering or dumping. Entries are pickles written atomically (temporary file + ``os.replace``), so concurrent
pytest-xdist workers and CI jobs sharing a directory never see half an entry; a damaged or
unreadable entry is a miss. The directory: pytest's cache (``.pytest_cache/d/kustomize-renders``)
in a session; for the CLI ``$PYTEST_KUSTOMIZE_CACHE_DIR``, else
``$XDG_CACHE_HOME/pytest-kustomize/renders`` (``~/.cache/…``)."""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile

from . import __version__
from .resources import Resources

FORMAT = 2
VARIANTS = 4        # renders kept per overlay and options (different inputs)


def default_dir() -> str:
    """The CLI's cache directory (see the module doc)."""
    d = os.environ.get("PYTEST_KUSTOMIZE_CACHE_DIR")
    if d:
        return d
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pytest-kustomize", "renders")


_ENGINE_HASH: list = []


def engine_fingerprint() -> str:
    """A hash of the package's Python source and engine data (a changed engine is a miss)."""
    if not _ENGINE_HASH:
        h = hashlib.sha256(__version__.encode())
        pkg = os.path.dirname(os.path.abspath(__file__))
        for sub in ("", "engine", "engine/transformers", "engine/generators", "engine/data"):
            d = os.path.join(pkg, sub)
            try:
                names = sorted(os.listdir(d))
            except OSError:
                continue
            for n in names:
                if n.endswith((".py", ".yaml", ".json")):
                    h.update(n.encode())
                    with open(os.path.join(d, n), "rb") as f:
                        h.update(f.read())
        _ENGINE_HASH.append(h.hexdigest())
    return _ENGINE_HASH[0]


class RenderCache:
    """Renders stored under ``directory``; ``hits`` / ``misses`` / ``stores`` count lookups."""

    def __init__(self, directory: str):
        self.directory = os.fspath(directory)
        self.hits = self.misses = self.stores = 0
        self._hashes: dict = {}         # path -> (stat stamp, content hash)

    # -- keys and fingerprints -------------------------------------------------------------
    def _key(self, path: str, options: dict) -> str:
        text = repr((FORMAT, engine_fingerprint(), os.path.abspath(path),
                     sorted((k, repr(v)) for k, v in options.items())))
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()

    def _file(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".pickle")

    def probe(self, p: str):
        """What a render can learn of path ``p`` (see the module doc)."""
        try:
            st = os.stat(p)
        except OSError:
            return ("missing",)
        real = os.path.realpath(p)
        if os.path.isdir(p):
            try:
                return ("dir", real, tuple(sorted(os.listdir(p))))
            except OSError:
                return ("error",)
        stamp = (real, st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)
        known = self._hashes.get(p)
        if known is not None and known[0] == stamp:
            return ("file", real, known[1])
        try:
            with open(p, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
        except OSError:
            return ("error",)
        self._hashes[p] = (stamp, digest)
        return ("file", real, digest)

    # -- lookups -----------------------------------------------------------------------
    def _variants(self, key: str) -> list:
        try:
            with open(self._file(key), "rb") as f:
                entry = pickle.load(f)
            if entry.get("format") == FORMAT:
                return list(entry["variants"])
        except Exception:          # missing, damaged or from another layout: none
            pass
        return []

    def _fresh(self, path: str, options: dict):
        for variant in self._variants(self._key(path, options)):
            try:
                fresh = all(self.probe(p) == probe for p, probe in variant[0])
            except Exception:
                fresh = False
            if fresh:
                self.hits += 1
                return variant
        self.misses += 1
        return None

    def get(self, path: str, options: dict) -> Resources | None:
        """The stored render of ``path`` with ``options`` if every input it read is
        unchanged (each key keeps the last VARIANTS renders: switching Git branches back and
        forth finds both)."""
        v = self._fresh(path, options)
        if v is None:
            return None
        manifest, blob, warnings, _text = v
        out = Resources(pickle.loads(blob), warnings, path)
        out.inputs = [p for p, _ in manifest]
        out.volatile = False
        return out

    def get_text(self, path: str, options: dict) -> tuple | None:
        """(YAML text, warnings) of the stored render, as :meth:`get` finds it."""
        v = self._fresh(path, options)
        if v is None:
            return None
        _manifest, blob, warnings, text = v
        if text is None:
            text = Resources(pickle.loads(blob), warnings, path).to_yaml()
        return text, warnings

    def put(self, path: str, options: dict, res: Resources, text: str | None = None) -> None:
        """Store a render (its ``inputs`` are what it read; the build directory too) and,
        when given, its YAML ``text``."""
        inputs = list(dict.fromkeys([os.path.abspath(path)] + list(res.inputs)))
        for r in res:
            r.shared_entries = None         # build-time bookkeeping (keyed by object ids)
            r._id_memo = None
        manifest = [(p, self.probe(p)) for p in inputs]
        key = self._key(path, options)
        variants = [v for v in self._variants(key) if v[0] != manifest]
        blob = pickle.dumps(list(res), protocol=pickle.HIGHEST_PROTOCOL)
        variants.insert(0, (manifest, blob, list(res.warnings), text))
        target = self._file(key)
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump({"format": FORMAT, "variants": variants[:VARIANTS]}, f,
                                protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, target)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:
            return                  # a read-only or full cache directory: not stored
        self.stores += 1
