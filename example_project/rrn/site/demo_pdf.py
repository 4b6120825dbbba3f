"""A one-page PDF with a title and paragraphs, written by hand.

The demo's member resources are real PDF documents without a PDF library or any
download: plain text set in Helvetica, wrapped to the page width.
"""

from __future__ import annotations

import textwrap


def _escape(text: str) -> str:
    text = text.encode("latin-1", "replace").decode("latin-1")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def one_page_pdf(title: str, paragraphs: list[str]) -> bytes:
    """A valid single-page A4 PDF (PDF 1.4) showing ``title`` and ``paragraphs``."""
    lines = ["BT", "/F2 18 Tf", "56 780 Td", f"({_escape(title)}) Tj", "/F1 11 Tf", "0 -30 Td"]
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, 88):
            lines += [f"({_escape(line)}) Tj", "0 -15 Td"]
        lines.append("0 -8 Td")
    lines.append("ET")
    stream = "\n".join(lines).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref,
    )
    return bytes(out)
