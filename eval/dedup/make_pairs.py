"""Build eval/dedup/pairs.jsonl from corpus.py by scripted, seeded transformations.

    python -m eval.dedup.make_pairs          (rewrites pairs.jsonl; deterministic)

Each line: {"id", "kind", "label", "a", "b", "note"}; label is what a careful editor would
say: "same" (one text, formatting aside), "near" (one text, lightly edited: should be
collapsed as wire copy) or "different" (must not be collapsed). Kinds:

    exact          same   a paragraph and itself
    format         same   1-3 of: curly/straight quotes, extra/odd whitespace and NBSP, case
                          changes, punctuation dropped or changed, full-width characters
    edit-1/2/3     near   that many word substitutions, insertions or deletions (a sub-editor's
                          touch); numbers are never touched
    truncation     near   the paragraph cut short: last sentence(s) dropped, or cut mid-way
                          at 60-85% of its words
    extension      near   an outlet added a sentence or clause at the end
    number-change  different  same paragraph with one figure changed (an updated toll is news)
    shared-quote   different  two different paragraphs quoting the same official (corpus.QUOTES),
                          also with formatting variants on one side
    paraphrase     different  the same fact reported independently in other words (corpus.PARAPHRASES)
    template       different  two briefs from one template with different figures/days
    unrelated      different  two different paragraphs of the same story or topic
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from eval.dedup.corpus import BRIEF_TEMPLATES, PARAGRAPHS, PARAPHRASES, QUOTES

HERE = Path(__file__).parent
FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "000_e8344a3bda362c86.txt"
FIXTURE_COPY = HERE / "fixture_paragraphs.txt"

SUBSTITUTES = {
    "said": "added", "several": "many", "largest": "biggest", "called": "urged", "would": "will",
    "expected": "due", "officials": "authorities", "reported": "recorded", "sharp": "steep",
    "warned": "cautioned", "demanding": "seeking", "early": "initial", "country": "nation",
    "began": "started", "including": "such as", "hundreds": "scores", "government": "authorities",
    "strike": "attack", "killed": "dead", "however": "but", "president": "leader",
    "long": "lengthy", "major": "big", "widely": "broadly", "efforts": "attempts",
    "concerns": "worries", "likely": "expected", "support": "backing", "only": "just",
}
INSERTS = ["also", "reportedly", "still", "now", "already", "further", "again", "recently"]
ADDED_SENTENCES = [
    "The ministry did not respond to a request for comment.",
    "Local media carried live coverage throughout the day.",
    "The story is developing and will be updated.",
    "Additional reporting was provided by our correspondent in the region.",
    "Officials said more information would be released on Tuesday.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "October", "November"]


def _sentences(text: str) -> list[str]:
    return re.split(r"(?:(?<=[.!?])|(?<=[.!?][\"”]))\s+(?=[A-Z\"“])", text)


def _is_number(word: str) -> bool:
    return any(c.isdigit() for c in word)


def fmt_variant(text: str, rng: random.Random) -> tuple[str, str]:
    ops = rng.sample(["quotes", "space", "case", "punct", "width"], rng.randint(1, 3))
    t = text
    for op in ops:
        if op == "quotes":
            if '"' in t or "'" in t:
                t = t.replace("'", "’")
                parts = t.split('"')
                t = "".join(p + ("“" if i % 2 == 0 else "”") for i, p in enumerate(parts[:-1]))
                t += parts[-1]
            else:
                t = t.replace("’", "'")
        elif op == "space":
            words = t.split(" ")
            t = "".join(w + rng.choice([" ", " ", "  ", "\u00a0", "\n"]) for w in words).strip()
            t = "  " + t + " \n"
        elif op == "case":
            mode = rng.choice(["upper-lead", "lower", "upper"])
            if mode == "upper":
                t = t.upper()
            elif mode == "lower":
                t = t.lower()
            else:
                w = t.split(" ")
                t = " ".join([x.upper() for x in w[:5]] + w[5:])
        elif op == "punct":
            t = t.replace(",", "").replace("–", "-").replace(" - ", " — ").rstrip(".")
            t = t.replace(";", ",")
        elif op == "width":
            t = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() or c == "%" else c for c in t)
            t = t.replace("fi", "\ufb01")
    return t, "+".join(ops)


def word_edits(text: str, n: int, rng: random.Random) -> tuple[str, str]:
    words = text.split(" ")
    done: list[str] = []
    used: set[int] = set()
    tries = 0
    while len(done) < n and tries < 200:
        tries += 1
        i = rng.randrange(len(words))
        if i in used or _is_number(words[i]):
            continue
        core = words[i].strip(".,;:\"“”'’()").lower()
        op = rng.choice(["sub", "sub", "ins", "del"])
        if op == "sub" and core in SUBSTITUTES:
            words[i] = words[i].replace(core, SUBSTITUTES[core]) if core in words[i] else \
                SUBSTITUTES[core]
            done.append(f"sub {core}->{SUBSTITUTES[core]}")
        elif op == "ins":
            words.insert(i, rng.choice(INSERTS))
            used = {u + 1 if u >= i else u for u in used}
            done.append(f"ins@{i}")
        elif op == "del" and len(core) > 2 and words[i][-1:] not in ".,;:\"”" and i > 0:
            done.append(f"del {words[i]}")
            del words[i]
            used = {u - 1 if u > i else u for u in used}
            continue
        else:
            continue
        used.add(i)
    return " ".join(words), "; ".join(done)


def truncate(text: str, rng: random.Random) -> tuple[str, str] | None:
    sents = _sentences(text)
    words = text.split(" ")
    if len(sents) > 1:
        keep = sents[: max(1, len(sents) - rng.randint(1, max(1, len(sents) - 1)))]
        out = " ".join(keep)
        if len(out.split()) >= 0.5 * len(words):
            return out, f"kept {len(keep)}/{len(sents)} sentences"
    if len(words) < 16:
        return None
    cut = int(len(words) * rng.uniform(0.6, 0.85))
    return " ".join(words[:cut]) + "…", f"cut at {cut}/{len(words)} words"


def change_number(text: str, rng: random.Random) -> tuple[str, str] | None:
    nums = list(re.finditer(r"\d+(?:\.\d+)?", text))
    if not nums:
        return None
    m = rng.choice(nums)
    old = m.group(0)
    new = str(int(float(old)) + rng.randint(1, 9)) if "." not in old else f"{float(old) + 0.3:.1f}"
    return text[: m.start()] + new + text[m.end():], f"{old}->{new}"


def brief(template: str, rng: random.Random) -> str:
    return template.format(
        dir=rng.choice(["rose", "fell"]), dir2=rng.choice(["rose", "fell"]),
        pct=f"{rng.uniform(0.1, 3.5):.1f}", rate=f"{rng.uniform(2.0, 9.5):.1f}",
        day=rng.choice(DAYS), month=rng.choice(MONTHS), jobs=f"{rng.randint(5, 90) * 1000:,}",
        mag=f"{rng.uniform(4.0, 7.5):.1f}", time=f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        score=f"{rng.randint(0, 5)}-{rng.randint(0, 4)}", points=rng.randint(20, 80),
        pos=rng.choice(["first", "second", "third", "fifth", "ninth"]), left=rng.randint(2, 12),
    )


def build() -> list[dict[str, str]]:
    rng = random.Random(20260124)
    if FIXTURE.exists():
        lines = [x for x in FIXTURE.read_text().splitlines() if x.strip()]
        fixture = list(dict.fromkeys(lines))
        FIXTURE_COPY.write_text("\n".join(fixture) + "\n")
    else:
        fixture = FIXTURE_COPY.read_text().splitlines()
    paras = fixture + PARAGRAPHS
    pairs: list[dict[str, str]] = []

    def add(kind: str, label: str, a: str, b: str, note: str = "") -> None:
        pairs.append({"id": f"{kind}-{len(pairs):04d}", "kind": kind, "label": label,
                      "a": a, "b": b, "note": note})

    for p in paras:
        add("exact", "same", p, p)
    for p in paras:
        for _ in range(2):
            t, note = fmt_variant(p, rng)
            add("format", "same", p, t, note)
    for p in paras:
        for n in (1, 2, 3):
            t, note = word_edits(p, n, rng)
            if t != p:
                add(f"edit-{n}", "near", p, t, note)
    for p in paras:
        r = truncate(p, rng)
        if r:
            add("truncation", "near", p, r[0], r[1])
    for p in paras[::2]:
        s = rng.choice(ADDED_SENTENCES)
        add("extension", "near", p, p + " " + s, "added: " + s)
    for p in paras:
        r = change_number(p, rng)
        if r:
            add("number-change", "different", p, r[0], r[1])
    for quote, frames in QUOTES:
        texts = [f.format(q=quote) for f in frames]
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                add("shared-quote", "different", texts[i], texts[j], quote)
                t, note = fmt_variant(texts[j], rng)
                add("shared-quote", "different", texts[i], t, quote + " / " + note)
    for a, b in PARAPHRASES:
        add("paraphrase", "different", a, b)
        t, note = fmt_variant(b, rng)
        add("paraphrase", "different", a, t, note)
    for tpl in BRIEF_TEMPLATES:
        for _ in range(8):
            a, b = brief(tpl, rng), brief(tpl, rng)
            if a != b:
                add("template", "different", a, b)
    for i in range(len(paras)):
        j = (i + 1) % len(paras)
        add("unrelated", "different", paras[i], paras[j], "neighbours in the corpus")
        k = rng.randrange(len(paras))
        if k != i:
            add("unrelated", "different", paras[i], paras[k], "random")
    return pairs


def main() -> None:
    pairs = build()
    out = HERE / "pairs.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for p in pairs:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for p in pairs:
        kinds[p["kind"]] = kinds.get(p["kind"], 0) + 1
    print(f"wrote {len(pairs)} pairs to {out}: {kinds}")


if __name__ == "__main__":
    main()
