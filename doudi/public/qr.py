"""QR codes as inline SVG (segno; no script, no image request, printable)."""
from __future__ import annotations

import io

import segno


def qr_svg(text: str, scale: int = 4) -> str:
    """An <svg> element (no XML declaration) encoding `text`, error correction M."""
    out = io.StringIO()
    segno.make(text, error="m", micro=False).save(out, kind="svg", scale=scale, xmldecl=False, svgns=True,
                                                   title="明白卡查询二维码", border=2, dark="#000")
    return out.getvalue()
