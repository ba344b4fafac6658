/* Compiled core of block normalization (storyarchive.dedup.normalize): tokens of plain
 * ASCII text, 64-bit word hashes and the exact key, in one pass over the text.
 *
 * This is the hottest code of the dedup stage: every block of every crawl goes through it.
 * storyarchive/dedup/_fastpy.py holds the same functions in Python; the test suite checks
 * that both give the same results, and normalize.py falls back to it if this module was
 * not built. Anything changed here must change there too, and changing a hash changes
 * every key in every index: bump LSH_VERSION in fingerprint.py.
 *
 *   set_stopwords(words)     the function words (their hashes get the low bit set)
 *   hash_word(word)          64-bit hash of one token (str)
 *   hash_tokens(tokens)      (key, hashes) of a token list: exact key, packed uint64 LE
 *   normalize_ascii(text)    (key, hashes, numbers, words) of ASCII text, or None for
 *                            other text (the general path: NFKC, case folding, regex)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
#define KEY_SEED 0x9e3779b97f4a7c15ULL

static uint64_t *stop_hashes = NULL; /* sorted, low bit cleared */
static Py_ssize_t n_stop = 0;

static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* hash of a token's UTF-8 bytes, low bit cleared (before the stop-word flag) */
static inline uint64_t base_hash(const unsigned char *s, Py_ssize_t n) {
    uint64_t h = FNV_OFFSET;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= FNV_PRIME;
    }
    return mix64(h ^ (uint64_t)n) & ~1ULL;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static inline uint64_t word_hash(const unsigned char *s, Py_ssize_t n) {
    uint64_t h = base_hash(s, n);
    Py_ssize_t lo = 0, hi = n_stop;
    while (lo < hi) {
        Py_ssize_t mid = (lo + hi) / 2;
        if (stop_hashes[mid] < h) lo = mid + 1;
        else hi = mid;
    }
    return h | (lo < n_stop && stop_hashes[lo] == h);
}

/* the exact key folds the word hashes (flag bit cleared) in order, then the count */
static inline uint64_t key_step(uint64_t acc, uint64_t w) { return mix64(acc ^ (w & ~1ULL)); }

static inline uint64_t key_final(uint64_t acc, Py_ssize_t n) {
    if (n == 0) return 0;
    uint64_t k = mix64(acc + (uint64_t)n);
    return k ? k : 1;
}

/* ------------------------------------------------------------------------------------ */

static PyObject *set_stopwords(PyObject *self, PyObject *arg) {
    PyObject *seq = PySequence_Fast(arg, "set_stopwords() takes a sequence of str");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    uint64_t *table = PyMem_Malloc(sizeof(uint64_t) * (n ? n : 1));
    if (!table) {
        Py_DECREF(seq);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(seq, i), &len);
        if (!s) {
            PyMem_Free(table);
            Py_DECREF(seq);
            return NULL;
        }
        table[i] = base_hash((const unsigned char *)s, len);
    }
    Py_DECREF(seq);
    qsort(table, (size_t)n, sizeof(uint64_t), cmp_u64);
    PyMem_Free(stop_hashes);
    stop_hashes = table;
    n_stop = n;
    Py_RETURN_NONE;
}

static PyObject *hash_word_py(PyObject *self, PyObject *arg) {
    Py_ssize_t len;
    const char *s = PyUnicode_AsUTF8AndSize(arg, &len);
    if (!s) return NULL;
    return PyLong_FromUnsignedLongLong(word_hash((const unsigned char *)s, len));
}

static PyObject *hash_tokens(PyObject *self, PyObject *arg) {
    PyObject *seq = PySequence_Fast(arg, "hash_tokens() takes a sequence of str");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyBytes_FromStringAndSize(NULL, n * 8);
    if (!out) {
        Py_DECREF(seq);
        return NULL;
    }
    unsigned char *buf = (unsigned char *)PyBytes_AS_STRING(out);
    uint64_t acc = KEY_SEED;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(PySequence_Fast_GET_ITEM(seq, i), &len);
        if (!s) {
            Py_DECREF(out);
            Py_DECREF(seq);
            return NULL;
        }
        uint64_t h = word_hash((const unsigned char *)s, len);
        acc = key_step(acc, h);
        for (int b = 0; b < 8; b++) buf[i * 8 + b] = (unsigned char)(h >> (8 * b));
    }
    Py_DECREF(seq);
    PyObject *key = PyLong_FromUnsignedLongLong(key_final(acc, n));
    if (!key) {
        Py_DECREF(out);
        return NULL;
    }
    return Py_BuildValue("(NN)", key, out);
}

/* ------------------------------------------------------------------------------------ */
/* ASCII tokenization: the same tokens as normalize.tokens() (see its two fast paths).  */

enum { C_OTHER = 0, C_ALPHA, C_DIGIT, C_NUMSEP, C_PUNCT, C_SPACE, C_SPLITSPACE, C_QUOTE };

static unsigned char cls[128];

static void init_classes(void) {
    for (int c = 0; c < 128; c++) cls[c] = C_OTHER; /* control characters */
    for (int c = 'a'; c <= 'z'; c++) cls[c] = C_ALPHA;
    for (int c = 'A'; c <= 'Z'; c++) cls[c] = C_ALPHA;
    for (int c = '0'; c <= '9'; c++) cls[c] = C_DIGIT;
    const char *punct = "!\"#$%&()*+-;<=>?@[\\]^_{|}~";
    for (const char *p = punct; *p; p++) cls[(unsigned char)*p] = C_PUNCT;
    cls['.'] = cls[','] = cls[':'] = cls['/'] = C_NUMSEP; /* punctuation a number may hold */
    cls['\''] = cls['`'] = C_QUOTE;
    const char *ws = " \t\n\r\x0b\x0c";
    for (const char *p = ws; *p; p++) cls[(unsigned char)*p] = C_SPACE;
    /* str.split() also splits on these, which string.whitespace does not name */
    for (int c = 0x1c; c <= 0x1f; c++) cls[c] = C_SPLITSPACE;
}

typedef struct {
    unsigned char *hashes; /* growing buffer, 8 bytes a token */
    Py_ssize_t n, cap;
    uint64_t acc;
    PyObject *numbers; /* list, or NULL until the first number */
} Out;

static int out_token(Out *o, const unsigned char *s, Py_ssize_t len, int is_number) {
    if (o->n == o->cap) {
        Py_ssize_t cap = o->cap ? o->cap * 2 : 64;
        unsigned char *p = PyMem_Realloc(o->hashes, (size_t)cap * 8);
        if (!p) {
            PyErr_NoMemory();
            return -1;
        }
        o->hashes = p;
        o->cap = cap;
    }
    uint64_t h = word_hash(s, len);
    o->acc = key_step(o->acc, h);
    for (int b = 0; b < 8; b++) o->hashes[o->n * 8 + b] = (unsigned char)(h >> (8 * b));
    o->n++;
    if (is_number) {
        if (!o->numbers && !(o->numbers = PyList_New(0))) return -1;
        PyObject *t = PyUnicode_DecodeASCII((const char *)s, len, NULL);
        if (!t) return -1;
        int r = PyList_Append(o->numbers, t);
        Py_DECREF(t);
        if (r < 0) return -1;
    }
    return 0;
}

/* A number token with its thousands commas dropped ("4,500" -> "4500", "2,1" kept): a
 * comma after a digit and before exactly three digits. */
static Py_ssize_t drop_thousands(const unsigned char *t, Py_ssize_t n, unsigned char *dst) {
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (t[i] == ',' && i > 0 && cls[t[i - 1]] == C_DIGIT) {
            int three = i + 3 < n && cls[t[i + 1]] == C_DIGIT && cls[t[i + 2]] == C_DIGIT
                        && cls[t[i + 3]] == C_DIGIT;
            int more = i + 4 < n && cls[t[i + 4]] == C_DIGIT;
            if (three && !more) continue;
        }
        dst[m++] = t[i];
    }
    return m;
}

static inline int is_word(unsigned char c) { /* "\w" of a regular expression, in ASCII */
    return cls[c] == C_ALPHA || cls[c] == C_DIGIT || c == '_';
}

/* Path 1, no digits: lower-case, quotes deleted, every other punctuation mark and space
 * separates (control characters stay inside tokens, as str.translate leaves them). */
static int tokens_no_digits(const unsigned char *s, Py_ssize_t n, unsigned char *tok, Out *o) {
    Py_ssize_t len = 0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        int c = i < n ? cls[s[i]] : C_SPACE;
        if (c == C_ALPHA) tok[len++] = (unsigned char)(s[i] | 0x20);
        else if (c == C_OTHER) tok[len++] = s[i];
        else if (c == C_QUOTE) continue;
        else if (len) {
            if (out_token(o, tok, len, 0) < 0) return -1;
            len = 0;
        }
    }
    return 0;
}

/* Path 2, digits and no quotes: words are runs of letters and digits; a number is digits
 * with inner . , : / between digits; everything else separates. */
static int tokens_digits(const unsigned char *s, Py_ssize_t n, unsigned char *tok,
                         unsigned char *tmp, Out *o) {
    Py_ssize_t i = 0;
    while (i < n) {
        int c = cls[s[i]];
        if (c == C_DIGIT) {
            Py_ssize_t j = i;
            int comma = 0;
            while (j < n && cls[s[j]] == C_DIGIT) j++;
            while (j + 1 < n && cls[s[j]] == C_NUMSEP && cls[s[j + 1]] == C_DIGIT) {
                comma |= s[j] == ',';
                j++;
                while (j < n && cls[s[j]] == C_DIGIT) j++;
            }
            Py_ssize_t len = j - i;
            const unsigned char *t = s + i;
            if (comma) {
                len = drop_thousands(t, len, tmp);
                t = tmp;
            }
            if (out_token(o, t, len, 1) < 0) return -1;
            i = j;
        } else if (c == C_ALPHA) {
            Py_ssize_t len = 0;
            while (i < n && (cls[s[i]] == C_ALPHA || cls[s[i]] == C_DIGIT)) {
                tok[len++] = cls[s[i]] == C_ALPHA ? (unsigned char)(s[i] | 0x20) : s[i];
                i++;
            }
            if (out_token(o, tok, len, 0) < 0) return -1;
        } else {
            i++;
        }
    }
    return 0;
}

static PyObject *normalize_ascii(PyObject *self, PyObject *arg) {
    if (!PyUnicode_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "normalize_ascii() takes a str");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(arg)) Py_RETURN_NONE;
    Py_ssize_t n = PyUnicode_GET_LENGTH(arg);
    const unsigned char *s = PyUnicode_1BYTE_DATA(arg);
    int digits = 0, quotes = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        int c = cls[s[i]];
        digits |= c == C_DIGIT;
        quotes |= c == C_QUOTE;
    }
    unsigned char *tok = PyMem_Malloc((size_t)n * 3 + 3);
    if (!tok) return PyErr_NoMemory();
    Out o = {NULL, 0, 0, KEY_SEED, NULL};
    int r;
    if (!digits) {
        r = tokens_no_digits(s, n, tok, &o);
    } else if (!quotes) {
        r = tokens_digits(s, n, tok, tok + n + 1, &o);
    } else {
        /* Path 3, digits and quotes: the general path's rule first, a quote between two
         * word characters (letters, digits, _) of the original text is dropped. */
        unsigned char *clean = tok + 2 * (n + 1);
        Py_ssize_t m = 0;
        for (Py_ssize_t i = 0; i < n; i++) {
            if (cls[s[i]] == C_QUOTE && i > 0 && i + 1 < n && is_word(s[i - 1]) && is_word(s[i + 1]))
                continue;
            clean[m++] = s[i];
        }
        r = tokens_digits(clean, m, tok, tok + n + 1, &o);
    }
    PyMem_Free(tok);
    PyObject *hashes = NULL, *numbers = NULL, *key = NULL;
    if (r == 0) hashes = PyBytes_FromStringAndSize((const char *)o.hashes, o.n * 8);
    PyMem_Free(o.hashes);
    if (hashes) numbers = o.numbers ? PyList_AsTuple(o.numbers) : PyTuple_New(0);
    Py_XDECREF(o.numbers);
    if (numbers) key = PyLong_FromUnsignedLongLong(key_final(o.acc, o.n));
    if (!key) {
        Py_XDECREF(hashes);
        Py_XDECREF(numbers);
        return NULL;
    }
    return Py_BuildValue("(NNNn)", key, hashes, numbers, o.n);
}

static PyMethodDef methods[] = {
    {"set_stopwords", set_stopwords, METH_O, "Set the function words (sequence of str)."},
    {"hash_word", hash_word_py, METH_O, "64-bit hash of one token; low bit: stop word."},
    {"hash_tokens", hash_tokens, METH_O, "(exact key, packed uint64 hashes) of a token list."},
    {"normalize_ascii", normalize_ascii, METH_O,
     "(key, hashes, numbers, words) of ASCII text, or None if it needs the general path."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fast", NULL, -1, methods};

PyMODINIT_FUNC PyInit__fast(void) {
    init_classes();
    return PyModule_Create(&module);
}
