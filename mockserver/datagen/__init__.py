"""Deterministic data: SNOMED CT catalogue, generated cases, QC overviews, fixture cases.

Imports the domain, the shared schemas and Faker; never the HTTP layers.
"""
