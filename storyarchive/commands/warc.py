"""`storyarchive warc verify PATH... | --story SLUG`: check the archive's WARC files, that
each revisit's original is in the collection and, with --story, that every document points
to a WARC record that is there.

Exit status 0 when every file passes, 1 when any problem is found (each printed as
"FILE at offset N: what is wrong"), 2 for a usage error.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from storyarchive.cli import UserError, add_settings_arguments, command_parser, store_from_args

_CHUNK = 8 << 20


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = command_parser(
        sub, "warc", help="WARC tools (verify)",
        description="Tools for the archive's WARC files: `verify` checks them.",
        example="storyarchive warc verify --story demo-dock-strike")
    wsub = p.add_subparsers(dest="warc_command", metavar="ACTION", required=True)
    v = command_parser(
        wsub, "verify", help="check WARC structure, digests and CDXJ agreement",
        description="Check WARC files: every record's structure and required fields, block and "
                    "payload digests, that the CDXJ index beside each file lists exactly its "
                    "records, and that each revisit's original is in the collection (the "
                    "story's indexes). With --story, also that every document of the story "
                    "points to a whole WARC record with its record id. Each problem is printed "
                    "as 'FILE at offset N: what is wrong'; exit status 1 when there is any.",
        example="storyarchive warc verify --story demo-dock-strike\n"
                "storyarchive warc verify archive/stories/demo-dock-strike/warc/")
    v.add_argument("paths", nargs="*", type=Path, help="WARC files or directories")
    v.add_argument("--story", metavar="SLUG", help="verify every WARC of a story in the store")
    v.add_argument("--no-index", action="store_true", help="do not require a CDXJ index beside each file")
    add_settings_arguments(v)
    v.set_defaults(func=run_verify)


def _download(store, key: str, dest: Path) -> Path:  # type: ignore[no-untyped-def]
    """Copy object `key` to `dest` in ranges (never the whole object in memory)."""
    size = store.size(key)
    with open(dest, "wb") as out:
        for off in range(0, size, _CHUNK):
            out.write(store.get_range(key, off, min(_CHUNK, size - off)))
    return dest


def run_verify(args: argparse.Namespace) -> int:
    from storyarchive import layout
    from storyarchive.warc.verify import FileReport, verify_file, warc_files

    if bool(args.paths) == bool(args.story):
        raise UserError("give WARC files/directories or --story SLUG (one of the two)")
    reports: list[FileReport] = []
    documents: list[str] = []
    checked = 0
    with tempfile.TemporaryDirectory(prefix="storyarchive-verify-") as tmp_dir:
        tmp = Path(tmp_dir)
        if args.paths:
            missing = [str(p) for p in args.paths if not p.exists()]
            if missing:
                raise UserError(f"no such file or directory: {', '.join(missing)}")
            files = warc_files(args.paths)
            if not files:
                raise UserError("no .warc.gz files found in the given paths")
            originals = _local_originals(files, tmp)
            reports = [verify_file(f, require_index=not args.no_index, originals=originals)
                       for f in files]
        else:
            try:
                layout.check_slug(args.story)
            except ValueError as exc:
                raise UserError(str(exc)) from exc
            _, store = store_from_args(args)
            keys = [
                k for k in store.list_keys(layout.story_prefix(args.story) + "warc/")
                if k.endswith(".warc.gz")
            ]
            if not keys:
                raise UserError(f"story {args.story!r} has no WARC files in {store.uri}")
            originals = _store_originals(store, args.story, tmp)
            for key in keys:
                name = key.rsplit("/", 1)[1]
                warc = store.local_path(key) or _download(store, key, tmp / name)
                ikey = layout.cdxj_key(args.story, name)
                index = None
                if store.exists(ikey):
                    index = store.local_path(ikey) or _download(store, ikey, tmp / (name + ".cdxj"))
                reports.append(verify_file(warc, index, name=key, require_index=not args.no_index,
                                           originals=originals))
                if warc.parent == tmp:
                    warc.unlink()
            checked, documents = _check_documents(store, args.story)
    bad = 0
    for r in reports:
        for found in r.problems:
            print(found, file=sys.stderr)
        bad += bool(r.problems)
        print(f"{'FAIL' if r.problems else 'ok  '} {r.file} ({r.records} records)")
    print(f"{len(reports) - bad} of {len(reports)} WARC files passed")
    if args.story:
        for problem in documents:
            print(problem, file=sys.stderr)
        print(f"{checked - len(documents)} of {checked} documents point to a WARC record "
              "that is there")
    return 1 if bad or documents else 0


def _store_originals(store, slug: str, tmp: Path):  # type: ignore[no-untyped-def]
    """An OriginalFinder over the story's indexes in `store` (None if it has none)."""
    from storyarchive import layout
    from storyarchive.replay.indexes import local_index_files, write_merged_index
    from storyarchive.warc.verify import OriginalFinder

    merged = tmp / "story-index.cdxj"
    write_merged_index(local_index_files(store, slug, tmp / "indexes"), merged)
    return OriginalFinder(
        merged, lambda name, offset, length: store.get_range(layout.warc_key(slug, name), offset, length))


def _local_originals(files: list[Path], tmp: Path):  # type: ignore[no-untyped-def]
    """An OriginalFinder for WARC files given as paths: over every index of their stories
    when they sit in a store's layout (stories/<slug>/warc/, beside ../indexes/), else over
    the indexes beside the files themselves; originals are read from those folders."""
    from storyarchive.replay.indexes import write_merged_index
    from storyarchive.warc.verify import OriginalFinder, index_path_for

    indexes: set[Path] = set()
    folders: set[Path] = set()
    for f in files:
        folders.add(f.parent.resolve())
        story_indexes = f.parent.parent / "indexes"
        if f.parent.name == "warc" and story_indexes.is_dir():
            indexes.update(p.resolve() for p in story_indexes.glob("*.cdxj"))
        else:
            own = index_path_for(f)
            if own is not None:
                indexes.add(own.resolve())
    merged = tmp / "given-index.cdxj"
    write_merged_index(sorted(indexes), merged)

    def read(name: str, offset: int, length: int) -> bytes:
        for folder in sorted(folders):
            path = folder / name
            if path.is_file():
                with open(path, "rb") as fh:
                    fh.seek(offset)
                    return fh.read(length)
        raise KeyError(name)

    return OriginalFinder(merged, read)


def _check_documents(store, slug: str) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    """(documents checked, problems): every stored version of every document of the story
    must point to a whole response/revisit record with its record id in a stored WARC.
    One document and one record in memory at a time."""
    import json

    from storyarchive import layout
    from storyarchive.warc.verify import pointer_problem

    sizes: dict[str, int | None] = {}

    def size_of(name: str) -> int | None:
        if name not in sizes:
            try:
                sizes[name] = store.size(layout.warc_key(slug, name))
            except (KeyError, ValueError):
                sizes[name] = None
        return sizes[name]

    def read(name: str, offset: int, length: int) -> bytes:
        return store.get_range(layout.warc_key(slug, name), offset, length)  # type: ignore[no-any-return]

    problems, checked = [], 0
    for key in store.list_keys(layout.story_prefix(slug) + "articles/"):
        if not key.endswith(".json"):
            continue
        checked += 1
        try:
            doc = json.loads(store.get_bytes(key))
        except ValueError as exc:
            problems.append(f"{key}: not a JSON document ({exc})")
            continue
        wrong = pointer_problem(doc.get("warc") if isinstance(doc, dict) else None, size_of, read)
        if wrong:
            problems.append(f"{key}: {wrong}")
    return checked, problems
