"""The command line: ``custlab run``, ``custlab list`` and the course's commands (also ``python -m custlab ...``).

``custlab nav``, ``custlab site``, ``custlab student`` and ``custlab solutions``
are handed to :mod:`custlab.course`, each with its own options (``--help``).

Exit codes of ``custlab run``: 0 when every run succeeded, 1 when one failed
or timed out (or the index could not be written), 2 when nothing ran because
the command was wrong (unknown or ambiguous notebook, unknown parameter, a
value that does not fit its type, an output folder that cannot be written),
130 when the batch was stopped by SIGINT (Ctrl-C) or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from custlab.runner.batch import STOPPED, StopRequest, check_output_folder, plan_runs, run_batch
from custlab.runner.index import summary_lines, write_index
from custlab.runner.parameters import from_command_line, load_parameter_sets
from custlab.runner.selection import NOTEBOOK_DIR, find_notebooks

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``custlab``."""
    parser = argparse.ArgumentParser(prog="custlab", description="Run custlab notebooks with papermill.")
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser(
        "run", help="execute notebooks into an output folder, with HTML pages and an index",
        description="Execute notebooks with papermill into an output folder, with an HTML page per "
                    "run and index.html. Ctrl-C stops the batch and still writes the index.")
    run_p.add_argument("notebooks", nargs="*",
                       help="01 (top-level notebook 01), reproductions/01, a name such as "
                            "01_who_is_a_customer, or a glob such as 'reproductions/*' (default: all)")
    run_p.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                       metavar=("NAME", "VALUE"),
                       help="set a parameter; the value is read by the parameter's type (str, int, "
                            "float, bool: true/false/yes/no/1/0); a relative path means relative to here")
    run_p.add_argument("--params", metavar="FILE.yaml",
                       help="a parameter set, or a list of sets: one run each (-p values apply to all)")
    run_p.add_argument("--jobs", type=int, default=1, help="runs at once (default 1)")
    run_p.add_argument("--output", default="build", help="output folder (default build/)")
    run_p.add_argument("--timeout", type=float, default=1200,
                       help="seconds allowed per cell (default 1200)")
    run_p.add_argument("--no-html", action="store_true", help="skip the HTML pages")
    run_p.add_argument("--no-progress", action="store_true", help="no progress bar")
    run_p.add_argument("--root", default=str(NOTEBOOK_DIR), help="folder holding the notebooks")
    list_p = sub.add_parser("list", help="list the notebooks, their titles and their parameters")
    list_p.add_argument("--root", default=str(NOTEBOOK_DIR), help="folder holding the notebooks")
    for name, (_, text) in COURSE_COMMANDS.items():
        sub.add_parser(name, help=text, add_help=False)
    return parser


#: Commands handed to the course's modules: name -> (module with ``main(argv)``, help).
COURSE_COMMANDS = {
    "nav": ("custlab.course.navigation", "write the notebooks' navigation, the contents notebook and the README index"),
    "site": ("custlab.course.site", "build the course site from executed notebooks (build/site/)"),
    "student": ("custlab.course.student", "student copies of the notebooks: no outputs, solutions left blank"),
    "solutions": ("custlab.course.student", "the solutions of every exercise on one page, for teachers"),
}


def _course_command(argv: list[str]) -> int:
    import importlib

    module = importlib.import_module(COURSE_COMMANDS[argv[0]][0])
    return module.main(argv if module.__name__.endswith("student") else argv[1:])


def _list(root: Path) -> int:
    import nbformat
    import papermill as pm

    from custlab.runner.job import notebook_title

    for nb in find_notebooks(root=root):
        print(f"{nb.relative_to(root)}: {notebook_title(nbformat.read(nb, as_version=4)) or ''}")
        for name, spec in pm.inspect_notebook(str(nb)).items():
            print(f"    {name}: {spec['inferred_type_name']} = {spec['default']}  # {spec['help']}")
    return EXIT_OK


def _run(args: argparse.Namespace, root: Path) -> int:
    if args.jobs < 1:
        print("custlab run: --jobs must be 1 or more.", file=sys.stderr)
        return EXIT_USAGE
    output = Path(args.output).absolute()
    try:
        notebooks = find_notebooks(args.notebooks, root=root)
        sets = load_parameter_sets(args.params, from_command_line(args.parameter))
        runs = plan_runs(notebooks, sets, output, root=root, cwd=Path.cwd())
        if not runs:
            raise ValueError("no notebooks to run.")
        check_output_folder(runs, output)
    except (ValueError, OSError) as exc:
        print(f"custlab run: {exc}", file=sys.stderr)
        return EXIT_USAGE
    with StopRequest() as stop:
        runs = run_batch(runs, jobs=args.jobs, timeout=args.timeout, html_export=not args.no_html,
                         progress=not args.no_progress, stop=stop)
        index, index_error = None, None
        try:
            index = write_index(runs, output)
        except OSError as exc:
            index_error = f"custlab run: could not write {output / 'index.html'}: {exc.strerror or exc}"
        print("\n" + "\n".join(summary_lines(runs, output, index)), flush=True)
        if index_error:
            print(index_error, file=sys.stderr)
    if any(r.status in STOPPED for r in runs):
        return EXIT_INTERRUPTED
    return EXIT_FAILED if index_error or any(r.status != "ok" for r in runs) else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Command line: ``custlab run [NOTEBOOK ...] [-p NAME VALUE] [--params FILE] ...``.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit code (see the module's description).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in COURSE_COMMANDS:
        return _course_command(argv)
    args = build_parser().parse_args(argv)
    root = Path(args.root).resolve()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt) if in_main_thread else None
    try:
        if args.command == "list":
            return _list(root)
        return _run(args, root)
    except KeyboardInterrupt:
        print("\ncustlab: interrupted before any notebook ran.", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(signum: int, frame: object) -> None:
    """SIGTERM outside a batch: stop as Ctrl-C does."""
    raise KeyboardInterrupt

