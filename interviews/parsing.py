"""Whole numbers from request input: what int() reads, never what only looks like a number."""

from __future__ import annotations


def whole_number(value) -> int | None:
    """`value` as an int when it is a whole number, else None.

    A whole number is an int (not a bool) or text of decimal digits with an optional sign and
    surrounding spaces. "abc", "1.5", 1.5, "²" (a digit to str.isdigit(), not to int()), "",
    None, True and text longer than int() reads (4,300 digits) are not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits.isdecimal():
        return None
    try:
        return int(text)
    except ValueError:  # more digits than int() reads from text
        return None
