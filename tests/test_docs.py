"""Every ```python block in docs/ runs (from the repository root); the tutorial
docs/tutorial-flux.md runs as a reader would follow it (files written, commands run, their
output checked)."""
import fnmatch
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _blocks():
    out = []
    for name in sorted(os.listdir(DOCS)):
        if name.endswith(".md"):
            text = open(os.path.join(DOCS, name), encoding="utf-8").read()
            for i, code in enumerate(BLOCK.findall(text)):
                out.append(pytest.param(code, id="%s-%d" % (name, i)))
    return out


@pytest.mark.parametrize("code", _blocks())
def test_doc_example_runs(code, monkeypatch):
    monkeypatch.chdir(ROOT)
    exec(compile(code, "<doc>", "exec"), {"__name__": "doc_example"})


# ```LANG file=PATH / ```sh run / ```text output blocks, in page order
TUTORIAL_BLOCK = re.compile(r"^```(\w+) (file=\S+|run|output)\n(.*?)^```$", re.S | re.M)


def _tutorial_steps(name: str) -> list:
    text = open(os.path.join(DOCS, name), encoding="utf-8").read()
    return [(m.group(2), m.group(3)) for m in TUTORIAL_BLOCK.finditer(text)]


def _match_in_order(patterns: list, lines: list) -> list:
    """The patterns not matched by lines in that order (fnmatch, as pytester does)."""
    i = 0
    for n, pat in enumerate(patterns):
        while i < len(lines) and not fnmatch.fnmatch(lines[i], pat):
            i += 1
        if i == len(lines):
            return patterns[n:]
        i += 1
    return []


def test_the_flux_tutorial_runs_as_written(tmp_path):
    steps = _tutorial_steps("tutorial-flux.md")
    kinds = [k.split("=")[0] for k, _ in steps]
    assert kinds.count("file") == 2 and kinds.count("run") >= 5, kinds
    fleet = tmp_path / "fleet"
    shutil.copytree(os.path.join(ROOT, "examples", "shop"), fleet)
    env = dict(os.environ, PYTHONPATH=ROOT, HOME=str(tmp_path), NO_COLOR="1",
               PY_COLORS="0")
    env.pop("CI", None)
    env.pop("PYTEST_ADDOPTS", None)
    shim = tmp_path / "bin"          # `python3` in the commands is this interpreter
    shim.mkdir()
    (shim / "python3").symlink_to(sys.executable)
    env["PATH"] = "%s:%s" % (shim, env.get("PATH", ""))
    out = None
    for kind, body in steps:
        if kind.startswith("file="):
            path = fleet / kind[len("file="):]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(body)
        elif kind == "run":
            p = subprocess.run(["bash", "-e", "-c", body], cwd=str(fleet), env=env,
                               capture_output=True, text=True, timeout=600)
            out = p.stdout + p.stderr
            assert p.returncode == 0, "%s\n%s" % (body, out)
        else:
            assert out is not None, "an output block before any command"
            missing = _match_in_order([ln for ln in body.splitlines() if ln.strip()],
                                      out.splitlines())
            assert not missing, "not in the output of the command before it: %r\n%s" % (
                missing[0], out)
