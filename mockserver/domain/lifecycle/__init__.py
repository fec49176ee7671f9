"""The lifecycle engine: asynchronous steps that start, come due and complete.

``plans`` (when and how a step completes, as data), ``schedule`` (the due events, a heap),
``kinds`` (what one kind of step does: the interface) and ``engine`` (one workgroup's steps).
The kinds themselves live with what they change (``domain.processing``, ``domain.ingestion``)
and are listed in ``domain.step_kinds``.
"""
