"""What a notebook does with its parameters: checks run at its top, so a bad value stops
the notebook with a sentence that says what to pass before any work is done; and
:func:`warnings_as_notes`, which shows the warnings of a fit as plain sentences (a
parameter value can make a fit fail to converge, and a student should read why, not a
traceback-like stderr block with the kernel's temporary paths in it).

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

import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

__all__ = ["require_choice", "require_range", "warnings_as_notes"]


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


@contextmanager
def warnings_as_notes(label: str = "") -> Iterator[list[str]]:
    """Catch the warnings raised inside the block and print each as one plain line.

    Yields the list of messages (filled when the block ends), so the notebook can also
    act on them.

    Examples
    --------
    >>> with warnings_as_notes("BG/NBD") as notes:
    ...     warnings.warn("the estimates ran to the edge of the parameter space")
    Note (BG/NBD): the estimates ran to the edge of the parameter space
    >>> notes
    ['the estimates ran to the edge of the parameter space']
    """
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield notes
    for w in caught:
        message = str(w.message)
        if message not in notes:
            notes.append(message)
            print(f"Note{f' ({label})' if label else ''}: {message}")
