"""Helpers the benchmark scripts share: the sections of docs/performance.md that one script
owns, between its ``<!-- NAME: begin -->`` and ``<!-- NAME: end -->`` markers
(benchmarks/run.py rewrites the rest of the file and keeps them), and children run with
bytecode caches as an installed package has them."""
from __future__ import annotations

import contextlib
import os
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC = os.path.join(ROOT, "docs", "performance.md")


def markers(name: str) -> tuple:
    return "<!-- %s: begin -->" % name, "<!-- %s: end -->" % name


def kept(name: str, doc: str = DOC) -> str:
    """The current section ``name`` of ``doc`` with its markers ('' when absent)."""
    begin, end = markers(name)
    if not os.path.exists(doc):
        return ""
    text = open(doc, encoding="utf-8").read()
    if begin not in text or end not in text:
        return ""
    return begin + text.split(begin, 1)[1].split(end, 1)[0] + end


def write(name: str, lines: list, doc: str = DOC) -> None:
    """Replace section ``name`` of ``doc`` by ``lines`` (appended when absent)."""
    begin, end = markers(name)
    body = "\n".join([begin, ""] + lines + ["", end])
    text = open(doc, encoding="utf-8").read() if os.path.exists(doc) else "# Performance\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + body + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    with open(doc, "w", encoding="utf-8") as f:
        f.write(text)
    print("wrote", doc)


@contextlib.contextmanager
def bytecode_cached():
    """Children run with bytecode caches written and read (as an installed package has
    them, whatever PYTHONDONTWRITEBYTECODE says here), in a temporary cache prefix."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as pyc:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = pyc
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)


def child_env() -> dict:
    """The environment of a benchmarked child: this checkout first on PYTHONPATH."""
    return dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
