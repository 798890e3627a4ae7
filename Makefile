# Hearth: the two commands of the README.
#   make run   - set up .venv (idempotent) and start the app
#   make test  - set up .venv (idempotent) and run the whole test suite (works headless)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.hearth-installed

.PHONY: install run test lint bench gpu-cuda gpu-metal clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Hearth needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/hearth

test: install
	$(PY) -m tests.llama_cpp_sources
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/engine_overhead.py
	$(PY) bench/download_verify.py
	$(PY) bench/store_bench.py

# Rebuild llama-cpp-python with GPU offload (the wheel cache would otherwise reuse the CPU build).
gpu-cuda: install
	CMAKE_ARGS="-DGGML_CUDA=on" $(PY) -m pip install --force-reinstall --no-deps --no-cache-dir -c constraints.txt llama-cpp-python

gpu-metal: install
	CMAKE_ARGS="-DGGML_METAL=on" $(PY) -m pip install --force-reinstall --no-deps --no-cache-dir -c constraints.txt llama-cpp-python

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
