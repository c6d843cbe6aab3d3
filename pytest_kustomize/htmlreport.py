"""Self-contained HTML reports a reviewer opens from a CI artifact: a diff (two renders, or
two Git refs of overlays) or a Flux tree — objects, changes, provenance, the ``dependsOn``
graph as inline SVG. One file: inline CSS, a few lines of inline JavaScript (a filter box and
the counts line), nothing fetched.

``diff_report(diff_or_refdiff)``, ``flux_tree_report(tree)``, ``combined_report(sections)``
return the HTML text; ``write(path, html)`` writes it.
"""
from __future__ import annotations

import html
import json
import os

from . import provenance as prov
from .diff import ADDED, CHANGED, REMOVED, OverlayDiff, masked
from .engine import yamlio

#: marker colours (the browser test looks for them in the screenshot)
COLORS = {ADDED: "#1a7f37", REMOVED: "#cf222e", CHANGED: "#9a6700", "error": "#82071e",
          "ok": "#2da44e"}
SIGNS = {ADDED: "+", REMOVED: "−", CHANGED: "~"}

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328}
header{background:#24292f;color:#fff;padding:14px 24px}
header h1{font-size:20px;margin:0 0 4px}
main{padding:12px 24px}
#filter{width:320px;padding:4px 8px;font-size:14px;margin:6px 0}
section.overlay{margin:16px 0;border:1px solid #d0d7de;border-radius:6px}
section.overlay>h2{font-size:16px;margin:0;padding:8px 12px;background:#f6f8fa}
.obj{border-left:10px solid #d0d7de;margin:8px 12px;padding:4px 10px;background:#fff}
.obj.added{border-left-color:%(added)s}.obj.removed{border-left-color:%(removed)s}
.obj.changed{border-left-color:%(changed)s}.obj.ok{border-left-color:%(ok)s}
.obj.error{border-left-color:%(error)s}
.badge{display:inline-block;min-width:64px;text-align:center;color:#fff;font-weight:600;
 border-radius:4px;padding:1px 6px;margin-right:8px;font-size:12px}
.badge.added{background:%(added)s}.badge.ok{background:%(ok)s}
.badge.removed{background:%(removed)s}.badge.error{background:%(error)s}
.badge.changed{background:%(changed)s}
.src{color:#57606a;font-size:12px}
table{border-collapse:collapse;margin:4px 0 6px;font-size:13px}
td,th{border:1px solid #d0d7de;padding:2px 6px;text-align:left;vertical-align:top;
 max-width:480px;overflow-wrap:anywhere}
td.old{background:#ffebe9}td.new{background:#dafbe1}
code,pre{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
pre{background:#f6f8fa;padding:6px;overflow:auto;max-height:320px}
.err{color:%(error)s;font-weight:600;white-space:pre-wrap}
svg text{font:12px system-ui,sans-serif}
""" % COLORS

_JS = """
(function(){
  var objs=document.querySelectorAll('.obj');
  var n={added:0,removed:0,changed:0,ok:0,error:0};
  objs.forEach(function(o){n[o.dataset.status]=(n[o.dataset.status]||0)+1;});
  var s=document.getElementById('counts');
  if(s){s.textContent='Shown by the page: '+objs.length+' entries ('+
    ['added','removed','changed','ok','error'].filter(function(k){return n[k];})
    .map(function(k){return n[k]+' '+k;}).join(', ')+')';}
  var f=document.getElementById('filter');
  if(f){f.addEventListener('input',function(){var q=f.value.toLowerCase();
    objs.forEach(function(o){o.style.display=
      o.textContent.toLowerCase().indexOf(q)<0?'none':'';});});}
})();
"""


def _e(s) -> str:
    return html.escape(str(s), quote=True)


def _value(v) -> str:
    if v.__class__.__name__ == "_Absent":
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, default=str)
    return str(v)


def _page(title: str, subtitle: str, body: list) -> str:
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta name=\"generator\" content=\"pytest-kustomize\">",
        "<title>%s</title><style>%s</style></head><body>" % (_e(title), _CSS),
        "<header><h1>%s</h1><div>%s</div></header><main>" % (_e(title), _e(subtitle)),
        "<div><input id=\"filter\" placeholder=\"filter objects (kind, name, file, field)\">",
        " <span id=\"counts\"></span></div>", *body,
        "</main><script>%s</script></body></html>\n" % _JS])


def _yaml(data: dict) -> str:
    return "<details><summary>YAML</summary><pre>%s</pre></details>" % _e(
        yamlio.dump_documents([masked(data)]))


# --- diffs ---------------------------------------------------------------------------
def _object_diff(o) -> str:
    r = o.resource
    src = prov.source(r)
    out = ["<div class=\"obj %s\" data-status=\"%s\">" % (o.status, o.status),
           "<span class=\"badge %s\">%s %s</span><code>%s</code>" % (
               o.status, SIGNS[o.status], o.status, _e(o.label)),
           " <span class=\"src\">from %s</span>" % _e(src or "(generated)")]
    if o.status == CHANGED and o.changes:
        out.append("<table><tr><th>field</th><th>before</th><th>after</th>"
                   "<th>set by</th></tr>")
        for c in o.changes:
            where = prov.provenance(o.new, c.path) if o.new is not None and \
                prov.changes_to(o.new, c.path) else ""
            out.append("<tr><td><code>%s</code></td><td class=\"old\">%s</td>"
                       "<td class=\"new\">%s</td><td class=\"src\">%s</td></tr>" % (
                           _e(c.path), _e(_value(c.old)), _e(_value(c.new)), _e(where)))
        out.append("</table>")
    else:
        out.append(_yaml(r.data))
    out.append("</div>")
    return "".join(out)


def _overlay_section(name: str, d: OverlayDiff, summary: str, error: str = "") -> str:
    out = ["<section class=\"overlay\"><h2>%s: %s</h2>" % (_e(name or "diff"), _e(summary))]
    if error:
        out.append("<div class=\"obj error\" data-status=\"error\"><span class=\"badge "
                   "error\">error</span><span class=\"err\">%s</span></div>" % _e(error))
    out += [_object_diff(o) for o in d.objects]
    if not d.objects and not error:
        out.append("<p style=\"margin:8px 12px\">no differences</p>")
    out.append("</section>")
    return "".join(out)


def diff_sections(result) -> tuple:
    """(subtitle, [section HTML]) of an OverlayDiff, a gitdiff.RefDiff or OverlayResult."""
    if isinstance(result, OverlayDiff):
        return result.summary(), [_overlay_section(result.name, result, result.summary())]
    if hasattr(result, "overlays"):           # RefDiff
        sub = "%s (%s) → %s (%s): %s" % (result.base, result.base_commit[:12], result.head,
                                        (result.head_commit or "")[:12], result.summary())
        return sub, [_overlay_section(o.path, o.diff, o.summary(), o.error)
                     for o in result.overlays]
    return result.summary(), [_overlay_section(result.path, result.diff, result.summary(),
                                               result.error)]


def diff_report(result, title: str = "pytest-kustomize diff") -> str:
    sub, body = diff_sections(result)
    return _page(title, sub, body)


# --- Flux trees ----------------------------------------------------------------------
def _levels(keys: list, deps: dict) -> dict:
    """Depth of each Kustomization in the dependsOn order (0: depends on nothing)."""
    level: dict = {}

    def depth(k, seen):
        if k in level:
            return level[k]
        if k in seen:          # a cycle: the dependsOn check reports it
            return 0
        d = 0
        for p in deps.get(k, ()):
            if p in deps:
                d = max(d, depth(p, seen | {k}) + 1)
        level[k] = d
        return d
    for k in keys:
        depth(k, frozenset())
    return level


def depends_on(tree) -> dict:
    """"ns/name" -> the keys it depends on (namespace defaulting to its own)."""
    out = {}
    for key, ks in tree.kustomizations.items():
        ns = key.split("/", 1)[0]
        out[key] = ["%s/%s" % (d.get("namespace") or ns, d.get("name", ""))
                    for d in (ks.spec.get("dependsOn") or []) if isinstance(d, dict)]
    return out


def dependency_svg(tree) -> str:
    """The dependsOn graph: one box per Kustomization (red when its build failed), solid
    arrows for dependsOn, dashed ones from the Kustomization whose build produced it."""
    keys = list(tree.kustomizations) + [k for k in tree.errors if k not in tree.kustomizations]
    deps = depends_on(tree)
    level = _levels(keys, deps)
    rows: dict = {}
    pos = {}
    for k in keys:
        lv = level.get(k, 0)
        pos[k] = (20 + lv * 250, 20 + rows.get(lv, 0) * 56)
        rows[lv] = rows.get(lv, 0) + 1
    w = 20 + (max(level.values(), default=0) + 1) * 250
    h = 20 + max(rows.values(), default=1) * 56
    out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"depends-on\" width=\"%d\" "
           "height=\"%d\" viewBox=\"0 0 %d %d\"><defs><marker id=\"arrow\" viewBox=\"0 0 10 10"
           "\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
           "<path d=\"M0,0L10,5L0,10z\" fill=\"#57606a\"/></marker></defs>" % (w, h, w, h)]
    for k in keys:
        x, y = pos[k]
        for d in deps.get(k, ()):
            if d in pos:
                px, py = pos[d]
                out.append("<line class=\"dep\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                           "stroke=\"#57606a\" stroke-width=\"1.5\" marker-end=\"url(#arrow)"
                           "\"><title>%s dependsOn %s</title></line>" % (
                               px + 200, py + 18, x, y + 18, _e(k), _e(d)))
        parent = tree.parents.get(k)
        if parent in pos:
            px, py = pos[parent]
            out.append("<line class=\"produced\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                       "stroke=\"#8c959f\" stroke-dasharray=\"4 3\"><title>%s built by %s"
                       "</title></line>" % (px + 100, py + 36, x + 100, y, _e(k), _e(parent)))
    for k in keys:
        x, y = pos[k]
        bad = k in tree.errors
        out.append("<g class=\"node\"><rect x=\"%d\" y=\"%d\" width=\"200\" height=\"36\" "
                   "rx=\"6\" fill=\"%s\" stroke=\"%s\" stroke-width=\"2\"/><text x=\"%d\" "
                   "y=\"%d\" fill=\"#1f2328\">%s</text></g>" % (
                       x, y, "#ffebe9" if bad else "#dafbe1",
                       COLORS["error"] if bad else COLORS["ok"], x + 8, y + 23, _e(k[:30])))
    out.append("</svg>")
    return "".join(out)


def _kustomization_section(tree, key: str, rootdir: str) -> str:
    ks = tree.kustomizations.get(key)
    err = tree.errors.get(key)
    status = "error" if err else "ok"
    spec = ks.spec if ks else {}
    chain = " → ".join(tree.chain(key)) if ks else key
    where = prov.display_path(ks.file) if ks and ks.file else ""
    src = spec.get("sourceRef") or {}
    out = ["<section class=\"overlay\"><h2>Kustomization %s</h2>" % _e(key),
           "<div class=\"obj %s\" data-status=\"%s\"><span class=\"badge %s\">%s</span>" % (
               status, status, status, "built" if not err else "failed"),
           "<code>%s</code> <span class=\"src\">defined in %s; path %s; source %s/%s; "
           "chain %s; dependsOn %s</span>" % (
               _e(key), _e(where or "(generated)"), _e(spec.get("path", ".")),
               _e(src.get("kind", "")), _e(src.get("name", "")), _e(chain),
               _e(", ".join(depends_on(tree).get(key, [])) or "nothing"))]
    if err:
        out.append("<div class=\"err\">%s</div>" % _e(err))
    out.append("</div>")
    build = tree.builds.get(key)
    if build is not None:
        out.append("<div style=\"margin:4px 12px\"><table><tr><th>kind</th><th>namespace"
                   "</th><th>name</th><th>from</th></tr>")
        for r in build.resources:
            out.append("<tr class=\"res\"><td>%s</td><td>%s</td><td>%s</td>"
                       "<td class=\"src\">%s</td></tr>" % (
                           _e(r.kind), _e(r.namespace or ""), _e(r.name),
                           _e(prov.source(r) or "(generated)")))
        out.append("</table>")
        for w in build.warnings:
            out.append("<div class=\"src\">warning: %s</div>" % _e(w))
        out.append("</div>")
    out.append("</section>")
    return "".join(out)


def flux_tree_sections(tree, name: str = "") -> tuple:
    n_res = sum(len(b.resources) for b in tree.builds.values())
    sub = "%s%d Kustomizations built, %d failed, %d objects%s" % (
        name + ": " if name else "", len(tree.builds), len(tree.errors), n_res,
        "; dependsOn: " + "; ".join(tree.problems) if tree.problems else "")
    body = ["<section class=\"overlay\"><h2>dependsOn graph%s</h2><div style=\"padding:8px;"
            "overflow:auto\">%s</div></section>" % (
                " of " + _e(name) if name else "", dependency_svg(tree))]
    if tree.problems:
        body.append("<div class=\"err\">%s</div>" % _e("\n".join(tree.problems)))
    keys = list(tree.kustomizations) + [k for k in tree.errors if k not in tree.kustomizations]
    body += [_kustomization_section(tree, k, os.getcwd()) for k in keys]
    return sub, body


def flux_tree_report(tree, title: str = "pytest-kustomize Flux tree", name: str = "") -> str:
    sub, body = flux_tree_sections(tree, name)
    return _page(title, sub, body)


def combined_report(parts, title: str = "pytest-kustomize report") -> str:
    """One page of several parts: (heading, "diff" | "flux", object); the diffs first."""
    body, subs = [], []
    for heading, what, obj in sorted(parts, key=lambda p: p[1] == "flux"):
        sub, sections = flux_tree_sections(obj, heading) if what == "flux" \
            else diff_sections(obj)
        subs.append(sub if what == "flux" else "%s: %s" % (heading, sub))
        body.append("<h2 class=\"part\">%s</h2>" % _e(heading))
        body += sections
    return _page(title, " · ".join(subs) or "nothing to report", body)


def write(path: str, text: str) -> str:
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path
