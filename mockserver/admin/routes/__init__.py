"""The control plane's routes under /_mock/: data (state, workgroups, cases), lifecycle (clock,
plans, steps) and traffic (latency, faults, the journal)."""
