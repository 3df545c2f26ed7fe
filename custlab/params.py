"""Checks for the parameters of a notebook, run at its top so a bad value stops the
notebook with a sentence that says what to pass, before any work is done.

Examples
--------
>>> require_choice("time_unit", "W", {"D": "days", "W": "weeks", "M": "calendar months"})
'W'
>>> require_choice("time_unit", "Q", {"D": "days", "W": "weeks", "M": "calendar months"})
Traceback (most recent call last):
...
ValueError: time_unit='Q' is not offered here; pass one of 'D' (days), 'W' (weeks), 'M' (calendar months).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["require_choice", "require_range"]


def require_choice(name: str, value, choices: Mapping[str, str] | Sequence[str]):
    """Return ``value`` if it is one of ``choices``; otherwise raise ``ValueError`` listing them.

    Parameters
    ----------
    name : str
        The parameter's name, as the reader sets it.
    value
        The value given.
    choices : mapping or sequence
        The values offered; a mapping adds a meaning to each (shown in the message).
    """
    if value in choices:
        return value
    if isinstance(choices, Mapping):
        offered = ", ".join(f"{k!r} ({meaning})" for k, meaning in choices.items())
    else:
        offered = ", ".join(repr(k) for k in choices)
    raise ValueError(f"{name}={value!r} is not offered here; pass one of {offered}.")


def require_range(name: str, value, low, high, *, why: str = ""):
    """Return ``value`` if ``low <= value <= high``; otherwise raise ``ValueError`` saying why.

    Examples
    --------
    >>> require_range("fit_years", 7, 3, 11)
    7
    """
    if low <= value <= high:
        return value
    reason = f": {why}" if why else ""
    raise ValueError(f"{name}={value!r} is out of range; pass a value from {low} to {high}{reason}.")
