/* The engine's native printer: one document of plain Python values (dict, list, tuple,
 * str, int, float, bool, None) printed as `kustomize build` prints it, i.e. as
 * sigs.k8s.io/yaml's go-yaml v2 encoder and emitter lay it out: block style, 2-space
 * indent, indentless sequences under mapping keys, 80-column folding of plain and quoted
 * scalars, v2's choice between plain, single-quoted, double-quoted and literal styles.
 *
 * Written for this project from the behaviour of go-yaml v2's emitter (the state it keeps:
 * column, indent, whitespace, indention) rather than translated from it. Anything outside
 * what is modelled here -- non-string keys, keys v2 would print as complex "? " keys, other
 * value types, very deep trees -- makes dump() return None, and the caller prints the
 * document with the libyaml-based printer (yamlemit) instead.
 *
 * The per-value rules that live in Python (go-yaml v2's resolver for "would this plain
 * string read back as a string", key order, number formatting) are passed in once by
 * configure() and called only where needed.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define BEST_INDENT 2
#define BEST_WIDTH 80
#define MAX_DEPTH 5000

enum { PLAIN, SINGLE, DOUBLE, LITERAL };
enum { OK = 0, FAIL = -1, UNSUPPORTED = 1 };

static PyObject *is_plain_fn, *sorted_keys_fn, *int_text_fn, *float_text_fn, *fold_nel_fn;

typedef struct {
    char *buf;
    Py_ssize_t len, cap;
    long column;
    int whitespace, indention;
    long indent;
} Em;

/* ---- output buffer -------------------------------------------------------------- */

static int grow(Em *e, Py_ssize_t need) {
    if (e->len + need <= e->cap)
        return OK;
    Py_ssize_t cap = e->cap ? e->cap : 4096;
    while (cap < e->len + need)
        cap *= 2;
    char *nb = PyMem_Realloc(e->buf, cap);
    if (!nb) {
        PyErr_NoMemory();
        return FAIL;
    }
    e->buf = nb;
    e->cap = cap;
    return OK;
}

static int put(Em *e, char c) {
    if (grow(e, 1))
        return FAIL;
    e->buf[e->len++] = c;
    e->column++;
    return OK;
}

static int put_break(Em *e) {
    if (grow(e, 1))
        return FAIL;
    e->buf[e->len++] = '\n';
    e->column = 0;
    return OK;
}

/* ---- UTF-8 character classes (go-yaml v2's, on bytes) ----------------------------- */

static inline int width(unsigned char b) {
    if ((b & 0x80) == 0x00) return 1;
    if ((b & 0xE0) == 0xC0) return 2;
    if ((b & 0xF0) == 0xE0) return 3;
    if ((b & 0xF8) == 0xF0) return 4;
    return 0;
}

/* `s` is NUL-terminated (PyUnicode_AsUTF8AndSize), so s[n] reads as the end. */
static inline int is_space(const unsigned char *s, Py_ssize_t i) { return s[i] == ' '; }
static inline int is_blank(const unsigned char *s, Py_ssize_t i) {
    return s[i] == ' ' || s[i] == '\t';
}
static inline int is_break(const unsigned char *s, Py_ssize_t i) {
    return s[i] == '\r' || s[i] == '\n' || (s[i] == 0xC2 && s[i + 1] == 0x85) ||
           (s[i] == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0xA8 || s[i + 2] == 0xA9));
}
static inline int is_blankz(const unsigned char *s, Py_ssize_t i) {
    return is_blank(s, i) || is_break(s, i) || s[i] == 0;
}
static inline int is_printable(const unsigned char *s, Py_ssize_t i) {
    unsigned char b = s[i];
    return b == 0x0A || (b >= 0x20 && b <= 0x7E) || (b == 0xC2 && s[i + 1] >= 0xA0) ||
           (b > 0xC2 && b < 0xED) || (b == 0xED && s[i + 1] < 0xA0) || b == 0xEE ||
           (b == 0xEF && !(s[i + 1] == 0xBB && s[i + 2] == 0xBF) &&
            !(s[i + 1] == 0xBF && (s[i + 2] == 0xBE || s[i + 2] == 0xBF)));
}

/* Copy one character; the column counts characters, not bytes. */
static int write_char(Em *e, const unsigned char *s, Py_ssize_t *i) {
    int w = width(s[*i]);
    if (w == 0)
        w = 1;
    if (grow(e, w))
        return FAIL;
    memcpy(e->buf + e->len, s + *i, w);
    e->len += w;
    e->column++;
    *i += w;
    return OK;
}

static int write_break(Em *e, const unsigned char *s, Py_ssize_t *i) {
    if (s[*i] == '\n') {
        (*i)++;
        return put_break(e);
    }
    if (write_char(e, s, i))
        return FAIL;
    e->column = 0;
    return OK;
}

static int write_indent(Em *e) {
    long indent = e->indent < 0 ? 0 : e->indent;
    if (!e->indention || e->column > indent || (e->column == indent && !e->whitespace))
        if (put_break(e))
            return FAIL;
    while (e->column < indent)
        if (put(e, ' '))
            return FAIL;
    e->whitespace = 1;
    e->indention = 1;
    return OK;
}

static int write_indicator(Em *e, const char *ind, int need_ws, int is_ws, int is_ind) {
    if (need_ws && !e->whitespace)
        if (put(e, ' '))
            return FAIL;
    for (; *ind; ind++)
        if (put(e, *ind))
            return FAIL;
    e->whitespace = is_ws;
    e->indention = e->indention && is_ind;
    return OK;
}

/* ---- scalar analysis and style choice ------------------------------------------- */

typedef struct {
    int multiline, block_plain_allowed, single_quoted_allowed, block_allowed;
    int json_raw;   /* a character JSON leaves raw that YAML's reader refuses */
} Analysis;

/* U+007F..U+0084, U+0086..U+009F, U+FFFE, U+FFFF: kustomize passes every resource through
 * JSON (which writes these raw) and reads that back as YAML, which refuses them; the
 * Python printer raises that error. (NEL, U+0085, is read back as a line break: folded
 * by the Python rule in emit_str.) */
static inline int json_raw_control(const unsigned char *s, Py_ssize_t i) {
    return s[i] == 0x7F || (s[i] == 0xC2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F &&
                            s[i + 1] != 0x85) ||
           (s[i] == 0xEF && s[i + 1] == 0xBF && (s[i + 2] == 0xBE || s[i + 2] == 0xBF));
}

static int has_nel(const unsigned char *s, Py_ssize_t n) {
    for (const unsigned char *p = s; (p = memchr(p, 0xC2, n - (p - s))) != NULL; p++)
        if (p + 1 < s + n && p[1] == 0x85)
            return 1;
    return 0;
}

static void analyze(const unsigned char *s, Py_ssize_t n, Analysis *a) {
    int block_ind = 0, line_breaks = 0, special = 0;
    int leading_space = 0, leading_break = 0, trailing_space = 0, trailing_break = 0;
    int break_space = 0, space_break = 0, preceded_ws = 1, followed_ws;
    int prev_space = 0, prev_break = 0;
    a->json_raw = 0;
    if (n == 0) {
        a->multiline = 0;
        a->block_plain_allowed = 1;
        a->single_quoted_allowed = 1;
        a->block_allowed = 0;
        return;
    }
    if (n >= 3 && ((s[0] == '-' && s[1] == '-' && s[2] == '-') ||
                   (s[0] == '.' && s[1] == '.' && s[2] == '.')))
        block_ind = 1;
    for (Py_ssize_t i = 0, w; i < n; i += w) {
        w = width(s[i]);
        if (w == 0)
            w = 1;
        followed_ws = i + w >= n || is_blank(s, i + w);
        unsigned char c = s[i];
        if (i == 0) {
            if (strchr("#,[]{}&*!|>'\"%@`", c) && c)
                block_ind = 1;
            else if ((c == '?' || c == ':' || c == '-') && followed_ws)
                block_ind = 1;
        } else if ((c == ':' && followed_ws) || (c == '#' && preceded_ws)) {
            block_ind = 1;
        }
        if (!is_printable(s, i)) {
            special = 1;
            if (json_raw_control(s, i))
                a->json_raw = 1;
        }
        if (is_space(s, i)) {
            if (i == 0) leading_space = 1;
            if (i + w == n) trailing_space = 1;
            if (prev_break) break_space = 1;
            prev_space = 1;
            prev_break = 0;
        } else if (is_break(s, i)) {
            line_breaks = 1;
            if (i == 0) leading_break = 1;
            if (i + w == n) trailing_break = 1;
            if (prev_space) space_break = 1;
            prev_space = 0;
            prev_break = 1;
        } else {
            prev_space = prev_break = 0;
        }
        preceded_ws = is_blankz(s, i);
    }
    a->multiline = line_breaks;
    a->block_plain_allowed = a->single_quoted_allowed = a->block_allowed = 1;
    if (leading_space || leading_break || trailing_space || trailing_break)
        a->block_plain_allowed = 0;
    if (trailing_space)
        a->block_allowed = 0;
    if (break_space)
        a->block_plain_allowed = a->single_quoted_allowed = 0;
    if (space_break || special)
        a->block_plain_allowed = a->single_quoted_allowed = a->block_allowed = 0;
    if (line_breaks || block_ind)
        a->block_plain_allowed = 0;
}

static int select_style(int style, const Analysis *a, Py_ssize_t n, int simple_key) {
    if (simple_key && a->multiline)
        style = DOUBLE;
    if (style == PLAIN && (!a->block_plain_allowed || (n == 0 && simple_key)))
        style = SINGLE;
    if (style == SINGLE && !a->single_quoted_allowed)
        style = DOUBLE;
    if (style == LITERAL && (!a->block_allowed || simple_key))
        style = DOUBLE;
    return style;
}

/* ---- scalar writers -------------------------------------------------------------- */

/* A plain (quoted = 0) or single-quoted (quoted = 1) scalar: both fold at a space past the
 * width and keep line breaks the same way; a quoted one may not fold at its ends and
 * doubles its quotes. */
static int write_flowing(Em *e, const unsigned char *s, Py_ssize_t n, int allow_breaks,
                         int quoted) {
    int spaces = 0, breaks = 0;
    if (quoted ? write_indicator(e, "'", 1, 0, 0) : (!e->whitespace && put(e, ' ')))
        return FAIL;
    for (Py_ssize_t i = 0; i < n;) {
        if (is_space(s, i)) {
            if (allow_breaks && !spaces && e->column > BEST_WIDTH && !is_space(s, i + 1) &&
                (!quoted || (i > 0 && i < n - 1))) {
                if (write_indent(e))
                    return FAIL;
                i++;
            } else if (write_char(e, s, &i)) {
                return FAIL;
            }
            spaces = 1;
        } else if (is_break(s, i)) {
            if (!breaks && s[i] == '\n' && put_break(e))
                return FAIL;
            if (write_break(e, s, &i))
                return FAIL;
            e->indention = 1;
            breaks = 1;
        } else {
            if (breaks && write_indent(e))
                return FAIL;
            if (quoted && s[i] == '\'' && put(e, '\''))
                return FAIL;
            if (write_char(e, s, &i))
                return FAIL;
            e->indention = 0;
            spaces = breaks = 0;
        }
    }
    if (quoted && write_indicator(e, "'", 0, 0, 0))
        return FAIL;
    e->whitespace = 0;
    e->indention = 0;
    return OK;
}

static int write_escape(Em *e, unsigned long v) {
    const char *simple = NULL;
    switch (v) {
    case 0x00: simple = "0"; break;
    case 0x07: simple = "a"; break;
    case 0x08: simple = "b"; break;
    case 0x09: simple = "t"; break;
    case 0x0A: simple = "n"; break;
    case 0x0B: simple = "v"; break;
    case 0x0C: simple = "f"; break;
    case 0x0D: simple = "r"; break;
    case 0x1B: simple = "e"; break;
    case 0x22: simple = "\""; break;
    case 0x5C: simple = "\\"; break;
    case 0x85: simple = "N"; break;
    case 0xA0: simple = "_"; break;
    case 0x2028: simple = "L"; break;
    case 0x2029: simple = "P"; break;
    }
    if (put(e, '\\'))
        return FAIL;
    if (simple)
        return put(e, simple[0]);
    int digits = v <= 0xFF ? 2 : v <= 0xFFFF ? 4 : 8;
    if (put(e, digits == 2 ? 'x' : digits == 4 ? 'u' : 'U'))
        return FAIL;
    for (int k = (digits - 1) * 4; k >= 0; k -= 4)
        if (put(e, "0123456789ABCDEF"[(v >> k) & 0x0F]))
            return FAIL;
    return OK;
}

static int write_double(Em *e, const unsigned char *s, Py_ssize_t n, int allow_breaks) {
    int spaces = 0;
    /* v2 tests for a byte-order mark at the start of the value, not at each character:
     * a value led by U+FEFF has every character escaped */
    int bom = n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF;
    if (write_indicator(e, "\"", 1, 0, 0))
        return FAIL;
    for (Py_ssize_t i = 0; i < n;) {
        if (bom || !is_printable(s, i) || is_break(s, i) || s[i] == '"' || s[i] == '\\') {
            int w = width(s[i]);
            unsigned long v;
            if (w == 0)
                w = 1;
            v = w == 1 ? s[i] : w == 2 ? (s[i] & 0x1F) : w == 3 ? (s[i] & 0x0F) : (s[i] & 0x07);
            for (int k = 1; k < w; k++)
                v = (v << 6) | (s[i + k] & 0x3F);
            i += w;
            if (write_escape(e, v))
                return FAIL;
            spaces = 0;
        } else if (is_space(s, i)) {
            if (allow_breaks && !spaces && e->column > BEST_WIDTH && i > 0 && i < n - 1) {
                if (write_indent(e))
                    return FAIL;
                if (is_space(s, i + 1) && put(e, '\\'))
                    return FAIL;
                i++;
            } else if (write_char(e, s, &i)) {
                return FAIL;
            }
            spaces = 1;
        } else {
            if (write_char(e, s, &i))
                return FAIL;
            spaces = 0;
        }
    }
    if (write_indicator(e, "\"", 0, 0, 0))
        return FAIL;
    e->whitespace = 0;
    e->indention = 0;
    return OK;
}

static Py_ssize_t prev_char(const unsigned char *s, Py_ssize_t i) {
    while (i > 0 && (s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static int write_literal(Em *e, const unsigned char *s, Py_ssize_t n) {
    char hint[3] = {0, 0, 0};
    int h = 0, breaks = 1;
    if (write_indicator(e, "|", 1, 0, 0))
        return FAIL;
    if (is_space(s, 0) || is_break(s, 0))
        hint[h++] = '0' + BEST_INDENT;
    if (n == 0) {
        hint[h++] = '-';
    } else {
        Py_ssize_t i = prev_char(s, n - 1);
        if (!is_break(s, i))
            hint[h++] = '-';
        else if (i == 0)
            hint[h++] = '+';
        else if (is_break(s, prev_char(s, i - 1)))
            hint[h++] = '+';
    }
    if (h && write_indicator(e, hint, 0, 0, 0))
        return FAIL;
    if (put_break(e))
        return FAIL;
    e->indention = 1;
    e->whitespace = 1;
    for (Py_ssize_t i = 0; i < n;) {
        if (is_break(s, i)) {
            if (write_break(e, s, &i))
                return FAIL;
            e->indention = 1;
            breaks = 1;
        } else {
            if (breaks && write_indent(e))
                return FAIL;
            if (write_char(e, s, &i))
                return FAIL;
            e->indention = 0;
            breaks = 0;
        }
    }
    return OK;
}

/* One scalar: the style chosen from the requested one and the analysis; a scalar's
 * continuation lines sit one indent step in from the node that holds it. */
static int emit_scalar(Em *e, const unsigned char *s, Py_ssize_t n, int style, int simple_key,
                       const Analysis *a) {
    long saved = e->indent;
    int rc;
    style = select_style(style, a, n, simple_key);
    e->indent = e->indent < 0 ? BEST_INDENT : e->indent + BEST_INDENT;
    switch (style) {
    case PLAIN: rc = write_flowing(e, s, n, !simple_key, 0); break;
    case SINGLE: rc = write_flowing(e, s, n, !simple_key, 1); break;
    case DOUBLE: rc = write_double(e, s, n, !simple_key); break;
    default: rc = write_literal(e, s, n); break;
    }
    e->indent = saved;
    return rc;
}

static int emit_text(Em *e, const char *text, int simple_key) {
    Analysis a;
    Py_ssize_t n = (Py_ssize_t)strlen(text);
    analyze((const unsigned char *)text, n, &a);
    return emit_scalar(e, (const unsigned char *)text, n, PLAIN, simple_key, &a);
}

/* go-yaml v2's resolver reads a plain string back as a string unless its first
 * character is one of these (or it is empty): only then ask the Python rules. */
static const char *const V2_WORDS[] = {
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
    "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null",
    "NULL", "~", NULL};

static int plain_string(PyObject *str, const unsigned char *s, Py_ssize_t n) {
    if (n > 0 && !strchr("+-.0123456789yYnNtTfFoO~", s[0]))
        return 1;
    if (n > 0 && strchr("yYnNtTfFoO~", s[0])) {   /* a string unless one of v2's words */
        if (n > 5)
            return 1;
        for (const char *const *w = V2_WORDS; *w; w++)
            if ((Py_ssize_t)strlen(*w) == n && memcmp(*w, s, n) == 0)
                return 0;
        return 1;
    }
    PyObject *r = PyObject_CallOneArg(is_plain_fn, str);
    if (!r)
        return FAIL;
    int t = PyObject_IsTrue(r);
    Py_DECREF(r);
    return t;
}

static int emit_str(Em *e, PyObject *str, int simple_key) {
    Py_ssize_t n;
    const unsigned char *s = (const unsigned char *)PyUnicode_AsUTF8AndSize(str, &n);
    Analysis a;
    int style;
    if (!s) {   /* lone surrogates: leave it to the Python printer */
        PyErr_Clear();
        return UNSUPPORTED;
    }
    if (has_nel(s, n)) {
        if (simple_key)
            return UNSUPPORTED;   /* an error in kustomize: the Python printer raises it */
        PyObject *folded = PyObject_CallOneArg(fold_nel_fn, str);
        if (!folded)
            return FAIL;
        int rc = PyUnicode_CheckExact(folded) ? emit_str(e, folded, 0) : UNSUPPORTED;
        Py_DECREF(folded);
        return rc;
    }
    if (memchr(s, '\n', n)) {
        style = LITERAL;
    } else {
        int p = plain_string(str, s, n);
        if (p < 0)
            return FAIL;
        style = p ? PLAIN : DOUBLE;
    }
    analyze(s, n, &a);
    if (a.json_raw)
        return UNSUPPORTED;   /* the Python printer has kustomize's rules for these */
    if (simple_key && (a.multiline || n > 128))
        return UNSUPPORTED;   /* v2 writes such a key as a complex "? " key */
    return emit_scalar(e, s, n, style, simple_key, &a);
}

static int emit_called(Em *e, PyObject *fn, PyObject *v) {
    PyObject *t = PyObject_CallOneArg(fn, v);
    if (!t)
        return FAIL;
    const char *text = PyUnicode_Check(t) ? PyUnicode_AsUTF8(t) : NULL;
    int rc = text ? emit_text(e, text, 0) : UNSUPPORTED;
    if (!text)
        PyErr_Clear();
    Py_DECREF(t);
    return rc;
}

static int emit_node(Em *e, PyObject *v, int mapping_ctx, int depth);

static int emit_mapping(Em *e, PyObject *d, int depth) {
    Py_ssize_t pos = 0, n = PyDict_GET_SIZE(d);
    PyObject *k, *val;
    if (n == 0) {
        if (write_indicator(e, "{", 1, 1, 0) || write_indicator(e, "}", 0, 0, 0))
            return FAIL;
        return OK;
    }
    PyObject *keys = PyList_New(n);
    if (!keys)
        return FAIL;
    int letters = 1;   /* keys of ASCII letters only sort by code point, as v2 sorts them */
    for (Py_ssize_t i = 0; PyDict_Next(d, &pos, &k, &val); i++) {
        if (!PyUnicode_CheckExact(k)) {
            Py_DECREF(keys);
            return UNSUPPORTED;
        }
        if (letters) {
            if (!PyUnicode_IS_ASCII(k))
                letters = 0;
            else {
                const Py_UCS1 *c = PyUnicode_1BYTE_DATA(k);
                for (Py_ssize_t j = 0; j < PyUnicode_GET_LENGTH(k); j++)
                    if (!((c[j] >= 'a' && c[j] <= 'z') || (c[j] >= 'A' && c[j] <= 'Z'))) {
                        letters = 0;
                        break;
                    }
            }
        }
        Py_INCREF(k);
        PyList_SET_ITEM(keys, i, k);
    }
    PyObject *order;
    if (letters) {
        if (PyList_Sort(keys)) {
            Py_DECREF(keys);
            return FAIL;
        }
        order = keys;
    } else {
        order = PyObject_CallOneArg(sorted_keys_fn, keys);
        Py_DECREF(keys);
    }
    if (!order)
        return FAIL;
    PyObject *seq = PySequence_Fast(order, "sorted keys");
    Py_DECREF(order);
    if (!seq)
        return FAIL;
    long saved = e->indent;
    int rc = OK;
    e->indent = e->indent < 0 ? 0 : e->indent + BEST_INDENT;
    for (Py_ssize_t i = 0; rc == OK && i < PySequence_Fast_GET_SIZE(seq); i++) {
        k = PySequence_Fast_GET_ITEM(seq, i);
        val = PyDict_GetItemWithError(d, k);
        if (!val) {
            rc = PyErr_Occurred() ? FAIL : UNSUPPORTED;
            break;
        }
        if ((rc = write_indent(e)) != OK || (rc = emit_str(e, k, 1)) != OK ||
            (rc = write_indicator(e, ":", 0, 0, 0)) != OK)
            break;
        rc = emit_node(e, val, 1, depth + 1);
    }
    Py_DECREF(seq);
    e->indent = saved;
    return rc;
}

static int emit_sequence(Em *e, PyObject *seq, int mapping_ctx, int depth) {
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n == 0) {
        if (write_indicator(e, "[", 1, 1, 0) || write_indicator(e, "]", 0, 0, 0))
            return FAIL;
        return OK;
    }
    long saved = e->indent;
    int indentless = mapping_ctx && !e->indention, rc = OK;
    if (e->indent < 0)
        e->indent = 0;
    else if (!indentless)
        e->indent += BEST_INDENT;
    for (Py_ssize_t i = 0; rc == OK && i < n; i++) {
        if ((rc = write_indent(e)) != OK || (rc = write_indicator(e, "-", 1, 0, 1)) != OK)
            break;
        rc = emit_node(e, PySequence_Fast_GET_ITEM(seq, i), 0, depth + 1);
    }
    e->indent = saved;
    return rc;
}

static int emit_node(Em *e, PyObject *v, int mapping_ctx, int depth) {
    PyTypeObject *t = Py_TYPE(v);
    if (depth > MAX_DEPTH)
        return UNSUPPORTED;
    if (t == &PyUnicode_Type)
        return emit_str(e, v, 0);
    if (t == &PyDict_Type)
        return emit_mapping(e, v, depth);
    if (t == &PyList_Type || t == &PyTuple_Type)
        return emit_sequence(e, v, mapping_ctx, depth);
    if (v == Py_True)
        return emit_text(e, "true", 0);
    if (v == Py_False)
        return emit_text(e, "false", 0);
    if (v == Py_None)
        return emit_text(e, "null", 0);
    if (t == &PyLong_Type) {
        int overflow;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (!overflow) {
            char text[32];
            if (x == -1 && PyErr_Occurred())
                return FAIL;
            snprintf(text, sizeof text, "%lld", x);
            return emit_text(e, text, 0);
        }
        return emit_called(e, int_text_fn, v);
    }
    if (t == &PyFloat_Type)
        return emit_called(e, float_text_fn, v);
    return UNSUPPORTED;
}

/* ---- module ---------------------------------------------------------------------- */

static PyObject *dump(PyObject *Py_UNUSED(self), PyObject *obj) {
    Em e = {NULL, 0, 0, 0, 1, 1, -1};
    PyObject *out = NULL;
    if (!is_plain_fn) {
        PyErr_SetString(PyExc_RuntimeError, "_yamlprint.configure() was not called");
        return NULL;
    }
    int rc = emit_node(&e, obj, 0, 0);
    if (rc == OK)
        rc = write_indent(&e);   /* the document end */
    if (rc == OK)
        out = PyUnicode_DecodeUTF8(e.buf ? e.buf : "", e.len, "strict");
    else if (rc == UNSUPPORTED)
        out = Py_NewRef(Py_None);
    PyMem_Free(e.buf);
    return out;
}

static PyObject *configure(PyObject *Py_UNUSED(self), PyObject *args) {
    PyObject *a, *b, *c, *d, *f;
    if (!PyArg_ParseTuple(args, "OOOOO", &a, &b, &c, &d, &f))
        return NULL;
    Py_XSETREF(is_plain_fn, Py_NewRef(a));
    Py_XSETREF(sorted_keys_fn, Py_NewRef(b));
    Py_XSETREF(int_text_fn, Py_NewRef(c));
    Py_XSETREF(float_text_fn, Py_NewRef(d));
    Py_XSETREF(fold_nel_fn, Py_NewRef(f));
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"dump", dump, METH_O,
     "dump(obj) -> str | None: one document as kustomize prints it, or None when the "
     "document needs the Python printer."},
    {"configure", configure, METH_VARARGS,
     "configure(is_plain_string, sorted_keys, int_text, float_text, fold_nel): the "
     "Python rules."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_yamlprint",
                                    "go-yaml v2's layout, natively.", -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__yamlprint(void) { return PyModule_Create(&module); }
