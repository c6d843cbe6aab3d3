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
import yaml

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


# --- every option, ini setting and command the pages name exists ------------------------
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```$", re.S | re.M)
INLINE = re.compile(r"`([^`\n]+)`")
COMMAND = re.compile(r"(?:pytest-kustomize|python3? -m pytest_kustomize) ([a-z][a-z-]*)"
                     r"((?: +[^ \n]+)*)")


def _pages() -> dict:
    pages = {n: open(os.path.join(DOCS, n), encoding="utf-8").read()
             for n in sorted(os.listdir(DOCS)) if n.endswith(".md")}
    pages["README.md"] = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    return pages


def _code(text: str) -> list:
    """The code of a page: fenced blocks, then inline spans outside them."""
    blocks = FENCE.findall(text)
    return blocks + INLINE.findall(FENCE.sub("", text))


def _run(*args, cwd) -> str:
    p = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=cwd,
                       env=dict(os.environ, PYTHONPATH=ROOT, COLUMNS="200"), timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_every_pytest_option_and_ini_setting_the_docs_name_exists(tmp_path):
    help_text = _run("-m", "pytest", "--help", "-p", "no:cacheprovider", cwd=str(tmp_path))
    options = set(re.findall(r"^\s+(--[\w-]+)", help_text, re.M))
    ini = set(re.findall(r"^\s+(\w+) \(\w+\):", help_text, re.M))
    fixtures = set(re.findall(r"^(\w+)(?: \[\w+ scope\])? -- ", _run(
        "-m", "pytest", "--fixtures", "-p", "no:cacheprovider", cwd=str(tmp_path)), re.M))
    markers = set(re.findall(r"^@pytest\.mark\.(\w+)", _run(
        "-m", "pytest", "--markers", "-p", "no:cacheprovider", cwd=str(tmp_path)), re.M))
    modules = {os.path.splitext(f)[0] for _d, _s, fs in os.walk(os.path.join(
        ROOT, "pytest_kustomize")) for f in fs if f.endswith(".py")}
    known = ini | fixtures | markers | modules
    bad = []
    for name, text in _pages().items():
        for code in _code(text):
            for opt in re.findall(r"(?<![\w-])(--(?:kustomize|kube-|kind-)[\w-]*)", code):
                if opt not in options:
                    bad.append("%s: option %s" % (name, opt))
            for word in re.findall(r"\b(kustomize_\w+)\b", code):
                if word not in known:
                    bad.append("%s: %s is no ini setting, fixture or marker" % (name, word))
    assert not bad, "\n".join(sorted(set(bad)))
    assert {"--kustomize-html", "--kustomize-progress"} <= options     # the check sees them
    assert {"kustomize_roots", "kustomize_validate_missing_schemas"} <= ini


def test_every_command_line_the_docs_show_parses(tmp_path):
    """Each `pytest-kustomize SUB … --flag` in the pages' code: SUB is a subcommand and
    every --flag on that line is one of its options (nested subcommands included)."""
    top = _run("-m", "pytest_kustomize", "--help", cwd=str(tmp_path))
    subs = set(re.search(r"\{([\w,-]+)\}", top).group(1).split(","))
    helps: dict = {}

    def flags(sub: str, nested: str) -> set:
        if sub not in helps:
            text = _run("-m", "pytest_kustomize", sub, "--help", cwd=str(tmp_path))
            inner = re.search(r"^  \{([\w,-]+)\}", text, re.M)
            parts = {"": text}
            for n in (inner.group(1).split(",") if inner else []):
                parts[n] = _run("-m", "pytest_kustomize", sub, n, "--help", cwd=str(tmp_path))
            helps[sub] = parts
        parts = helps[sub]
        chosen = [n for n in nested.split("|") if n in parts] or list(parts)
        return {f for n in chosen + [""] for f in re.findall(r"(--[\w-]+)", parts[n])}

    bad, seen = [], 0
    for name, text in _pages().items():
        for code in _code(text):
            for line in code.splitlines():
                for m in COMMAND.finditer(line):
                    sub, rest = m.group(1), m.group(2).split()
                    if sub not in subs:
                        bad.append("%s: %r: no subcommand %s" % (name, line.strip(), sub))
                        continue
                    seen += 1
                    ok = flags(sub, rest[0] if rest else "")
                    for f in re.findall(r"(?<![\w-])(--[a-z][\w-]*)", " ".join(rest)):
                        if f not in ok:
                            bad.append("%s: %r: %s %s has no %s" % (name, line.strip(),
                                                                     "pytest-kustomize", sub, f))
    assert not bad, "\n".join(bad)
    assert seen >= 20, seen


def test_every_yaml_block_is_yaml():
    blocks = [(n, b) for n, t in _pages().items()
              for b in re.findall(r"^```yaml[^\n]*\n(.*?)^```$", t, re.S | re.M)]
    assert len(blocks) >= 3
    for name, block in blocks:
        try:
            list(yaml.safe_load_all(block.replace("\n  ...\n", "\n")))
        except yaml.YAMLError as e:
            raise AssertionError("%s: a yaml block does not parse: %s\n%s" % (name, e, block))
