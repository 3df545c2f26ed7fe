"""The course site: a home page and one page per executed notebook, all static, all offline.

``python -m custlab site --source build --output build/site`` (the last step
of ``make run``) turns a folder of executed notebooks into a site that works
opened from disk or served by any web server:

- ``index.html``, the home page: what the course teaches and for whom (the
  README's introduction), the notebooks in order with their questions,
  learning objectives, prerequisites, data and a thumbnail of their first
  figure, the reproduced studies, the data sets with their sources, and a
  search box over titles and objectives that needs no server;
- one page per notebook (``06_customer_lifetime_value.html``,
  ``reproductions/01_counting_your_customers_2005.html``) with previous / next
  / home links, a sidebar of its sections, and its figures as image files
  beside it (``06_customer_lifetime_value_files/``);
- math written as ``$...$`` or ``$$...$$`` in markdown becomes MathML when the
  site is built (latex2mathml), which browsers draw without any script, so no
  MathJax is fetched.

Every title, objective and prerequisite comes from the notebooks through
:mod:`custlab.course.catalog`; links between notebooks (``.ipynb``) become
links between pages (``.html``), and the contents notebook becomes the home
page. nbconvert renders each notebook; the page frame, the home page and the
search are written here because nbconvert makes single pages, not a site, and
a site generator (Sphinx with myst-nb, Jupyter Book) would bring a second
build system and network-loaded themes for what fits in one module.

The pages are made with the same math and the same offline template choices
as a batch's pages (:func:`custlab.runner.job.write_page`).
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from custlab.course.catalog import PARTS, CourseNotebook, DataSet, read_catalog, read_data_sets, readme_intro
from custlab.course.navigation import CONTENTS, NAV_TAG
from custlab.runner.job import _PAGE_TEMPLATE as job_page_template
from custlab.runner.job import latex_to_mathml

__all__ = ["build_site", "main"]

#: A file in every folder this module builds, so that a rebuild may wipe it and nothing else.
MARKER = ".custlab-site"
#: Width of the thumbnails on the home page, in pixels.
THUMB_WIDTH = 360

# ---------------------------------------------------------------------------------------------
# Pieces of HTML


def _inline_html(markdown: str) -> str:
    """Inline markdown (emphasis, code, links) as HTML, without the paragraph around it."""
    import mistune

    rendered = mistune.html(markdown).strip()
    return re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.DOTALL)


def _text(markdown: str) -> str:
    from custlab.runner.job import plain_text

    return plain_text(markdown)


def _relative(target: Path, origin: Path) -> str:
    """Address of ``target`` from the page ``origin`` (both relative to the site's root)."""
    import os

    return Path(os.path.relpath(target, origin.parent)).as_posix()


def _page(nb: CourseNotebook) -> Path:
    return nb.path.with_suffix(".html")


def _thumb(nb: CourseNotebook) -> Path:
    return Path("thumbs") / f"{nb.label}.png"


_SITE_CSS = """
:root { --cl-ink: #1f2328; --cl-muted: #57606a; --cl-line: #d0d7de; --cl-link: #0b5cad; --cl-soft: #f6f8fa; }
body.cl-home { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--cl-ink);
               margin: 0; line-height: 1.5; }
.cl-home main { max-width: 70em; margin: 0 auto; padding: 0 1.2em 3em; }
.cl-top { display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; align-items: baseline; padding: 0.7em 1.2em;
          border-bottom: 1px solid var(--cl-line); background: #fff; font: 15px system-ui, sans-serif; }
.cl-top a { color: var(--cl-link); text-decoration: none; }
.cl-top .cl-brand { font-weight: 700; color: var(--cl-ink); }
.cl-top .cl-step { color: var(--cl-muted); }
.cl-layout { display: flex; align-items: flex-start; }
.cl-sidebar { position: sticky; top: 0; max-height: 100vh; overflow-y: auto; flex: 0 0 15em; box-sizing: border-box;
              padding: 1em 0.8em 1em 1.2em; font: 14px/1.4 system-ui, sans-serif;
              border-right: 1px solid var(--cl-line); }
.cl-sidebar p { font-weight: 600; margin: 0 0 0.5em; }
.cl-sidebar ul { list-style: none; margin: 0; padding: 0; }
.cl-sidebar li { margin: 0.25em 0; }
.cl-sidebar a { color: var(--cl-link); text-decoration: none; }
.cl-layout > main { flex: 1 1 auto; min-width: 0; }
.cl-bottom { display: flex; justify-content: space-between; gap: 1em; padding: 1em 1.2em 2em;
             border-top: 1px solid var(--cl-line); font: 15px system-ui, sans-serif; }
.cl-bottom a { color: var(--cl-link); text-decoration: none; }
@media (max-width: 60em) { .cl-layout { display: block; } .cl-sidebar { position: static; max-height: none;
    border-right: 0; border-bottom: 1px solid var(--cl-line); } }
.cl-home h1 { font-size: 2em; margin: 0.8em 0 0.3em; }
.cl-home h2 { margin-top: 1.8em; border-bottom: 1px solid var(--cl-line); padding-bottom: 0.2em; }
.cl-search { display: flex; gap: 1em; align-items: center; margin: 1.5em 0 0.5em; }
.cl-search input { flex: 1 1 auto; max-width: 30em; font-size: 1em; padding: 0.45em 0.7em;
                   border: 1px solid var(--cl-line); border-radius: 6px; }
.cl-search output { color: var(--cl-muted); }
.cl-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(20em, 1fr)); gap: 1.2em; }
.cl-card { border: 1px solid var(--cl-line); border-radius: 8px; padding: 0.9em 1em; background: #fff; }
.cl-card[hidden] { display: none; }
.cl-card img { width: 100%; height: 10em; object-fit: contain; background: var(--cl-soft); border-radius: 4px; }
.cl-card h3 { font-size: 1.05em; margin: 0.6em 0 0.3em; }
.cl-card h3 a { color: var(--cl-link); text-decoration: none; }
.cl-card .cl-label { color: var(--cl-muted); font-weight: 600; margin-right: 0.3em; }
.cl-card ul { padding-left: 1.2em; margin: 0.3em 0; font-size: 0.93em; }
.cl-card p { margin: 0.3em 0; font-size: 0.9em; color: var(--cl-muted); }
.cl-data dt { font-weight: 600; margin-top: 0.8em; }
.cl-data dd { margin-left: 0; }
"""

_SEARCH_JS = """
(function () {
  var box = document.getElementById('cl-search');
  var count = document.getElementById('cl-count');
  var cards = Array.prototype.slice.call(document.querySelectorAll('[data-search]'));
  function filter() {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    cards.forEach(function (card) {
      var text = card.getAttribute('data-search');
      var match = words.every(function (w) { return text.indexOf(w) !== -1; });
      card.hidden = !match;
      if (match) { shown += 1; }
    });
    count.textContent = shown + ' of ' + cards.length + ' notebooks';
  }
  box.addEventListener('input', filter);
  filter();
})();
"""


def _nav_links(course: list[CourseNotebook], i: int, origin: Path) -> tuple[str, str]:
    """HTML links to the previous and the next page (or to home at either end of the course)."""
    home = _relative(Path("index.html"), origin)
    if i > 0:
        prev = course[i - 1]
        before = (f'<a rel="prev" href="{_relative(_page(prev), origin)}">'
                  f"&larr; {prev.label} {html.escape(prev.title)}</a>")
    else:
        before = f'<a href="{home}">&larr; Home</a>'
    if i + 1 < len(course):
        nxt = course[i + 1]
        after = (f'<a rel="next" href="{_relative(_page(nxt), origin)}">'
                 f"{nxt.label} {html.escape(nxt.title)} &rarr;</a>")
    else:
        after = f'<a href="{home}">Home &rarr;</a>'
    return before, after


# ---------------------------------------------------------------------------------------------
# One page per notebook

# A batch's offline page (no MathJax, require.js, widget or Mermaid script), with the site's frame around it.
_PAGE_TEMPLATE = """{%- extends 'custlab_page.html.j2' -%}
{%- block extra_css -%}
<link rel="stylesheet" href="{{ resources.cl.css }}">
{%- endblock extra_css -%}
{%- block body_header -%}
<body class="jp-Notebook cl-page" data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light">
<header class="cl-top">
<a class="cl-brand" href="{{ resources.cl.home }}">custlab course</a>
<span class="cl-step">{{ resources.cl.label }}: page {{ resources.cl.position }} of {{ resources.cl.count }}</span>
{{ resources.cl.before }} <a href="{{ resources.cl.home }}">Home</a> {{ resources.cl.after }}
</header>
<div class="cl-layout">
<nav class="cl-sidebar" aria-label="On this page"><p>On this page</p>
<!--cl-toc-->
</nav>
<main>
{%- endblock body_header -%}
{%- block body_footer -%}
</main>
</div>
<footer class="cl-bottom">
{{ resources.cl.before }} <a href="{{ resources.cl.home }}">Home</a> {{ resources.cl.after }}
</footer>
</body>
{%- endblock body_footer -%}
"""

_HEADING = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"', re.DOTALL)
_IPYNB_LINK = re.compile(r'href="(?![a-z][a-z0-9+.-]*:|#|/)([^"#]*?)\.ipynb(#[^"]*)?"')


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    # Both preprocessors are among HTMLExporter's defaults, switched off until configured.
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {NAV_TAG}
    config.TagRemovePreprocessor.enabled = True
    config.ExtractOutputPreprocessor.enabled = True
    templates = {"custlab_page.html.j2": job_page_template, "cl_page.html.j2": _PAGE_TEMPLATE}
    exporter = HTMLExporter(config=config, extra_loaders=[DictLoader(templates)], template_file="cl_page.html.j2")
    return exporter


def _page_links(body: str, origin: Path) -> str:
    """Links to notebooks become links to their pages; the contents notebook becomes the home page."""
    home = _relative(Path("index.html"), origin)

    def to_page(match: re.Match) -> str:
        target, fragment = match.group(1), match.group(2) or ""
        if Path(target).name == CONTENTS.stem:
            return f'href="{home}{fragment}"'
        return f'href="{target}.html{fragment}"'

    return _IPYNB_LINK.sub(to_page, body)


def _toc(body: str) -> str:
    items = [f'<li><a href="#{ident}">{re.sub(r"<[^>]+>", "", text).strip()}</a></li>'
             for ident, text in _HEADING.findall(body)]
    return "<ul>\n" + "\n".join(items) + "\n</ul>"


def _write_thumbnail(image: bytes, target: Path) -> None:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(image)) as picture:
        height = max(1, round(picture.height * THUMB_WIDTH / picture.width))
        small = picture.convert("RGB").resize((THUMB_WIDTH, height), Image.Resampling.LANCZOS)
        small.save(target, format="PNG", optimize=True)


@dataclass
class _Built:
    page: Path
    figures: int
    thumbnail: Path | None


def _build_page(source: Path, output: Path, course: list[CourseNotebook], i: int, exporter) -> _Built:
    entry = course[i]
    nb = nbformat.read(source / entry.path, as_version=4)
    nb.metadata["title"] = f"{entry.label} · {entry.title} · custlab course"
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = latex_to_mathml(cell.source)
    page = _page(entry)
    before, after = _nav_links(course, i, page)
    resources = {
        "output_files_dir": f"{entry.stem}_files",
        "unique_key": "figure",
        "cl": {"home": _relative(Path("index.html"), page), "css": _relative(Path("assets/site.css"), page),
               "label": entry.label, "position": i + 1, "count": len(course), "before": before, "after": after},
    }
    body, resources = exporter.from_notebook_node(nb, resources=resources)
    body = _page_links(body, page).replace("<!--cl-toc-->", _toc(body))
    target = output / page
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    thumbnail = None
    for name, data in sorted(resources.get("outputs", {}).items(), key=lambda kv: _figure_order(kv[0])):
        path = target.parent / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if thumbnail is None and name.endswith(".png"):
            thumbnail = output / _thumb(entry)
            thumbnail.parent.mkdir(exist_ok=True)
            _write_thumbnail(data, thumbnail)
    return _Built(target, len(resources.get("outputs", {})), thumbnail)


def _figure_order(name: str) -> tuple[int, int]:
    numbers = [int(n) for n in re.findall(r"_(\d+)", Path(name).stem)[-2:]]
    return (numbers + [0, 0])[:2]


# ---------------------------------------------------------------------------------------------
# The home page

def _linked_prerequisites(text: str, course: list[CourseNotebook]) -> str:
    """Prerequisites as HTML, each "notebook 06" or "reproduction 01" a link to that page."""
    pages = {("", nb.number): nb for nb in course if nb.part == ""}
    pages.update({("reproductions", nb.number): nb for nb in course if nb.part == "reproductions"})
    rendered = _inline_html(text)

    def link(match: re.Match) -> str:
        part = "reproductions" if match.group(1).lower().startswith("reproduction") else ""
        nb = pages.get((part, int(match.group(2))))
        if nb is None:
            return match.group(0)
        return f'<a href="{_page(nb).as_posix()}">{match.group(0)}</a>'

    return re.sub(r"\b([Nn]otebook|[Rr]eproduction)s? (\d{2})\b", link, rendered)


def _card(nb: CourseNotebook, course: list[CourseNotebook], data_sets: dict[str, DataSet],
          thumbnail: Path | None) -> str:
    search = " ".join([nb.label, _text(nb.title), *(_text(o) for o in nb.objectives)]).lower()
    image = (f'<a href="{_page(nb).as_posix()}"><img src="{_thumb(nb).as_posix()}" '
             f'alt="The first figure of {nb.label}" loading="lazy"></a>') if thumbnail else ""
    objectives = "".join(f"<li>{_inline_html(o)}</li>" for o in nb.objectives)
    data = ", ".join(f'<a href="#{data_sets[name].anchor}">{html.escape(name)}</a>'
                     for name in nb.data_sets if name in data_sets)
    lines = [
        f'<article class="cl-card" data-search="{html.escape(search)}">',
        image,
        f'<h3><span class="cl-label">{nb.label}</span>'
        f'<a href="{_page(nb).as_posix()}">{html.escape(nb.title)}</a></h3>',
        f"<ul>{objectives}</ul>",
    ]
    if nb.prerequisites:
        lines.append(f"<p><strong>Prerequisites:</strong> {_linked_prerequisites(nb.prerequisites, course)}</p>")
    if data:
        lines.append(f"<p><strong>Data:</strong> {data}</p>")
    lines.append("</article>")
    return "\n".join(line for line in lines if line)


def _home(course: list[CourseNotebook], data_sets: list[DataSet], thumbs: dict[str, Path | None],
          intro: str) -> str:
    by_name = {d.name: d for d in data_sets}
    sections = []
    for part, heading in PARTS:
        cards = [_card(nb, course, by_name, thumbs[nb.label]) for nb in course if nb.part == part]
        if cards:
            anchor = "reproductions" if part else "notebooks"
            sections.append(f'<h2 id="{anchor}">{html.escape(heading)}</h2>\n<div class="cl-cards">\n'
                            + "\n".join(cards) + "\n</div>")
    data_items = []
    for d in data_sets:
        users = [nb for nb in course if d.name in nb.data_sets]
        used = ", ".join(f'<a href="{_page(nb).as_posix()}">{nb.label}</a>' for nb in users) or "none yet"
        data_items.append(f'<dt id="{d.anchor}">{html.escape(d.name)}</dt>\n<dd>{_inline_html(d.description)} '
                          f"<br><strong>Used in:</strong> {used}</dd>")
    import mistune

    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>custlab course: customers, from who they are to what they are worth</title>
<link rel="stylesheet" href="assets/site.css">
</head>
<body class="cl-home">
<header class="cl-top"><a class="cl-brand" href="index.html">custlab course</a>
<a href="#notebooks">Notebooks</a> <a href="#reproductions">Reproduced studies</a> <a href="#data">Data</a>
<a href="{_page(course[0]).as_posix()}">Start with {course[0].label} &rarr;</a></header>
<main>
<h1>Customers, from who they are to what they are worth</h1>
{mistune.html(intro)}
<div class="cl-search"><input type="search" id="cl-search" placeholder="Search titles and learning objectives"
 aria-label="Search the notebooks"><output id="cl-count" for="cl-search"></output></div>
{chr(10).join(sections)}
<h2 id="data">The data</h2>
<dl class="cl-data">
{chr(10).join(data_items)}
</dl>
<p>Sources, licences and checksums: <code>data/README.md</code> in the repository.</p>
</main>
<script>{_SEARCH_JS}</script>
</body>
</html>
"""


# ---------------------------------------------------------------------------------------------
# The whole site

def _clear(output: Path) -> None:
    if output.exists():
        if not (output / MARKER).exists() and any(output.iterdir()):
            raise ValueError(f"{output} exists and was not built by custlab: give an empty or new folder.")
        shutil.rmtree(output)
    output.mkdir(parents=True)
    (output / MARKER).write_text("built by `python -m custlab site`; rebuilt from scratch each time\n")


def build_site(source: Path | None = None, output: Path = Path("build/site"), *,
               readme: Path | None = None, data_readme: Path | None = None) -> Path:
    """Build the course site from a folder of executed notebooks.

    Parameters
    ----------
    source : Path, optional
        Executed notebooks laid out as in ``notebooks/`` (``NN_name.ipynb``,
        ``reproductions/NN_name.ipynb``): ``build/`` after ``custlab run``.
        Default: the repository's ``notebooks/``, whose stored outputs nbval checks.
    output : Path
        The site's folder (default ``build/site``). It is rebuilt from
        scratch; a folder that exists and was not built here is refused.
    readme, data_readme : Path, optional
        Where the introduction and the data sets are read from (default: the
        repository's ``README.md`` and ``data/README.md``).

    Returns
    -------
    Path
        ``index.html`` of the site.
    """
    from custlab.runner.selection import NOTEBOOK_DIR

    source = Path(source or NOTEBOOK_DIR)
    output = Path(output)
    course = read_catalog(source, data_readme=data_readme)
    data_sets = read_data_sets(data_readme)
    _clear(output)
    (output / "assets").mkdir()
    (output / "assets" / "site.css").write_text(_SITE_CSS.lstrip(), encoding="utf-8")
    exporter = _exporter()
    thumbs = {}
    for i, entry in enumerate(course):
        thumbs[entry.label] = _build_page(source, output, course, i, exporter).thumbnail
    index = output / "index.html"
    index.write_text(_home(course, data_sets, thumbs, readme_intro(readme)), encoding="utf-8")
    return index


def main(argv: list[str] | None = None) -> int:
    """``python -m custlab site [--source FOLDER] [--output FOLDER]``."""
    parser = argparse.ArgumentParser(prog="custlab site", description="Build the course site from executed notebooks.")
    parser.add_argument("--source", type=Path, default=None,
                        help="folder of executed notebooks, e.g. build after `custlab run` (default: notebooks/)")
    parser.add_argument("--output", type=Path, default=Path("build/site"), help="site folder (default build/site)")
    args = parser.parse_args(argv)
    try:
        index = build_site(args.source, args.output)
    except (ValueError, OSError) as exc:
        print(f"custlab site: {exc}", file=sys.stderr)
        return 2
    pages = len(list(index.parent.rglob("*.html")))
    print(f"course site: {pages} pages; open {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
