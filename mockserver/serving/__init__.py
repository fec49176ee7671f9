"""The serving process: waitress and its connection faults, the access log, and what logs may keep
(redaction). Imports nothing of the app but its settings."""
