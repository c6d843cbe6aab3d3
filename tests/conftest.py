"""Shared test helpers: write a small kustomization tree and compare the engine's build
pytest_plugins = ["pytester"]
with the oracle, `kubectl kustomize`, byte for byte."""
from __future__ import annotations

import os
import shutil
import subprocess
import textwrap

import pytest

import pytest_kustomize
from pytest_kustomize.errors import KustomizeError

pytest_plugins = ["pytester"]


def kubectl_available() -> bool:
    return shutil.which("kubectl") is not None


class Oracle:
    def __init__(self, root):
        self.root = root

    def write(self, files: dict) -> None:
        for rel, content in files.items():
            p = os.path.join(self.root, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(p, mode) as f:
                f.write(content if isinstance(content, bytes) else textwrap.dedent(content))

    def symlink(self, links: dict) -> None:
        """Create symlinks: relative path -> target (as written in the link)."""
        for rel, target in links.items():
            p = os.path.join(self.root, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            os.symlink(target, p)

    def kubectl(self, build_dir: str = ".", *flags) -> subprocess.CompletedProcess:
        if not kubectl_available():
            if os.environ.get("CI") == "true":
                pytest.fail("kubectl is required in CI")
            pytest.skip("kubectl not on PATH (it bundles the reference kustomize)")
        return subprocess.run(["kubectl", "kustomize", *flags,
                               os.path.join(self.root, build_dir)],
                              capture_output=True, text=True, timeout=120)

    def kustomize(self, build_dir: str = ".", *flags) -> subprocess.CompletedProcess:
        """The real kustomize v5.8.1 (scripts/install-tools kustomize)."""
        from pytest_kustomize.tools import require_tool
        binary = require_tool("kustomize")
        return subprocess.run([binary, "build", *flags, os.path.join(self.root, build_dir)],
                              capture_output=True, text=True, timeout=120)

    def engine(self, build_dir: str = ".", **options) -> str:
        return pytest_kustomize.build(os.path.join(self.root, build_dir), **options).to_yaml()

    def assert_same(self, files: dict | None = None, build_dir: str = ".", flags=(),
                    **options) -> str:
        """Build with both; the outputs must be byte-identical. Returns the output."""
        if files:
            self.write(files)
        ref = self.kubectl(build_dir, *flags)
        assert ref.returncode == 0, "kubectl failed: %s" % ref.stderr
        got = self.engine(build_dir, **options)
        assert got == ref.stdout
        return got

    def assert_both_fail(self, files: dict | None = None, build_dir: str = ".",
                         contains: str = "", **options) -> KustomizeError:
        if files:
            self.write(files)
        ref = self.kubectl(build_dir)
        assert ref.returncode != 0, "kubectl unexpectedly succeeded:\n%s" % ref.stdout
        if contains:
            assert contains in ref.stderr
        with pytest.raises(KustomizeError) as ei:
            self.engine(build_dir, **options)
        if contains:
            assert contains in str(ei.value)
        return ei.value


@pytest.fixture
def oracle(tmp_path) -> Oracle:
    """Write trees under tmp_path and compare the engine with `kubectl kustomize`."""
    return Oracle(str(tmp_path))
