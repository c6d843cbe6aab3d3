"""A stand-in for the kind binary (loaded by path by the kind and fixture tests): the clusters
it "creates" are the local control plane (its kubeconfig, renamed to kind's context), and
every call is logged as a JSON line."""
from __future__ import annotations

import json
import sys

KIND_SHIM = '''#!%(python)s
"""A stand-in for kind: clusters it "creates" are the local control plane (its kubeconfig,
with kind's context name); every call is logged."""
import json, os, sys
args = sys.argv[1:]
with open(%(log)r, "a") as f:
    f.write(json.dumps(args) + "\\n")
state = %(state)r
os.makedirs(state, exist_ok=True)
def opt(name):
    return args[args.index(name) + 1]
def write_kubeconfig(path, name):
    text = open(%(kubeconfig)r).read().replace("pytest-kustomize-local", "kind-" + name)
    open(path, "w").write(text)
if args[:2] == ["get", "clusters"]:
    print("\\n".join(sorted(os.listdir(state))))
elif args[:2] == ["create", "cluster"]:
    open(os.path.join(state, opt("--name")), "w").close()
    write_kubeconfig(opt("--kubeconfig"), opt("--name"))
elif args[:2] == ["export", "kubeconfig"]:
    write_kubeconfig(opt("--kubeconfig"), opt("--name"))
elif args[:2] == ["delete", "cluster"]:
    os.remove(os.path.join(state, opt("--name")))
else:
    sys.exit("unexpected kind call %%s" %% args)
'''



def write_shim(directory, kubeconfig: str) -> str:
    """Write ``directory/kind`` (log: ``directory/kind-calls.jsonl``); returns its path."""
    shim = directory / "kind"
    shim.write_text(KIND_SHIM % {"python": sys.executable,
                                 "log": str(directory / "kind-calls.jsonl"),
                                 "state": str(directory / "kind-clusters"),
                                 "kubeconfig": kubeconfig})
    shim.chmod(0o755)
    return str(shim)


def calls(directory) -> list:
    """The argument lists the shim was called with, in order."""
    path = directory / "kind-calls.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []
