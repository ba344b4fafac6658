"""The end-of-crawl summary printed by `storyarchive crawl`, `capture` and `demo`."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from storyarchive.runner import CrawlResult


def plural(n: int, noun: str) -> str:
    """'1 document', '2 documents', '0 documents' (nouns that take an s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _rejections(result: CrawlResult) -> Counter[str]:
    counts: Counter[str] = Counter()
    for key, value in result.stats.items():
        for prefix in ("storyarchive/rejected/", "storyarchive/skipped/"):
            if key.startswith(prefix):
                counts[key[len(prefix) :]] += int(value)
    return counts


def _relevance_reasons(result: CrawlResult) -> Counter[str]:
    reasons: Counter[str] = Counter()
    record = result.record
    for entry in getattr(record, "skipped", []) or []:
        reason = str(entry.get("reason", ""))
        if "term" in reason or "score" in reason:
            reasons[reason] += 1
    return reasons


def format_summary(result: CrawlResult, title: str) -> str:
    stats = result.stats
    record = result.record
    docs: list[dict[str, Any]] = list(getattr(record, "documents", []) or [])
    outlets = sorted({d.get("outlet") or urlsplit(d["canonical_url"]).netloc for d in docs})
    elapsed = stats.get("elapsed_time_seconds", 0.0)
    slug = getattr(result.spider, "story_slug", "?")
    interrupted = result.finish_status == "interrupted"
    lines = [
        f"{title}: crawl {getattr(result.spider, 'crawl_id', '?')} of '{slug}' "
        + (f"interrupted after {elapsed:.1f} s" if interrupted else f"finished in {elapsed:.1f} s")
    ]
    answered = stats.get("storyarchive/resume/answered", 0)
    lines.append(
        f"  fetched          {stats.get('response_received_count', 0) - answered} responses, "
        f"{stats.get('downloader/response_bytes', 0) / 1e6:.2f} MB"
        + (f" (resumed: {answered} more answered from the crawl's own WARCs)" if answered else "")
    )
    lines.append(f"  outlets          {len(outlets)}" + (f" ({', '.join(outlets)})" if outlets else ""))
    kept = len(docs) if record is not None else int(stats.get("storyarchive/store/kept", 0))
    by = stats.get("storyarchive/finish/by")  # a distributed crawl another worker finished
    n_docs = int(stats.get("storyarchive/finish/documents", 0)) if by and record is None else len(docs)
    if by and record is None:
        lines.append(f"  articles kept    {kept} by this worker; {n_docs} documents in all, "
                     f"written by worker {by}")
    else:
        lines.append(f"  articles kept    {kept}"
                     + ("" if record is not None else " (journaled; no documents yet)"))
    rejections = _rejections(result)
    total = sum(rejections.values())
    detail = " · ".join(f"{k} {v}" for k, v in sorted(rejections.items()))
    lines.append(f"  rejected         {total}" + (f" ({detail})" if detail else ""))
    for reason, n in sorted(_relevance_reasons(result).items()):
        lines.append(f"    off-topic: {n} × {reason}")
    errors = {k.split("/")[-1]: v for k, v in stats.items() if k.startswith("storyarchive/errors/")}
    if errors:
        lines.append("  errors           " + " · ".join(f"{k} {v}" for k, v in sorted(errors.items())))
    dedup = getattr(record, "dedup", None)
    if dedup:
        lines.append("  dedup            " + format_dedup(dedup))
    warc_files = stats.get("storyarchive/warc/files")
    if warc_files is not None:
        lines.append(
            f"  warc             {plural(int(warc_files), 'file')}, "
            f"{plural(int(stats.get('storyarchive/warc/records', 0)), 'record')}, "
            f"{plural(int(stats.get('storyarchive/warc/revisits', 0)), 'revisit')} (payloads seen before)"
        )
    if interrupted:
        lines.append(f"  left to do       {_left_to_do(stats, slug)}")
    written = "no documents yet" if interrupted and record is None else plural(n_docs, "document")
    lines.append(f"  files            {result.store_uri}/stories/{slug}/ ({written})")
    spooled = getattr(record, "spooled", None)
    if spooled:
        lines.append(
            f"  spooled          {len(spooled)} documents wait in the spool (store unavailable); "
            "run `storyarchive store sync`"
        )
    return "\n".join(lines)


def _left_to_do(stats: dict[str, Any], slug: str) -> str:
    """What an interrupted crawl has still to do: the requests its frontier held when it
    stopped (Scrapy's scheduler counts), and the command that does it."""
    left = max(int(stats.get("scheduler/enqueued", 0)) - int(stats.get("scheduler/dequeued", 0)), 0)
    fetch = f"about {plural(left, 'request')} not fetched yet; " if left else ""
    return (f"{fetch}`storyarchive resume {slug}` fetches "
            + ("them" if left else "what is left") + " and writes the documents")


def not_captured(report: Any, urls: list[str]) -> list[tuple[str, str]]:
    """(url, why) for each of `urls` a capture could not archive: robots.txt forbids it,
    its address is refused (a capture queued from the web view: loopback, private or
    metadata addresses), or nothing answered (a dead host, a name that does not resolve,
    a timeout). A page
    that answered, even with an error status, is archived and not listed."""
    reasons = {str(e.get("url")): e for e in getattr(report, "rejected", None) or []}
    out = []
    for url in dict.fromkeys(urls):
        entry = reasons.get(url) or {}
        reason = str(entry.get("reason") or "")
        if reason.startswith("robots.txt"):
            out.append((url, "forbidden by robots.txt (`capture --ignore-robots` fetches it, "
                             "if you have the right to archive it)"))
        elif reason.startswith("forbidden-address"):
            out.append((url, f"refused: {reason.partition(': ')[2]}"))
        elif reason.startswith("error:"):
            out.append((url, f"no answer: {entry.get('detail') or reason}"))
    return out


def format_not_captured(missed: list[tuple[str, str]], given: int) -> str:
    """The summary lines of not_captured's result, for a capture of `given` URLs."""
    lines = [f"  not captured     {len(missed)} of {plural(given, 'URL')}"]
    lines += [f"    {url}: {why}" for url, why in missed]
    return "\n".join(lines)


def format_outcome(outcome: Any, title: str) -> str:
    """The summary of `storyarchive crawl`/`capture`/`resume`/`finish` (a
    runner.CrawlOutcome): the crawl's summary, or the finish stage's when only that ran."""
    if outcome.result is not None:
        text = format_summary(outcome.result, title)
    else:
        report = outcome.report
        docs = list(getattr(report, "documents", []) or [])
        lines = [f"{title}: crawl {outcome.crawl_id} of '{outcome.slug}'"]
        if report is not None:
            written = sum(1 for d in docs if d["written"])
            lines.append(f"  articles         {len(docs)} ({written} written now)")
            if report.dedup:
                lines.append("  dedup            " + format_dedup(report.dedup))
            if report.spooled:
                lines.append(f"  spooled          {len(report.spooled)} files wait in the spool "
                             "(store unavailable); run `storyarchive store sync`")
        text = "\n".join(lines)
    return text + f"\n  status           {_status_text(outcome)}"


_FINISHED_AS = {  # the manifest's status, when the documents are written
    "finished": "finished",
    "resumed": "finished (resumed after a stop)",
    "failed": "finished (completing a finish that had failed)",
    "interrupted": "finished with what was fetched (fetching had not completed)",
}


def _status_text(outcome: Any) -> str:
    if outcome.status == "finished" and outcome.report is not None:
        return _FINISHED_AS.get(outcome.report.status, outcome.report.status)
    return str(outcome.status)


def format_dedup(dedup: dict[str, Any]) -> str:
    """One line from a DedupSummary.to_dict(): blocks seen and collapsed per tier."""
    seen = dedup.get("blocks_seen", dedup.get("blocks", "?"))
    tiers = dedup.get("collapsed") or dedup.get("by_relation") or {}
    parts = [f"{k} {v}" for k, v in tiers.items()]
    clusters = dedup.get("clusters")
    n_clusters = len(clusters) if isinstance(clusters, list) else clusters
    return (
        f"blocks {seen}; collapsed: "
        + (" · ".join(parts) or "none")
        + (f"; syndication clusters {n_clusters}" if n_clusters else "")
    )
