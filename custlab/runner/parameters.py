"""Parameter values for notebook runs, read as the notebook's annotations say.

A value comes from ``-p NAME VALUE`` on the command line or from a YAML file
given with ``--params``. Either way it is kept as the text that was written
(:class:`Given`) until the notebook it goes to is known, and then converted
by the annotation of that notebook's parameter (``x: int = 1``), which
papermill reports as ``inferred_type_name``:

- ``str``: the text as written. ``-p customer_col no`` is the text ``"no"``;
  never YAML 1.1's ``False``.
- ``int``: a whole number in decimal, ``-p seed 0012`` is 12 (not YAML 1.1's
  octal 10).
- ``float``: a finite decimal number (``0.1``, ``1e-3``, ``2``).
- ``bool``: ``true``/``false``, ``yes``/``no`` or ``1``/``0``, in any case.
- any other annotation, or none: the value as YAML reads it.

Values in a ``--params`` file are converted the same way, from the text of
each scalar as it is written in the file, so the conversion is lossless:
``customer_col: no`` gives the text ``"no"`` to a ``str`` parameter and
``window_start: 2024-01-01`` the text ``"2024-01-01"``. An empty value
(``key:``, ``~`` or ``null``) is refused for these four types, with a hint to
write ``''`` for an empty text. A value that does not fit its type is refused
before anything runs, with a message naming the parameter, its type and
where the value came from.

A ``str`` value that names an existing file or folder relative to the folder
the command was run from is made absolute (:func:`absolute_paths`), because
papermill runs each kernel in the notebook's own folder.

Examples
--------
>>> convert_value("seed", given("0012"), "int")
12
>>> convert_value("customer_col", given("no"), "str")
'no'
>>> convert_value("sample", given("No"), "bool")
False
>>> convert_value("seed", given("abc", where="-p seed"), "int")
Traceback (most recent call last):
...
custlab.runner.parameters.ParameterError: -p seed: seed is an int parameter; 'abc' is not a whole number.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "Given",
    "ParameterError",
    "given",
    "from_command_line",
    "load_parameter_sets",
    "convert_value",
    "typed_parameters",
    "absolute_paths",
]

TYPES = ("str", "int", "float", "bool")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_NULL_TAG = "tag:yaml.org,2002:null"


class ParameterError(ValueError):
    """A parameter value that cannot be given to the notebook; the message says what to pass."""


@dataclasses.dataclass(frozen=True)
class Given:
    """A parameter value as it was written, before its notebook's annotation converts it.

    Attributes
    ----------
    text : str or None
        The text of the value (a YAML scalar's text); None for a YAML list or mapping.
    value : Any
        The value as YAML reads it, used for parameters without a ``str``,
        ``int``, ``float`` or ``bool`` annotation.
    where : str
        Where the value was written, for messages: ``"-p seed"`` or
        ``"grid.yaml, set 2, seed"``.
    null : bool
        True when YAML reads the value as empty (``key:``, ``~``, ``null``).
    """

    text: str | None
    value: Any
    where: str
    null: bool = False


def given(text: str, where: str = "value") -> Given:
    """A :class:`Given` for a value typed on the command line (never empty, never null).

    Examples
    --------
    >>> given("0.5").value
    0.5
    """
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = text
    return Given(text=text, value=value, where=where)


def from_command_line(pairs: list[list[str]] | list[tuple[str, str]]) -> dict[str, Given]:
    """``-p NAME VALUE`` pairs as :class:`Given` values; a name given twice keeps the last.

    Examples
    --------
    >>> from_command_line([("seed", "3")])["seed"].text
    '3'
    """
    return {name: given(text, where=f"-p {name}") for name, text in pairs}


def _scalar(node: yaml.Node, data: Any, where: str) -> Given:
    if isinstance(node, yaml.ScalarNode):
        quoted = node.style in ("'", '"')
        null = node.tag == _NULL_TAG and not quoted
        return Given(text=node.value, value=data, where=where, null=null)
    return Given(text=None, value=data, where=where)


def load_parameter_sets(path: str | Path | None, overrides: dict[str, Given] | None = None,
                        ) -> list[dict[str, Given]]:
    """Parameter sets from a YAML file: a mapping (one run) or a list of mappings (one run each).

    Parameters
    ----------
    path : str or Path or None
        The YAML file; None for a single set holding only ``overrides``.
    overrides : dict, optional
        Values from ``-p``; they apply to every set and win over the file.

    Returns
    -------
    list of dict
        One mapping of parameter name to :class:`Given` per set, keeping each
        value's text as written in the file.

    Raises
    ------
    ParameterError
        When the file is missing or unreadable, an entry is not a mapping, or
        a set names a parameter twice.
    """
    overrides = dict(overrides or {})
    if path is None:
        return [overrides]
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParameterError(f"cannot read the parameter file {str(path)!r}: {exc.strerror}.") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path} is not valid YAML: {exc}") from exc
    if root is None:
        return [overrides]
    constructor = yaml.SafeLoader("")
    sets = []
    for i, node in enumerate(root.value if isinstance(root, yaml.SequenceNode) else [root], start=1):
        if not isinstance(node, yaml.MappingNode):
            kind = type(constructor.construct_object(node, deep=True)).__name__
            raise ParameterError(f"{path}: set {i} is {kind}; each parameter set must be a mapping "
                                 "such as {seed: 1}.")
        found: dict[str, Given] = {}
        for key_node, value_node in node.value:
            name = str(key_node.value)
            if name in found:
                raise ParameterError(f"{path}: set {i} gives {name} twice.")
            value = constructor.construct_object(value_node, deep=True)
            found[name] = _scalar(value_node, value, f"{path.name}, set {i}, {name}")
        sets.append({**found, **overrides})
    return sets


def _refuse(name: str, value: Given, type_name: str, problem: str, notebook: str) -> ParameterError:
    article = "an" if type_name == "int" else "a"
    of = f" of {notebook}" if notebook else ""
    return ParameterError(f"{value.where}: {name} is {article} {type_name} parameter{of}; {problem}.")


def convert_value(name: str, value: Given | Any, type_name: str, notebook: str = "") -> Any:
    """Convert one value to its parameter's annotated type; refuse what does not fit.

    Parameters
    ----------
    name : str
        The parameter's name.
    value : Given or Any
        A :class:`Given` (converted from its text), or a Python value from
        code, which must already have the type (an int is accepted for a float).
    type_name : str
        The annotation as papermill reports it: ``"str"``, ``"int"``,
        ``"float"``, ``"bool"``, or anything else (no conversion).
    notebook : str, optional
        The notebook's name, for messages.

    Returns
    -------
    Any
        The converted value.

    Raises
    ------
    ParameterError
        Naming where the value came from, the parameter and its type.

    Examples
    --------
    >>> convert_value("margin", given("0.3"), "float")
    0.3
    >>> convert_value("window", given("[1, 2]"), "list")
    [1, 2]
    """
    if type_name not in TYPES:
        return value.value if isinstance(value, Given) else value
    if not isinstance(value, Given):
        return _check_python_value(name, value, type_name, notebook)
    if value.null:
        raise _refuse(name, value, type_name, "the value is empty (YAML reads it as null): "
                      "write '' for an empty text, or give a value", notebook)
    if value.text is None:
        kind = type(value.value).__name__
        raise _refuse(name, value, type_name, f"a YAML {kind} cannot be given", notebook)
    text = value.text
    if type_name == "str":
        return text
    word = text.strip()
    if type_name == "bool":
        if word.lower() in _TRUE | _FALSE:
            return word.lower() in _TRUE
        raise _refuse(name, value, type_name, f"{text!r} is not one of true/false, yes/no, 1/0", notebook)
    if type_name == "int":
        if re.fullmatch(r"[+-]?\d+(_\d+)*", word):
            return int(word)
        raise _refuse(name, value, type_name, f"{text!r} is not a whole number", notebook)
    try:
        number = float(word)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or "_" in word:
        raise _refuse(name, value, type_name, f"{text!r} is not a finite decimal number", notebook)
    return number


def _check_python_value(name: str, value: Any, type_name: str, notebook: str) -> Any:
    python_type = {"str": str, "int": int, "float": (int, float), "bool": bool}[type_name]
    is_bool_as_number = type_name in ("int", "float") and isinstance(value, bool)
    fits = isinstance(value, python_type) and not is_bool_as_number
    if not fits:
        of = f" of {notebook}" if notebook else ""
        raise ParameterError(f"{name} is {'an' if type_name == 'int' else 'a'} {type_name} parameter{of}; "
                             f"{value!r} is a {type(value).__name__}.")
    return float(value) if type_name == "float" else value


def typed_parameters(values: dict[str, Given | Any], declared: dict[str, dict[str, Any]],
                     notebook: str) -> dict[str, Any]:
    """Convert a parameter set for one notebook; unknown names are refused.

    Parameters
    ----------
    values : dict
        Parameter name to :class:`Given` (or a Python value).
    declared : dict
        The notebook's parameters, as :func:`papermill.inspect_notebook` returns them.
    notebook : str
        The notebook's name, for messages.

    Returns
    -------
    dict
        Parameter name to converted value.
    """
    unknown = sorted(set(values) - set(declared))
    if unknown:
        raise ParameterError(f"{notebook} has no parameter {', '.join(map(repr, unknown))}. "
                             f"Its parameters: {', '.join(declared) or 'none'}.")
    return {name: convert_value(name, value, str(declared[name].get("inferred_type_name")), notebook)
            for name, value in values.items()}


def _looks_like_path(value: str) -> bool:
    """A path separator inside, or a file suffix at the end (``.csv``); not ``.`` or ``..``."""
    text = value.strip()
    if text in ("", ".", ".."):
        return False
    has_separator = "/" in text or os.sep in text
    return has_separator or bool(re.fullmatch(r"[^.]+(\.[A-Za-z0-9]{1,8})+", text))


def absolute_paths(values: dict[str, Any], declared: dict[str, dict[str, Any]],
                   cwd: str | Path) -> dict[str, Any]:
    """Make relative paths absolute: ``str`` values that look like a path and name an existing
    file or folder under ``cwd``.

    A relative path means relative to where the command was run, while the
    kernel runs in the notebook's folder. A value looks like a path when it holds a
    path separator or ends in a file suffix (``orders.csv``, ``data/orders``); plain words
    and marks (``cdnow``, ``.``, ``,``) are never paths, so ``-p thousands .`` stays a dot
    even though ``.`` names the current folder (write ``./mydata`` for a folder in it).
    Other values are returned unchanged.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "orders.csv").write_text("customer_id,date,amount\\n")
    >>> text = {"inferred_type_name": "str"}
    >>> absolute_paths({"dataset": "orders.csv", "period": "M", "thousands": "."},
    ...                {"dataset": text, "period": text, "thousands": text},
    ...                folder) == {"dataset": str(folder / "orders.csv"), "period": "M", "thousands": "."}
    True
    >>> import shutil; shutil.rmtree(folder)
    """
    out = dict(values)
    for name, value in values.items():
        if (declared.get(name, {}).get("inferred_type_name") == "str" and isinstance(value, str)
                and _looks_like_path(value) and not os.path.isabs(value) and (Path(cwd) / value).exists()):
            out[name] = os.path.abspath(Path(cwd) / value)
    return out
