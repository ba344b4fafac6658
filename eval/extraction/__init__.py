"""Extraction evaluation set: hand-written article pages with hand-checked expected bodies.

`python -m eval.extraction` scores trafilatura's presets and our `extract_article` on it
(token-level bag-of-words precision / recall / F1) and writes .bench/extraction-eval.json.
"""
