"""Extraction: claims with character spans from cleaned article text (DESIGN §3–5).

Each module finds one kind of fact and is a pure function over text; offsets always
refer to ``Article.clean_text``.
"""
