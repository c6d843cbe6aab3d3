"""GitTreeFS answers every FileSystem question as the disk does on a checkout of the ref."""
from __future__ import annotations

import os

import pytest

from pytest_kustomize.engine.fs import DISK, FileSystem
from pytest_kustomize.sources.git import GitError, GitTreeFS, check_ref, same_inputs


def _answers(fs, root, rels):
    """What ``fs`` says about each path (a checkout's .git directory is not in the commit)."""
    out = {}
    for rel in rels:
        p = os.path.join(root, rel) if rel else root
        real = fs.realpath(p)
        row = [os.path.relpath(real, root) if real.startswith(root) else real,
               fs.isdir(p), fs.isfile(p), fs.exists(p)]
        for op in (fs.read_bytes, fs.listdir):
            try:
                got = op(p)
                row.append([n for n in got if n != ".git"] if isinstance(got, list) else got)
            except OSError as e:
                row.append(type(e).__name__)
        out[rel] = row
    return out


@pytest.fixture
def history(repo, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("from the disk\n")
    repo.write({"a/x.yaml": "one\n", "a/sub/y.yaml": "y\n", "b.txt": "b\n",
                "exec.sh": "#!/bin/sh\n"})
    os.chmod(os.path.join(repo.path, "exec.sh"), 0o755)
    repo.link("a/link-to-b", "../b.txt")
    repo.link("dirlink", "a/sub")
    repo.link("abs-out", str(outside))
    repo.link("rel-out", "../outside.txt")
    repo.link("dangling", "nowhere")
    repo.link("loop1", "loop2")
    repo.link("loop2", "loop1")
    first = repo.commit(message="first")
    repo.git("tag", "v1")
    repo.write({"a/x.yaml": "two\n", "b.txt": None, "c/new.yaml": "c\n"})
    os.remove(os.path.join(repo.path, "dirlink"))
    repo.link("dirlink", "c")
    second = repo.commit(message="second")
    return first, second


RELS = ["", "a", "a/x.yaml", "a/sub", "a/sub/y.yaml", "a/link-to-b", "b.txt", "dirlink",
        "dirlink/y.yaml", "dirlink/new.yaml", "abs-out", "rel-out", "dangling", "loop1",
        "c", "c/new.yaml", "missing", "a/x.yaml/under-a-file", "a/../b.txt", "exec.sh"]


@pytest.mark.parametrize("ref", ["v1", "main", "HEAD~1"])
def test_tree_answers_as_a_checkout(repo, history, tmp_path, untouched, ref):
    checkout = os.path.realpath(repo.checkout_copy(ref, str(tmp_path / ("co-" + ref[:2]))))
    untouched.start()
    fs = GitTreeFS(repo.path, ref)
    assert isinstance(fs, FileSystem)
    root = os.path.realpath(repo.path)
    assert _answers(fs, root, RELS) == _answers(DISK, checkout, RELS)
    untouched.check()


def test_refs_differ_and_the_work_tree_is_not_read(repo, history, untouched):
    repo.write({"a/x.yaml": "uncommitted\n"})
    repo.git("stash", "-q")
    repo.write({"a/x.yaml": "dirty again\n"})
    repo.git("add", "a/x.yaml")
    untouched.start()
    x = os.path.join(repo.path, "a", "x.yaml")
    assert GitTreeFS(repo.path, "v1").read_bytes(x) == b"one\n"
    assert GitTreeFS(repo.path, "HEAD").read_bytes(x) == b"two\n"
    assert GitTreeFS(repo.path, history[0][:10]).read_bytes(x) == b"one\n"
    assert DISK.read_bytes(x) == b"dirty again\n"
    untouched.check()


def test_local_path_materializes_a_directory(repo, history):
    fs = GitTreeFS(repo.path, "v1")
    d = fs.local_path(os.path.join(repo.path, "a"))
    assert not d.startswith(os.path.realpath(repo.path))
    with open(os.path.join(d, "x.yaml")) as f:
        assert f.read() == "one\n"
    with open(os.path.join(d, "link-to-b")) as f:     # links are followed into copies
        assert f.read() == "b\n"


@pytest.mark.parametrize("ref", ["-c", "--output=/tmp/x", "--", "", "a\nb"])
def test_refs_that_could_be_options_are_refused(repo, history, ref):
    with pytest.raises(GitError, match="ref"):
        GitTreeFS(repo.path, ref)
    with pytest.raises(GitError):
        check_ref(ref)


def test_unknown_ref_and_no_repository(repo, history, tmp_path):
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        GitTreeFS(repo.path, "nope")
    (tmp_path / "plain").mkdir()
    with pytest.raises(GitError, match="not inside a Git repository"):
        GitTreeFS(str(tmp_path / "plain"), "HEAD")


def test_same_inputs(repo, history):
    root = os.path.realpath(repo.path)
    v1, head = GitTreeFS(repo.path, "v1"), GitTreeFS(repo.path, "main")
    assert same_inputs([os.path.join(root, "a/sub/y.yaml"), os.path.join(root, "a")], v1, head)
    assert not same_inputs([os.path.join(root, "a/x.yaml")], v1, head)
    assert not same_inputs([os.path.join(root, "b.txt")], v1, head)       # removed at head
    assert same_inputs([os.path.join(root, "a/x.yaml")], head, DISK)


def test_a_submodule_is_an_empty_directory_as_on_a_fresh_checkout(repo, tmp_path):
    from _gitrepo import Repo
    sub = Repo(str(tmp_path / "sub"))
    sub.commit({"inner.yaml": "x\n"}, "sub")
    repo.commit({"top.yaml": "t\n"}, "top")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.path, "vendor")
    repo.commit(message="add submodule")
    checkout = os.path.realpath(repo.checkout_copy("HEAD", str(tmp_path / "co")))
    fs = GitTreeFS(repo.path, "HEAD")
    root = os.path.realpath(repo.path)
    rels = ["vendor", "vendor/inner.yaml", ".gitmodules", "top.yaml"]
    assert _answers(fs, root, rels) == _answers(DISK, checkout, rels)
    assert fs.isdir(os.path.join(root, "vendor")) and fs.listdir(os.path.join(root, "vendor")) == []
