/*
 * compiler_env._graph: fills a networkx.MultiDiGraph's own dicts from a packed
 * program graph (the Programl observation; layout in docs/programl.md and
 * service/llvm/native/cenv_features.h), in one pass over the buffer.
 *
 * The graph made is the one compiler_env.graphs.to_networkx makes in Python:
 * each node's attribute dict (type, text, function, block[, full_text]); its
 * successors' and predecessors' dicts; one key dict per pair of nodes, shared
 * by both sides and made with the pair's first edge, in edge order; each edge
 * keyed by how many edges of its pair come before it, with a dict of its own
 * (flow, position).  Everything is checked against the buffer's bounds before
 * it is read: a buffer that is not a packed graph raises ValueError and leaves
 * the dicts partly filled, for the caller to drop.
 *
 * No LLVM here: this is a plain CPython extension of the client.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define MAGIC 0x4C475250
#define VERSION 1
#define HEADER 8

typedef struct {
    const unsigned char *bytes;
    Py_ssize_t words;  /* whole 32-bit words in the buffer */
} Buffer;

static int32_t word(const Buffer *buffer, Py_ssize_t at) {
    int32_t value;
    memcpy(&value, buffer->bytes + 4 * at, 4);  /* little-endian hosts only (setup.py) */
    return value;
}

static PyObject *refuse(const char *what) {
    PyErr_Format(PyExc_ValueError, "not a packed program graph of version %d: %s",
                 VERSION, what);
    return NULL;
}

/* count strings stored at word *at as count + 1 byte offsets, then the bytes
 * padded to whole words; a new list of str, with *at moved past them. */
static PyObject *strings(const Buffer *buffer, Py_ssize_t *at, Py_ssize_t count) {
    if (*at + count + 1 > buffer->words)
        return refuse("its string offsets run past its end");
    Py_ssize_t start = 4 * (*at + count + 1);
    int32_t total = word(buffer, *at + count);
    if (total < 0 || start + total > 4 * buffer->words)
        return refuse("its strings run past its end");
    PyObject *list = PyList_New(count);
    if (list == NULL)
        return NULL;
    int32_t from = word(buffer, *at);
    for (Py_ssize_t i = 0; i < count; i++) {
        int32_t to = word(buffer, *at + i + 1);
        if (from < 0 || to < from || to > total) {
            Py_DECREF(list);
            return refuse("its string offsets are out of order");
        }
        PyObject *text = PyUnicode_DecodeUTF8(
            (const char *)buffer->bytes + start + from, to - from, "replace");
        if (text == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, text);
        from = to;
    }
    *at += count + 1 + (total + 3) / 4;
    return list;
}

/* Sets made[key] to a new int of value; -1 on failure. */
static int set_long(PyObject *made, PyObject *key, long value) {
    PyObject *number = PyLong_FromLong(value);
    if (number == NULL)
        return -1;
    int failed = PyDict_SetItem(made, key, number);
    Py_DECREF(number);
    return failed;
}

typedef struct {
    Buffer buffer;
    Py_ssize_t nodes, edges, texts;
    int full_text;
    PyObject **ids;         /* PyLong 0 .. nodes - 1, shared by every dict */
    PyObject *vocabulary;   /* list of the node texts */
    PyObject *full;         /* list of the full texts, or NULL */
    PyObject *node, *succ, *pred;
    PyObject **successors, **predecessors;  /* each node's two dicts (borrowed) */
} Graph;

enum { TYPE, TEXT, FUNCTION, BLOCK, FULL_TEXT, FLOW, POSITION, KEYS };
static const char *const KEY_NAMES[KEYS] = {"type", "text", "function", "block",
                                            "full_text", "flow", "position"};
static PyObject *KEY[KEYS];  /* interned */

/* Sets made[key] to value, as the node ids' int where there is one (function and
 * block indices are below the node count): fewer ints to make and free. */
static int set_index(const Graph *g, PyObject *made, PyObject *key, int32_t value) {
    if (value >= 0 && value < g->nodes)
        return PyDict_SetItem(made, key, g->ids[value]);
    return set_long(made, key, value);
}

/* A new attribute dict for node i, its keys in to_networkx's order. */
static PyObject *node_attributes(const Graph *g, Py_ssize_t i, int32_t text_id) {
    const Buffer *b = &g->buffer;
    Py_ssize_t n = g->nodes;
    PyObject *made = PyDict_New();
    if (made == NULL)
        return NULL;
    if (set_long(made, KEY[TYPE], (int8_t)word(b, HEADER + i)) < 0 ||
        PyDict_SetItem(made, KEY[TEXT], PyList_GET_ITEM(g->vocabulary, text_id)) < 0 ||
        set_index(g, made, KEY[FUNCTION], word(b, HEADER + 2 * n + i)) < 0 ||
        set_index(g, made, KEY[BLOCK], word(b, HEADER + 3 * n + i)) < 0 ||
        (g->full && PyDict_SetItem(made, KEY[FULL_TEXT], PyList_GET_ITEM(g->full, i)) < 0)) {
        Py_DECREF(made);
        return NULL;
    }
    return made;
}

static int add_nodes(Graph *g) {
    const Buffer *b = &g->buffer;
    Py_ssize_t n = g->nodes;
    for (Py_ssize_t i = 0; i < n; i++) {
        int32_t text_id = word(b, HEADER + n + i);
        if (text_id < 0 || text_id >= g->texts) {
            refuse("a node's text id is out of range");
            return -1;
        }
        PyObject *attributes = node_attributes(g, i, text_id);
        if (attributes == NULL)
            return -1;
        int failed = PyDict_SetItem(g->node, g->ids[i], attributes);
        Py_DECREF(attributes);
        if (failed)
            return -1;
        for (int side = 0; side < 2; side++) {
            PyObject *adjacent = PyDict_New();
            if (adjacent == NULL)
                return -1;
            failed = PyDict_SetItem(side ? g->pred : g->succ, g->ids[i], adjacent);
            (side ? g->predecessors : g->successors)[i] = adjacent;
            Py_DECREF(adjacent);  /* the graph's dict holds it */
            if (failed)
                return -1;
        }
    }
    return 0;
}

static int add_edges(Graph *g) {
    const Buffer *b = &g->buffer;
    Py_ssize_t n = g->nodes, e = g->edges, at = HEADER + 4 * n;
    for (Py_ssize_t i = 0; i < e; i++) {
        int32_t u = word(b, at + i), v = word(b, at + e + i);
        if (u < 0 || u >= n || v < 0 || v >= n) {
            refuse("an edge's node is out of range");
            return -1;
        }
        PyObject *keyed = PyDict_GetItemWithError(g->successors[u], g->ids[v]);
        if (keyed == NULL) {
            if (PyErr_Occurred())
                return -1;
            keyed = PyDict_New();
            if (keyed == NULL)
                return -1;
            int failed = PyDict_SetItem(g->successors[u], g->ids[v], keyed) < 0 ||
                         PyDict_SetItem(g->predecessors[v], g->ids[u], keyed) < 0;
            Py_DECREF(keyed);  /* both sides hold it */
            if (failed)
                return -1;
        }
        PyObject *data = PyDict_New();
        PyObject *key = PyLong_FromSsize_t(PyDict_GET_SIZE(keyed));
        int failed = data == NULL || key == NULL ||
                     set_long(data, KEY[FLOW], (int8_t)word(b, at + 2 * e + i)) < 0 ||
                     set_long(data, KEY[POSITION], word(b, at + 3 * e + i)) < 0 ||
                     PyDict_SetItem(keyed, key, data) < 0;
        Py_XDECREF(data);
        Py_XDECREF(key);
        if (failed)
            return -1;
    }
    return 0;
}

/* Takes the adjacency dicts out of the cyclic collector's view, as CPython
 * does for dicts of atomic values: they hold only dicts of ints and strings,
 * so no cycle runs through them as made, and the collector's passes over them
 * would cost more than making them.  A dict is tracked again by CPython when
 * a container is put in it (an edge added through networkx, say). */
static void untrack(const Graph *g) {
    for (Py_ssize_t i = 0; i < g->nodes; i++) {
        Py_ssize_t at = 0;
        PyObject *key, *keyed;
        while (PyDict_Next(g->successors[i], &at, &key, &keyed))
            PyObject_GC_UnTrack(keyed);
        PyObject_GC_UnTrack(g->successors[i]);
        PyObject_GC_UnTrack(g->predecessors[i]);
    }
}

static int read_header(Graph *g) {
    const Buffer *b = &g->buffer;
    if (b->words < HEADER || word(b, 0) != MAGIC || word(b, 1) != VERSION) {
        refuse("its header is another");
        return -1;
    }
    int32_t n = word(b, 2), e = word(b, 3), t = word(b, 4);
    if (n < 1 || e < 0 || t < 1 || HEADER + 4 * (Py_ssize_t)n + 4 * (Py_ssize_t)e > b->words) {
        refuse("its columns run past its end");
        return -1;
    }
    g->nodes = n, g->edges = e, g->texts = t, g->full_text = word(b, 5) != 0;
    return 0;
}

static int fill(Graph *g) {
    if (read_header(g) < 0)
        return -1;
    Py_ssize_t at = HEADER + 4 * g->nodes + 4 * g->edges;
    g->vocabulary = strings(&g->buffer, &at, g->texts);
    if (g->vocabulary == NULL)
        return -1;
    if (g->full_text && (g->full = strings(&g->buffer, &at, g->nodes)) == NULL)
        return -1;
    g->ids = PyMem_Calloc(g->nodes, sizeof(PyObject *));
    g->successors = PyMem_Calloc(2 * g->nodes, sizeof(PyObject *));
    if (g->ids == NULL || g->successors == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    g->predecessors = g->successors + g->nodes;
    for (Py_ssize_t i = 0; i < g->nodes; i++)
        if ((g->ids[i] = PyLong_FromSsize_t(i)) == NULL)
            return -1;
    if (add_nodes(g) < 0 || add_edges(g) < 0)
        return -1;
    untrack(g);
    return 0;
}

static PyObject *fill_graph(PyObject *self, PyObject *args) {
    Py_buffer view;
    Graph g;
    memset(&g, 0, sizeof g);
    if (!PyArg_ParseTuple(args, "y*O!O!O!", &view, &PyDict_Type, &g.node, &PyDict_Type,
                          &g.succ, &PyDict_Type, &g.pred))
        return NULL;
    g.buffer.bytes = view.buf;
    g.buffer.words = view.len / 4;
    /* The new dicts hold no cycles: the collector's passes over them as they are
     * made would only cost time. */
    int collecting = PyGC_Disable();
    int failed = fill(&g);
    if (collecting)
        PyGC_Enable();
    if (g.ids != NULL)
        for (Py_ssize_t i = 0; i < g.nodes; i++)
            Py_XDECREF(g.ids[i]);
    PyMem_Free(g.ids);
    PyMem_Free(g.successors);
    Py_XDECREF(g.vocabulary);
    Py_XDECREF(g.full);
    PyBuffer_Release(&view);
    if (failed)
        return NULL;
    Py_RETURN_NONE;
}

static PyMethodDef METHODS[] = {
    {"fill_graph", fill_graph, METH_VARARGS,
     "fill_graph(data, node, succ, pred): fills a new MultiDiGraph's _node, _succ and "
     "_pred from a packed program graph; ValueError if data is not one."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {
    PyModuleDef_HEAD_INIT, "compiler_env._graph",
    "The Programl observation's networkx graph, made from its packed form.", -1, METHODS,
};

PyMODINIT_FUNC PyInit__graph(void) {
    for (int i = 0; i < KEYS; i++)
        if (KEY[i] == NULL && (KEY[i] = PyUnicode_InternFromString(KEY_NAMES[i])) == NULL)
            return NULL;
    return PyModule_Create(&MODULE);
}
