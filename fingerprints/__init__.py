"""Fingerprints: declarative data describing AI products, validated and compiled once.

One YAML file per vendor or product family lives under ``vendors/``, ``frameworks/`` or
``platforms/``; the file stem is its id. :func:`fingerprints.catalog.load_catalog` loads them all.
"""
