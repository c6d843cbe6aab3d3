"""Gate checks and Flux Kustomizations in YAML test files (``test_*.kustomize.yaml``).

```yaml
overlay: app                       # or overlays: [apps/web, apps/db]
diff: {base: main, head: pr}       # head: the work tree when absent; flux: true reads
                                   # the Flux Kustomizations owning the overlays
tests:
- name: the pull request is safe
  gates:
  - prunesNothing: {waivers: [{resource: Job/seed, reason: one-off job}]}
  - noImmutableChanges: {}
  - onlyChanged: {kinds: [Deployment], fields: [spec.replicas, "Deployment:spec.template"]}
  - imageChanges: {equal: ["nginx:1.27 -> nginx:1.28"]}
  - builds: {}
```

and a Flux Kustomization instead of an overlay, by name in a cluster tree or from its file:

```yaml
flux: {tree: clusters/production, root: ., kustomization: shop, strict: true}
flux: {file: clusters/production/shop.yaml, kustomization: shop, root: .,
       values: [clusters/production/cluster-vars.yaml]}
```

No pytest here: ``hooks/yamltests.py`` runs them.
"""
from __future__ import annotations

from . import gates
from .policy import Waiver

#: YAML name -> (the gate's check name for waivers, allowed keys)
GATES = {
    "prunesNothing": ("prunes-nothing", {"waivers"}),
    "orphansNothing": ("orphans-nothing", {"waivers"}),
    "noImmutableChanges": ("immutable-fields", {"waivers"}),
    "noSuspendedChanges": ("suspended", {"waivers"}),
    "onlyChanged": ("only-changed", {"kinds", "fields", "waivers"}),
    "imageChanges": ("images", {"equal"}),
    "builds": ("builds", set()),
}
DIFF_KEYS = {"base", "head", "ignore", "flux"}
FLUX_KEYS = {"tree", "file", "root", "path", "kustomization", "namespace", "strict", "values"}
NEEDS_OWNERS = {"orphansNothing", "noSuspendedChanges"}


def check_file(tf) -> None:
    """The ``diff`` and ``flux`` sections of a test file (``yamltests.TestFile``)."""
    spec = tf.spec
    d = spec.get("diff")
    if d is not None:
        if not isinstance(d, dict) or not d.get("base") or set(d) - DIFF_KEYS:
            raise tf.error("'diff' must be a mapping with 'base' (and %s), got %r"
                           % (", ".join(sorted(DIFF_KEYS - {"base"})), d), "diff")
        if spec.get("flux") is not None:
            raise tf.error("'diff' and 'flux' cannot be combined (diff overlays)", "diff")
    f = spec.get("flux")
    if f is not None:
        if not isinstance(f, dict) or set(f) - FLUX_KEYS:
            raise tf.error("'flux' must be a mapping of %s, got %r"
                           % (", ".join(sorted(FLUX_KEYS)), f), "flux")
        if not f.get("kustomization") or not (f.get("tree") or f.get("file")):
            raise tf.error("'flux' needs 'kustomization' (a name) and 'tree' (a cluster "
                           "directory) or 'file' (the Kustomization's file)", "flux")
        if spec.get("overlay") is not None:
            raise tf.error("'flux' and 'overlay' cannot be combined", "flux")
        if not isinstance(f.get("values") or [], list):
            raise tf.error("flux.values must be a list of files", "flux", "values")


def check_gates(tf, i: int) -> None:
    """``tests[i].gates``: a non-empty list of known gates with known keys."""
    t = tf.spec["tests"][i]
    g = t.get("gates")
    if not tf.spec.get("diff"):
        raise tf.error("tests[%d]: 'gates' needs a 'diff: {base: REF}' section at the top"
                       % i, "tests", i, "gates")
    if not isinstance(g, list) or not g:
        raise tf.error("tests[%d]: 'gates' must be a non-empty list, got %r" % (i, g),
                       "tests", i, "gates")
    for j, entry in enumerate(g):
        if not isinstance(entry, dict) or len(entry) != 1:
            raise tf.error("tests[%d].gates[%d] must be a mapping naming one gate, got %r"
                           % (i, j, entry), "tests", i, "gates", j)
        name, args = next(iter(entry.items()))
        if name not in GATES:
            raise tf.error("tests[%d].gates[%d]: unknown gate %r (known: %s)"
                           % (i, j, name, ", ".join(GATES)), "tests", i, "gates", j)
        if name in NEEDS_OWNERS and not tf.spec["diff"].get("flux"):
            raise tf.error("tests[%d].gates[%d]: %s needs 'flux: true' in 'diff'"
                           % (i, j, name), "tests", i, "gates", j)
        if not isinstance(args, (dict, type(None))) or set(args or {}) - GATES[name][1]:
            raise tf.error("tests[%d].gates[%d]: %s takes %s, got %r"
                           % (i, j, name, ", ".join(sorted(GATES[name][1])) or "{}", args),
                           "tests", i, "gates", j)
        for w in (args or {}).get("waivers") or []:
            if not isinstance(w, dict) or set(w) != {"resource", "reason"} or \
                    not str(w.get("reason") or "").strip():
                raise tf.error("tests[%d].gates[%d]: a waiver is {resource: Kind/name, "
                               "reason: why}, got %r" % (i, j, w), "tests", i, "gates", j)


def run_gates(tf, i: int, d, owners: dict | None = None,
              base_owners: dict | None = None) -> None:
    """Run ``tests[i].gates`` on the RefDiff ``d``: the first failing gate raises its
    PolicyError (an AssertionError) prefixed with the gate's line."""
    for j, entry in enumerate(tf.spec["tests"][i]["gates"]):
        name, args = next(iter(entry.items()))
        args = args or {}
        check = GATES[name][0]
        waivers = [Waiver(str(w["resource"]), check, str(w["reason"]))
                   for w in args.get("waivers") or []]
        try:
            _run(name, args, d, waivers, owners, base_owners)
        except AssertionError as e:
            raise AssertionError("%s: gates[%d] %s: %s" % (tf.where("tests", i, "gates", j),
                                                           j, name, e)) from None


def _run(name, args, d, waivers, owners, base_owners) -> None:
    if name == "prunesNothing":
        gates.assert_prunes_nothing(d, waivers=waivers, owners=owners)
    elif name == "orphansNothing":
        gates.assert_orphans_nothing(d, owners or {}, waivers=waivers)
    elif name == "noImmutableChanges":
        gates.assert_no_immutable_changes(d, waivers=waivers)
    elif name == "noSuspendedChanges":
        gates.assert_no_suspended_changes(d, owners or {}, base_owners, waivers=waivers)
    elif name == "onlyChanged":
        gates.assert_only_changed(d, kinds=args.get("kinds") or (),
                                  fields=args.get("fields") or (), waivers=waivers)
    elif name == "imageChanges":
        got = ["%s -> %s" % (c.old or "(none)", c.new or "(none)")
               for c in gates.image_changes(d)]
        want = [str(x) for x in args.get("equal") or []]
        if got != want:
            raise AssertionError("image changes are %r, expected %r" % (got, want))
    elif name == "builds":
        gates.assert_builds(d)
