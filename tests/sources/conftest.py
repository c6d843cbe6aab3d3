"""Fixtures of the Git tests: a repository with history, a guard that it is left untouched,
and a local API server."""
from __future__ import annotations

import pytest

from _gitrepo import Repo, snapshot
from pytest_kustomize.cluster import LocalApiServer
from pytest_kustomize.tools import require_tool


@pytest.fixture
def repo(tmp_path) -> Repo:
    return Repo(str(tmp_path / "repo"))


@pytest.fixture
def untouched(repo):
    """Asserts at teardown that the repository (work tree, index, HEAD, stash) is as the test
    left it before the code under test ran: call ``untouched.start()`` first."""
    class Guard:
        before = None

        def start(self):
            self.before = snapshot(repo.path)

        def check(self):
            assert self.before is not None, "untouched.start() was not called"
            after = snapshot(repo.path)
            changed = sorted(k for k in set(self.before) | set(after)
                             if self.before.get(k) != after.get(k))
            assert not changed, "the repository changed: %s" % changed
    g = Guard()
    yield g
    if g.before is not None:
        g.check()


@pytest.fixture(scope="session")
def local_cluster():
    """etcd + kube-apiserver for the immutable-field oracle (scripts/install-tools)."""
    require_tool("etcd")
    require_tool("kube-apiserver")
    with LocalApiServer() as cluster:
        yield cluster
