"""An uploaded file's checks (suffix, UTF-8, CSV syntax, required columns) and its rows."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ... import fidelity
from ..errors import InvalidRequest
from ..pacing import Pacer

# A single cell may be as large as a whole accepted file (csv's default stops at 128 KiB).
csv.field_size_limit(max(csv.field_size_limit(), fidelity.MAX_UPLOAD_FILE_BYTES))

KNOWN_COLUMNS = ("Sample_ID", "Case_ID", "Tumor_Type", "Sample_Type", "Sex", "Tags", "Test_Definition")


@dataclass(frozen=True, slots=True)
class ParsedCsv:
    file_name: str
    size_bytes: int
    text: str
    header: tuple[str, ...]
    total_rows: int


#: One physical line at a time, any line ending kept (csv joins quoted multi-line fields).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _reader(text: str) -> Any:
    """csv rows of ``text``, read line by line: the file is never copied whole."""
    return csv.reader(m.group() for m in _LINE.finditer(text))


def parse_csv(file_name: str, data: bytes) -> ParsedCsv:
    """Check one uploaded file (suffix, UTF-8, CSV syntax, required columns) and count its rows;
    raise InvalidRequest if it is unusable. Rows are read again when the job runs."""
    if not file_name.lower().endswith(fidelity.CSV_SUFFIX):
        raise InvalidRequest(
            f"File '{file_name}' is not a CSV file; accepted file type: CSV.",
            [{"field": fidelity.UPLOAD_FIELD, "message": f"{file_name}: not a .csv file"}],
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(
            f"File '{file_name}' is not UTF-8 text (byte {exc.start}).",
            [{"field": fidelity.UPLOAD_FIELD, "message": f"{file_name}: not UTF-8"}],
        ) from None
    try:
        header = tuple(h.strip() for h in next(_reader(text), ()))
        total = 0
        pacer = Pacer()  # 100,000 rows are a fifth of a second of Python
        for _ in rows(text):
            pacer.tick()
            total += 1
    except csv.Error as exc:
        raise InvalidRequest(f"File '{file_name}' is not valid CSV: {exc}.") from None
    missing = [c for c in fidelity.REQUIRED_CSV_COLUMNS if c not in header]
    if missing:
        raise InvalidRequest(
            f"File '{file_name}' is missing the required column(s) {', '.join(missing)}; "
            f"the first row must name the columns and include {', '.join(fidelity.REQUIRED_CSV_COLUMNS)}.",
            [{"field": fidelity.UPLOAD_FIELD, "message": f"{file_name}: missing column {c}"} for c in missing],
        )
    return ParsedCsv(file_name, len(data), text, header, total)


def rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every non-blank row after the header; the header is line 1."""
    reader = _reader(text)
    next(reader, None)
    for cells in reader:
        if any(c.strip() for c in cells):
            yield reader.line_num, cells
