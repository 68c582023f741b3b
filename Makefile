# Two commands set everything up: `make demo` and `make test`. Each creates or updates .venv itself.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo base test test-fast venv clean

venv: $(STAMP)

# torch/torchvision first, pinned to the wheels on this machine's disk; pyproject keeps torch>=2.6 for GPU users.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.14.1 torchvision==0.29.1
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/perception-r1 demo

# Rebuild the shipped tiny base (src/perception_r1/models/tiny_base) as its provenance.json says it was made:
# pretrain to BASE_STEPS (resumable; about an hour on 2 shared CPU cores), then ship that checkpoint.
BASE_STEPS ?= 800
base: $(STAMP)
	HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 $(BIN)/perception-r1 pretrain --config configs/demo_pretrain.yaml --max_steps $(BASE_STEPS)
	HF_HUB_OFFLINE=1 OMP_NUM_THREADS=1 $(BIN)/perception-r1 pretrain --ship runs/pretrain/checkpoint-$(BASE_STEPS)

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

test-fast: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -m "not slow"

clean:
	rm -rf $(VENV) runs
