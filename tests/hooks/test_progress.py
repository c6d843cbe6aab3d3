"""Progress of long operations in pytest's terminal output (--kustomize-progress): a Flux
tree built at collection, the search for CRDs in the repository, a reconcile's wait for
health (with a stand-in API client: the real cluster runs in tests/cluster)."""
from __future__ import annotations

import textwrap

from pytest_kustomize import progress
from pytest_kustomize.hooks.progress import ReporterListener

TREE = {
    "clusters/c1/flux-system/gotk-sync.yaml": textwrap.dedent("""\
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata: {name: flux-system, namespace: flux-system}
        spec: {interval: 1m0s, ref: {branch: main}, url: https://example.com/fleet.git}
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: flux-system, namespace: flux-system}
        spec: {interval: 10m, path: ./clusters/c1, prune: true,
               sourceRef: {kind: GitRepository, name: flux-system}}
        """),
    "clusters/c1/apps.yaml": textwrap.dedent("""\
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: apps, namespace: flux-system}
        spec: {interval: 10m, path: ./apps, prune: true,
               sourceRef: {kind: GitRepository, name: flux-system}}
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: gone, namespace: flux-system}
        spec: {interval: 10m, path: ./gone, prune: true,
               sourceRef: {kind: GitRepository, name: flux-system}}
        """),
    "apps/kustomization.yaml": "resources: [cm.yaml]\n",
    "apps/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
}

WAIT_TEST = textwrap.dedent("""\
    from pytest_kustomize.cluster.inventory import Entry
    from pytest_kustomize.cluster.wait import wait_for

    class Client:
        '''The Deployment becomes available at the third read.'''
        reads = 0

        def get(self, api_version, kind, name, namespace):
            if kind == "ConfigMap":
                return {"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": name, "namespace": namespace}}
            Client.reads += 1
            ready = Client.reads >= 3
            status = {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1,
                      "readyReplicas": 1, "availableReplicas": 1,
                      "conditions": [{"type": "Available", "status": "True"}]} \\
                if ready else {"observedGeneration": 1, "replicas": 1}
            return {"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": name, "namespace": namespace, "generation": 1},
                    "spec": {"replicas": 1}, "status": status}

    def test_wait():
        entries = [Entry("shop", "web", "apps", "Deployment", "v1"),
                   Entry("shop", "cfg", "", "ConfigMap", "v1")]
        wait_for(Client(), entries, timeout=30, interval=0.01)
        assert Client.reads == 3
    """)


def _tree(pytester):
    for name, text in TREE.items():
        p = pytester.path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    pytester.makeini("[pytest]\nkustomize_flux_trees = clusters/c1\nkustomize_validate = true\n")


def test_always_shows_each_task_with_its_summary(pytester):
    _tree(pytester)
    pytester.makepyfile(test_wait=WAIT_TEST)
    result = pytester.runpytest("--kustomize-progress=always", "-p", "no:xdist")
    result.assert_outcomes(passed=5, failed=1)    # 3 Flux items + dependsOn, 1 validation,
    result.stdout.fnmatch_lines([                 # the wait; the missing path fails
        "kustomize: Flux tree clusters/c1 ...",
        "kustomize: Flux tree clusters/c1: 2 Kustomizations built, 1 failed (*s)",
        "kustomize: waiting for 2 objects to be Current ...",
        "kustomize: waiting for 2 objects to be Current: 2 objects Current (*s)",
    ])
    result.stdout.fnmatch_lines([
        "kustomize: CRDs in .: 0 of 4 YAML files hold CustomResourceDefinitions (*s)"])


def test_auto_keeps_only_slow_tasks_and_never_keeps_none(pytester, monkeypatch):
    _tree(pytester)
    result = pytester.runpytest("-p", "no:xdist")
    result.assert_outcomes(passed=4, failed=1)
    assert "kustomize: Flux tree" not in result.stdout.str()
    # a task as slow as the threshold (made 0 here) leaves its line
    monkeypatch.setattr("pytest_kustomize.hooks.progress.SLOW", 0)
    result = pytester.runpytest("-p", "no:xdist")
    result.stdout.fnmatch_lines(["kustomize: Flux tree clusters/c1: 2 Kustomizations built, "
                                 "1 failed (*s)"])
    assert "clusters/c1 ..." not in result.stdout.str()
    result = pytester.runpytest("-p", "no:xdist", "--kustomize-progress=never")
    assert "kustomize: Flux tree" not in result.stdout.str()


class _FakeReporter:
    isatty = True

    def __init__(self):
        self.calls = []

    def rewrite(self, line, **kw):
        self.calls.append(("rewrite", line))

    def write_line(self, line, **kw):
        self.calls.append(("line", line))


def test_on_a_terminal_the_line_is_redrawn_as_the_task_advances(monkeypatch):
    tr = _FakeReporter()
    listener = ReporterListener(tr, "auto")
    clock = iter(range(0, 100))
    monkeypatch.setattr("pytest_kustomize.hooks.progress.time.monotonic",
                        lambda: float(next(clock)))
    progress.listen(listener)
    try:
        with progress.task("Flux tree clusters/prod", 3):
            for k in ("flux-system/flux-system", "flux-system/infra", "flux-system/apps"):
                progress.step(k)
    finally:
        progress.unlisten(listener)
    assert tr.calls[:3] == [
        ("rewrite", "kustomize: Flux tree clusters/prod: 1/3 flux-system/flux-system"),
        ("rewrite", "kustomize: Flux tree clusters/prod: 2/3 flux-system/infra"),
        ("rewrite", "kustomize: Flux tree clusters/prod: 3/3 flux-system/apps")]
    assert tr.calls[3] == ("rewrite", "")        # erased at the end


def test_a_failed_task_says_so(pytester):
    pytester.makepyfile(test_x=textwrap.dedent("""\
        import pytest
        from pytest_kustomize import progress

        def test_x():
            with pytest.raises(ValueError):
                with progress.task("a long thing", 2) as t:
                    t.step("one")
                    raise ValueError("boom")
        """))
    result = pytester.runpytest("--kustomize-progress=always")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["kustomize: a long thing ...",
                                 "kustomize: a long thing: failed (*s)"])


def test_a_wait_inside_a_test_shows_on_the_terminal_not_in_its_captured_output(pytester):
    pytester.makepyfile(test_wait=WAIT_TEST + "    print('the test itself')\n"
                                              "    assert False\n")
    result = pytester.runpytest("--kustomize-progress=always", "-p", "no:xdist")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    head, _, failures = out.partition("= FAILURES =")
    assert "kustomize: waiting for 2 objects to be Current: 2 objects Current (" in head
    assert "kustomize: waiting" not in failures
    assert "Captured stdout call" in failures and "the test itself" in failures
