"""The WARC recorder: every HTTP exchange of every spider, as WARC/1.1.

Modules, one concept each:
    digests    the payload/block digest algorithm (sha1, base32) used everywhere
    records    pure functions building WARC record bytes (warcinfo, request, response, revisit)
    writer     one open WARC file, and the rotating writer (spool, naming, close, delivery)
    revisits   the persistent payload-digest index (interface, SQLite and Redis backends)
    cdxj       CDXJ index lines (pywb-compatible)
    recover    recovery of a `*.warc.gz.open` left by a killed process
    verify     structure, digest and index checks of closed WARC files
    wacz       WACZ 1.1.1 packaging of a story's captures
    middleware the Scrapy downloader middleware (thin adapter)
    handler    Scrapy's HTTP/1.1 download handler plus the raw response head
    bodylimit  the Scrapy extension that cuts bodies above STORYARCHIVE_MAX_BODY_BYTES
"""
