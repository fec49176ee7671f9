"""The domain: cases, statuses, lifecycle, clock and store, in plain Python.

Imports only the standard library and ``mockserver.fidelity``: no Flask, marshmallow or Faker,
so every rule here is unit-testable without HTTP.
"""
