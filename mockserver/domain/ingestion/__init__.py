"""Case-metadata CSV uploads: file checks at upload, then QUEUED -> IN_PROGRESS -> terminal.

File-level problems (no header, missing Sample_ID/Case_ID columns, not UTF-8) refuse the whole
request (``csv_file``). Row-level problems are found when the job runs (``job``) and are
reported with the row's line number; the good rows still apply. The job is worked out ahead of
its due time where it can be, away from the workgroup's lock (``ahead``, keeping a
``prepared`` job on the workgroup), and ``steps`` is the step kind that moves the upload on.

This package's own module imports nothing: ``workgroup`` imports ``prepared``, and the other
modules import ``workgroup``.
"""
