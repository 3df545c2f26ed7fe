"""Every ``custlab`` command the README shows, run as written.

The commands are taken from the README's ``bash`` blocks (backslash
continuations joined) and run in a folder that looks like the repository's to
them: ``.venv`` (a link to the real one), ``orders.csv`` (a small purchase log
with the README's column names, made here) and each file the README's
``yaml`` blocks name in their first line (``# windows.yaml``).
"""

import re
import shlex
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
NETWORK = re.compile(r"""<script[^>]*\ssrc\s*=\s*["']?(https?:)?//"""
                     r"""|<link[^>]*\shref\s*=\s*["']?(https?:)?//"""
                     r"""|url\(\s*["']?(https?:)?//|@import""", re.IGNORECASE)


def blocks(text: str, language: str) -> list[str]:
    """The fenced code blocks of ``text`` in ``language``."""
    return re.findall(rf"^```{language}[ \t]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def commands(block: str) -> list[str]:
    """The commands of a bash block: continuations joined, comments and blank lines dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    found = []
    for line in joined.splitlines():
        words = shlex.split(line, comments=True)
        if words:
            found.append(shlex.join(words))
    return found


def custlab_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    every = [c for block in blocks(text, "bash") for c in commands(block)]
    return [c for c in every if re.search(r"(^|\s)(-m custlab|custlab)(\s|$)", c)]


def yaml_files() -> dict[str, str]:
    """File name (from the block's first line, ``# name.yaml``) to the block's text."""
    files = {}
    for block in blocks(README.read_text(encoding="utf-8"), "yaml"):
        first = block.splitlines()[0]
        match = re.fullmatch(r"#\s*(\S+\.ya?ml)\s*", first)
        if match:
            files[match.group(1)] = block
    return files


def write_orders(path: Path, n_clients: int = 80, seed: int = 1) -> pd.DataFrame:
    """A small purchase log over 2023-2024 with the README's column names and ISO dates."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2023-01-01", "2024-12-31", freq="D")
    rows = []
    for client in range(n_clients):
        for day in rng.choice(days, size=int(rng.integers(1, 9)), replace=False):
            rows.append((f"C{client:03d}", pd.Timestamp(day).date().isoformat(),
                         round(float(rng.uniform(5, 200)), 2)))
    orders = pd.DataFrame(rows, columns=["client", "order_day", "paid"])
    orders = orders.sort_values(["order_day", "client"])
    orders.to_csv(path, index=False)
    return orders


def test_the_readme_shows_runnable_commands_and_their_files():
    found = custlab_commands()
    assert any(" run 01 " in f" {c} " and "--params" not in c for c in found), found
    assert any("--params windows.yaml" in c for c in found), found
    assert "windows.yaml" in yaml_files()
    assert commands("a \\\n  b # note\n\n# only a comment\nc 'd e'") == ["a b", "c 'd e'"]


def test_the_made_up_log_covers_two_years(tmp_path):
    orders = write_orders(tmp_path / "orders.csv")
    assert 200 <= len(orders) <= 600
    assert orders["order_day"].min() >= "2023-01-01" and orders["order_day"].max() <= "2024-12-31"
    assert list(orders.columns) == ["client", "order_day", "paid"]


@pytest.fixture(scope="module")
def readme_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("readme")
    (folder / ".venv").symlink_to(REPO / ".venv", target_is_directory=True)
    write_orders(folder / "orders.csv")
    for name, text in yaml_files().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.notebook
@pytest.mark.parametrize("command", custlab_commands())
def test_a_readme_command_runs_as_written(readme_folder, command):
    done = subprocess.run(shlex.split(command), cwd=readme_folder, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    words = shlex.split(command)
    if "run" in words and "--output" in words:
        output = readme_folder / words[words.index("--output") + 1]
        index = (output / "index.html").read_text(encoding="utf-8")
        assert "status-ok" in index and "status-failed" not in index
        pages = sorted(output.rglob("*.html"))
        assert len(pages) >= 2
        for page in pages:
            assert not NETWORK.search(page.read_text(encoding="utf-8")), page
        assert "succeeded" in done.stdout
