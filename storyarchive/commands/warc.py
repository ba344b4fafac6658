"""`storyarchive warc verify PATH... | --story SLUG`: check the archive's WARC files.

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
                    "payload digests, revisit targets, and that the CDXJ index beside each file "
                    "lists exactly its records. Each problem is printed as 'FILE at offset N: "
                    "what is wrong'; exit status 1 when there is any.",
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
    if args.paths:
        missing = [str(p) for p in args.paths if not p.exists()]
        if missing:
            raise UserError(f"no such file or directory: {', '.join(missing)}")
        files = warc_files(args.paths)
        if not files:
            raise UserError("no .warc.gz files found in the given paths")
        reports = [verify_file(f, require_index=not args.no_index) for f in files]
    else:
        try:
            layout.check_slug(args.story)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
        _, store = store_from_args(args)
        keys = [
            k for k in store.list_keys(layout.story_prefix(args.story) + "warc/") if k.endswith(".warc.gz")
        ]
        if not keys:
            raise UserError(f"story {args.story!r} has no WARC files in {store.uri}")
        with tempfile.TemporaryDirectory(prefix="storyarchive-verify-") as tmp:
            for key in keys:
                name = key.rsplit("/", 1)[1]
                warc = store.local_path(key) or _download(store, key, Path(tmp) / name)
                ikey = layout.cdxj_key(args.story, name)
                index = None
                if store.exists(ikey):
                    index = store.local_path(ikey) or _download(store, ikey, Path(tmp) / (name + ".cdxj"))
                reports.append(verify_file(warc, index, name=key, require_index=not args.no_index))
                if warc.parent == Path(tmp):
                    warc.unlink()
    bad = 0
    for r in reports:
        for problem in r.problems:
            print(problem, file=sys.stderr)
        bad += bool(r.problems)
        print(f"{'FAIL' if r.problems else 'ok  '} {r.file} ({r.records} records)")
    print(f"{len(reports) - bad} of {len(reports)} WARC files passed")
    return 1 if bad else 0
