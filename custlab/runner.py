"""Run notebooks in batches with papermill: ``python -m custlab run``.

Each run executes one notebook with one set of parameters in a fresh
``python3`` kernel of the current interpreter, writes the executed notebook
and an HTML page under the output folder, and adds a line to
``index.html``. A failing or timed-out run does not stop the batch; the
summary names it with its error and the exit code is 1.

Examples
--------
Every notebook, two at a time::

    python -m custlab run --jobs 2

Notebook 01 on the CDNOW data, and a grid of windows from a YAML file
holding a list of parameter sets (one run each)::

    python -m custlab run 01 -p dataset cdnow
    python -m custlab run "01_*" --params windows.yaml --output build/windows
"""

from __future__ import annotations

import argparse
import dataclasses
import html
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Run", "find_notebooks", "plan_runs", "run_batch", "main"]

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"


@dataclasses.dataclass
class Run:
    """One notebook with one parameter set, and what became of it."""

    notebook: Path
    parameters: dict[str, Any]
    name: str
    output: Path
    status: str = "pending"
    error: str = ""
    seconds: float = 0.0


def find_notebooks(patterns: list[str] | None = None, root: Path = NOTEBOOK_DIR) -> list[Path]:
    """Notebooks under ``root`` matching names, numbers or globs (all when empty).

    ``"01"``, ``"01_who_is_a_customer"``, ``"01_*"`` and
    ``"reproductions/*"`` all work. Raises ``ValueError`` naming the pattern
    that matched nothing, with the notebooks available.
    """
    every = sorted(p for p in root.rglob("[0-9]*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if not patterns:
        return every
    chosen: list[Path] = []
    for pattern in patterns:
        pat = pattern.removesuffix(".ipynb")
        hits = [p for p in every if p.relative_to(root).with_suffix("").match(pat)
                or p.stem == pat or p.stem.startswith(pat + "_")
                or str(p.relative_to(root).with_suffix("")) == pat]
        if not hits:
            names = ", ".join(str(p.relative_to(root)) for p in every)
            raise ValueError(f"No notebook matches {pattern!r}. Notebooks: {names}.")
        chosen.extend(h for h in hits if h not in chosen)
    return chosen


def _slug(parameters: dict[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in sorted(parameters.items())]
    return re.sub(r"[^A-Za-z0-9=._-]+", "-", "__".join(parts))[:120]


def load_parameter_sets(path: str | Path | None, overrides: dict[str, Any]) -> list[dict[str, Any]]:
    """Parameter sets from a YAML file (a mapping, or a list of mappings), with overrides applied."""
    if path is None:
        return [dict(overrides)]
    data = yaml.safe_load(Path(path).read_text())
    if data is None:
        data = {}
    sets = data if isinstance(data, list) else [data]
    for i, s in enumerate(sets):
        if not isinstance(s, dict):
            raise ValueError(f"{path}: entry {i} is {type(s).__name__}; each parameter set must be a mapping.")
    return [{**s, **overrides} for s in sets]


def plan_runs(notebooks: list[Path], parameter_sets: list[dict[str, Any]], output: Path,
              root: Path = NOTEBOOK_DIR) -> list[Run]:
    """One :class:`Run` per notebook and parameter set; unknown parameter names are an error."""
    import papermill as pm

    runs = []
    for nb in notebooks:
        declared = pm.inspect_notebook(str(nb))
        for params in parameter_sets:
            unknown = sorted(set(params) - set(declared))
            if unknown:
                raise ValueError(
                    f"{nb.name} has no parameter {', '.join(map(repr, unknown))}. "
                    f"Its parameters: {', '.join(declared) or 'none'}."
                )
            slug = _slug(params)
            name = nb.stem + (f"__{slug}" if slug else "")
            rel = nb.parent.relative_to(root) if nb.is_relative_to(root) else Path()
            runs.append(Run(nb, dict(params), name, output / rel / f"{name}.ipynb"))
    names = [r.output for r in runs]
    if len(set(names)) != len(names):
        raise ValueError("Two runs would write the same file: give each parameter set different values.")
    return runs


def _execute(run: Run, timeout: float, html_export: bool) -> Run:
    import papermill as pm

    started = time.perf_counter()
    run.output.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(
            str(run.notebook), str(run.output), parameters=run.parameters,
            kernel_name="python3", progress_bar=False, cwd=str(run.notebook.parent),
            execution_timeout=timeout, log_output=False,
        )
        run.status = "ok"
    except Exception as exc:  # noqa: BLE001 - a failing notebook must not stop the batch
        run.status = "timeout" if "timed out" in str(exc).lower() or "Timeout" in type(exc).__name__ else "failed"
        message = getattr(exc, "evalue", None) or str(exc).strip().splitlines()[-1:] or [type(exc).__name__]
        ename = getattr(exc, "ename", type(exc).__name__)
        run.error = f"{ename}: {message if isinstance(message, str) else message[0]}"[:500]
    if html_export and run.output.exists():
        _to_html(run.output)
    run.seconds = time.perf_counter() - started
    return run


def _to_html(notebook: Path) -> Path:
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(notebook, as_version=4))
    out = notebook.with_suffix(".html")
    out.write_text(body, encoding="utf-8")
    return out


def write_index(runs: list[Run], output: Path) -> Path:
    """``index.html`` in ``output``: one row per run with its status, parameters and links."""
    rows = []
    for r in sorted(runs, key=lambda r: str(r.output)):
        rel = r.output.relative_to(output)
        link = rel.with_suffix(".html")
        params = ", ".join(f"{k} = {v!r}" for k, v in sorted(r.parameters.items())) or "defaults"
        colour = {"ok": "#1a7f37"}.get(r.status, "#b42318")
        rows.append(
            f"<tr><td><a href='{html.escape(str(link))}'>{html.escape(r.name)}</a></td>"
            f"<td>{html.escape(params)}</td><td style='color:{colour}'>{r.status}</td>"
            f"<td>{html.escape(r.error)}</td><td><a href='{html.escape(str(rel))}'>.ipynb</a></td></tr>"
        )
    page = (
        "<!doctype html><html><head><meta charset='utf-8'><title>custlab notebooks</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 10px;text-align:left}"
        "tr:nth-child(even){background:#f4f4f4}</style></head><body>"
        "<h1>custlab notebooks</h1><table><tr><th>notebook</th><th>parameters</th><th>status</th>"
        "<th>error</th><th>source</th></tr>" + "".join(rows) + "</table></body></html>"
    )
    path = output / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def run_batch(runs: list[Run], *, jobs: int = 1, timeout: float = 1200, html_export: bool = True,
              progress: bool = True) -> list[Run]:
    """Execute runs, ``jobs`` at a time, with a progress bar; returns them with status and error."""
    from tqdm.auto import tqdm

    done: list[Run] = []
    bar = tqdm(total=len(runs), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    if jobs <= 1:
        for run in runs:
            done.append(_execute(run, timeout, html_export))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(_execute, run, timeout, html_export) for run in runs]
            for fut in as_completed(futures):
                done.append(fut.result())
                bar.update()
    bar.close()
    return sorted(done, key=lambda r: str(r.output))


def main(argv: list[str] | None = None) -> int:
    """Command line: ``custlab run [NOTEBOOK ...] [-p NAME VALUE] [--params FILE] ...``."""
    parser = argparse.ArgumentParser(prog="custlab", description="Run custlab notebooks with papermill.")
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="execute notebooks into an output folder, with HTML and an index")
    run_p.add_argument("notebooks", nargs="*", help="names, numbers or globs (default: all)")
    run_p.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                       help="set a parameter (value read as YAML: 2, 0.5, true, '2024-01-01')")
    run_p.add_argument("--params", metavar="FILE.yaml",
                       help="parameter set, or a list of sets: one run each")
    run_p.add_argument("--jobs", type=int, default=1, help="runs at once (default 1)")
    run_p.add_argument("--output", default="build", help="output folder (default build/)")
    run_p.add_argument("--timeout", type=float, default=1200, help="seconds allowed per cell")
    run_p.add_argument("--no-html", action="store_true", help="skip the HTML pages")
    run_p.add_argument("--no-progress", action="store_true", help="no progress bar")
    run_p.add_argument("--root", default=str(NOTEBOOK_DIR), help="folder holding the notebooks")
    list_p = sub.add_parser("list", help="list the notebooks and their parameters")
    list_p.add_argument("--root", default=str(NOTEBOOK_DIR), help="folder holding the notebooks")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()

    if args.command == "list":
        import papermill as pm

        for nb in find_notebooks(root=root):
            print(nb.relative_to(root))
            for name, spec in pm.inspect_notebook(str(nb)).items():
                print(f"    {name}: {spec['inferred_type_name']} = {spec['default']}  # {spec['help']}")
        return 0

    try:
        notebooks = find_notebooks(args.notebooks, root=root)
        overrides = {k: yaml.safe_load(v) for k, v in args.parameter}
        sets = load_parameter_sets(args.params, overrides)
        output = Path(args.output).resolve()
        runs = plan_runs(notebooks, sets, output, root=root)
    except (ValueError, FileNotFoundError, yaml.YAMLError) as exc:
        print(f"custlab run: {exc}", file=sys.stderr)
        return 2
    if not runs:
        print("custlab run: no notebooks to run.", file=sys.stderr)
        return 2
    output.mkdir(parents=True, exist_ok=True)
    runs = run_batch(runs, jobs=args.jobs, timeout=args.timeout, html_export=not args.no_html,
                     progress=not args.no_progress)
    index = write_index(runs, output)
    failed = [r for r in runs if r.status != "ok"]
    print(f"\n{len(runs) - len(failed)} of {len(runs)} notebook run(s) succeeded; index: {index}")
    for r in runs:
        line = f"  {r.status:8s} {r.seconds:6.1f} s  {r.output.relative_to(output)}"
        print(line + (f"\n           {r.error}" if r.error else ""))
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
