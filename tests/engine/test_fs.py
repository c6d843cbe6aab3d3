"""The file-system seam: ``MemoryFS`` answers as the real disk does (the oracle is the OS itself,
through ``DiskFS``), for files, directories and every kind of symlink; and a render from a
``MemoryFS`` is byte-identical to ``kubectl kustomize`` on the same tree written to disk."""
from __future__ import annotations

import errno
import os

import pytest

import pytest_kustomize
from pytest_kustomize.engine.fs import DISK, DiskFS, FileSystem, MemoryFS
from pytest_kustomize.errors import LoadError
from pytest_kustomize.tools import require_tool

TREE = {
    "a/file.txt": "hello\n",
    "a/sub/deep.txt": "deep\n",
    "out/secret.txt": "outside\n",
    "out/dir/x.txt": "x\n",
}
LINKS = {
    "a/in.txt": "file.txt",                 # link to a file beside it
    "a/up.txt": "../out/secret.txt",        # relative link leaving the directory
    "a/abs.txt": None,                      # absolute link (filled in with the tmp path)
    "a/dirlink": "../out/dir",              # link to a directory
    "a/chain": "in.txt",                    # link to a link
    "a/loop": "loop",                       # a link to itself
    "a/ping": "pong",                       # two links pointing at each other
    "a/pong": "ping",
    "a/dangling": "nothere.txt",
    "a/subl": "sub",
    "a/dotdot": "dirlink/../dir/x.txt",     # '..' after a link: POSIX resolves the link first
}
PROBES = [
    "a", "a/file.txt", "a/sub", "a/sub/deep.txt", "a/in.txt", "a/up.txt", "a/abs.txt",
    "a/dirlink", "a/dirlink/x.txt", "a/dirlink/../dir/x.txt", "a/chain", "a/loop",
    "a/loop/x", "a/ping", "a/dangling", "a/dangling/x", "a/subl/deep.txt", "a/subl/../file.txt",
    "a/dotdot", "a/file.txt/x", "a/missing/deeper/file", "a/./file.txt", "out", "out/dir",
    "", "a/sub/",
]


@pytest.fixture
def tree(tmp_path):
    root = os.path.realpath(str(tmp_path))
    for rel, text in TREE.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    for rel, target in LINKS.items():
        os.symlink(target or os.path.join(root, "a", "sub", "deep.txt"),
                   os.path.join(root, rel))
    return root


def _outcome(call):
    try:
        return ("ok", call())
    except OSError as e:
        return ("error", e.errno)


@pytest.mark.parametrize("rel", PROBES)
def test_memoryfs_answers_as_the_disk(tree, rel):
    mem = MemoryFS.from_disk(tree)
    p = os.path.join(tree, rel) if rel else tree
    for method in ("realpath", "isdir", "isfile", "exists"):
        assert getattr(mem, method)(p) == getattr(DISK, method)(p), (method, rel)
    assert _outcome(lambda: mem.read_bytes(p)) == _outcome(lambda: DISK.read_bytes(p)), rel
    if DISK.isdir(p):
        assert mem.listdir(p) == DISK.listdir(p)
    else:
        # a missing path or a loop: both refuse with the same errno (ENOENT, ELOOP, ENOTDIR)
        assert _outcome(lambda: mem.listdir(p)) == _outcome(lambda: DISK.listdir(p)), rel


def test_read_errors_are_the_disks():
    mem = MemoryFS({"/r/f": "x"}, symlinks={"/r/loop": "loop"})
    with pytest.raises(FileNotFoundError):
        mem.read_bytes("/r/missing")
    with pytest.raises(IsADirectoryError):
        mem.read_bytes("/r")
    with pytest.raises(NotADirectoryError):
        mem.read_bytes("/r/f/x")
    with pytest.raises(OSError) as ei:
        mem.read_bytes("/r/loop")
    assert ei.value.errno == errno.ELOOP
    with pytest.raises(OSError):
        mem.local_path("/r/f")
    with pytest.raises(ValueError):
        MemoryFS({"relative/path": "x"})


def test_both_implementations_satisfy_the_protocol():
    assert isinstance(DiskFS(), FileSystem)
    assert isinstance(MemoryFS(), FileSystem)


# -- a whole render from memory -----------------------------------------------------------
RENDER_TREE = {
    "app/kustomization.yaml": """\
        resources:
        - ../base
        - linked.yaml
        components:
        - comp
        namePrefix: prod-
        patches:
        - path: patch.yaml
        configMapGenerator:
        - name: settings
          files:
          - conf/app.properties
          envs:
          - conf/extra.env
        replacements:
        - path: repl.yaml
        """,
    "app/patch.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 3
        """,
    "app/repl.yaml": """\
        source: {kind: ConfigMap, name: settings, fieldPath: data.MODE}
        targets:
        - select: {kind: Deployment}
          fieldPaths: [metadata.annotations.mode]
          options: {create: true}
        """,
    "app/conf/real.properties": "port=8080\n",
    "app/conf/extra.env": "MODE=fast\n",
    "app/resources/svc.yaml": """\
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports:
          - port: 80
        """,
    "app/comp/kustomization.yaml": """\
        apiVersion: kustomize.config.k8s.io/v1alpha1
        kind: Component
        commonLabels:
          team: blue
        """,
    "base/kustomization.yaml": """\
        resources:
        - deploy.yaml
        """,
    "base/deploy.yaml": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              containers:
              - name: web
                image: nginx:1.25
        """,
}
RENDER_LINKS = {
    "app/linked.yaml": "resources/svc.yaml",         # file link inside the root
    "app/conf/app.properties": "real.properties",   # generator file through a link
    "app/comp": "../components/blue",               # a component directory through a link
}


def test_render_from_memory_equals_kubectl_on_disk(oracle):
    files = dict(RENDER_TREE)
    files["components/blue/kustomization.yaml"] = files.pop("app/comp/kustomization.yaml")
    oracle.write(files)
    oracle.symlink(RENDER_LINKS)
    ref = oracle.kubectl("app")
    assert ref.returncode == 0, ref.stderr
    assert "team: blue" in ref.stdout and "prod-settings-" in ref.stdout
    mem = MemoryFS.from_disk(oracle.root)
    app = os.path.join(os.path.realpath(oracle.root), "app")
    assert pytest_kustomize.build(app, fs=mem).to_yaml() == ref.stdout


def test_render_from_memory_at_a_path_absent_from_disk(oracle):
    """The same tree mounted where nothing exists on disk renders as kubectl renders it."""
    files = {rel: text for rel, text in RENDER_TREE.items() if not rel.startswith("app/comp")}
    files["app/kustomization.yaml"] = """\
        resources:
        - ../base
        - resources/svc.yaml
        namePrefix: prod-
        patches:
        - path: patch.yaml
        configMapGenerator:
        - name: settings
          files:
          - conf/app.properties
          envs:
          - conf/extra.env
        replacements:
        - path: repl.yaml
        """
    files["app/conf/app.properties"] = files.pop("app/conf/real.properties")
    oracle.write(files)
    ref = oracle.kubectl("app")
    assert ref.returncode == 0, ref.stderr
    mount = "/nonexistent-%d" % os.getpid()
    assert not os.path.exists(mount)
    disk = MemoryFS.from_disk(oracle.root)
    base = os.path.realpath(oracle.root)
    mem = MemoryFS({mount + p[len(base):]: data for p, data in disk.files.items()})
    assert pytest_kustomize.build(mount + "/app", fs=mem).to_yaml() == ref.stdout
    with pytest.raises(LoadError, match="must build at directory: '%s/app/patch.yaml': file "
                                        "is not directory" % mount):
        pytest_kustomize.build(mount + "/app/patch.yaml", fs=mem)


def test_helm_chart_in_memory_is_refused_clearly():
    """helm reads charts from disk: a tree with no disk copy gets an error naming the chart
    directory and the field (the Git tree writes a copy through ``local_path``)."""
    helm = require_tool("helm")
    mem = MemoryFS({"/m/app/kustomization.yaml": "helmCharts:\n- name: web\n",
                    "/m/app/charts/web/Chart.yaml": "apiVersion: v2\nname: web\n"
                                                    "version: 0.1.0\n"})
    with pytest.raises(LoadError) as ei:
        pytest_kustomize.build("/m/app", fs=mem, enable_helm=True, helm_command=helm)
    assert "field helmCharts" in str(ei.value)
    assert "/m/app/charts/web: an in-memory tree has no path on disk" in str(ei.value)
