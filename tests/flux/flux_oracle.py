"""Helpers for tests/flux — the Flux oracle: scripts/gotools/flux-build (fluxcd/pkg/kustomize and envsubst at the
versions kustomize-controller v1.9.4 uses) against pytest_kustomize.flux, byte for byte."""
from __future__ import annotations

import json
import os
import subprocess
import textwrap

import pytest

from pytest_kustomize.errors import KustomizeError
from pytest_kustomize.flux import Values, build_kustomization, read_kustomization
from pytest_kustomize.tools import require_tool


class FluxOracle:
    def __init__(self, root: str):
        self.root = root

    def write(self, files: dict) -> None:
        for rel, content in files.items():
            p = os.path.join(self.root, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if content is None:           # an empty directory
                os.makedirs(p, exist_ok=True)
                continue
            with open(p, "w", encoding="utf-8") as f:
                f.write(textwrap.dedent(content))

    def go(self, name: str, path: str, ks_file: str = "ks.yaml", *, namespace="flux-system",
           sources: str | None = None, strict=False, dry_run=False, ignore="",
           recursive=False, local_sources: str = "", artifact=False,
           artifact_ignore: str | None = None) -> subprocess.CompletedProcess:
        exe = require_tool("flux-build")
        argv = [exe, "build", name, "--path", os.path.join(self.root, path), "--root",
                self.root, "--kustomization-file", os.path.join(self.root, ks_file),
                "--namespace", namespace]
        if sources:
            argv += ["--sources", os.path.join(self.root, sources)]
        if strict:
            argv.append("--strict-substitute")
        if dry_run:
            argv.append("--dry-run")
        if ignore:
            argv += ["--ignore-paths", ignore]
        if recursive:
            argv += ["--recursive", "--local-sources", local_sources]
        if artifact:
            argv.append("--artifact")
            if artifact_ignore is not None:
                ign = os.path.join(self.root, ".artifact-ignore")
                with open(ign, "w") as f:
                    f.write(artifact_ignore)
                argv += ["--artifact-ignore", ign]
        return subprocess.run(argv, capture_output=True, text=True, timeout=120)

    def py(self, name: str, path: str, ks_file: str = "ks.yaml", *, namespace="flux-system",
           sources: str | None = None, strict=False, dry_run=False, ignore="", artifact=False,
           artifact_ignore: str | None = None):
        ks = read_kustomization(os.path.join(self.root, ks_file), name, namespace)
        values = Values.from_file(os.path.join(self.root, sources)) if sources else None
        return build_kustomization(ks, os.path.join(self.root, path), self.root,
                                   values=values, strict=strict, dry_run=dry_run,
                                   ignore="\n".join(ignore.split(",")) if ignore else "",
                                   use_ignore=not artifact, artifact=artifact,
                                   artifact_ignore=artifact_ignore)

    def assert_same(self, files: dict | None = None, name="app", path="app", **kw) -> str:
        if files:
            self.write(files)
        ref = self.go(name, path, **kw)
        assert ref.returncode == 0, "flux-build failed: %s" % ref.stderr
        got = self.py(name, path, **kw).to_yaml()
        assert got == ref.stdout
        return got

    def assert_both_fail(self, files: dict | None = None, name="app", path="app",
                         contains: str = "", **kw) -> KustomizeError:
        if files:
            self.write(files)
        ref = self.go(name, path, **kw)
        assert ref.returncode != 0, "flux-build unexpectedly succeeded:\n%s" % ref.stdout
        if contains:
            assert contains in ref.stderr
        with pytest.raises(KustomizeError) as ei:
            self.py(name, path, **kw)
        if contains:
            assert contains in str(ei.value)
        return ei.value


def go_envsubst(cases: list) -> list:
    """[{"text", "vars", "strict"}] evaluated by fluxcd/pkg/envsubst."""
    exe = require_tool("flux-build")
    proc = subprocess.run([exe, "envsubst"], input=json.dumps(cases), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def ks(name="app", path="./app", namespace="flux-system", spec: str = "") -> str:
    """A Flux Kustomization document; ``spec`` is extra YAML under spec (4-space indent)."""
    head = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
            "  name: %s\n" % name)
    if namespace:
        head += "  namespace: %s\n" % namespace
    body = ("spec:\n  interval: 10m\n  path: %s\n  prune: true\n  sourceRef:\n"
            "    kind: GitRepository\n    name: repo\n" % path)
    if spec:
        body += textwrap.indent(textwrap.dedent(spec), "  ")
    return head + body
