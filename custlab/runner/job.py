"""One notebook run in a process of its own, and the HTML page made from it.

:func:`custlab.runner.run_batch` starts this file as a script,
``python -P job.py SPEC.json``, once per run. It imports only the standard
library, papermill, nbformat and nbconvert, never the ``custlab`` package
itself, so starting a run costs no import of the analysis stack (the
notebook's kernel imports what it needs).

The run stops cleanly on SIGTERM or SIGINT: the cell running in the kernel
is interrupted, no further cell starts, the kernel is shut down, and the
executed notebook says which cells ran, which one was interrupted
(papermill status ``"interrupted"``) and which never started
(``"pending"``). A second signal stops the run at once. The kernel's process
id is written to the spec's ``kernel_pid_file`` so that the batch can end the
kernel if this process has to be killed.

The page for a notebook (:func:`write_page`) needs no network: no MathJax,
require.js, widget or Mermaid script is loaded; math in markdown becomes MathML
(latex2mathml), which browsers draw without a script. Its ``<title>`` is the
notebook's title (the first markdown heading of level 1) and it links back to
the batch's ``index.html``.

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
...     "# Who is a *customer*?\\n\\n**You will learn to**\\n- count them;\\n- name them.")])
>>> notebook_title(nb)
'Who is a customer?'
>>> learning_objectives(nb)
['count them', 'name them']
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["notebook_title", "learning_objectives", "latex_to_mathml", "write_page", "run_job", "main"]

#: Tag of the markdown cell that tells, at the top of an executed notebook, how its run ended.
STATUS_CELL_TAG = "custlab-run-status"
_PAPERMILL_ERROR_TAG = "papermill-error-cell-tag"

# ---------------------------------------------------------------------------------------------
# Title and learning objectives, read from the notebook's markdown


def _markdown_lines(nb: Any) -> list[list[str]]:
    """The lines of each markdown cell, with fenced code blocks left out."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines, fenced = [], False
        for line in cell.source.splitlines():
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            elif not fenced:
                lines.append(line)
        cells.append(lines)
    return cells


def plain_text(markdown: str) -> str:
    """Inline markdown as plain text: links keep their text; emphasis and code marks go.

    Examples
    --------
    >>> plain_text("Is a **buyer** a [client](https://example.org) in `pandas`?")
    'Is a buyer a client in pandas?'
    """
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"(\*\*|__|\*|`)", "", text)
    return re.sub(r"\s+", " ", text).strip()


def notebook_title(nb: Any) -> str | None:
    """The notebook's title: its first markdown heading of level 1, as plain text.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook.

    Returns
    -------
    str or None
        The heading without ``#`` marks and inline markdown; None when no
        markdown cell holds a ``# heading`` line.
    """
    for lines in _markdown_lines(nb):
        for line in lines:
            match = re.match(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", line)
            if match:
                return plain_text(match.group(1))
    return None


def learning_objectives(nb: Any) -> list[str]:
    """The bullets under ``**You will learn to**`` in the first markdown cell.

    A bullet starts with ``-``, ``*`` or ``1.``; an indented line that follows
    continues it. The list ends at the first line that is neither. Each item is
    returned as written (inline markdown kept), without its trailing ``;``,
    ``,`` or ``.``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook.

    Returns
    -------
    list of str
        Empty when the first markdown cell has no such list.
    """
    cells = _markdown_lines(nb)
    if not cells:
        return []
    items: list[str] = []
    inside = False
    for line in cells[0]:
        if not inside:
            inside = re.match(r"^\s*(\*\*|__)?\s*you will learn to\b", line, re.IGNORECASE) is not None
            continue
        bullet = re.match(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+(.*)$", line)
        if bullet:
            items.append(bullet.group(1).strip())
        elif items and line.startswith((" ", "\t")) and line.strip():
            items[-1] += " " + line.strip()
        elif items or line.strip():
            break
    return [re.sub(r"[\s;,.]+$", "", item) for item in items]


# ---------------------------------------------------------------------------------------------
# HTML pages that load nothing from the network

_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?![\w$])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def latex_to_mathml(markdown: str) -> str:
    """Markdown with each ``$$...$$`` and ``$...$`` (outside code spans) replaced by MathML.

    Parameters
    ----------
    markdown : str
        A markdown cell's source.

    Returns
    -------
    str
        The same markdown, its math as ``<math>`` elements (``display="block"``
        for ``$$...$$``), which browsers draw without a script. A ``$`` that
        opens no math (``$5 and $6``) stays as it is.

    Examples
    --------
    >>> latex_to_mathml("Retention $r_t$ rises.").startswith("Retention <math")
    True
    >>> latex_to_mathml("From $5 to $6.")
    'From $5 to $6.'
    """
    from latex2mathml.converter import convert

    def block(match: re.Match) -> str:
        return "\n\n" + convert(match.group(1).strip(), display="block") + "\n\n"

    def inline(match: re.Match) -> str:
        return convert(match.group(1))

    pieces = []
    last = 0
    for code in _CODE_SPAN.finditer(markdown):
        pieces.append(_INLINE_MATH.sub(inline, _DISPLAY_MATH.sub(block, markdown[last:code.start()])))
        pieces.append(code.group(0))
        last = code.end()
    pieces.append(_INLINE_MATH.sub(inline, _DISPLAY_MATH.sub(block, markdown[last:])))
    return "".join(pieces)



_PAGE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
nav.custlab-back { font-family: system-ui, sans-serif; font-size: 14px; padding: 8px 0 16px; }
nav.custlab-back a { color: #0b5cad; text-decoration: none; }
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="custlab-back">
<a href="{{ resources.custlab_index_href | e }}">&larr; All notebooks (index)</a>
</nav>
{%- endblock body_header -%}
"""


def write_page(notebook: Path, index: Path | None = None) -> Path:
    """Write the HTML page of an executed notebook beside it (same name, ``.html``).

    Parameters
    ----------
    notebook : Path
        The executed notebook.
    index : Path, optional
        The batch's ``index.html``; the page links back to it by a relative
        address. Default: ``index.html`` in the notebook's folder.

    Returns
    -------
    Path
        The page written. It loads no script, style sheet or font from the
        network; its ``<title>`` is :func:`notebook_title` (or the file name).
    """
    import nbformat
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = notebook_title(nb) or notebook.stem
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = latex_to_mathml(cell.source)
    exporter = HTMLExporter(
        extra_loaders=[DictLoader({"custlab_page.html.j2": _PAGE_TEMPLATE})],
        template_file="custlab_page.html.j2",
    )
    index = index or notebook.with_name("index.html")
    href = Path(os.path.relpath(index, notebook.parent)).as_posix()
    body, _ = exporter.from_notebook_node(nb, resources={"custlab_index_href": href})
    page = notebook.with_suffix(".html")
    page.write_text(body, encoding="utf-8")
    return page


# ---------------------------------------------------------------------------------------------
# Executing one run


class Interrupted(BaseException):
    """Raised inside a run to stop it (a signal came; no further cell may start)."""


class _State:
    """What the signal handler and papermill's hooks share during one run."""

    def __init__(self, kernel_pid_file: Path | None) -> None:
        self.kernel_pid_file = kernel_pid_file
        self.signal: int | None = None
        self.kernel_pgid: int | None = None
        self.last_started: int | None = None
        self.first_not_run: int | None = None

    def on_signal(self, signum: int, frame: Any) -> None:
        """First signal: interrupt the kernel's cell and let no other cell start. Second: stop now."""
        if self.signal is not None:
            raise Interrupted(signal.Signals(signum).name)
        self.signal = signum
        if self.kernel_pgid is not None:
            try:
                os.killpg(self.kernel_pgid, signal.SIGINT)
            except OSError:
                pass

    def on_cell_start(self, cell: Any, cell_index: int, **kwargs: Any) -> None:
        """nbclient hook, called before each cell: refuse to start one after a signal."""
        if self.signal is not None:
            self.first_not_run = cell_index
            raise Interrupted(signal.Signals(self.signal).name)
        self.last_started = cell_index

    def kernel_started(self, provisioner: Any) -> None:
        """Remember the kernel's process group, and tell the batch its process id."""
        pid = getattr(provisioner, "pid", None)
        self.kernel_pgid = getattr(provisioner, "pgid", None) or pid
        if self.kernel_pid_file is not None and pid is not None:
            self.kernel_pid_file.write_text(str(pid))
        if self.signal is not None and self.kernel_pgid is not None:
            try:
                os.killpg(self.kernel_pgid, signal.SIGINT)
            except OSError:
                pass


def _tracked_kernel_manager(state: _State) -> type:
    """A kernel manager class that reports its kernel's process to ``state`` once started."""
    from jupyter_client import AsyncKernelManager

    class TrackedKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kwargs: Any) -> None:
            await super().start_kernel(**kwargs)
            state.kernel_started(self.provisioner)

    return TrackedKernelManager


def _error_text(exc: BaseException) -> str:
    """``Name: message`` of the exception a notebook raised, on one line."""
    ename = getattr(exc, "ename", None) or type(exc).__name__
    evalue = getattr(exc, "evalue", None)
    if evalue is None:
        lines = str(exc).strip().splitlines()
        evalue = lines[-1] if lines else ""
    return f"{ename}: {evalue}".strip().rstrip(":")[:2000]


def mark_unfinished(path: Path, *, last_started: int | None, first_not_run: int | None,
                    cell_status: str, note: str) -> None:
    """Correct an executed notebook whose run stopped early.

    papermill marks every cell ``"completed"`` when execution ends by an
    exception it does not expect. Here the cells that never started become
    ``"pending"``, the cell that was running gets ``cell_status``, and a
    markdown cell at the top (tagged ``custlab-run-status``) says ``note``.

    Parameters
    ----------
    path : Path
        The executed notebook, rewritten in place.
    last_started : int or None
        Index of the last cell that started.
    first_not_run : int or None
        Index of the first cell refused after a signal, if any.
    cell_status : str
        Status of the cell that was running, e.g. ``"interrupted"``.
    note : str
        Markdown shown at the top of the notebook; a sentence naming the cell
        that was running (by its ``In [n]``) is added.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if _PAPERMILL_ERROR_TAG not in c.metadata.get("tags", [])]
    for i, cell in enumerate(nb.cells):
        papermill = cell.metadata.get("papermill")
        if papermill is None:
            continue
        never_ran = (first_not_run is not None and i >= first_not_run) or (
            last_started is not None and i > last_started)
        if never_ran:
            papermill.update(status="pending", start_time=None, end_time=None, duration=None)
        elif i == last_started and first_not_run is None:
            papermill["status"] = cell_status
    running = nb.cells[last_started] if last_started is not None and first_not_run is None else None
    if running is not None and running.get("execution_count"):
        note += f" It stopped in cell In [{running.execution_count}]; the cells after it did not run."
    else:
        note += " The cells after the last one that ran did not run."
    status_cell = nbformat.v4.new_markdown_cell(note)
    status_cell.metadata["tags"] = [STATUS_CELL_TAG]
    nb.cells.insert(0, status_cell)
    nbformat.write(nb, path)


def _execute(spec: dict[str, Any], output: Path, state: _State) -> tuple[str, str]:
    """Execute the notebook with papermill; return its status and error line."""
    import papermill as pm

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        pm.execute_notebook(
            spec["notebook"], str(output), parameters=spec["parameters"], kernel_name="python3",
            progress_bar=False, log_output=False, cwd=spec["cwd"], execution_timeout=spec["timeout"],
            kernel_manager_class=_tracked_kernel_manager(state), on_cell_start=state.on_cell_start,
        )
    except (Exception, Interrupted) as exc:  # noqa: BLE001 - every way a run ends is reported
        if state.signal is not None:
            return "interrupted", f"stopped by {signal.Signals(state.signal).name}"
        timed_out = isinstance(exc, TimeoutError) or "timed out" in str(exc).lower()
        return ("timeout" if timed_out else "failed"), _error_text(exc)
    return "ok", ""


def _mark(output: Path, state: _State, status: str, error: str, timeout: float) -> None:
    """Mark the cells of a run that was interrupted or timed out (see :func:`mark_unfinished`)."""
    if status == "interrupted":
        note = f"**Interrupted:** this run was {error}."
    else:
        note = f"**Timeout:** a cell ran longer than {timeout:g} s."
    mark_unfinished(output, last_started=state.last_started, first_not_run=state.first_not_run,
                    cell_status="interrupted" if status == "interrupted" else "failed", note=note)


def run_job(spec: dict[str, Any]) -> dict[str, Any]:
    """Execute one run described by ``spec``; return its status, error and seconds.

    Parameters
    ----------
    spec : dict
        ``notebook``, ``output`` (paths), ``parameters`` (as the kernel gets
        them), ``cwd`` (the kernel's working folder), ``timeout`` (seconds per
        cell), ``html`` (bool), ``index`` (path of ``index.html``) and
        ``kernel_pid_file`` (path or None).

    Returns
    -------
    dict
        ``status`` (``"ok"``, ``"failed"``, ``"timeout"`` or
        ``"interrupted"``), ``error`` (one line, empty when ok) and
        ``seconds``.
    """
    started = time.perf_counter()
    output = Path(spec["output"])
    pid_file = Path(spec["kernel_pid_file"]) if spec.get("kernel_pid_file") else None
    state = _State(pid_file)
    previous = {s: signal.signal(s, state.on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        status, error = _execute(spec, output, state)
        if status in ("interrupted", "timeout") and output.exists():
            _mark(output, state, status, error, spec["timeout"])
        if spec.get("html") and output.exists():
            write_page(output, Path(spec["index"]) if spec.get("index") else None)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return {"status": status, "error": error, "seconds": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    """Run the spec in ``argv[0]`` (JSON) and write the result beside it (``result.json``)."""
    args = sys.argv[1:] if argv is None else argv
    spec_path = Path(args[0])
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    result = run_job(spec)
    partial = spec_path.with_name("result.json.part")
    partial.write_text(json.dumps(result), encoding="utf-8")
    partial.replace(spec_path.with_name("result.json"))
    return 0


if __name__ == "__main__":  # pragma: no cover - started by run_batch as a script
    sys.exit(main())
