# custlab: `make run` runs every notebook into build/, `make test` runs the tests.
# Both create .venv from requirements.lock on first use.
# INSTALLER=pip uses plain pip instead of uv (slower, same pins).

PYTHON    ?= python3
INSTALLER ?= uv
UV_VERSION := 0.13.9
VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed-$(INSTALLER)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.py notebooks/reproductions/[0-9]*.py))
JOBS      ?= 2

.PHONY: help setup run test lab refresh lock clean bench nav student solutions

help:
	@echo "make run      run every notebook with papermill into build/, then the course site build/site/index.html"
	@echo "make test     unit, property, notebook (nbval), pairing and smoke tests"
	@echo "make lab      open JupyterLab on notebooks/"
	@echo "make student  student copies in build/student/: no outputs, the solutions left blank"
	@echo "make solutions  every exercise's solution on one page for teachers: build/solutions/index.html"
	@echo "make nav      rewrite the notebooks' navigation, notebooks/contents.ipynb and the README index"
	@echo "make refresh  re-execute notebooks in place after editing their .py twin"
	@echo "make lock     re-pin requirements.lock from pyproject.toml"
	@echo "make bench   speed of custlab beside its peers (benchmarks/README.md)"

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
ifeq ($(INSTALLER),uv)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/python -m uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/python -m uv pip install --quiet --python $(BIN)/python --no-deps -e .
else
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
endif
	@touch $@

# Every notebook executed into build/, then the course site built from them into build/site/.
run: $(STAMP)
	$(BIN)/python -m custlab run --jobs $(JOBS) --no-html --output build
	$(BIN)/python -m custlab site --source build --output build/site

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# numpy's widest SIMD paths off: stored outputs must not depend on the CPU they were made on.
NARROW_SIMD := X86_V4 AVX512_ICL

# One pytest run for everything, then strict nbval once more with the widest SIMD paths switched off.
test: $(STAMP)
	bash tests/ensure_chromium.sh
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup $(NBVAL)
	NPY_DISABLE_CPU_FEATURES="$(NARROW_SIMD)" $(BIN)/python -m pytest -n $(JOBS) --dist loadgroup \
	  -p no:cacheprovider -q $(NBVAL) notebooks

student: $(STAMP)
	$(BIN)/python -m custlab student --output build/student

solutions: $(STAMP)
	$(BIN)/python -m custlab solutions --output build/solutions/index.html

nav: $(STAMP)
	$(BIN)/python -m custlab nav

# Containers, Binder and many lab machines run as root: Jupyter refuses root unless told.
lab: $(STAMP)
	$(BIN)/python -m jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

# Edit the .py twin, then: inputs into the .ipynb (outputs kept), execute in place, re-pair.
refresh: $(STAMP)
	@for py in $(NOTEBOOKS); do \
	  nb=$${py%.py}.ipynb; echo "refresh $$nb"; \
	  $(BIN)/python -m jupytext --quiet --to ipynb --update $$py || exit 1; \
	  $(BIN)/python -m jupyter nbconvert --log-level=WARN \
	    --to notebook --execute --inplace \
	    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.record_timing=False \
	    --ExecutePreprocessor.timeout=900 $$nb || exit 1; \
	  $(BIN)/python -m jupytext --quiet --sync $$nb || exit 1; \
	done

lock: $(STAMP)
	$(BIN)/python -m uv pip compile --quiet --universal --python-version 3.11 \
	  --extra dev --extra lab --extra duckdb --extra spark pyproject.toml -o requirements.lock

clean:
	rm -rf build .pytest_cache .hypothesis

# Benchmarks need the peer (lifetimes 0.11.3) in an environment of their own.
BENCH_VENV := benchmarks/.venv-peer
$(BENCH_VENV)/.installed: requirements.lock
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BENCH_VENV)/bin/python -m uv pip install --quiet --python $(BENCH_VENV)/bin/python -r requirements.lock tabulate
	$(BENCH_VENV)/bin/python -m uv pip install --quiet --python $(BENCH_VENV)/bin/python --no-deps -e . lifetimes==0.11.3
	$(BENCH_VENV)/bin/python -m uv pip install --quiet --python $(BENCH_VENV)/bin/python autograd dill
	@touch $@

bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/bench_foundation.py
	$(BENCH_VENV)/bin/python benchmarks/bench_import.py
	$(BENCH_VENV)/bin/python benchmarks/bench_models.py
	$(BENCH_VENV)/bin/python benchmarks/check_new_models.py
	$(BENCH_VENV)/bin/python benchmarks/bench_busy_core.py
	$(BENCH_VENV)/bin/python benchmarks/bench_lifecycle.py
	$(BENCH_VENV)/bin/python benchmarks/bench_cohorts.py
	$(BENCH_VENV)/bin/python benchmarks/bench_summaries.py
