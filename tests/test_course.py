"""The course around the notebooks: catalogue, navigation, contents, README index and site.

The browser test (tests/test_site_browser.py) loads the site in Chromium; here the site's files are checked
without a browser."""

import re

import nbformat
import pytest

from custlab.course import navigation
from custlab.course.catalog import REPO_DIR, read_catalog, read_data_sets
from custlab.course.site import build_site, latex_to_mathml

COURSE = read_catalog()

pytestmark = pytest.mark.xdist_group("site")  # with tests/test_site_browser.py: one build of the site


def test_navigation_contents_and_readme_index_are_in_step_with_the_notebooks():
    assert navigation.outdated() == [], "run `python -m custlab nav`"


def test_the_course_runs_through_every_notebook_in_order():
    on_disk = sorted(p.relative_to(REPO_DIR / "notebooks") for p in (REPO_DIR / "notebooks").rglob("[0-9]*.ipynb")
                     if ".ipynb_checkpoints" not in p.parts)
    assert sorted(nb.path for nb in COURSE) == on_disk
    assert [nb.label for nb in COURSE][:2] == ["01", "02"] and COURSE[-1].label.startswith("R")
    assert len({nb.label for nb in COURSE}) == len(COURSE)


@pytest.mark.parametrize("nb", COURSE, ids=lambda nb: nb.label)
def test_each_notebook_states_its_question_objectives_and_prerequisites(nb):
    assert "?" in nb.title, "a notebook's title is its question"
    assert len(nb.objectives) == 3
    assert nb.prerequisites


@pytest.mark.parametrize("nb", COURSE, ids=lambda nb: nb.label)
def test_prerequisites_point_back_never_forward_nor_into_the_reproductions(nb):
    named = re.findall(r"\b(notebook|reproduction)s? (\d{2})\b", nb.prerequisites, flags=re.IGNORECASE)
    for kind, number in named:
        if nb.part == "":
            assert kind.lower() == "notebook", f"{nb.label} sends students to {kind} {number}"
            assert int(number) < nb.number, f"{nb.label} needs notebook {number}, which comes after it"
        elif kind.lower() == "reproduction":
            assert int(number) < nb.number


def test_data_sets_are_found_from_the_calls_in_each_notebook():
    names = {d.name for d in read_data_sets()}
    used = {name for nb in COURSE for name in nb.data_sets}
    assert used == names, "every data set in data/README.md is used, and every one used is described"
    cdnow = next(d for d in read_data_sets() if d.name == "CDNOW")
    assert cdnow.loaders == ("load_cdnow",)
    assert "CDNOW" in next(nb for nb in COURSE if nb.label == "R01").data_sets


def test_navigation_links_the_previous_and_next_notebooks():
    labels = [nb.label for nb in COURSE]
    i = labels.index("10")
    top, end = navigation.nav_lines(COURSE, i)
    assert "(09_turning_buyers_into_clients.ipynb)" in top
    assert "(reproductions/01_counting_your_customers_2005.ipynb)" in end
    top, end = navigation.nav_lines(COURSE, i + 1)
    assert "(../10_at_scale.ipynb)" in top and "(../contents.ipynb)" in top
    assert "last notebook" in navigation.nav_lines(COURSE, len(COURSE) - 1)[1]


def test_every_link_in_the_notebooks_and_contents_points_at_a_notebook_that_exists():
    root = REPO_DIR / "notebooks"
    for path in [root / navigation.CONTENTS, *(root / nb.path for nb in COURSE)]:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", cell.source):
                assert (path.parent / target).exists(), f"{path.name} links to {target}"


def test_navigation_is_rewritten_not_repeated():
    nb = nbformat.read(REPO_DIR / "notebooks" / COURSE[0].path, as_version=4)
    again = navigation.with_navigation(nb, "top", "end")
    tags = [c.metadata.get("tags", []) for c in again.cells]
    assert sum(navigation.NAV_TAG in t for t in tags) == 2
    assert again.cells[1].source == "top" and again.cells[-1].source == "end"
    assert len(again.cells) == len(nb.cells)


def test_latex_becomes_mathml_outside_code_and_prices_stay_text():
    out = latex_to_mathml("Rate $r_t$, block $$S(t) = 1$$ and `$x$` in code.")
    assert out.count("<math") == 2 and 'display="block"' in out
    assert "`$x$`" in out
    assert latex_to_mathml("It costs $5 and $6 today, or $5-$6.") == "It costs $5 and $6 today, or $5-$6."


@pytest.fixture(scope="module")
def site(course_site):
    return course_site


def test_the_site_has_a_page_per_notebook_titled_by_its_question(site):
    for nb in COURSE:
        page = (site.parent / nb.path.with_suffix(".html")).read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", page).group(1)
        assert nb.label in title and "Notebook" not in title
        assert 'rel="next"' in page or nb is COURSE[-1]
        assert 'class="cl-sidebar"' in page and '<li><a href="#' in page
        assert ".ipynb" not in "".join(re.findall(r'href="([^"]*)"', page))


def test_the_site_loads_nothing_from_the_network_and_its_figures_are_files(site):
    for page in site.parent.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        loaded = re.findall(r'<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)="([^"]+)"', text)
        assert not [u for u in loaded if re.match(r"[a-z]+:", u) and not u.startswith("data:")], page.name
        assert "mathjax" not in text.lower() and "require.js" not in text
        for src in re.findall(r'<img[^>]*\bsrc="([^"]+)"', text):
            if not src.startswith("data:"):
                assert (page.parent / src).is_file(), f"{page.name}: {src}"
    for nb in COURSE:
        cells = nbformat.read(REPO_DIR / "notebooks" / nb.path, as_version=4).cells
        stored = sum("image/png" in o.get("data", {}) for c in cells if c.cell_type == "code" for o in c.outputs)
        files = list((site.parent / nb.path.parent / f"{nb.stem}_files").glob("*.png"))
        page = (site.parent / nb.path.with_suffix(".html")).read_text(encoding="utf-8")
        assert len(files) == stored == page.count(f'src="{nb.stem}_files/'), nb.label


def test_the_math_is_mathml_in_the_page(site):
    page = (site.parent / "07_contractual_retention.html").read_text(encoding="utf-8")
    assert page.count("<math") >= 5 and "$$" not in page


def test_the_home_page_lists_every_notebook_with_its_objectives_and_data(site):
    home = site.read_text(encoding="utf-8")
    for nb in COURSE:
        assert f'href="{nb.path.with_suffix(".html").as_posix()}"' in home
        assert f'thumbs/{nb.label}.png' in home
    assert home.count('class="cl-card"') == len(COURSE)
    assert 'type="search"' in home
    for data_set in read_data_sets():
        assert f'id="{data_set.anchor}"' in home
    assert (site.parent / "thumbs" / "06.png").stat().st_size > 1000


def test_a_folder_not_built_as_a_site_is_never_wiped(tmp_path):
    (tmp_path / "thesis.tex").write_text("years of work")
    with pytest.raises(ValueError, match="was not built by custlab"):
        build_site(output=tmp_path)
    assert (tmp_path / "thesis.tex").exists()
