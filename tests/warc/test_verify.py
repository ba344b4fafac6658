"""`storyarchive warc verify` resolves what the archive points to: each revisit's original
must be in the collection (found through the story's CDXJ indexes, with the record id the
revisit names), and with --story every document must point to a whole response or revisit
record, with its record id, inside a stored WARC."""

from __future__ import annotations

import json
from pathlib import Path

from storyarchive import layout
from storyarchive.items import WarcRef
from storyarchive.store.local import LocalStore
from storyarchive.warc.digests import digest
from storyarchive.warc.records import RevisitTarget
from storyarchive.warc.revisits import MemoryDigestIndex
from storyarchive.warc.writer import RotatingWarcWriter, WriterConfig
from tests.cli import run_cli
from tests.warc.test_writer import exchange

SLUG = "v"


def archive(store: Path, index: MemoryDigestIndex | None = None, *bodies: bytes) -> list[WarcRef]:
    """Write one WARC file of story SLUG into the local store `store`: exchange n has body
    bodies[n] (an earlier body again is written as a revisit)."""
    w = RotatingWarcWriter(LocalStore(store), WriterConfig(slug=SLUG, crawl_id="c", host="h"),
                           index or MemoryDigestIndex())
    refs = [w.write_exchange(exchange(n, body)) for n, body in enumerate(bodies)]
    w.close()
    return refs


def put_document(store: Path, name: str, warc: dict | None) -> str:  # type: ignore[type-arg]
    key = f"{layout.story_prefix(SLUG)}articles/{name:0>20}/20260101T000000000000Z-{name}.json"
    LocalStore(store).put_bytes(key, json.dumps({"doc_id": name, "warc": warc}).encode())
    return key


def pointer(ref: WarcRef, **changed: object) -> dict:  # type: ignore[type-arg]
    warc = {"filename": ref.filename, "offset": ref.offset, "length": ref.length,
            "record_id": ref.record_id, "record_type": ref.record_type}
    return {**warc, **changed}


def verify(*args: str):  # type: ignore[no-untyped-def]
    return run_cli("warc", "verify", *args, check=False)


def test_an_archive_whose_revisits_and_documents_resolve_passes(tmp_path: Path):
    store = tmp_path / "archive"
    refs = archive(store, None, b"first page" * 50, b"second page" * 50, b"first page" * 50)
    assert [r.record_type for r in refs] == ["response", "response", "revisit"]
    put_document(store, "a", pointer(refs[0]))
    put_document(store, "b", pointer(refs[2]))
    done = verify("--story", SLUG, "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert "1 of 1 WARC files passed" in done.stdout
    assert "2 of 2 documents point to a WARC record that is there" in done.stdout
    assert verify(str(store / "stories" / SLUG / "warc")).returncode == 0


def test_a_revisit_whose_original_is_not_in_the_store_fails_verify(tmp_path: Path):
    store = tmp_path / "archive"
    elsewhere = RevisitTarget("http://127.0.0.1:1/elsewhere", "2026-01-01T00:00:00.000000Z",
                              "<urn:uuid:00000000-0000-4000-8000-000000000000>")
    index = MemoryDigestIndex()
    index.add_many([(digest(b"seen in another store" * 50), elsewhere)])
    refs = archive(store, index, b"a page" * 50, b"seen in another store" * 50)
    assert refs[1].record_type == "revisit"
    for args in (["--story", SLUG, "--store", str(store)], [str(store / "stories" / SLUG / "warc")]):
        done = verify(*args)
        assert done.returncode == 1, done.stdout
        assert (f"at offset {refs[1].offset}: revisit of http://127.0.0.1:1/elsewhere at "
                "2026-01-01T00:00:00.000000Z: the original") in done.stderr
        assert "is not in this collection" in done.stderr


def test_a_revisit_naming_a_record_id_that_is_not_its_original_fails_verify(tmp_path: Path):
    store = tmp_path / "archive"
    original = archive(store, None, b"the original" * 50)[0]
    other = "<urn:uuid:11111111-1111-4111-8111-111111111111>"
    wrong_id = RevisitTarget(exchange(0).url, original.date or "", other)
    index = MemoryDigestIndex()
    index.add_many([(digest(b"the original" * 50), wrong_id)])
    revisit = archive(store, index, b"the original" * 50)[0]
    assert revisit.record_type == "revisit"
    done = verify("--story", SLUG, "--store", str(store))
    assert done.returncode == 1
    assert (f"at offset {revisit.offset}: revisit of {exchange(0).url} at {original.date}: no record "
            f"{other} where the index puts the original") in done.stderr


def test_documents_whose_warc_pointer_does_not_resolve_fail_verify(tmp_path: Path):
    store = tmp_path / "archive"
    refs = archive(store, None, b"one" * 500, b"two" * 500)
    size = (store / layout.warc_key(SLUG, refs[0].filename)).stat().st_size
    good = put_document(store, "good", pointer(refs[0]))
    past = put_document(store, "past", pointer(refs[1], offset=size + 10))
    moved = put_document(store, "moved", pointer(refs[1], offset=refs[0].offset))
    request = put_document(store, "request", pointer(refs[1], offset=refs[1].offset - 1, length=10))
    gone = put_document(store, "gone", pointer(refs[1], filename="v-gone.warc.gz"))
    done = verify("--story", SLUG, "--store", str(store))
    assert done.returncode == 1
    assert "1 of 1 WARC files passed" in done.stdout  # the WARC itself is fine
    assert "1 of 5 documents point to a WARC record that is there" in done.stdout
    problems = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in done.stderr.splitlines()}
    assert good not in problems
    assert problems[past].startswith(f"it points to {refs[1].filename} at offset {size + 10}")
    assert problems[past].endswith(f"outside the file ({size} bytes)")
    assert problems[moved].endswith(f"record {refs[0].record_id}, not {refs[1].record_id}")
    assert "where there is no whole WARC record" in problems[request]
    assert problems[gone] == "it points into v-gone.warc.gz, which is not in the store"
