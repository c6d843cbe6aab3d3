/* The engine's native reader: a YAML stream read straight from libyaml's event parser into
 * plain Python values, with kyaml's scalar rules (go-yaml v3) and the read records of
 * yamlread (empty plain nulls, quoted number-like scalars, annotation texts, folded
 * scalars re-read) -- what yamlv3.load_documents returns for a resource stream.
 *
 * It takes the common case and nothing else: anything outside it -- anchors and aliases,
 * explicit tags, merge or "<<" keys, duplicate keys, keys that are collections or resolve
 * to a number, boolean or null, very deep trees, a parse error, text that is not UTF-8 --
 * makes load() return None, and the caller reads the stream with its Python path (which
 * also gives every error its message). The same libyaml parser runs underneath both
 * paths, so what is read is the same; tests/engine/test_native_reader.py compares them.
 *
 * Written for this project; the scalar rules that live in Python (v3's resolver for
 * numbers and timestamps, the folded-scalar round trip) are passed in by configure().
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 1000

enum { OK = 0, FAIL = -1, UNSUPPORTED = 1 };
enum { ROLE_NONE, ROLE_ROOT, ROLE_METADATA, ROLE_ANNOTATIONS };
/* codes of resolve_plain(text) -> (code, value) */
enum { R_STR = 0, R_VALUE = 1, R_TIMESTAMP = 2, R_NULL = 3, R_OTHER = 4 };

static PyObject *resolve_fn, *folded_fn, *quoted_mark, *annotation_mark, *flow_mark;

typedef struct {
    PyObject *obj; /* a dict or a list */
    PyObject *key; /* a dict's key awaiting its value (owned), else NULL */
    int role;
    int flow;      /* a flow mapping: {...} */
} Frame;

typedef struct {
    Frame stack[MAX_DEPTH];
    int depth;
    int walk;          /* record as yamlread.prepare_document does */
    int root_is_map;   /* records are kept for mapping documents only */
    PyObject *root;    /* the finished document's root (owned) */
    PyObject *records; /* list */
} Ld;

/* ---- scalar rules ------------------------------------------------------------------ */

enum { C_STR, C_NULL, C_TRUE, C_FALSE, C_INT, C_ASK };

static int keyword(const char *s, size_t n, const char *w) {
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

/* How a plain scalar resolves under go-yaml v3, as far as C can tell cheaply: C_ASK means
 * the Python resolver decides (anything that starts like a number). */
static int classify(const char *s, size_t n) {
    if (n == 0)
        return C_NULL;
    char c = s[0];
    if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9')) {
        if (n == 1 && c == '0')
            return C_INT;
        if (c >= '1' && c <= '9' && n <= 18) {
            size_t i = 1;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
            if (i == n)
                return C_INT;
        }
        return C_ASK;
    }
    if (n > 5)
        return C_STR;
    switch (c) {
    case 't': case 'T':
        return keyword(s, n, "true") || keyword(s, n, "True") || keyword(s, n, "TRUE")
                   ? C_TRUE : C_STR;
    case 'f': case 'F':
        return keyword(s, n, "false") || keyword(s, n, "False") || keyword(s, n, "FALSE")
                   ? C_FALSE : C_STR;
    case 'n': case 'N':
        return keyword(s, n, "null") || keyword(s, n, "Null") || keyword(s, n, "NULL")
                   ? C_NULL : C_STR;
    case '~':
        return n == 1 ? C_NULL : C_STR;
    case '<':
        return keyword(s, n, "<<") ? C_ASK : C_STR;
    }
    return C_STR;
}

/* The Python resolver's answer: its code, and a new reference to the value in *out. */
static int ask(PyObject *text, PyObject **out) {
    PyObject *r = PyObject_CallOneArg(resolve_fn, text);
    if (!r)
        return -1;
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 2) {
        Py_DECREF(r);
        PyErr_SetString(PyExc_TypeError, "resolve_plain must return (code, value)");
        return -1;
    }
    long code = PyLong_AsLong(PyTuple_GET_ITEM(r, 0));
    *out = Py_NewRef(PyTuple_GET_ITEM(r, 1));
    Py_DECREF(r);
    return (int)code;
}

/* ---- records ----------------------------------------------------------------------- */

/* The path of the value being placed: one key or index per open collection, after
 * ``mark`` when it is given. */
static PyObject *path_tuple(Ld *ld, PyObject *mark) {
    int extra = mark ? 1 : 0;
    PyObject *t = PyTuple_New(ld->depth + extra);
    if (!t)
        return NULL;
    if (mark)
        PyTuple_SET_ITEM(t, 0, Py_NewRef(mark));
    for (int i = 0; i < ld->depth; i++) {
        Frame *f = &ld->stack[i];
        PyObject *el = f->key ? Py_NewRef(f->key)
                              : PyLong_FromSsize_t(PyList_GET_SIZE(f->obj));
        if (!el) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, i + extra, el);
    }
    return t;
}

static int record(Ld *ld, PyObject *rec) {
    if (!rec)
        return FAIL;
    int r = PyList_Append(ld->records, rec);
    Py_DECREF(rec);
    return r ? FAIL : OK;
}

static int recording(Ld *ld) { return ld->walk && ld->root_is_map && ld->depth > 0; }

/* ---- building ---------------------------------------------------------------------- */

static int place(Ld *ld, PyObject *value) {     /* steals value */
    if (ld->depth == 0) {
        ld->root = value;
        return OK;
    }
    Frame *f = &ld->stack[ld->depth - 1];
    int r;
    if (PyDict_Check(f->obj)) {
        r = PyDict_SetItem(f->obj, f->key, value);
        Py_CLEAR(f->key);
    } else {
        r = PyList_Append(f->obj, value);
    }
    Py_DECREF(value);
    return r ? FAIL : OK;
}

static int awaiting_key(Ld *ld) {
    return ld->depth > 0 && PyDict_Check(ld->stack[ld->depth - 1].obj) &&
           ld->stack[ld->depth - 1].key == NULL;
}

static int on_key(Ld *ld, yaml_event_t *ev) {
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && classify(s, n) != C_STR)
        return UNSUPPORTED;                   /* a key read as a number, boolean or null */
    if (n == 2 && s[0] == '<' && s[1] == '<')
        return UNSUPPORTED;                   /* a merge key, or a dropped quoted "<<" */
    PyObject *key = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, NULL);
    if (!key)
        return FAIL;
    PyUnicode_InternInPlace(&key);
    Frame *f = &ld->stack[ld->depth - 1];
    int dup = PyDict_Contains(f->obj, key);
    if (dup) {                                /* a duplicate: the Python path words it */
        Py_DECREF(key);
        return dup < 0 ? FAIL : UNSUPPORTED;
    }
    f->key = key;
    return OK;
}

static int on_value(Ld *ld, yaml_event_t *ev) {
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    yaml_scalar_style_t style = ev->data.scalar.style;
    int rec = recording(ld);
    int in_annotations = ld->depth > 0 && ld->stack[ld->depth - 1].role == ROLE_ANNOTATIONS;
    PyObject *text = PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, NULL);
    if (!text)
        return FAIL;
    if (style == YAML_PLAIN_SCALAR_STYLE) {
        int c = classify(s, n);
        PyObject *value = NULL;
        int code;
        switch (c) {
        case C_STR: code = R_STR; break;
        case C_NULL: code = R_NULL; break;
        case C_TRUE: code = R_VALUE; value = Py_NewRef(Py_True); break;
        case C_FALSE: code = R_VALUE; value = Py_NewRef(Py_False); break;
        case C_INT:
            code = R_VALUE;
            value = PyLong_FromUnicodeObject(text, 10);
            if (!value) {
                Py_DECREF(text);
                return FAIL;
            }
            break;
        default:
            code = ask(text, &value);
            if (code < 0) {
                Py_DECREF(text);
                return FAIL;
            }
        }
        if (code == R_OTHER || (code == R_TIMESTAMP && in_annotations)) {
            Py_XDECREF(value);
            Py_DECREF(text);
            return UNSUPPORTED;
        }
        if (rec && code == R_NULL && n == 0) {
            if (record(ld, path_tuple(ld, NULL)) ||
                (ld->stack[ld->depth - 1].flow && record(ld, path_tuple(ld, flow_mark)))) {
                Py_XDECREF(value);
                Py_DECREF(text);
                return FAIL;
            }
        }
        if (code == R_STR) {
            Py_XDECREF(value);
            return place(ld, text);
        }
        if (in_annotations) {
            /* kustomize reads an annotation as the text it was written with */
            Py_XDECREF(value);
            if (rec && n > 0) {
                PyObject *r = PyTuple_Pack(3, annotation_mark, ld->stack[ld->depth - 1].key,
                                           text);
                if (record(ld, r)) {
                    Py_DECREF(text);
                    return FAIL;
                }
            }
            if (code == R_NULL) {
                Py_DECREF(text);
                return place(ld, Py_NewRef(Py_None));
            }
            return place(ld, text);
        }
        Py_DECREF(text);
        return place(ld, value ? value : Py_NewRef(Py_None));
    }
    if (style == YAML_SINGLE_QUOTED_SCALAR_STYLE || style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
        if (rec) {
            int c = classify(s, n);
            int typed = c != C_STR;
            if (c == C_ASK) {
                PyObject *ignored = NULL;
                int code = ask(text, &ignored);
                Py_XDECREF(ignored);
                if (code < 0) {
                    Py_DECREF(text);
                    return FAIL;
                }
                typed = code != R_STR;
            }
            if (typed && record(ld, path_tuple(ld, quoted_mark))) {
                Py_DECREF(text);
                return FAIL;
            }
        }
        return place(ld, text);
    }
    /* a literal or folded block scalar */
    if (rec && n > 0 && s[0] == '\t') {
        Py_DECREF(text);
        return UNSUPPORTED;                   /* v3 cannot read it back: the error's path */
    }
    if (rec && style == YAML_FOLDED_SCALAR_STYLE) {
        PyObject *back = PyObject_CallOneArg(folded_fn, text);
        Py_DECREF(text);
        if (!back)
            return FAIL;
        return place(ld, back);
    }
    return place(ld, text);
}

static int on_start(Ld *ld, int mapping, int flow) {
    if (ld->depth >= MAX_DEPTH)
        return UNSUPPORTED;
    if (awaiting_key(ld))
        return UNSUPPORTED;                   /* a collection as a key */
    int role = ROLE_NONE;
    if (ld->depth == 0) {
        role = mapping ? ROLE_ROOT : ROLE_NONE;
        ld->root_is_map = mapping;
    } else {
        Frame *p = &ld->stack[ld->depth - 1];
        if (p->key && p->role == ROLE_ROOT && mapping &&
            PyUnicode_CompareWithASCIIString(p->key, "metadata") == 0)
            role = ROLE_METADATA;
        else if (p->key && p->role == ROLE_METADATA &&
                 PyUnicode_CompareWithASCIIString(p->key, "annotations") == 0) {
            if (!mapping)
                return UNSUPPORTED;           /* kyaml reads such a list as pairs */
            role = ROLE_ANNOTATIONS;
        }
    }
    PyObject *obj = mapping ? PyDict_New() : PyList_New(0);
    if (!obj)
        return FAIL;
    Frame *f = &ld->stack[ld->depth++];
    f->obj = obj;
    f->key = NULL;
    f->role = role;
    f->flow = mapping && flow;
    return OK;
}

static int on_end(Ld *ld) {
    Frame *f = &ld->stack[--ld->depth];
    PyObject *obj = f->obj;
    f->obj = NULL;
    Py_CLEAR(f->key);
    return place(ld, obj);
}

static void clear(Ld *ld) {
    while (ld->depth > 0) {
        Frame *f = &ld->stack[--ld->depth];
        Py_CLEAR(f->obj);
        Py_CLEAR(f->key);
    }
    Py_CLEAR(ld->root);
    Py_CLEAR(ld->records);
}

static PyObject *load(PyObject *self, PyObject *args) {
    PyObject *text;
    int walk;
    if (!PyArg_ParseTuple(args, "Up", &text, &walk))
        return NULL;
    if (!resolve_fn || !folded_fn) {
        PyErr_SetString(PyExc_RuntimeError, "_yamlload.configure() was not called");
        return NULL;
    }
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &size);
    if (!utf8) {                      /* lone surrogates: bytes that were not UTF-8 */
        PyErr_Clear();
        Py_RETURN_NONE;
    }
    Ld *ld = PyMem_Calloc(1, sizeof(Ld));
    if (!ld)
        return PyErr_NoMemory();
    ld->walk = walk;
    PyObject *docs = PyList_New(0);
    yaml_parser_t parser;
    if (!docs || !yaml_parser_initialize(&parser)) {
        Py_XDECREF(docs);
        PyMem_Free(ld);
        return PyErr_NoMemory();
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)utf8, (size_t)size);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
    int status = OK, done = 0;
    while (!done && status == OK) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            status = UNSUPPORTED;             /* a parse error: the Python path reports it */
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            ld->root_is_map = 0;
            ld->records = PyList_New(0);
            if (!ld->records)
                status = FAIL;
            break;
        case YAML_DOCUMENT_END_EVENT:
            if (ld->root && ld->root != Py_None) {
                PyObject *recs = PyList_AsTuple(ld->records);
                PyObject *pair = recs ? PyTuple_Pack(2, ld->root, recs) : NULL;
                Py_XDECREF(recs);
                if (!pair || PyList_Append(docs, pair))
                    status = FAIL;
                Py_XDECREF(pair);
            }
            Py_CLEAR(ld->root);
            Py_CLEAR(ld->records);
            break;
        case YAML_MAPPING_START_EVENT:
            status = ev.data.mapping_start.anchor || ev.data.mapping_start.tag
                         ? UNSUPPORTED
                         : on_start(ld, 1, ev.data.mapping_start.style ==
                                               YAML_FLOW_MAPPING_STYLE);
            break;
        case YAML_SEQUENCE_START_EVENT:
            status = ev.data.sequence_start.anchor || ev.data.sequence_start.tag
                         ? UNSUPPORTED : on_start(ld, 0, 0);
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            status = on_end(ld);
            break;
        case YAML_SCALAR_EVENT:
            if (ev.data.scalar.anchor || ev.data.scalar.tag)
                status = UNSUPPORTED;
            else
                status = awaiting_key(ld) ? on_key(ld, &ev) : on_value(ld, &ev);
            break;
        case YAML_ALIAS_EVENT:
            status = UNSUPPORTED;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    clear(ld);
    PyMem_Free(ld);
    if (status == OK)
        return docs;
    Py_DECREF(docs);
    if (status == FAIL)
        return NULL;
    Py_RETURN_NONE;
}

/* ---- copies -------------------------------------------------------------------------- */

/* fast_copy in C: new dicts and lists all the way down (a dict or list subclass comes out
 * as a plain one), every other value shared. */
static PyObject *copy_value(PyObject *v) {
    int is_dict = PyDict_Check(v);
    if (!is_dict && !PyList_Check(v))
        return Py_NewRef(v);
    if (Py_EnterRecursiveCall(" while copying a document"))
        return NULL;
    PyObject *out = is_dict ? PyDict_Copy(v) : PyList_GetSlice(v, 0, PyList_GET_SIZE(v));
    if (out && is_dict) {
        PyObject *k, *x;
        Py_ssize_t pos = 0;
        while (PyDict_Next(out, &pos, &k, &x)) {
            if (!PyDict_Check(x) && !PyList_Check(x))
                continue;
            PyObject *c = copy_value(x);
            if (!c || PyDict_SetItem(out, k, c)) {   /* same key: the table keeps its size */
                Py_XDECREF(c);
                Py_CLEAR(out);
                break;
            }
            Py_DECREF(c);
        }
    } else if (out) {
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(out); i++) {
            PyObject *x = PyList_GET_ITEM(out, i);
            if (!PyDict_Check(x) && !PyList_Check(x))
                continue;
            PyObject *c = copy_value(x);
            if (!c) {
                Py_CLEAR(out);
                break;
            }
            PyList_SetItem(out, i, c);                /* steals c, drops the shared one */
        }
    }
    Py_LeaveRecursiveCall();
    return out;
}

static PyObject *copy(PyObject *self, PyObject *v) { return copy_value(v); }

/* ---- paths of marked values ------------------------------------------------------------- */

typedef struct {
    void **owners;        /* sorted ids of the mappings named in ids */
    Py_ssize_t n_owners;
    PyObject *ids;        /* set of (id of a mapping, key) */
    PyObject *kind;       /* None: a null value; else a type the value is an instance of */
    PyObject *path;       /* list: the keys and indexes down to the current node */
    PyObject *out;        /* list of path tuples */
} Finder;

static int cmp_ptr(const void *a, const void *b) {
    void *x = *(void *const *)a, *y = *(void *const *)b;
    return x < y ? -1 : x > y;
}

static int is_owner(Finder *f, PyObject *node) {
    Py_ssize_t lo = 0, hi = f->n_owners;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (f->owners[mid] == (void *)node)
            return 1;
        if (f->owners[mid] < (void *)node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int matches(Finder *f, PyObject *v) {
    return f->kind == Py_None ? v == Py_None : PyObject_IsInstance(v, f->kind);
}

static int push_path(Finder *f, PyObject *el) {      /* steals el */
    if (!el)
        return FAIL;
    int r = PyList_Append(f->path, el);
    Py_DECREF(el);
    return r ? FAIL : OK;
}

static int pop_path(Finder *f) {
    return PyList_SetSlice(f->path, PyList_GET_SIZE(f->path) - 1, PyList_GET_SIZE(f->path),
                           NULL) ? FAIL : OK;
}

static int find(Finder *f, PyObject *node);

static int find_child(Finder *f, PyObject *el, PyObject *v) {   /* steals el */
    if (push_path(f, el))
        return FAIL;
    int r = find(f, v);
    if (pop_path(f))
        return FAIL;
    return r;
}

static int find(Finder *f, PyObject *node) {
    if (Py_EnterRecursiveCall(" while finding read records"))
        return FAIL;
    int r = OK;
    if (PyDict_Check(node)) {
        int owner = is_owner(f, node);
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        while (r == OK && PyDict_Next(node, &pos, &k, &v)) {
            int hit = 0;
            if (owner) {
                int m = matches(f, v);
                if (m < 0) {
                    r = FAIL;
                    break;
                }
                if (m) {
                    PyObject *id = PyLong_FromVoidPtr(node);     /* id(node) */
                    PyObject *key = id ? PyTuple_Pack(2, id, k) : NULL;
                    Py_XDECREF(id);
                    hit = key ? PySet_Contains(f->ids, key) : -1;
                    Py_XDECREF(key);
                    if (hit < 0) {
                        r = FAIL;
                        break;
                    }
                }
            }
            if (hit) {
                if (push_path(f, Py_NewRef(k)))
                    r = FAIL;
                else {
                    PyObject *t = PyList_AsTuple(f->path);
                    if (!t || PyList_Append(f->out, t))
                        r = FAIL;
                    Py_XDECREF(t);
                    if (pop_path(f))
                        r = FAIL;
                }
            } else if (PyDict_Check(v) || PyList_Check(v)) {
                r = find_child(f, Py_NewRef(k), v);
            }
        }
    } else if (PyList_Check(node)) {
        for (Py_ssize_t i = 0; r == OK && i < PyList_GET_SIZE(node); i++) {
            PyObject *v = PyList_GET_ITEM(node, i);
            if (PyDict_Check(v) || PyList_Check(v)) {
                Py_INCREF(v);                 /* the list may not change, but be safe */
                r = find_child(f, PyLong_FromSsize_t(i), v);
                Py_DECREF(v);
            }
        }
    }
    Py_LeaveRecursiveCall();
    return r;
}

static PyObject *find_paths(PyObject *self, PyObject *args) {
    PyObject *tree, *ids, *kind;
    if (!PyArg_ParseTuple(args, "OO!O", &tree, &PySet_Type, &ids, &kind))
        return NULL;
    Finder f = {0};
    f.ids = ids;
    f.kind = kind;
    f.owners = PyMem_Malloc(sizeof(void *) * (PySet_GET_SIZE(ids) + 1));
    if (!f.owners)
        return PyErr_NoMemory();
    PyObject *it = PyObject_GetIter(ids), *item;
    while (it && (item = PyIter_Next(it))) {
        if (PyTuple_Check(item) && PyTuple_GET_SIZE(item) == 2) {
            void *p = PyLong_AsVoidPtr(PyTuple_GET_ITEM(item, 0));
            if (!p && PyErr_Occurred())
                PyErr_Clear();
            else
                f.owners[f.n_owners++] = p;
        }
        Py_DECREF(item);
    }
    Py_XDECREF(it);
    if (PyErr_Occurred()) {
        PyMem_Free(f.owners);
        return NULL;
    }
    qsort(f.owners, f.n_owners, sizeof(void *), cmp_ptr);
    f.path = PyList_New(0);
    f.out = PyList_New(0);
    int r = f.path && f.out ? find(&f, tree) : FAIL;
    PyMem_Free(f.owners);
    Py_XDECREF(f.path);
    if (r) {
        Py_XDECREF(f.out);
        return NULL;
    }
    return f.out;
}

static PyObject *configure(PyObject *self, PyObject *args) {
    PyObject *r, *f, *q, *a, *w;
    if (!PyArg_ParseTuple(args, "OOUUU", &r, &f, &q, &a, &w))
        return NULL;
    Py_XSETREF(flow_mark, Py_NewRef(w));
    Py_XSETREF(resolve_fn, Py_NewRef(r));
    Py_XSETREF(folded_fn, Py_NewRef(f));
    Py_XSETREF(quoted_mark, Py_NewRef(q));
    Py_XSETREF(annotation_mark, Py_NewRef(a));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"load", load, METH_VARARGS,
     "load(text, walk) -> [(document, records), ...] | None: a resource stream as "
     "yamlv3.load_documents reads it, or None when it needs the Python path."},
    {"copy", copy, METH_O, "copy(value): a deep copy of plain JSON-like data."},
    {"find_paths", find_paths, METH_VARARGS,
     "find_paths(tree, ids, kind) -> [path, ...]: the path of every value of tree whose "
     "(id of its mapping, key) is in ids and that is None (kind None) or a kind."},
    {"configure", configure, METH_VARARGS,
     "configure(resolve_plain, folded_round_trip, quoted_mark, annotation_mark, "
     "flow_null_mark)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_yamlload",
                                    "kyaml's reading rules on libyaml's events, natively.",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__yamlload(void) { return PyModule_Create(&module); }
