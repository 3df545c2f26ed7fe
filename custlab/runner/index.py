"""``index.html`` of a batch, and the summary printed at its end.

The index has one section per notebook: its question (the title), its
learning objectives, and a table of its runs with their parameters, a
coloured status, the time taken and links to the page and the executed
notebook. The error column appears in a notebook's table only when one of
its runs failed or timed out. The page loads nothing from the network.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter
from pathlib import Path

from custlab.runner.batch import Run
from custlab.runner.job import learning_objectives, notebook_title

__all__ = ["STATUS_COLOURS", "write_index", "summary_lines"]

#: Statuses of runs that failed; the error column is shown when a notebook has one.
FAILED = ("failed", "timeout")

#: Text and background colour of each status in the index.
STATUS_COLOURS = {
    "ok": ("#0f5323", "#d3f5dc"),
    "failed": ("#8a1212", "#fbd9d9"),
    "timeout": ("#8a1212", "#fbd9d9"),
    "interrupted": ("#6b4700", "#fbe7b5"),
    "skipped": ("#3d4450", "#e4e7eb"),
    "pending": ("#3d4450", "#e4e7eb"),
}

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 72em;
       padding: 0 1em; color: #1f2328; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
p.totals { color: #4b5563; margin-top: 0; }
section { border-top: 1px solid #d0d7de; padding-top: 0.6em; margin-top: 1.4em; }
h2 { font-size: 1.2em; margin: 0.2em 0; }
p.file { font-family: ui-monospace, monospace; color: #57606a; font-size: 0.85em; margin: 0; }
p.learn { margin: 0.6em 0 0.2em; font-weight: 600; }
ul.learn { margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { padding: 4px 12px; text-align: left; vertical-align: top; }
th { border-bottom: 2px solid #d0d7de; }
tr:nth-child(even) td { background: #f6f8fa; }
td.time { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.params code { font-size: 0.9em; }
td.error { font-family: ui-monospace, monospace; font-size: 0.85em; max-width: 40em; }
span.status { border-radius: 1em; padding: 1px 10px; font-weight: 600; white-space: nowrap; }
"""


def _inline(markdown: str) -> str:
    """Escaped HTML of inline markdown: code, bold and italics; the rest as text."""
    text = html.escape(markdown, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"(?<![\w*])\*([^*]+)\*(?![\w*])", r"<em>\1</em>", text)


def _status(status: str) -> str:
    colour, background = STATUS_COLOURS.get(status, STATUS_COLOURS["failed"])
    return (f"<span class='status status-{html.escape(status)}' style='color:{colour};"
            f"background:{background}'>{html.escape(status)}</span>")


def _href(path: Path, output: Path) -> str:
    return html.escape(Path(os.path.relpath(path, output)).as_posix())


def _row(run: Run, output: Path, with_error: bool) -> str:
    params = [f"<code>{html.escape(f'{k} = {v!r}')}</code>" for k, v in sorted(run.given.items())]
    params_cell = "<br>".join(params) or "defaults"
    page = run.output.with_suffix(".html")
    links = []
    if page.exists():
        links.append(f"<a href='{_href(page, output)}'>page</a>")
    if run.output.exists():
        links.append(f"<a href='{_href(run.output, output)}'>.ipynb</a>")
    seconds = f"{run.seconds:.1f} s" if run.status != "skipped" else ""
    error = f"<td class='error'>{html.escape(run.error)}</td>" if with_error else ""
    return (f"<tr><td class='params'>{params_cell}</td><td>{_status(run.status)}</td>"
            f"<td class='time'>{seconds}</td>{error}<td>{' · '.join(links) or 'not written'}</td></tr>")


def _section(notebook: Path, runs: list[Run], output: Path) -> str:
    import nbformat

    try:
        nb = nbformat.read(notebook, as_version=4)
        title, objectives = notebook_title(nb) or notebook.stem, learning_objectives(nb)
    except (OSError, ValueError):
        title, objectives = notebook.stem, []
    with_error = any(r.status in FAILED for r in runs)
    head = ("<tr><th>parameters</th><th>status</th><th>time</th>"
            + ("<th>error</th>" if with_error else "") + "<th>report</th></tr>")
    learn = ""
    if objectives:
        items = "".join(f"<li>{_inline(item)}</li>" for item in objectives)
        learn = f"<p class='learn'>You will learn to</p><ul class='learn'>{items}</ul>"
    rows = "".join(_row(r, output, with_error) for r in runs)
    return (f"<section><h2>{html.escape(title)}</h2>"
            f"<p class='file'>{html.escape(notebook.name)}</p>{learn}"
            f"<table>{head}{rows}</table></section>")


def _totals(runs: list[Run]) -> str:
    counts = Counter(r.status for r in runs)
    order = ["ok", "failed", "timeout", "interrupted", "skipped"]
    parts = [f"{counts[s]} {s}" for s in order + sorted(set(counts) - set(order)) if counts[s]]
    return f"{len(runs)} run(s): " + ", ".join(parts) + "."


def write_index(runs: list[Run], output: Path) -> Path:
    """Write ``index.html`` in ``output``: a section per notebook, a row per run.

    Parameters
    ----------
    runs : list of Run
        Runs with their status (from :func:`custlab.runner.run_batch`).
    output : Path
        The output folder.

    Returns
    -------
    Path
        The page written.
    """
    output = Path(output)
    by_notebook: dict[Path, list[Run]] = {}
    for run in sorted(runs, key=lambda r: str(r.output)):
        by_notebook.setdefault(run.notebook, []).append(run)
    sections = "".join(_section(nb, group, output) for nb, group in by_notebook.items())
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>custlab notebooks</title><style>{_CSS}</style></head><body>"
        f"<h1>custlab notebooks</h1><p class='totals'>{html.escape(_totals(runs))}</p>"
        f"{sections}</body></html>\n"
    )
    path = output / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def summary_lines(runs: list[Run], output: Path, index: Path | str | None) -> list[str]:
    """The summary printed after a batch: the totals, then one line per run (and its error).

    Examples
    --------
    >>> run = Run(Path("01_a.ipynb"), {}, "01_a", Path("out/01_a.ipynb"), status="ok", seconds=2.04)
    >>> print("\\n".join(summary_lines([run], Path("out"), "out/index.html")))
    1 of 1 notebook run(s) succeeded; index: out/index.html
      ok              2.0 s  01_a.ipynb
    """
    ok = sum(r.status == "ok" for r in runs)
    head = f"{ok} of {len(runs)} notebook run(s) succeeded"
    stopped = Counter(r.status for r in runs if r.status in ("interrupted", "skipped"))
    if stopped:
        head += (f"; stopped: {stopped['interrupted']} interrupted while running, "
                 f"{stopped['skipped']} skipped before starting")
    lines = [head + (f"; index: {index}" if index else "; no index written")]
    for r in runs:
        where = r.output.relative_to(output) if r.output.is_relative_to(output) else r.output
        lines.append(f"  {r.status:11s} {r.seconds:7.1f} s  {where}")
        if r.error:
            lines.append(f"              {r.error}")
    return lines
