"""The draft report as a PDF: a small, valid PDF of text lines, one page per 50 lines, Helvetica,
no compression, and no creation date, so the same report gives the same bytes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..domain.models import Case

LINES_PER_PAGE = 50


def _escaped(text: str) -> str:
    # Helvetica's standard encoding: keep to printable ASCII, escape what PDF strings reserve.
    plain = "".join(c if 32 <= ord(c) < 127 else "?" for c in text)
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(title: str, lines: Sequence[str]) -> bytes:
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    font = 3
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, once the pages are numbered
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    page_numbers = []
    for page in pages:
        text = ["BT", "/F1 10 Tf", "12 TL", "50 790 Td"]
        text += [f"({_escaped(line)}) '" for line in page]
        text.append("ET")
        stream = "\n".join(text).encode("ascii")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (len(objects), font))
        page_numbers.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % n for n in page_numbers), len(page_numbers))
    objects.append(b"<< /Title (%s) /Producer (ICI mock server) >>" % _escaped(title).encode("ascii"))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, len(objects), xref)
    return bytes(out)


def draft_report_pdf(case: Case, details: dict[str, Any]) -> bytes:
    """The report's lines (``details``: its ``reportDetails`` as the report JSON serves them)."""
    lines = [
        f"Draft report - case {case.display_id}",
        f"Case ID: {case.id}",
        f"Disease: {', '.join(d.name for d in case.diseases) or 'Not provided'}",
        f"Workflow: {case.workflow_name or 'Not provided'}",
        f"Status: {details['editStatus']} (version {details['reportVersion']})",
        "",
        "Reported variants:",
        *(f"  {v['gene']} {v['variantType']} {v['transcript']['name']} {v['transcript']['hgvsc'] or ''} "
          f"{v['transcript']['hgvsp'] or ''} {v['associations'][0]['actionabilityName']}".rstrip()
          for v in details["variants"]),
        "",
        *(f"Approved by {h['approvedByName']} on {h['approvedDate']} (version {h['version']})"
          for h in details["reportHistory"]),
    ]
    return text_pdf(f"Draft report {case.display_id}", lines)
