# `make demo` and `make test` set up everything on a fresh Debian 12 machine (as root, non-interactive).
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-out
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd sane-utils poppler-utils qpdf \
	fonts-liberation2 fonts-dejavu-core softhsm2 libnss3-tools python3-venv python3-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export DEBIAN_FRONTEND := noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: all install system-deps venv test lint demo bench clean

all: test

system-deps:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then
		echo "== installing Debian packages: $(APT_PACKAGES)"
		$(SUDO) apt-get update -q
		$(SUDO) apt-get install -y -q --no-install-recommends $(APT_PACKAGES)
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed-%: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[$*]"
	touch $@

venv: $(VENV)/.installed-test

install: system-deps venv

lint: install
	$(BIN)/ruff check dossier tests bench
	$(BIN)/ruff format --check dossier tests bench

test: install
	@tesseract --version 2>&1 | head -1; tesseract --list-langs 2>&1 | tr '\n' ' '; echo
	@scanimage --version; $(BIN)/python --version
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto} -q

demo: install
	rm -rf $(DEMO_DIR)
	$(BIN)/dossier samples make $(DEMO_DIR)/samples
	$(BIN)/dossier scan $(DEMO_DIR)/samples --out $(DEMO_DIR)/dossier --title "Hồ sơ mẫu" \
		--dossier-id 000.00.06.H56-261123-0001 || [ $$? -eq 11 ]
	@echo "== manifest: $(DEMO_DIR)/dossier/manifest.json"
	@echo "== first lines of the text layer (pdftotext):"
	@pdftotext -l 1 $(DEMO_DIR)/dossier/scan.pdf - | head -15
	@echo "== a birth registration dossier (1.001193): scanned, split into components, checked, receipt printed"
	$(BIN)/dossier samples dossier $(DEMO_DIR)/khai-sinh --procedure 1.001193 --seed 2
	$(BIN)/dossier scan $(DEMO_DIR)/khai-sinh --out $(DEMO_DIR)/hs-khai-sinh --procedure 1.001193 \
		|| [ $$? -eq 12 ]  # 12: the stray page is shown to the officer for review
	code=$$(DOSSIER_HOME=$(DEMO_DIR)/home $(BIN)/dossier code next --agency 000.00.06.H56)
	stray=$$($(BIN)/python -c "import json; print(json.load(open('$(DEMO_DIR)/khai-sinh/truth.json'))['pages'].index('-') + 1)")
	$(BIN)/dossier check $(DEMO_DIR)/hs-khai-sinh --procedure 1.001193 --assign $$stray=none --officer "Cán bộ mẫu"
	$(BIN)/dossier notice receipt $(DEMO_DIR)/hs-khai-sinh --procedure 1.001193 --code $$code \
		--applicant-name "Người nộp mẫu" --out $(DEMO_DIR)/hs-khai-sinh/giay-tiep-nhan.pdf
	@pdftotext -l 1 $(DEMO_DIR)/hs-khai-sinh/giay-tiep-nhan.pdf - | grep -v '^$$' | head -25
	@echo "== the same procedure with the birth certificate missing: one supplement request listing it"
	$(BIN)/dossier samples dossier $(DEMO_DIR)/khai-sinh-thieu --procedure 1.001193 --seed 2 --drop TP02 --drop TP03
	$(BIN)/dossier scan $(DEMO_DIR)/khai-sinh-thieu --out $(DEMO_DIR)/hs-thieu --procedure 1.001193 \
		|| [ $$? -eq 6 ]  # 6: incomplete
	$(BIN)/dossier notice supplement $(DEMO_DIR)/hs-thieu --procedure 1.001193 --code $$code \
		--applicant-name "Người nộp mẫu" --out $(DEMO_DIR)/hs-thieu/phieu-bo-sung.pdf
	@pdftotext $(DEMO_DIR)/hs-thieu/phieu-bo-sung.pdf - | grep -v '^$$' | head -30

bench: system-deps $(VENV)/.installed-bench venv
	$(BIN)/python bench/scan_vs_ocrmypdf.py
	$(BIN)/python bench/classify.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) bench/out .pytest_cache
