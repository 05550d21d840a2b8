"""Precedents: the official algorithm filing lists (2022-2026), shipped and searchable offline.

* :mod:`engine.precedents.rows` reads the lists (package data, ``data/*.csv``) and normalises
  each row into the tool's vocabulary (type, sub-type, role, product forms, cancelled);
* :mod:`engine.precedents.index` builds an SQLite FTS5 index (trigram tokenizer: Chinese needs
  no segmenter) at first use, caches it in the user's cache folder keyed by the data's hash, and
  answers queries;
* :mod:`engine.precedents.keywords` turns a one-sentence description into behaviour ids by
  keyword rules kept as data (``rules/behaviour_keywords.yaml``);
* :mod:`engine.precedents.similar` combines both: the nearest filings, why each matched, and a
  suggested type and behaviours (:func:`engine.precedents.similar.similar`).

No server, no network, no model download.
"""
