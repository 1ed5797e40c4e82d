"""QR codes as inline SVG (segno; no script, no image request, printable)."""

from __future__ import annotations

import segno


def qr_svg(text: str, scale: int = 4) -> str:
    """An <svg> element (no XML declaration) encoding `text`, error correction M."""
    return segno.make(text, error="m", micro=False).svg_inline(scale=scale, border=2, dark="#000", title="明白卡查询二维码")
