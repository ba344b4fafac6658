"""The web view (`storyarchive web`): an ASGI application over the archive store: stories,
coverage timelines, outlets, syndication, article versions with diffs, full-text search,
on-demand capture behind a token, exports. See app.py for its URLs."""
