"""Dedup hashing gives exactly what its plain definitions give: the ASCII tokenizer and the
word hashes (xxHash), shingles and MinHash band keys (numpy) against a plain-Python MinHash,
the LSH band table against a scan of every entry, shared shingles against sets; and the
shortcuts (MinHash for a subset of texts, band keys read back from the index, T records
encoded in bulk, a deduplicator fed in several crawls) give what the full computation gives."""

import random
import re
import unicodedata
from collections import Counter

import numpy as np
import xxhash

from storyarchive.dedup import BlockDeduplicator, DedupConfig, DocInput
from storyarchive.dedup import normalize as N
from storyarchive.dedup.backend import SqliteBackend
from storyarchive.dedup.bandtable import BandTable
from storyarchive.dedup.candidates import pairs_within
from storyarchive.dedup.canonical import DocMeta
from storyarchive.dedup.fingerprint import Fingerprinter, LshParams
from storyarchive.dedup.index import PriorIndex
from storyarchive.dedup.records import encode_text, encode_texts
from storyarchive.dedup.verify import shared_count
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
    alphabet = "ab Z1 29.,:/-%$_()[]\"\n\t;!?'`\x00\x1c\x7f"
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
    return [N.normalize(" ".join(t)).hashes for t in _token_lists(n, seed)]


def _packed(words: list[str]) -> bytes:
    return b"".join(xxhash.xxh3_64_intdigest(w.encode()).to_bytes(8, "little") for w in words)


def test_normalize_hashes_each_token_and_keys_the_sequence_of_hashes():
    """Word hashes are XXH3 of each token's UTF-8 bytes (the regex tokenizer's tokens),
    the exact key XXH3 of the packed hashes; numbers are the tokens that are numbers.
    ASCII texts with and without digits and apostrophes, control characters, Unicode."""
    rng = random.Random(8)
    alphabet = "ab Zq1 29.,:/-%$_()[]\"\n\t;!?'`\x00\x1c\x7fé’"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(20000)]
    texts += ["Rose 2.1% to 4,500 in 2025; 10:30 a.m. 3rd u.s.", "1,000,000 and 1,0000 and 2,1",
              "The port of the strike", "Don't stop", "Ünïcode “quotes” 4,500", "", "x" * 300_000]
    for text in texts:
        toks = _regex_tokens(text)
        got = N.normalize.__wrapped__(text)
        hashes = _packed(toks)
        key = (xxhash.xxh3_64_intdigest(hashes) or 1) if toks else 0
        assert got == N.NormalizedText(key, len(toks), hashes,
                                       tuple(t for t in toks if t[0].isdigit()), text), repr(text)
    assert N.normalize("Trump’s port").key == N.normalize("TRUMP'S  port!").key != 0


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
    norms = [N.normalize(" ".join(t)) for t in token_lists]
    fps = fp.fingerprint([n.hashes for n in norms])
    keys = np.array([n.key for n in norms], dtype=np.uint64)
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


_MASK = (1 << 64) - 1
_MUL = 0x9E3779B97F4A7C15


def _mix(x: int) -> int:
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _MASK
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _reference_band_keys(fp: Fingerprinter, hashes: list[int]) -> list[int]:
    """MinHash band keys of one block by their definition, one value at a time: shingles
    of k words (one of all words if fewer), those with a word that is not a function word
    (all of them if none has), for each permutation the least (a * s + b) mod 2**64, each
    band's rows' high halves mixed with the band's salt."""
    p, stop = fp.params, {N.hash_word(w) for w in N.STOPWORDS}
    k = p.shingle_words
    shingles = []
    for i in range(max(1, len(hashes) - k + 1)):
        window = hashes[i:i + k]
        acc = 0 if len(hashes) < k else window[0]
        for w in (window if len(hashes) < k else window[1:]):
            acc = (acc * _MUL + w) & _MASK
        shingles.append((_mix(acc), len(hashes) < k or not all(w in stop for w in window)))
    used = [s for s, informative in shingles if informative] or [s for s, _ in shingles]
    sig = [min((int(a) * s + int(b)) & _MASK for s in used) for a, b in zip(fp._a, fp._b, strict=True)]
    keys = []
    for band in range(p.bands):
        acc = 0
        for j in range(p.rows):
            acc = _mix((acc * _MUL + (sig[band * p.rows + j] >> 32)) & _MASK)
        keys.append(_mix(acc ^ int(fp._band_salt[band])) >> 32)
    return keys


def test_band_keys_are_minhash_by_its_definition():
    """The vectorised shingles and MinHash (chunked over many blocks) equal the definition
    computed one block at a time: short blocks, blocks of function words only, long blocks,
    a subset of blocks with band keys, and other LSH shapes."""
    rng = random.Random(4)
    words = sorted(N.STOPWORDS)[:20] + [f"w{i}" for i in range(400)]
    for params in (LshParams(), LshParams(shingle_words=3, bands=8, rows=4), LshParams(1, 4, 1)):
        fp = Fingerprinter(params)
        texts = []
        for _ in range(1500):  # more shingles than one numpy chunk
            n = rng.choice([1, 2, 3, 5, 40, 300])
            pool = words[:20] if rng.random() < 0.1 else words  # some function words only
            texts.append(" ".join(rng.choice(pool) for _ in range(n)))
        norms = [N.normalize(t) for t in texts]
        hash_lists = [n.hashes for n in norms]
        subset = np.array([rng.random() < 0.5 for _ in texts])
        full, part = fp.fingerprint(hash_lists), fp.fingerprint(hash_lists, subset)
        for i, n in enumerate(norms[:300]):
            ints = np.frombuffer(n.hashes, np.uint64).tolist()
            want = _reference_band_keys(fp, ints)
            assert full.band_keys[i].tolist() == want, texts[i]
            assert part.band_keys[i].tolist() == (want if subset[i] else [0] * params.bands)
        assert np.array_equal(part.band_keys[subset], full.band_keys[subset])
        assert (full.band_keys != 0).mean() > 0.99


def _scan(entries: list[tuple[int, int, int]], q: np.ndarray, qblooms: np.ndarray,
          min_bands: int, max_per_key: int) -> list[tuple[int, int]]:
    """What BandTable.query must answer, by a scan of every entry (band key, text, bloom)
    in the order they were added."""
    found: Counter[tuple[int, int]] = Counter()
    for row in range(q.shape[0]):
        for key in q[row].tolist():
            matches = [(x, pb) for k, x, pb in entries if k == key]
            if max_per_key:
                matches = matches[::-1][:max_per_key]  # the key's newest entries
            qb = int(qblooms[row])
            for x, pb in matches:
                if (qb & ~pb) == 0 or (pb & ~qb) == 0:  # numbers may be compatible
                    found[(row, x)] += 1
    pairs = sorted(p for p, c in found.items() if c >= min_bands)
    if max_per_key:  # each row's smallest texts
        per_row: Counter[int] = Counter()
        pairs = [p for p in pairs if (per_row.update([p[0]]) or per_row[p[0]] <= max_per_key)]
    return pairs


def test_band_table_finds_what_a_scan_of_every_entry_finds():
    """Texts added in batches (segments merged as they grow), band keys with many texts:
    for every query row, the texts sharing at least min_bands of its band keys with
    compatible numbers, the newest max_per_key of a key, the smallest max_per_key a row;
    in row order."""
    rng = np.random.default_rng(1)
    table = BandTable()
    entries: list[tuple[int, int, int]] = []
    nb = 4
    text_no = 0
    for batch in range(8):
        m = int(rng.integers(0, 300)) if batch != 3 else 0
        keys = rng.integers(0, 60, (m, nb)).astype(np.uint64) << np.uint64(20)  # many repeats
        texts = np.arange(text_no, text_no + m, dtype=np.uint64) * np.uint64(0x9E3779B1) + np.uint64(7)
        text_no += m
        bits = np.uint64(1) << rng.integers(0, 64, m).astype(np.uint64)
        blooms = bits * rng.integers(0, 2, m).astype(np.uint64)  # half without numbers
        table.add(keys, texts, blooms)
        entries += [(k, int(x), int(b)) for row, x, b in zip(keys.tolist(), texts, blooms, strict=True)
                    for k in row]
        assert len(table) == len(entries)
        q = np.concatenate([keys[:20], rng.integers(0, 2**40, (5, nb)).astype(np.uint64)])  # some never added
        qblooms = rng.integers(0, 2**63, len(q)).astype(np.uint64) & np.uint64(0x0F0F)
        for min_bands, max_per_key in ((1, 0), (2, 0), (1, 3), (2, 5)):
            rows, found = table.query(q, qblooms, min_bands, max_per_key)
            got = list(zip(rows.tolist(), found.tolist(), strict=True))
            assert rows.tolist() == sorted(rows.tolist())
            assert sorted(got) == _scan(entries, q, qblooms, min_bands, max_per_key), (batch, min_bands)
    assert len(_scan(entries, q, qblooms, 1, 0)) > 100
    assert BandTable().query(q, qblooms, 1, 0)[0].size == 0


def test_shared_shingles_of_sorted_arrays_equal_a_set_intersection():
    rng = np.random.default_rng(2)
    for _ in range(300):
        a = np.unique(rng.integers(0, 500, rng.integers(0, 200)).astype(np.uint64))
        b = np.unique(rng.integers(0, 500, rng.integers(0, 200)).astype(np.uint64))
        assert shared_count(a, b) == shared_count(b, a) == len(set(a.tolist()) & set(b.tolist()))

def test_candidate_pairs_within_a_crawl_are_the_same_by_either_sort():
    """pairs_within sorts (band key, text) packed in one integer when they fit in 64 bits,
    and with np.lexsort when they don't: both give the same pairs, buckets cut at
    max_bucket included."""
    rng = np.random.default_rng(6)
    n, nb = 400, 16
    flat = (np.arange(nb, dtype=np.uint64)[None, :] << np.uint64(32)) | rng.integers(
        0, 40, (n, nb)).astype(np.uint64)  # few distinct keys: shared bands, big buckets
    blooms = rng.integers(0, 4, n).astype(np.uint64)
    packed = pairs_within(flat, blooms, max_bucket=7, min_bands=2)
    wide = pairs_within(flat | np.uint64(1 << 62), blooms, max_bucket=7, min_bands=2)  # too wide to pack
    assert len(packed) > 100 and np.array_equal(packed, wide)
