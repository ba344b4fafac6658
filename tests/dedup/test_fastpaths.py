"""The throughput shortcuts give exactly what the plain computations give: the ASCII
tokenizer, MinHash for a subset of texts, band keys read back from the index, the T
records encoded in bulk, and a deduplicator fed in several crawls against one fed at once."""

import random
import re
import unicodedata
from collections import Counter

import numpy as np
import pytest

from storyarchive.dedup import BlockDeduplicator, DedupConfig, DocInput
from storyarchive.dedup import normalize as N
from storyarchive.dedup.backend import SqliteBackend
from storyarchive.dedup.canonical import DocMeta
from storyarchive.dedup.fingerprint import Fingerprinter, LshParams
from storyarchive.dedup.index import PriorIndex
from storyarchive.dedup.records import encode_text, encode_texts
from storyarchive.items import Block
from storyarchive.layout import doc_id


def _regex_tokens(text: str) -> list[str]:
    """The reference tokenizer: NFKC, casefold, the regular expressions only."""
    text = unicodedata.normalize("NFKC", text)
    text = N._APOSTROPHE.sub("", text.casefold())
    toks = N._TOKEN.findall(text)
    if "," in text:
        toks = [N._THOUSANDS.sub("", t) if t[0].isdigit() else t for t in toks]
    return toks


def test_ascii_fast_paths_tokenize_like_the_regular_expressions():
    rng = random.Random(3)
    alphabet = "ab Z1 29.,:/-%$_()[]\"\n\t;!?'`"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
        assert N.tokens(text) == _regex_tokens(text), repr(text)
    assert N.tokens("Rose 2.1% to 4,500 in 2025; 10:30 a.m. 3rd u.s.") == [
        "rose", "2.1", "to", "4500", "in", "2025", "10:30", "a", "m", "3", "rd", "u", "s"]


def _token_lists(n: int, seed: int = 5) -> list[tuple[str, ...]]:
    rng = random.Random(seed)
    words = ["the", "of", "port", "strike", "minister", "dock", "talks", "said", "42", "a"]
    return [tuple(rng.choice(words) for _ in range(rng.randint(1, 60))) for _ in range(n)]


def _texts(n: int, seed: int = 5) -> list[bytes]:
    return [N.word_hashes(t) for t in _token_lists(n, seed)]


def test_minhash_of_a_subset_equals_minhash_of_all():
    fp = Fingerprinter(LshParams())
    texts = _texts(300)
    full = fp.fingerprint(texts)
    subset = np.array([i % 3 == 0 for i in range(len(texts))])
    part = fp.fingerprint(texts, subset)
    assert np.array_equal(part.band_keys[subset], full.band_keys[subset])
    assert not part.band_keys[~subset].any()
    assert np.array_equal(part.shingles, full.shingles)
    only = fp.shingles_only(texts)
    assert all(only.shingle_set(i) == full.shingle_set(i) for i in range(len(texts)))


def test_bulk_text_records_are_byte_identical_and_read_back(tmp_path):
    fp = Fingerprinter(LshParams())
    token_lists = _token_lists(50)
    texts = [N.word_hashes(t) for t in token_lists]
    fps = fp.fingerprint(texts)
    keys = np.array([N.exact_key(t) for t in token_lists], dtype=np.uint64)
    blooms = np.array([fp.number_bloom(tuple(w for w in t if w[0].isdigit()))
                       for t in token_lists], dtype=np.uint64)
    words = np.array([len(t) for t in token_lists])
    bulk = encode_texts(keys, blooms, words, fps.band_keys)
    one = [encode_text(int(k), int(b), int(w), fps.band_keys[i])
           for i, (k, b, w) in enumerate(zip(keys, blooms, words, strict=True))]
    assert bulk == one
    index = PriorIndex(SqliteBackend(tmp_path / "i.sqlite"), DedupConfig().index_meta())
    index.append(bulk[:20])
    index.append(bulk[10:])  # overlapping: a text already known is ignored
    bands, got_blooms = index.text_fingerprints([int(k) for k in keys[::-1]])
    assert np.array_equal(bands, fps.band_keys[::-1])
    assert np.array_equal(got_blooms, blooms[::-1])


def _docs(n_docs: int) -> list[DocInput]:
    rng = random.Random(11)
    pool = [" ".join(rng.choice(["port", "dock", "strike", "talks", "minister", "said",
                                 "union", "wages", str(rng.randint(1, 99))])
                     for _ in range(rng.randint(8, 30))) for _ in range(60)]
    docs = []
    for i in range(n_docs):
        url = f"http://127.0.0.1:{9000 + i % 5}/n/{i}"
        texts = rng.sample(pool, 6)
        if rng.random() < 0.5:  # an edited copy
            texts[0] = re.sub(r"\bport\b", "harbor", texts[0], count=1)
        blocks = [Block(j, "paragraph", t) for j, t in enumerate(texts)]
        docs.append(DocInput(DocMeta(doc_id(url), url, f"127.0.0.1:{9000 + i % 5}",
                                     f"2025-12-{1 + i % 28:02d}T08:00:00", i % 5 == 0, True),
                             blocks))
    return docs


def test_later_crawls_reusing_indexed_fingerprints_match_a_fresh_deduplicator(tmp_path):
    """Texts already in the index take their band keys from it; the result equals a run of
    the same crawls by a deduplicator that recomputes everything from the archive."""
    def run(path, fresh_each_crawl):
        docs = _docs(60)
        texts = {d.meta.doc_id: [b.text for b in d.blocks] for d in docs}
        backend = SqliteBackend(path)
        out = []
        dd = None
        for lo in range(0, 60, 20):
            if dd is None or fresh_each_crawl:
                dd = BlockDeduplicator(DedupConfig(),
                                       PriorIndex(backend, DedupConfig().index_meta()),
                                       lambda d, i: texts[d][i])
            s = dd.finalize(docs[lo:lo + 20])
            out.append(s.to_dict())
        rel = [(d.meta.doc_id, [(b.relation, b.of_block, b.cluster, b.similarity)
                                for b in d.blocks], d.syndication) for d in docs]
        return out, rel

    a = run(tmp_path / "a.sqlite", fresh_each_crawl=False)
    b = run(tmp_path / "b.sqlite", fresh_each_crawl=True)
    assert a == b
    assert any(r == "wire-near" for _, blocks, _ in a[1] for r, *_ in blocks)


def test_compiled_normalization_equals_the_python_reference():
    """The C module (tokens of ASCII text, word hashes, exact keys) gives exactly what the
    plain-Python path gives: tokens() then the reference hashes of _fastpy."""
    from storyarchive.dedup import _fast, _fastpy

    assert _fast is not _fastpy and N._fast is _fast  # the compiled module is in use
    _fastpy.set_stopwords(sorted(N.STOPWORDS))
    rng = random.Random(8)
    alphabet = "ab Zq1 29.,:/-%$_()[]\"\n\t;!?'`\x00\x1c\x7f"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(20000)]
    texts += ["Rose 2.1% to 4,500 in 2025; 10:30 a.m. 3rd u.s.", "1,000,000 and 1,0000 and 2,1",
              "The port of the strike", "Don't stop", "Ünïcode “quotes” 4,500", ""]
    ascii_done = 0
    for text in texts:
        toks = N.tokens(text)
        key, hashes = _fastpy.hash_tokens(toks)
        want = N.NormalizedText(key, len(toks), hashes,
                                tuple(t for t in toks if t[0].isdigit()), text)
        assert N.normalize.__wrapped__(text) == want, repr(text)
        done = _fast.normalize_ascii(text)
        ascii_done += done is not None
        assert _fast.hash_tokens(toks) == (key, hashes)
    assert ascii_done > 19000  # the compiled path took every ASCII text (not the fallback)
    rng2 = random.Random(9)  # long texts and long tokens: buffers sized by the text
    for text in ["x" * 300_000, "1,000" * 50_000 + " don't 2's", " ".join(
            "".join(rng2.choice("ab1,.'") for _ in range(rng2.randint(1, 40))) for _ in range(20_000))]:
        toks = N.tokens(text)
        key, hashes = _fastpy.hash_tokens(toks)
        assert _fast.normalize_ascii(text) == (key, hashes, tuple(t for t in toks if t[0].isdigit()),
                                               len(toks))
    for word in ["the", "port", "4500", "ünïcode", ""]:
        assert _fast.hash_word(word) == _fastpy.hash_word(word)
    assert _fast.hash_word("the") & 1 and not _fast.hash_word("port") & 1


def test_band_table_finds_what_a_scan_of_every_entry_finds():
    """The compiled LSH table (open addressing, chained entries, grown several times here)
    and its Python reference return, for every query key, exactly the entries of that key
    whose numbers bloom is compatible: checked against a plain scan of all entries."""
    from storyarchive.dedup import _fast, _fastpy

    rng = np.random.default_rng(1)
    tables = [_fast.BandTable(), _fastpy.BandTable()]
    entries: list[tuple[int, int, int]] = []
    for _ in range(6):  # batches, as crawls add texts
        m = int(rng.integers(0, 4000))
        keys = rng.integers(0, 3000, m).astype(np.uint64) << np.uint64(20)  # many repeats
        texts = rng.integers(0, 2**63, m).astype(np.uint64)
        bits = np.uint64(1) << rng.integers(0, 64, m).astype(np.uint64)
        blooms = bits * rng.integers(0, 2, m).astype(np.uint64)  # half without numbers
        for t in tables:
            t.add(keys, texts, blooms)
        entries += zip(keys.tolist(), texts.tolist(), blooms.tolist(), strict=True)
        q = np.concatenate([rng.choice(keys, min(m, 300)) if m else keys,
                            rng.integers(0, 2**40, 50).astype(np.uint64)])  # some never added
        rows = rng.integers(0, 20, len(q)).astype(np.int64)
        qblooms = rng.integers(0, 2**63, 20).astype(np.uint64) & np.uint64(0x0F0F)
        want = sorted((r, x) for k, r in zip(q.tolist(), rows.tolist(), strict=True)
                      for ek, x, pb in entries if ek == k
                      and ((int(qblooms[r]) & ~pb) == 0 or (pb & ~int(qblooms[r])) == 0))
        order = np.argsort(rows, kind="stable")  # counted queries: rows in order
        q_sorted, rows_sorted = q[order], rows[order]
        for t in tables:
            got_rows, got_texts = t.query(q, rows, qblooms)
            got = sorted(zip(np.frombuffer(got_rows, np.int64).tolist(),
                             np.frombuffer(got_texts, np.uint64).tolist(), strict=True))
            assert got == want
            assert len(t) == len(entries)
            for min_count in (1, 2):
                r2, x2 = t.query(q_sorted, rows_sorted, qblooms, min_count)
                got2 = list(zip(np.frombuffer(r2, np.int64).tolist(),
                                np.frombuffer(x2, np.uint64).tolist(), strict=True))
                counts = Counter(want)
                assert got2 == sorted(p for p, c in counts.items() if c >= min_count)
            with pytest.raises(ValueError, match="must not decrease"):
                t.query(q_sorted[::-1].copy(), rows_sorted[::-1].copy(), qblooms, 2)
        # bounded: each key's newest 3 entries, each row's 2 smallest texts; C == Python
        capped = [t.query(q_sorted, rows_sorted, qblooms, 1, 3) for t in tables]
        assert capped[0] == capped[1]
        rows_c = np.frombuffer(capped[0][0], np.int64)
        assert len(rows_c) < len(set(want)) and np.bincount(rows_c).max() <= 3
        newest = {}
        for ek, x, pb in entries:  # the newest 3 entries of every key
            newest.setdefault(ek, []).append((x, pb))
        allowed = {(r, x) for k, r in zip(q_sorted.tolist(), rows_sorted.tolist(), strict=True)
                   for x, pb in newest.get(k, [])[::-1][:3]
                   if (int(qblooms[r]) & ~pb) == 0 or (pb & ~int(qblooms[r])) == 0}
        got_c = set(zip(rows_c.tolist(), np.frombuffer(capped[0][1], np.uint64).tolist(),
                        strict=True))
        assert got_c <= allowed
    assert len(want) > 100


def test_intersect_count_and_stop_words_equal_the_python_reference():
    from storyarchive.dedup import _fast, _fastpy

    rng = np.random.default_rng(2)
    for _ in range(300):
        a = np.unique(rng.integers(0, 500, rng.integers(0, 200)).astype(np.uint64))
        b = np.unique(rng.integers(0, 500, rng.integers(0, 200)).astype(np.uint64))
        assert _fast.intersect_count(a, b) == _fastpy.intersect_count(a, b) == len(
            set(a.tolist()) & set(b.tolist()))
    _fastpy.set_stopwords(sorted(N.STOPWORDS))
    words = sorted(N.STOPWORDS) + ["".join(chr(97 + int(c)) for c in rng.integers(0, 26, 5))
                                   for _ in range(3000)]
    for w in words:
        assert _fast.hash_word(w) == _fastpy.hash_word(w)
        assert bool(_fast.hash_word(w) & 1) == (w in N.STOPWORDS)

def test_compiled_fingerprints_equal_the_numpy_reference():
    """Shingles and band keys from the C module equal the numpy computation: short blocks
    (fewer words than a shingle), blocks of function words only, long blocks, a subset of
    blocks with band keys, none, and other LSH shapes."""
    from storyarchive.dedup import fingerprint as F

    assert F._native_fingerprint is not None  # the compiled module is in use
    rng = np.random.default_rng(3)
    for params in (LshParams(), LshParams(shingle_words=3, bands=8, rows=4), LshParams(1, 4, 1)):
        fast, ref = Fingerprinter(params), Fingerprinter(params)
        ref.native = False
        lists = []
        for _ in range(400):
            n = int(rng.choice([1, 2, 3, 5, 40, 300]))
            h = rng.integers(0, 2**63, n, dtype=np.uint64) * np.uint64(2)
            stop = rng.random(n) < (1.0 if rng.random() < 0.1 else 0.4)  # some all stop words
            lists.append((h | stop.astype(np.uint64)).astype("<u8").tobytes())
        for bands_for in (None, rng.random(len(lists)) < 0.5, np.zeros(len(lists), bool)):
            a, b = fast.fingerprint(lists, bands_for), ref.fingerprint(lists, bands_for)
            assert np.array_equal(a.offsets, b.offsets)
            assert np.array_equal(a.shingles, b.shingles)
            assert np.array_equal(a.band_keys, b.band_keys)
            if bands_for is None:
                assert (a.band_keys != 0).mean() > 0.99


def test_compiled_digit_scan_finds_a_digit_at_every_position():
    """The C module picks its tokenizer by a word-at-a-time scan for digits: a digit at
    any offset (inside or after the 8-byte words), next to the characters around '0'-'9'
    in ASCII, must take the digit path, and a text without one must not (control
    characters stay inside tokens only on the path without digits)."""
    from storyarchive.dedup import _fast, _fastpy

    _fastpy.set_stopwords(sorted(N.STOPWORDS))
    for n in range(1, 26):
        for at in range(n):
            for d in "0159":
                base = list(("a/b:\x01" * 10)[:n])  # '/' and ':' border the digits in ASCII
                base[at] = d
                text = "".join(base)
                toks = N.tokens(text)
                key, hashes = _fastpy.hash_tokens(toks)
                assert _fast.normalize_ascii(text) == (
                    key, hashes, tuple(t for t in toks if t[0].isdigit()), len(toks)), repr(text)
        text = ("a/b:\x01" * 10)[:n]
        toks = N.tokens(text)
        assert _fast.normalize_ascii(text)[1] == _fastpy.hash_tokens(toks)[1], repr(text)


def test_candidate_pairs_within_a_crawl_are_the_same_by_either_sort():
    """_pairs_within sorts (band key, text) packed in one integer when they fit in 64 bits,
    and with np.lexsort when they don't: both give the same pairs, buckets cut at
    max_bucket included."""
    rng = np.random.default_rng(6)
    dedup = BlockDeduplicator(DedupConfig(max_bucket=7))
    n, nb = 400, 16
    flat = (np.arange(nb, dtype=np.uint64)[None, :] << np.uint64(32)) | rng.integers(
        0, 40, (n, nb)).astype(np.uint64)  # few distinct keys: shared bands, big buckets
    blooms = rng.integers(0, 4, n).astype(np.uint64)
    packed = dedup._pairs_within(flat, blooms)
    wide = dedup._pairs_within(flat | np.uint64(1 << 62), blooms)  # too wide to pack
    assert len(packed) > 100 and np.array_equal(packed, wide)
