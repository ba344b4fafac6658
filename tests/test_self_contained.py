"""A fresh clone alone runs the tests: no test reads a file outside the repository (the
fixtures they need live in tests/fixtures/ and demoweb/)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# A path built to leave the repository: "../shared", "shared/fixtures", or a parent of the
# repository root (parents[N].parent from a test file, REPO.parent).
OUTSIDE = re.compile(
    r"""\.\./shared|shared/fixtures|["']shared["']\s*/\s*["']fixtures|parents\[\d\]\.parent|REPO\.parent""")


def test_no_test_reads_files_outside_the_repository():
    offenders = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        if path == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders, "tests reach outside the repository:\n" + "\n".join(offenders)


def test_the_fixture_article_is_in_the_repository():
    fixture = REPO / "tests" / "fixtures" / "000_e8344a3bda362c86.txt"
    from demoweb.fixture_text import PARAGRAPHS

    assert fixture.read_text(encoding="utf-8").split("\n")[0].startswith(PARAGRAPHS[0][:40])
