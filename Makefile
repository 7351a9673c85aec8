# Two commands do everything on a fresh machine (Python >= 3.11):
#   make demo   build the graph of corpus/, write out/graph.html, answer a sample query
#   make test   run every test (unit, end-to-end, notebooks)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kg demo corpus --out out

test: $(STAMP)
	bash .ci/system-deps
	$(BIN)/python -m pytest -q

clean:
	rm -rf out $(VENV)
