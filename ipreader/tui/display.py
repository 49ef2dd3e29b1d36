"""Helpers that make user text safe and compact to show in one-line widgets."""

from __future__ import annotations

import re

# C0 controls (except tab and newline), DEL and C1 controls: shown as visible
# symbols so an ESC sequence in an article can never reach the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures" block: ␛, ␀, ...
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


def visible(text: str) -> str:
    """Return ``text`` with control characters replaced by visible symbols."""
    return _CONTROL.sub(_picture, text)


def one_line(text: str, limit: int) -> str:
    """Return ``text`` on one line (whitespace collapsed), cut to ``limit`` characters with "…"."""
    flat = visible(" ".join(text.split()))
    if len(flat) > limit:
        return flat[: max(0, limit - 1)].rstrip() + "…"
    return flat
