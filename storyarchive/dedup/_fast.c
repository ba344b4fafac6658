/* Compiled core of the dedup stage: block normalization (storyarchive.dedup.normalize:
 * tokens of plain ASCII text, 64-bit word hashes and the exact key, in one pass over the
 * text), MinHash fingerprints, shingle intersections and the index's LSH band table.
 *
 * This is the hottest code of the dedup stage: every block of every crawl goes through it.
 * storyarchive/dedup/_fastpy.py holds the normalization, the intersections and the band
 * table in Python, and fingerprint.py the fingerprints in numpy; the test suite checks
 * that both give the same results, and the package falls back to them if this module was
 * not built. Anything changed here must change there too, and changing a hash changes
 * every key in every index: bump LSH_VERSION in fingerprint.py.
 *
 *   set_stopwords(words)     the function words (their hashes get the low bit set)
 *   hash_word(word)          64-bit hash of one token (str)
 *   hash_tokens(tokens)      (key, hashes) of a token list: exact key, packed uint64 LE
 *   normalize_ascii(text)    (key, hashes, numbers, words) of ASCII text, or None for
 *                            other text (the general path: NFKC, case folding, regex)
 *   fingerprint(...)         word shingles and MinHash/LSH band keys of many blocks
 *   intersect_count(a, b)    shared values of two sorted arrays of distinct uint64
 *   BandTable                the LSH index of earlier texts (see below)
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
#define KEY_SEED 0x9e3779b97f4a7c15ULL


static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* hash of a token's UTF-8 bytes, low bit cleared (before the stop-word flag) */
/* The hash of a token is FNV-1a over its bytes, finished by mix64 with its length. The
 * tokenizers below feed the FNV state byte by byte as they read (fnv_step) and finish it
 * with word_of_fnv; everything else hashes whole strings with word_hash. */
static inline uint64_t fnv_step(uint64_t h, unsigned char byte) { return (h ^ byte) * FNV_PRIME; }

static inline uint64_t fnv_bytes(const unsigned char *s, Py_ssize_t n) {
    uint64_t h = FNV_OFFSET;
    for (Py_ssize_t i = 0; i < n; i++) h = fnv_step(h, s[i]);
    return h;
}

static inline uint64_t base_of_fnv(uint64_t fnv, Py_ssize_t n) {
    return mix64(fnv ^ (uint64_t)n) & ~1ULL;
}

static inline uint64_t base_hash(const unsigned char *s, Py_ssize_t n) {
    return base_of_fnv(fnv_bytes(s, n), n);
}

/* The function words as an open-addressing set of their hashes (low bit cleared, so the
 * odd value 1 marks an empty slot): one probe for most tokens, where a binary search over
 * the sorted hashes took eight unpredictable branches. */
static uint64_t *stop_set = NULL;
static uint64_t stop_mask = 0;

static inline int is_stop(uint64_t h) {
    if (!stop_set) return 0;
    for (uint64_t i = (h >> 32) & stop_mask;; i = (i + 1) & stop_mask) {
        if (stop_set[i] == h) return 1;
        if (stop_set[i] == 1) return 0;
    }
}

static inline uint64_t word_of_fnv(uint64_t fnv, Py_ssize_t n) {
    uint64_t h = base_of_fnv(fnv, n);
    return h | (uint64_t)is_stop(h);
}

static inline uint64_t word_hash(const unsigned char *s, Py_ssize_t n) {
    return word_of_fnv(fnv_bytes(s, n), n);
}

/* 8 bytes, little-endian (the packed word hashes are little-endian on every machine) */
static inline void store_le64(unsigned char *dst, uint64_t h) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(dst, &h, 8);
#else
    for (int b = 0; b < 8; b++) dst[b] = (unsigned char)(h >> (8 * b));
#endif
}

/* Whether ASCII text holds a digit: 8 bytes at a time ("has a byte between m and n",
 * exact for bytes below 128, https://graphics.stanford.edu/~seander/bithacks.html). */
static int has_ascii_digit(const unsigned char *s, Py_ssize_t n) {
    const uint64_t ones = 0x0101010101010101ULL, low7 = ones * 127, high = ones * 128;
    const uint64_t m = '0' - 1, top = '9' + 1;
    Py_ssize_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if (((ones * (127 + top) - (x & low7)) & ~x & ((x & low7) + ones * (127 - m))) & high)
            return 1;
    }
    for (; i < n; i++)
        if ((unsigned char)(s[i] - '0') < 10) return 1;
    return 0;
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
    uint64_t size = 16;
    while (size < (uint64_t)n * 4) size <<= 1; /* at most a quarter full */
    uint64_t *set = PyMem_Malloc(sizeof(uint64_t) * size);
    if (!set) {
        PyMem_Free(table);
        return PyErr_NoMemory();
    }
    for (uint64_t i = 0; i < size; i++) set[i] = 1;
    for (Py_ssize_t j = 0; j < n; j++) {
        uint64_t i = (table[j] >> 32) & (size - 1);
        while (set[i] != 1 && set[i] != table[j]) i = (i + 1) & (size - 1);
        set[i] = table[j];
    }
    PyMem_Free(table);
    PyMem_Free(stop_set);
    stop_set = set;
    stop_mask = size - 1;
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
        store_le64(buf + i * 8, h);
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

/* Append one token, given the FNV state of its bytes (see fnv_step) and its length. */
static inline int out_hash(Out *o, uint64_t fnv, Py_ssize_t len) {
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
    uint64_t h = word_of_fnv(fnv, len);
    o->acc = key_step(o->acc, h);
    store_le64(o->hashes + o->n * 8, h);
    o->n++;
    return 0;
}

static int out_token(Out *o, const unsigned char *s, Py_ssize_t len, int is_number) {
    if (out_hash(o, fnv_bytes(s, len), len) < 0) return -1;
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
static int tokens_no_digits(const unsigned char *s, Py_ssize_t n, Out *o) {
    /* the token's bytes are hashed as they are read (fnv_step), not copied */
    Py_ssize_t len = 0;
    uint64_t fnv = FNV_OFFSET;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char ch = s[i];
        int c = cls[ch];
        if (c == C_ALPHA || c == C_OTHER) {
            fnv = fnv_step(fnv, c == C_ALPHA ? (unsigned char)(ch | 0x20) : ch);
            len++;
        } else if (c != C_QUOTE && len) {
            if (out_hash(o, fnv, len) < 0) return -1;
            len = 0;
            fnv = FNV_OFFSET;
        }
    }
    if (len && out_hash(o, fnv, len) < 0) return -1;
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
            uint64_t fnv = FNV_OFFSET; /* hashed as read, as in tokens_no_digits */
            int k;
            while (i < n && ((k = cls[s[i]]) == C_ALPHA || k == C_DIGIT)) {
                fnv = fnv_step(fnv, k == C_ALPHA ? (unsigned char)(s[i] | 0x20) : s[i]);
                len++;
                i++;
            }
            if (out_hash(o, fnv, len) < 0) return -1;
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
    int digits = has_ascii_digit(s, n);
    int quotes = memchr(s, '\'', (size_t)n) != NULL || memchr(s, '`', (size_t)n) != NULL;
    Out o = {NULL, 0, 0, KEY_SEED, NULL};
    int r;
    unsigned char *tok = NULL;
    if (!digits) {
        r = tokens_no_digits(s, n, &o);
    } else if (!(tok = PyMem_Malloc((size_t)n * 3 + 3))) {
        return PyErr_NoMemory();
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
    PyObject *words = PyLong_FromSsize_t(o.n), *out = words ? PyTuple_New(4) : NULL;
    if (!out) {
        Py_XDECREF(words);
        Py_DECREF(key);
        Py_DECREF(hashes);
        Py_DECREF(numbers);
        return NULL;
    }
    PyTuple_SET_ITEM(out, 0, key);
    PyTuple_SET_ITEM(out, 1, hashes);
    PyTuple_SET_ITEM(out, 2, numbers);
    PyTuple_SET_ITEM(out, 3, words);
    return out;
}

/* ------------------------------------------------------------------------------------ */
/* Buffers of 64-bit integers (numpy arrays, bytes) as arguments.                       */

static int get_u64(PyObject *obj, Py_buffer *view, const char *what) {
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS) < 0) return -1;
    if (view->itemsize != 8 && !(view->itemsize == 1 && view->len % 8 == 0)) {
        PyErr_Format(PyExc_TypeError, "%s: expected a contiguous buffer of 64-bit integers", what);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* intersect_count(a, b): how many values two sorted arrays of distinct uint64 share (a
 * merge walk; verification compares two shingle sets for every candidate pair). */
static PyObject *intersect_count(PyObject *self, PyObject *args) {
    PyObject *oa, *ob;
    if (!PyArg_ParseTuple(args, "OO", &oa, &ob)) return NULL;
    Py_buffer va, vb;
    if (get_u64(oa, &va, "intersect_count") < 0) return NULL;
    if (get_u64(ob, &vb, "intersect_count") < 0) {
        PyBuffer_Release(&va);
        return NULL;
    }
    const uint64_t *a = va.buf, *b = vb.buf;
    Py_ssize_t na = va.len / 8, nb = vb.len / 8, i = 0, j = 0, n = 0;
    while (i < na && j < nb) {
        uint64_t x = a[i], y = b[j];
        n += x == y;
        i += x <= y;
        j += y <= x;
    }
    PyBuffer_Release(&va);
    PyBuffer_Release(&vb);
    return PyLong_FromSsize_t(n);
}

/* ------------------------------------------------------------------------------------ */
/* BandTable: the LSH index of earlier texts, a hash multimap band key -> (text, bloom).
 *
 * Entries are appended (never removed: texts are content-addressed); entries of one band
 * key are chained through `next`, newest first. The table of distinct keys is open
 * addressing, at most half full. Adding is O(1) per entry and a query O(1 + matches):
 * the sorted segments it replaces were re-sorted and merged as the story grew.
 *
 * It is kept small because growing it means touching fresh memory, and first touches
 * (page faults) cost more than anything else it does: a slot is 8 bytes (a 32-bit hash of
 * the band key, which also places it, and its newest entry), an entry 8 bytes (its text
 * and the next entry), and a text (key, bloom) is stored once, not once per band. Two
 * band keys with the same 32-bit hash are taken as one key: that can only add a
 * candidate (which must share `min_bands` bands, and is then verified), never lose one.
 *
 *   add(keys, texts, blooms)          three uint64 buffers of one length (the entries of
 *                                     one text one after the other, as np.repeat gives)
 *   query(keys, rows, blooms[, min_count[, max_per_key]]) -> (rows, texts)
 *       keys: uint64 query band keys; rows: int64, the query text of each key; blooms:
 *       uint64, one per query text. Returns, as bytes of int64 / uint64, one (row, text)
 *       per matching entry whose numbers bloom is compatible with the query's (one
 *       inside the other); repeats are possible (a pair sharing several bands). With
 *       min_count (rows then must not decrease): each (row, text) once, sorted, if the
 *       text matched at least min_count of the row's keys. With max_per_key > 0, only
 *       the newest max_per_key entries of each band key are looked at, and with
 *       min_count a row gets at most max_per_key texts (the smallest keys): the bound a
 *       run's own LSH buckets have (max_bucket), so templated text that fills band keys
 *       with thousands of earlier texts costs no more than a full bucket.           */

typedef struct {
    uint32_t hash; /* 32-bit hash of the band key; its low bits are the home slot */
    uint32_t head; /* 1 + newest entry of the key; 0: empty slot (calloc'd tables start empty) */
} Slot;

typedef struct {
    uint64_t key, bloom; /* a text's key and its numbers bloom */
} Text;

typedef struct {
    uint32_t text; /* index into texts */
    uint32_t next; /* 1 + older entry of the same key, 0: none */
} Entry;

typedef struct {
    PyObject_HEAD
    Entry *entries;
    Py_ssize_t n, cap;
    Text *texts; /* one per text (a run of equal texts in add is one) */
    Py_ssize_t ntexts, tcap;
    Slot *slots; /* open addressing over the distinct key hashes, at most half full */
    uint64_t mask; /* number of slots - 1 */
    Py_ssize_t distinct;
} BandTable;

/* A slot or an entry is read at random (a cache miss): the loops prefetch a few keys
 * ahead. Arrays grow with realloc (large blocks are moved by remapping, not copied) and
 * new slots come zeroed from calloc (no initializing pass). */
#define PREFETCH_AHEAD 16
#define BT_MAX ((Py_ssize_t)0x7FFFFFF0)

static inline uint32_t key_hash(uint64_t k) { return (uint32_t)mix64(k); }

static int bt_resize_slots(BandTable *t, uint64_t size) {
    Slot *slots = calloc(size, sizeof(Slot));
    if (!slots) {
        PyErr_NoMemory();
        return -1;
    }
    if (t->slots) {
        /* in slot order: a key lands at its old slot or one old-size further, so the new
         * table is written in two sequential streams */
        for (uint64_t s = 0; s <= t->mask; s++) {
            if (!t->slots[s].head) continue;
            uint64_t i = t->slots[s].hash & (size - 1);
            while (slots[i].head) i = (i + 1) & (size - 1);
            slots[i] = t->slots[s];
        }
    }
    free(t->slots);
    t->slots = slots;
    t->mask = size - 1;
    return 0;
}

static int grow(void **p, Py_ssize_t *cap, Py_ssize_t need, size_t item) {
    if (need <= *cap) return 0;
    Py_ssize_t c = *cap ? *cap : 1024;
    while (c < need) c *= 2;
    void *q = realloc(*p, item * (size_t)c);
    if (!q) {
        PyErr_NoMemory();
        return -1;
    }
    *p = q;
    *cap = c;
    return 0;
}

static int bt_reserve(BandTable *t, Py_ssize_t more) {
    if (t->n + more > BT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "BandTable: too many entries");
        return -1;
    }
    /* slots: room for `more` new keys at most half full, decided before a batch so the
     * mask stays fixed while prefetching */
    uint64_t size = t->slots ? t->mask + 1 : 1024;
    while ((uint64_t)(t->distinct + more) * 2 > size) size *= 2;
    if (!t->slots || size != t->mask + 1) {
        if (bt_resize_slots(t, size) < 0) return -1;
    }
    if (grow((void **)&t->entries, &t->cap, t->n + more, sizeof(Entry)) < 0) return -1;
    if (grow((void **)&t->texts, &t->tcap, t->ntexts + more, sizeof(Text)) < 0) return -1;
    return 0;
}

/* Three buffers of 64-bit integers, or none (an exception set, nothing to release). */
static int get_three_u64(PyObject *a, PyObject *b, PyObject *c, Py_buffer v[3], const char *what) {
    if (get_u64(a, &v[0], what) < 0) return -1;
    if (get_u64(b, &v[1], what) < 0) {
        PyBuffer_Release(&v[0]);
        return -1;
    }
    if (get_u64(c, &v[2], what) < 0) {
        PyBuffer_Release(&v[0]);
        PyBuffer_Release(&v[1]);
        return -1;
    }
    return 0;
}

static void release_three(Py_buffer v[3]) {
    for (int i = 0; i < 3; i++) PyBuffer_Release(&v[i]);
}

/* Output of a query: (row, text) pairs in two growing arrays. */
typedef struct {
    int64_t *rows;
    uint64_t *texts;
    Py_ssize_t n, cap;
} Pairs;

static int pairs_push(Pairs *p, int64_t row, uint64_t text) {
    if (p->n == p->cap) {
        Py_ssize_t cap = p->cap ? p->cap * 2 : 4096;
        int64_t *r2 = PyMem_Realloc(p->rows, sizeof(int64_t) * cap);
        if (!r2) goto fail;
        p->rows = r2;
        uint64_t *x2 = PyMem_Realloc(p->texts, sizeof(uint64_t) * cap);
        if (!x2) goto fail;
        p->texts = x2;
        p->cap = cap;
    }
    p->rows[p->n] = row;
    p->texts[p->n] = text;
    p->n++;
    return 0;
fail:
    PyErr_NoMemory();
    return -1;
}

/* (rows bytes, texts bytes) of the pairs; frees them either way. */
static PyObject *pairs_result(Pairs *p) {
    PyObject *result = NULL;
    PyObject *r = PyBytes_FromStringAndSize((const char *)p->rows, p->n * 8);
    PyObject *x = r ? PyBytes_FromStringAndSize((const char *)p->texts, p->n * 8) : NULL;
    if (r && x) result = Py_BuildValue("(NN)", r, x);
    else {
        Py_XDECREF(r);
        Py_XDECREF(x);
    }
    PyMem_Free(p->rows);
    PyMem_Free(p->texts);
    p->rows = NULL;
    p->texts = NULL;
    return result;
}

static PyObject *bt_add(BandTable *t, PyObject *args) {
    PyObject *ok, *ox, *ob;
    if (!PyArg_ParseTuple(args, "OOO", &ok, &ox, &ob)) return NULL;
    Py_buffer v[3];
    if (get_three_u64(ok, ox, ob, v, "BandTable.add") < 0) return NULL;
    PyObject *result = NULL;
    Py_ssize_t m = v[0].len / 8;
    if (v[1].len != v[0].len || v[2].len != v[0].len) {
        PyErr_SetString(PyExc_ValueError, "BandTable.add: keys, texts and blooms differ in length");
        goto done;
    }
    if (bt_reserve(t, m) < 0) goto done;
    const uint64_t *keys = v[0].buf, *texts = v[1].buf, *blooms = v[2].buf;
    Slot *slots = t->slots;
    uint64_t mask = t->mask;
    for (Py_ssize_t j = 0; j < m; j++) {
        if (j + PREFETCH_AHEAD < m)
            __builtin_prefetch(&slots[key_hash(keys[j + PREFETCH_AHEAD]) & mask], 1);
        if (j == 0 || texts[j] != texts[j - 1] || blooms[j] != blooms[j - 1]) {
            t->texts[t->ntexts].key = texts[j];
            t->texts[t->ntexts].bloom = blooms[j];
            t->ntexts++;
        }
        uint32_t h = key_hash(keys[j]);
        uint64_t i = h & mask;
        while (slots[i].head && slots[i].hash != h) i = (i + 1) & mask;
        Py_ssize_t e = t->n++;
        t->entries[e].text = (uint32_t)(t->ntexts - 1);
        if (!slots[i].head) {
            slots[i].hash = h;
            t->distinct++;
        }
        t->entries[e].next = slots[i].head;
        slots[i].head = (uint32_t)(e + 1);
    }
    result = Py_None;
    Py_INCREF(result);
done:
    release_three(v);
    return result;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sort texts[0..n) and append (row, text) once for each text found at least `min_count`
 * times, at most `max_emit` of them (the smallest texts; 0: all); -1 (memory). */
static int emit_counted(uint64_t *texts, Py_ssize_t n, int64_t row, Py_ssize_t min_count,
                        Py_ssize_t max_emit, Pairs *out) {
    qsort(texts, (size_t)n, sizeof(uint64_t), cmp_u64);
    Py_ssize_t emitted = 0;
    for (Py_ssize_t i = 0; i < n && (max_emit <= 0 || emitted < max_emit);) {
        Py_ssize_t j = i + 1;
        while (j < n && texts[j] == texts[i]) j++;
        if (j - i >= min_count) {
            if (pairs_push(out, row, texts[i]) < 0) return -1;
            emitted++;
        }
        i = j;
    }
    return 0;
}

/* The newest entry (1 + index) of band key k, 0 if none; prefetches the slot of `ahead`. */
static inline uint32_t bt_head(const BandTable *t, uint64_t k, const uint64_t *ahead) {
    const Slot *slots = t->slots;
    uint64_t mask = t->mask;
    if (ahead) __builtin_prefetch(&slots[key_hash(*ahead) & mask], 0);
    uint32_t h = key_hash(k);
    uint64_t i = h & mask;
    while (slots[i].head && slots[i].hash != h) i = (i + 1) & mask;
    return slots[i].head;
}

static PyObject *bt_query(BandTable *t, PyObject *args) {
    PyObject *ok, *orow, *ob;
    Py_ssize_t min_count = 0, max_per_key = 0;
    if (!PyArg_ParseTuple(args, "OOO|nn", &ok, &orow, &ob, &min_count, &max_per_key)) return NULL;
    Py_buffer v[3];
    if (get_three_u64(ok, orow, ob, v, "BandTable.query") < 0) return NULL;
    PyObject *result = NULL;
    Pairs out = {NULL, NULL, 0, 0};
    uint64_t *buf = NULL; /* with min_count: the current row's matching texts */
    Py_ssize_t nbuf = 0, bufcap = 0;
    Py_ssize_t m = v[0].len / 8, nq = v[2].len / 8;
    const uint64_t *keys = v[0].buf, *qblooms = v[2].buf;
    const int64_t *rows = v[1].buf;
    if (v[1].len != v[0].len) {
        PyErr_SetString(PyExc_ValueError, "BandTable.query: keys and rows differ in length");
        goto done;
    }
    for (Py_ssize_t j = 0; j < m; j++) {
        if (rows[j] < 0 || rows[j] >= nq) {
            PyErr_SetString(PyExc_IndexError, "BandTable.query: a row has no bloom");
            goto done;
        }
        if (min_count > 0 && j && rows[j] < rows[j - 1]) {
            PyErr_SetString(PyExc_ValueError, "BandTable.query: rows must not decrease with min_count");
            goto done;
        }
    }
    for (Py_ssize_t j = 0; t->slots && j < m; j++) {
        uint32_t e1 = bt_head(t, keys[j], j + PREFETCH_AHEAD < m ? &keys[j + PREFETCH_AHEAD] : NULL);
        int64_t row = rows[j];
        uint64_t qb = qblooms[row];
        Py_ssize_t seen = 0;
        for (; e1 && (max_per_key <= 0 || seen < max_per_key); e1 = t->entries[e1 - 1].next, seen++) {
            uint32_t x = t->entries[e1 - 1].text;
            uint64_t pb = t->texts[x].bloom;
            if ((qb & ~pb) && (pb & ~qb)) continue; /* numbers incompatible */
            if (min_count <= 0) {
                if (pairs_push(&out, row, t->texts[x].key) < 0) goto done;
                continue;
            }
            if (nbuf == bufcap) {
                bufcap = bufcap ? bufcap * 2 : 256;
                uint64_t *b2 = PyMem_Realloc(buf, sizeof(uint64_t) * bufcap);
                if (!b2) {
                    PyErr_NoMemory();
                    goto done;
                }
                buf = b2;
            }
            buf[nbuf++] = t->texts[x].key;
        }
        if (min_count > 0 && (j + 1 == m || rows[j + 1] != row)) { /* the row's last key */
            if (nbuf && emit_counted(buf, nbuf, row, min_count, max_per_key, &out) < 0) goto done;
            nbuf = 0;
        }
    }
    result = pairs_result(&out);
done:
    PyMem_Free(out.rows);
    PyMem_Free(out.texts);
    PyMem_Free(buf);
    release_three(v);
    return result;
}

static Py_ssize_t bt_len(BandTable *t) { return t->n; }

static void bt_dealloc(BandTable *t) {
    free(t->entries);
    free(t->texts);
    free(t->slots);
    Py_TYPE(t)->tp_free((PyObject *)t);
}

static PyObject *bt_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    if (PyTuple_GET_SIZE(args) || (kw && PyDict_Size(kw))) {
        PyErr_SetString(PyExc_TypeError, "BandTable() takes no arguments");
        return NULL;
    }
    return type->tp_alloc(type, 0); /* zero-filled: empty */
}

static PyMethodDef bt_methods[] = {
    {"add", (PyCFunction)bt_add, METH_VARARGS, "add(keys, texts, blooms): uint64 buffers."},
    {"query", (PyCFunction)bt_query, METH_VARARGS,
     "query(keys, rows, blooms[, min_count[, max_per_key]]) -> (rows bytes int64, texts bytes uint64)."},
    {NULL, NULL, 0, NULL},
};

static PySequenceMethods bt_seq = {.sq_length = (lenfunc)bt_len};

static PyTypeObject BandTableType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "storyarchive.dedup._fast.BandTable",
    .tp_basicsize = sizeof(BandTable),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "LSH band key -> (text key, numbers bloom) multimap; see _fast.c.",
    .tp_new = bt_new,
    .tp_dealloc = (destructor)bt_dealloc,
    .tp_methods = bt_methods,
    .tp_as_sequence = &bt_seq,
};


/* ------------------------------------------------------------------------------------ */
/* fingerprint(flat, lengths, k, a, b, rows, salt, want) -> (shingles, counts, band_keys)
 *
 * Word shingles and MinHash/LSH band keys of many blocks in one pass, the same numbers as
 * the numpy reference Fingerprinter._shingles/_bands (fingerprint.py), which the tests
 * compare it with. flat: every block's word hashes (uint64), one block after the other;
 * lengths: int64 words per block; k: words per shingle; a, b: uint64 MinHash
 * coefficients (num_perm each); rows: signature values per band; salt: uint64 per band;
 * want: None, or one byte per block (0: no band keys, only shingles).
 * Returns bytes: shingle hashes (uint64, grouped by block, window order), shingles per
 * block (int64), band keys (uint32, blocks x bands; zero where not wanted).            */

#define SHINGLE_MUL 0x9e3779b97f4a7c15ULL

static PyObject *fingerprint(PyObject *self, PyObject *args) {
    PyObject *oflat, *olen, *oa, *ob, *osalt, *owant;
    int k, rows;
    if (!PyArg_ParseTuple(args, "OOiOOiOO", &oflat, &olen, &k, &oa, &ob, &rows, &osalt, &owant))
        return NULL;
    Py_buffer vf, vl, va, vb, vs, vw;
    int got = 0;
    PyObject *result = NULL, *osh = NULL, *ocnt = NULL, *okeys = NULL;
    uint64_t *sig = NULL;
    if (get_u64(oflat, &vf, "fingerprint") < 0) goto done;
    got = 1;
    if (get_u64(olen, &vl, "fingerprint") < 0) goto done;
    got = 2;
    if (get_u64(oa, &va, "fingerprint") < 0) goto done;
    got = 3;
    if (get_u64(ob, &vb, "fingerprint") < 0) goto done;
    got = 4;
    if (get_u64(osalt, &vs, "fingerprint") < 0) goto done;
    got = 5;
    if (owant != Py_None) {
        if (PyObject_GetBuffer(owant, &vw, PyBUF_C_CONTIGUOUS) < 0) goto done;
        got = 6;
    }
    Py_ssize_t nwords = vf.len / 8, nblocks = vl.len / 8, nperm = va.len / 8, nbands = vs.len / 8;
    const uint64_t *flat = vf.buf, *ca = va.buf, *cb = vb.buf, *salt = vs.buf;
    const int64_t *lengths = vl.buf;
    const unsigned char *want = got == 6 ? vw.buf : NULL;
    if (k < 1 || rows < 1 || vb.len != va.len || nperm != nbands * rows
        || (want && vw.len != nblocks)) {
        PyErr_SetString(PyExc_ValueError, "fingerprint: inconsistent shapes");
        goto done;
    }
    Py_ssize_t total = 0, nsh = 0;
    for (Py_ssize_t i = 0; i < nblocks; i++) {
        if (lengths[i] <= 0) {
            PyErr_SetString(PyExc_ValueError, "cannot fingerprint a block without tokens");
            goto done;
        }
        total += lengths[i];
        nsh += lengths[i] >= k ? lengths[i] - k + 1 : 1;
    }
    if (total != nwords) {
        PyErr_SetString(PyExc_ValueError, "fingerprint: lengths do not add up to the words");
        goto done;
    }
    osh = PyBytes_FromStringAndSize(NULL, nsh * 8);
    ocnt = PyBytes_FromStringAndSize(NULL, nblocks * 8);
    okeys = PyBytes_FromStringAndSize(NULL, nblocks * nbands * 4);
    sig = PyMem_Malloc(sizeof(uint64_t) * (nperm ? nperm : 1));
    if (!osh || !ocnt || !okeys || !sig) {
        if (!PyErr_Occurred()) PyErr_NoMemory();
        goto done;
    }
    uint64_t *sh = (uint64_t *)PyBytes_AS_STRING(osh);
    int64_t *cnt = (int64_t *)PyBytes_AS_STRING(ocnt);
    uint32_t *keys = (uint32_t *)PyBytes_AS_STRING(okeys);
    memset(keys, 0, (size_t)(nblocks * nbands * 4));
    Py_ssize_t w0 = 0, s0 = 0;
    for (Py_ssize_t i = 0; i < nblocks; i++) {
        const uint64_t *w = flat + w0;
        Py_ssize_t len = lengths[i];
        Py_ssize_t m = len >= k ? len - k + 1 : 1;
        Py_ssize_t span = len >= k ? k : len;
        int any_inf = 0;
        for (Py_ssize_t j = 0; j < m; j++) {
            uint64_t acc = w[j];
            int stop = (int)(w[j] & 1);
            for (Py_ssize_t t = 1; t < span; t++) {
                acc = acc * SHINGLE_MUL + w[j + t];
                stop &= (int)(w[j + t] & 1);
            }
            sh[s0 + j] = mix64(acc);
            any_inf |= len < k || !stop; /* a short block's one shingle always counts */
        }
        cnt[i] = m;
        if (!want || want[i]) {
            for (Py_ssize_t p = 0; p < nperm; p++) sig[p] = UINT64_MAX;
            for (Py_ssize_t j = 0; j < m; j++) {
                if (any_inf && len >= k) { /* only informative shingles, if there are any */
                    int stop = 1;
                    for (Py_ssize_t t = 0; t < k; t++) stop &= (int)(w[j + t] & 1);
                    if (stop) continue;
                }
                uint64_t x = sh[s0 + j];
                for (Py_ssize_t p = 0; p < nperm; p++) {
                    uint64_t h = x * ca[p] + cb[p];
                    sig[p] = h < sig[p] ? h : sig[p];
                }
            }
            for (Py_ssize_t band = 0; band < nbands; band++) {
                uint64_t acc = 0;
                for (int r = 0; r < rows; r++) acc = mix64(acc * SHINGLE_MUL + (sig[band * rows + r] >> 32));
                acc = mix64(acc ^ salt[band]);
                keys[i * nbands + band] = (uint32_t)(acc >> 32);
            }
        }
        w0 += len;
        s0 += m;
    }
    result = Py_BuildValue("(OOO)", osh, ocnt, okeys);
done:
    Py_XDECREF(osh);
    Py_XDECREF(ocnt);
    Py_XDECREF(okeys);
    PyMem_Free(sig);
    if (got >= 6) PyBuffer_Release(&vw);
    if (got >= 5) PyBuffer_Release(&vs);
    if (got >= 4) PyBuffer_Release(&vb);
    if (got >= 3) PyBuffer_Release(&va);
    if (got >= 2) PyBuffer_Release(&vl);
    if (got >= 1) PyBuffer_Release(&vf);
    return result;
}


static PyMethodDef methods[] = {
    {"set_stopwords", set_stopwords, METH_O, "Set the function words (sequence of str)."},
    {"hash_word", hash_word_py, METH_O, "64-bit hash of one token; low bit: stop word."},
    {"hash_tokens", hash_tokens, METH_O, "(exact key, packed uint64 hashes) of a token list."},
    {"normalize_ascii", normalize_ascii, METH_O,
     "(key, hashes, numbers, words) of ASCII text, or None if it needs the general path."},
    {"fingerprint", fingerprint, METH_VARARGS,
     "(shingles, counts, band keys) of many blocks' word hashes; see _fast.c."},
    {"intersect_count", intersect_count, METH_VARARGS,
     "How many values two sorted arrays of distinct uint64 share."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_fast", NULL, -1, methods};

PyMODINIT_FUNC PyInit__fast(void) {
    init_classes();
    if (PyType_Ready(&BandTableType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&BandTableType);
    if (PyModule_AddObject(m, "BandTable", (PyObject *)&BandTableType) < 0) {
        Py_DECREF(&BandTableType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
