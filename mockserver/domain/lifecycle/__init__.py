"""The lifecycle engine: asynchronous steps that start, come due and complete.

``plans`` (when and how a step completes, as data), ``schedule`` (the due events, a heap),
``kinds`` (what one kind of step does, and ``StepKinds``, a server's registry of them) and
``engine`` (one workgroup's steps). The engine imports nothing of the domain above it: a kind
is told its owner (a workgroup) as a type parameter. The kinds themselves live with what they
change (``domain.processing``, ``domain.ingestion.steps``, ``domain.signoff``) and are
registered in ``domain.step_kinds``.
"""
