/* The field-spec walk of engine/paths.py (walk_spec) in C: the same steps, the same
 * creations and the same errors, without a Python frame per node. paths.py keeps the
 * Python walk as the reference and the fallback (PYTEST_KUSTOMIZE_NATIVE=0 or no
 * compiler); tests/engine/test_native_walk.py holds the two to the same results.
 *
 * walk_spec(node, parts, fn, create=False, create_kind=None): fn(container, key) for every
 * node at parts (a list or tuple of str; "name[]" must be a list); lists on the way are
 * walked element by element; null values stop the walk; missing fields are created when
 * create (create_kind is the kind of the last one; fn sees a missing last key only for
 * the scalar kind). image_holders(node) is the images transformer's legacy search for
 * containers; memo_id(data, memo) is Resource.id's memo check. configure(error, scalar, map) gives the exception class raised for
 * bad nodes and the two kind names of paths.py. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *Error;       /* errors.TransformerError */
static PyObject *ScalarKind;  /* paths.SCALAR */
static PyObject *MapKind;     /* paths.MAP */
static PyObject *ImageKey;    /* "image" */
static PyObject *MetadataKey, *NameKey, *NamespaceKey, *ApiVersionKey, *KindKey;

enum { K_NONE, K_SCALAR, K_MAP, K_OTHER };

typedef struct {
    PyObject *name;           /* the field name, "[]" stripped (new reference) */
    int is_seq;
} Part;

static int fail(const char *message)
{
    PyObject *e = PyObject_CallFunction(Error, "s", message);
    if (e != NULL) {
        PyErr_SetObject((PyObject *)Py_TYPE(e), e);
        Py_DECREF(e);
    }
    return -1;
}

static int call(PyObject *fn, PyObject *container, PyObject *key)
{
    PyObject *r = PyObject_CallFunctionObjArgs(fn, container, key, NULL);
    if (r == NULL)
        return -1;
    Py_DECREF(r);
    return 0;
}

/* node[name], a new reference; NULL without an error set when absent */
static PyObject *get(PyObject *node, PyObject *name)
{
    if (PyDict_CheckExact(node)) {
        PyObject *v = PyDict_GetItemWithError(node, name);
        Py_XINCREF(v);
        return v;
    }
    int has = PySequence_Contains(node, name);
    if (has <= 0)
        return NULL;
    return PyObject_GetItem(node, name);
}

static int set_new(PyObject *node, PyObject *name, int as_map)
{
    PyObject *v = as_map ? PyDict_New() : PyList_New(0);
    if (v == NULL)
        return -1;
    int r = PyObject_SetItem(node, name, v);
    Py_DECREF(v);
    return r;
}

static int walk(PyObject *node, Part *parts, Py_ssize_t n, PyObject *fn, int create,
                int kind, PyObject *parent, PyObject *key)
{
    if (n == 0)
        return call(fn, parent, key);
    if (node == Py_None)
        return 0;
    if (Py_EnterRecursiveCall(" while walking a field spec"))
        return -1;
    int rc = 0;
    if (PyList_Check(node)) {
        Py_ssize_t size = PyList_GET_SIZE(node);
        for (Py_ssize_t i = 0; i < size && rc == 0; i++) {
            PyObject *item = PySequence_GetItem(node, i);
            PyObject *index = item ? PyLong_FromSsize_t(i) : NULL;
            if (index == NULL)
                rc = -1;
            else
                rc = walk(item, parts, n, fn, create, kind, node, index);
            Py_XDECREF(item);
            Py_XDECREF(index);
        }
        Py_LeaveRecursiveCall();
        return rc;
    }
    if (!PyDict_Check(node)) {
        Py_LeaveRecursiveCall();
        return fail("expected sequence or mapping node");
    }
    PyObject *name = parts[0].name;
    int is_seq = parts[0].is_seq;
    if (PyUnicode_GET_LENGTH(name) == 0) {
        Py_LeaveRecursiveCall();
        return fail("cannot set or create an empty field name");
    }
    int last = n == 1;
    PyObject *child = get(node, name);
    if (child == NULL && PyErr_Occurred())
        goto error;
    if (child == NULL) {
        if (!create || kind == K_NONE || is_seq)
            goto done;
        if (last) {
            if (kind == K_SCALAR) {
                rc = call(fn, node, name);
                goto done;
            }
            if (set_new(node, name, kind == K_MAP) < 0)
                goto error;
        } else if (set_new(node, name, 1) < 0)
            goto error;
    } else if (child == Py_None && create && kind != K_NONE && !is_seq) {
        Py_CLEAR(child);
        if (last) {
            if (kind != K_SCALAR && set_new(node, name, kind == K_MAP) < 0)
                goto error;
        } else if (set_new(node, name, 1) < 0)
            goto error;
    } else {
        rc = walk(child, parts + 1, n - 1, fn, create, kind, node, name);
        Py_DECREF(child);
        goto done;
    }
    Py_XDECREF(child);
    child = PyObject_GetItem(node, name);
    if (child == NULL)
        goto error;
    rc = walk(child, parts + 1, n - 1, fn, create, kind, node, name);
    Py_DECREF(child);
done:
    Py_LeaveRecursiveCall();
    return rc;
error:
    Py_LeaveRecursiveCall();
    return -1;
}

static int kind_of(PyObject *create_kind)
{
    if (create_kind == Py_None)
        return K_NONE;
    int eq = PyObject_RichCompareBool(create_kind, ScalarKind, Py_EQ);
    if (eq < 0)
        return -1;
    if (eq)
        return K_SCALAR;
    eq = PyObject_RichCompareBool(create_kind, MapKind, Py_EQ);
    if (eq < 0)
        return -1;
    return eq ? K_MAP : K_OTHER;
}

static PyObject *walk_spec(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *keywords[] = {"node", "parts", "fn", "create", "create_kind", NULL};
    PyObject *node, *parts, *fn, *create_kind = Py_None;
    int create = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO|pO:walk_spec", keywords, &node,
                                     &parts, &fn, &create, &create_kind))
        return NULL;
    if (Error == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "_walk.configure() was not called");
        return NULL;
    }
    int kind = kind_of(create_kind);
    if (kind < 0)
        return NULL;
    PyObject *seq = PySequence_Fast(parts, "parts must be a sequence of str");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    Part small[16];
    Part *ps = n <= 16 ? small : PyMem_New(Part, n);
    if (ps == NULL) {
        Py_DECREF(seq);
        return PyErr_NoMemory();
    }
    Py_ssize_t made = 0;
    int rc = 0;
    for (; made < n; made++) {
        PyObject *p = PySequence_Fast_GET_ITEM(seq, made);
        if (!PyUnicode_Check(p)) {
            PyErr_SetString(PyExc_TypeError, "a field spec part must be a str");
            rc = -1;
            break;
        }
        Py_ssize_t len = PyUnicode_GET_LENGTH(p);
        int is_seq = len >= 2 && PyUnicode_READ_CHAR(p, len - 2) == '['
                     && PyUnicode_READ_CHAR(p, len - 1) == ']';
        ps[made].is_seq = is_seq;
        ps[made].name = is_seq ? PyUnicode_Substring(p, 0, len - 2) : (Py_INCREF(p), p);
        if (ps[made].name == NULL) {
            rc = -1;
            break;
        }
    }
    if (rc == 0)
        rc = walk(node, ps, n, fn, create, kind, Py_None, Py_None);
    for (Py_ssize_t i = 0; i < made; i++)
        Py_DECREF(ps[i].name);
    if (ps != small)
        PyMem_Free(ps);
    Py_DECREF(seq);
    if (rc < 0)
        return NULL;
    Py_RETURN_NONE;
}

/* images.py's legacy walk: every mapping with an "image" key in a "containers" or
 * "initContainers" list anywhere in node, in the order that walk visits them (a list's
 * inner lists before its own entries; scalars are not descended into). */
static int holders(PyObject *node, PyObject *out)
{
    if (Py_EnterRecursiveCall(" while looking for containers"))
        return -1;
    int rc = 0;
    if (PyDict_Check(node)) {
        PyObject *k, *v;
        Py_ssize_t pos = 0;
        while (rc == 0 && PyDict_Next(node, &pos, &k, &v)) {
            int is_list = PyList_Check(v);
            if (!is_list && !PyDict_Check(v))
                continue;
            Py_INCREF(v);
            rc = holders(v, out);
            if (rc == 0 && is_list && PyUnicode_Check(k)
                && (PyUnicode_CompareWithASCIIString(k, "containers") == 0
                    || PyUnicode_CompareWithASCIIString(k, "initContainers") == 0)) {
                for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(v); i++) {
                    PyObject *c = PyList_GET_ITEM(v, i);
                    if (!PyDict_Check(c))
                        continue;
                    int has = PyDict_Contains(c, ImageKey);
                    if (has < 0 || (has && PyList_Append(out, c) < 0))
                        rc = -1;
                }
            }
            Py_DECREF(v);
        }
    } else if (PyList_Check(node)) {
        for (Py_ssize_t i = 0; rc == 0 && i < PyList_GET_SIZE(node); i++) {
            PyObject *x = PyList_GET_ITEM(node, i);
            if (PyDict_Check(x) || PyList_Check(x)) {
                Py_INCREF(x);
                rc = holders(x, out);
                Py_DECREF(x);
            }
        }
    }
    Py_LeaveRecursiveCall();
    return rc;
}

static PyObject *image_holders(PyObject *self, PyObject *node)
{
    PyObject *out = PyList_New(0);
    if (out != NULL && holders(node, out) < 0)
        Py_CLEAR(out);
    return out;
}

/* Resource.id's memo: memo[4] when data's apiVersion, kind, metadata.name and
 * metadata.namespace are the very objects memo[0:4] holds (a transformer that changes one
 * stores a new object), else None. */
static PyObject *field_of(PyObject *map, PyObject *key)
{
    PyObject *v = PyDict_CheckExact(map) ? PyDict_GetItemWithError(map, key) : NULL;
    return v != NULL ? v : Py_None;
}

static PyObject *memo_id(PyObject *self, PyObject *const *args, Py_ssize_t n)
{
    if (n != 2) {
        PyErr_SetString(PyExc_TypeError, "memo_id(data, memo)");
        return NULL;
    }
    PyObject *data = args[0], *memo = args[1];
    if (!PyTuple_CheckExact(memo) || PyTuple_GET_SIZE(memo) != 5 || !PyDict_CheckExact(data))
        Py_RETURN_NONE;
    PyObject *md = field_of(data, MetadataKey);
    PyObject *name = Py_None, *ns = Py_None;
    if (PyDict_CheckExact(md)) {
        name = field_of(md, NameKey);
        ns = field_of(md, NamespaceKey);
    }
    if (PyErr_Occurred())
        return NULL;
    if (PyTuple_GET_ITEM(memo, 2) != name || PyTuple_GET_ITEM(memo, 3) != ns
        || PyTuple_GET_ITEM(memo, 0) != field_of(data, ApiVersionKey)
        || PyTuple_GET_ITEM(memo, 1) != field_of(data, KindKey)) {
        if (PyErr_Occurred())
            return NULL;
        Py_RETURN_NONE;
    }
    return Py_NewRef(PyTuple_GET_ITEM(memo, 4));
}

static PyObject *configure(PyObject *self, PyObject *args)
{
    PyObject *error, *scalar, *map;
    if (!PyArg_ParseTuple(args, "OUU:configure", &error, &scalar, &map))
        return NULL;
    Py_INCREF(error);
    Py_INCREF(scalar);
    Py_INCREF(map);
    Py_XSETREF(Error, error);
    Py_XSETREF(ScalarKind, scalar);
    Py_XSETREF(MapKind, map);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"walk_spec", (PyCFunction)(void (*)(void))walk_spec, METH_VARARGS | METH_KEYWORDS,
     "walk_spec(node, parts, fn, create=False, create_kind=None): fn(container, key) for "
     "every node at a field spec's parts"},
    {"image_holders", image_holders, METH_O,
     "image_holders(node): the mappings with an image in containers/initContainers lists"},
    {"memo_id", (PyCFunction)(void (*)(void))memo_id, METH_FASTCALL,
     "memo_id(data, memo): Resource.id's memo when the id fields are unchanged, else None"},
    {"configure", configure, METH_VARARGS,
     "configure(error, scalar, map): the exception class and the kind names"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_walk", "The field-spec walk of engine/paths.py, in C.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__walk(void)
{
    ImageKey = PyUnicode_InternFromString("image");
    MetadataKey = PyUnicode_InternFromString("metadata");
    NameKey = PyUnicode_InternFromString("name");
    NamespaceKey = PyUnicode_InternFromString("namespace");
    ApiVersionKey = PyUnicode_InternFromString("apiVersion");
    KindKey = PyUnicode_InternFromString("kind");
    if (!ImageKey || !MetadataKey || !NameKey || !NamespaceKey || !ApiVersionKey || !KindKey)
        return NULL;
    return PyModule_Create(&module);
}
