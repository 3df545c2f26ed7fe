"""Plan runs, check the output folder, and execute runs ``jobs`` at a time.

Each run executes in a process of its own (:mod:`custlab.runner.job`), in a
session of its own, so a Ctrl-C in the terminal reaches only the batch. On
the first SIGINT or SIGTERM the batch starts no more runs (they end as
``"skipped"``) and asks each running one to stop: its cell is interrupted,
its kernel shut down, and it ends as ``"interrupted"``. A second signal, or
runs still going :data:`GRACE_SECONDS` later, ends them and their kernels at
once.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from types import FrameType
from typing import Any

from custlab.runner import job
from custlab.runner.parameters import absolute_paths, typed_parameters
from custlab.runner.selection import NOTEBOOK_DIR

__all__ = ["Run", "StopRequest", "OutputFolderError", "plan_runs", "check_output_folder", "run_batch"]

#: Seconds a run may take to stop after it was asked to, before it and its kernel are killed.
GRACE_SECONDS = 15.0
#: Statuses of runs that did not finish because the batch was stopped.
STOPPED = ("interrupted", "skipped")


@dataclasses.dataclass
class Run:
    """One notebook with one parameter set, and what became of it.

    Attributes
    ----------
    notebook : Path
        The source notebook.
    parameters : dict
        The values the kernel gets (relative paths made absolute).
    name : str
        The run's name: the notebook's name and the parameters as given.
    output : Path
        The executed notebook; its page is beside it (``.html``).
    given : dict
        The values as the user gave them, converted to their types (shown in
        the index and used in ``name``).
    index : Path or None
        The batch's ``index.html``, linked from the run's page.
    status : str
        ``"pending"``, then ``"ok"``, ``"failed"``, ``"timeout"``,
        ``"interrupted"`` (stopped while running) or ``"skipped"`` (never
        started because the batch was stopped).
    error : str
        One line saying what went wrong; empty when ok.
    seconds : float
        Wall-clock time of the run, page included.
    """

    notebook: Path
    parameters: dict[str, Any]
    name: str
    output: Path
    given: dict[str, Any] = dataclasses.field(default_factory=dict)
    index: Path | None = None
    status: str = "pending"
    error: str = ""
    seconds: float = 0.0


def _slug(parameters: dict[str, Any]) -> str:
    """A file-name part that tells parameter sets apart: spaces and path separators become
    ``-``, other marks their code point (``sep=;`` gives ``sep=~3b``, ``sep=|`` gives ``sep=~7c``)."""
    parts = "__".join(f"{k}={v}" for k, v in sorted(parameters.items()))
    safe = "".join(c if re.fullmatch(r"[A-Za-z0-9=._-]", c) else "-" if c in " /\\\t" else f"~{ord(c):x}"
                   for c in parts)
    return re.sub(r"-+", "-", safe)[:120]


def plan_runs(notebooks: list[Path], parameter_sets: list[dict[str, Any]], output: Path,
              root: Path = NOTEBOOK_DIR, cwd: str | Path | None = None) -> list[Run]:
    """One :class:`Run` per notebook and parameter set, with values converted by type.

    Parameters
    ----------
    notebooks : list of Path
        From :func:`custlab.runner.find_notebooks`.
    parameter_sets : list of dict
        Parameter name to :class:`custlab.runner.parameters.Given` (or to a
        Python value of the annotated type).
    output : Path
        The output folder; subfolders of ``root`` are kept under it.
    root : Path
        The folder holding the notebooks.
    cwd : str or Path, optional
        The folder relative paths in values refer to (default: the current one).

    Returns
    -------
    list of Run

    Raises
    ------
    ValueError
        For an unknown parameter, a value that does not fit its type, or two
        runs that would write the same file; nothing has run yet.
    """
    import papermill as pm

    cwd = Path.cwd() if cwd is None else Path(cwd)
    output = Path(output)
    runs = []
    for nb in notebooks:
        declared = pm.inspect_notebook(str(nb))
        for values in parameter_sets:
            typed = typed_parameters(values, declared, nb.name)
            slug = _slug(typed)
            name = nb.stem + (f"__{slug}" if slug else "")
            rel = nb.parent.relative_to(root) if nb.is_relative_to(root) else Path()
            runs.append(Run(nb, absolute_paths(typed, declared, cwd), name, output / rel / f"{name}.ipynb",
                            given=typed, index=output / "index.html"))
    names = [r.output for r in runs]
    if len(set(names)) != len(names):
        raise ValueError("Two runs would write the same file: give each parameter set different values.")
    return runs


class OutputFolderError(OSError):
    """The output folder cannot be created or written to; the message says which and why."""


def check_output_folder(runs: list[Run], output: Path) -> None:
    """Make sure every file the runs will write can be written, before any run starts.

    Creates ``output`` and the subfolders the runs need, writes and removes a
    probe file in each, and checks that files to be replaced are writable.

    Raises
    ------
    OutputFolderError
        Naming the folder or file and the reason.
    """
    folders = sorted({Path(output)} | {r.output.parent for r in runs})
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".custlab-write-check-"):
                pass
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise OutputFolderError(f"cannot write to the output folder {folder} ({reason}). "
                                    "Pass a folder you can write to with --output.") from exc
    files = [Path(output) / "index.html"]
    files += [p for r in runs for p in (r.output, r.output.with_suffix(".html"))]
    for file in files:
        if file.is_dir() or (file.exists() and not os.access(file, os.W_OK)):
            raise OutputFolderError(f"cannot replace {file}: it is a folder or not writable. "
                                    "Pass another folder with --output.")


class StopRequest:
    """Counts SIGINT and SIGTERM while in a ``with`` block, instead of raising.

    Outside the main thread, where signal handlers cannot be set, it counts
    nothing. On leaving the block the previous handlers come back.

    Examples
    --------
    >>> with StopRequest() as stop:
    ...     stop.count
    0
    """

    def __init__(self) -> None:
        self.count = 0
        self.signal: int | None = None
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        self.signal = self.signal or signum

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()


@dataclasses.dataclass
class _Active:
    """A run whose process is going."""

    run: Run
    process: subprocess.Popen[bytes]
    folder: Path
    started: float
    stopping_since: float | None = None

    def kernel_pid(self) -> int | None:
        try:
            return int((self.folder / "kernel.pid").read_text())
        except (OSError, ValueError):
            return None

    def ask_to_stop(self, now: float, signum: int) -> None:
        """Pass the batch's signal on: the run interrupts its cell and shuts its kernel down."""
        self.stopping_since = now
        if self.process.poll() is None:
            self.process.send_signal(signum)

    def kill(self) -> None:
        """End the run's process and its kernel (both lead their own process groups)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass
        _end_kernel(self.kernel_pid())


def _end_kernel(pid: int | None) -> None:
    """Kill a kernel's process group, unless its process id now belongs to another program."""
    if pid is None:
        return
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        if cmdline.exists() and b"ipykernel" not in cmdline.read_bytes():
            return
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def _start(run: Run, folder: Path, timeout: float, html_export: bool) -> _Active:
    folder.mkdir()
    spec = {
        "notebook": str(run.notebook), "output": str(run.output), "parameters": run.parameters,
        "cwd": str(run.notebook.parent), "timeout": timeout, "html": html_export,
        "index": str(run.index) if run.index else None, "kernel_pid_file": str(folder / "kernel.pid"),
    }
    (folder / "spec.json").write_text(json.dumps(spec, default=str), encoding="utf-8")
    with open(folder / "stderr.txt", "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-P", job.__file__, str(folder / "spec.json")],
            stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr, start_new_session=True,
        )
    return _Active(run, process, folder, time.perf_counter())


def _finish(active: _Active, stopping: bool) -> Run:
    run = active.run
    run.seconds = time.perf_counter() - active.started
    try:
        result = json.loads((active.folder / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result = None
    if result is not None:
        run.status, run.error, run.seconds = result["status"], result["error"], result["seconds"]
    elif stopping:
        run.status, run.error = "interrupted", "stopped before it could save its state"
    else:
        try:
            lines = (active.folder / "stderr.txt").read_text(errors="replace").strip().splitlines()
        except OSError:
            lines = []
        run.status = "failed"
        run.error = f"the run's process ended with code {active.process.returncode}" + (
            f": {lines[-1]}" if lines else "")
    if result is None:
        # The process ended without shutting its kernel down: the kernel must not outlive it.
        _end_kernel(active.kernel_pid())
    return run


def run_batch(runs: list[Run], *, jobs: int = 1, timeout: float = 1200, html_export: bool = True,
              progress: bool = True, stop: StopRequest | None = None) -> list[Run]:
    """Execute runs, ``jobs`` at a time, each in its own process; stop cleanly on a signal.

    Parameters
    ----------
    runs : list of Run
        From :func:`plan_runs`.
    jobs : int
        Runs at once.
    timeout : float
        Seconds allowed per cell.
    html_export : bool
        Write an HTML page beside each executed notebook.
    progress : bool
        Show a progress bar on standard error.
    stop : StopRequest, optional
        Counts the signals that stop the batch; one is made for the call when
        not given (pass your own to keep handling signals afterwards).

    Returns
    -------
    list of Run
        The runs with status, error and time, sorted by output path. After a
        signal, runs that were going are ``"interrupted"`` and runs that had
        not started are ``"skipped"``.
    """
    from tqdm import tqdm

    if stop is None:
        with StopRequest() as own:
            return run_batch(runs, jobs=jobs, timeout=timeout, html_export=html_export,
                             progress=progress, stop=own)
    queue, active, done = deque(runs), [], []
    numbers = itertools.count()
    bar = tqdm(total=len(runs), desc="notebooks", unit="nb", disable=not progress, file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="custlab-run-") as tmp:
        try:
            while queue or active:
                now = time.perf_counter()
                if stop.count:
                    _stop(queue, active, done, stop, now)
                while queue and len(active) < max(jobs, 1):
                    active.append(_start(queue.popleft(), Path(tmp) / str(next(numbers)),
                                         timeout, html_export))
                for item in [a for a in active if a.process.poll() is not None]:
                    active.remove(item)
                    done.append(_finish(item, stopping=bool(stop.count)))
                    bar.update()
                time.sleep(0.05)
        finally:
            for item in active:
                item.kill()
                item.process.wait()
            bar.close()
    return sorted(done, key=lambda r: str(r.output))


def _stop(queue: deque[Run], active: list[_Active], done: list[Run], stop: StopRequest,
          now: float) -> None:
    """Skip queued runs; ask running ones to stop, and kill those that take too long."""
    if queue or any(item.stopping_since is None for item in active):
        name = signal.Signals(stop.signal).name if stop.signal else "a signal"
        print(f"\ncustlab run: {name}: stopping {len(active)} run(s), skipping {len(queue)}; "
              "send it again to stop at once.", file=sys.stderr, flush=True)
    while queue:
        run = queue.popleft()
        run.status, run.error = "skipped", ""
        done.append(run)
    for item in active:
        if item.stopping_since is None:
            item.ask_to_stop(now, stop.signal or signal.SIGTERM)
        elif stop.count > 1 or now - item.stopping_since > GRACE_SECONDS:
            item.kill()
