# `make demo` and `make test` set up everything on a fresh Debian 12 machine (as root, non-interactive).
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo-out
APT_PACKAGES := tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd sane-utils poppler-utils qpdf \
	fonts-liberation2 fonts-dejavu-core softhsm2 libnss3-tools python3-venv python3-dev chromium hunspell-vi
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export DEBIAN_FRONTEND := noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: all install system-deps venv test lint demo bench bench-deps clean

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
	$(BIN)/ruff check dossier tests bench scripts
	$(BIN)/ruff format --check dossier tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

test: install
	@tesseract --version 2>&1 | head -1; tesseract --list-langs 2>&1 | tr '\n' ' '; echo
	@scanimage --version; $(BIN)/python --version
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -n $${PYTEST_WORKERS:-auto} -q

# the demo's registry, outbox and dossier codes live in demo-out, not in the user's home
demo: export DOSSIER_HOME = $(CURDIR)/$(DEMO_DIR)/home
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
	code=$$($(BIN)/dossier code next --agency 000.00.06.H56)
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
	@echo "== sign the complete dossier: a freshly generated TEST PKI (KHÔNG DÙNG THẬT) and a local timestamp service"
	trap 'kill $$(jobs -p) 2>/dev/null || true' EXIT  # the PKI services and the portal stop with the demo
	$(BIN)/dossier samples pki $(DEMO_DIR)/pki --serve --json > $(DEMO_DIR)/pki.json 2> $(DEMO_DIR)/pki.log &
	for i in $$(seq 150); do grep -q "127.0.0.1" $(DEMO_DIR)/pki.log 2>/dev/null && break; sleep 0.2; done
	pki() {  # one value of pki.json by its keys: pki signers officer p12
		$(BIN)/python -c "import json, sys; d = json.load(open(sys.argv[1])); [d := d[k] for k in sys.argv[2:]]; print(d)" \
			$(DEMO_DIR)/pki.json "$$@"
	}
	DOSSIER_P12_PASSWORD=$$(cat $$(pki password_file)) $(BIN)/dossier sign $(DEMO_DIR)/hs-khai-sinh \
		--out $(DEMO_DIR)/da-ky --p12 $$(pki signers officer p12) --trust $$(pki root) \
		--tsa $$(pki tsa_url) --level B-LT --agency "Ủy ban nhân dân xã mẫu (THỬ NGHIỆM)"
	$(BIN)/dossier verify $(DEMO_DIR)/da-ky/*.pdf --trust $$(pki root)
	@echo "== submit it to the sandbox portal on the citizen's behalf; the portal's code and appointment go on the receipt"
	export DOSSIER_PORTAL_SERVER_TOKEN=$$($(BIN)/python -c "import secrets; print(secrets.token_urlsafe(24))")
	$(BIN)/dossier portal serve --port 0 --data $(DEMO_DIR)/portal > $(DEMO_DIR)/portal.url 2> $(DEMO_DIR)/portal.log &
	for i in $$(seq 100); do [ -s $(DEMO_DIR)/portal.url ] && break; sleep 0.1; done
	printf '%s\n' '{"id_number": "001203012345", "full_name": "Người Nộp Mẫu", "phone": "0912345678",' \
		'"consent_reference": "DONG-Y-MAU-0001"}' > $(DEMO_DIR)/cong-dan.json
	chmod 600 $(DEMO_DIR)/cong-dan.json
	DOSSIER_PORTAL_TOKEN=$$DOSSIER_PORTAL_SERVER_TOKEN $(BIN)/dossier submit \
		$(DEMO_DIR)/da-ky --portal $$(head -1 $(DEMO_DIR)/portal.url) --citizen-file $(DEMO_DIR)/cong-dan.json \
		--agency 000.00.06.H56 --officer mot-cua.mau
	@pdftotext -l 1 $(DEMO_DIR)/da-ky/giay-tiep-nhan.pdf - | grep -v '^$$' | head -12
	@echo "== a supervisor's month: seeded history of one province in the sandbox portal, deadlines, report, dashboard"
	export DOSSIER_PORTAL_TOKEN=$$DOSSIER_PORTAL_SERVER_TOKEN  # the server token is the sandbox admin
	$(BIN)/dossier samples history --portal $$(head -1 $(DEMO_DIR)/portal.url) --count 600 --seed 7
	$(BIN)/dossier deadlines --portal $$(head -1 $(DEMO_DIR)/portal.url) --overdue > $(DEMO_DIR)/qua-han.txt
	@echo "   overdue dossiers listed: $$(grep -c 'H56-' $(DEMO_DIR)/qua-han.txt || true)"
	$(BIN)/dossier report --portal $$(head -1 $(DEMO_DIR)/portal.url) --html $(DEMO_DIR)/bang-dieu-khien.html
	@echo "== dashboard: $(CURDIR)/$(DEMO_DIR)/bang-dieu-khien.html"

# OCRmyPDF needs Ghostscript (PDF/A output) and pngquant (its lossy -O2/-O3); GNU parallel runs it over many files
BENCH_APT_PACKAGES := ghostscript pngquant parallel

bench-deps:
	@if ! dpkg -s $(BENCH_APT_PACKAGES) >/dev/null 2>&1; then
		echo "== installing Debian packages: $(BENCH_APT_PACKAGES)"
		$(SUDO) apt-get update -q
		$(SUDO) apt-get install -y -q --no-install-recommends $(BENCH_APT_PACKAGES)
	fi

bench: system-deps bench-deps $(VENV)/.installed-bench venv
	$(BIN)/python bench/scan_vs_ocrmypdf.py
	$(BIN)/python bench/classify.py
	$(BIN)/python bench/postcorrect.py
	$(BIN)/python bench/sign_vs_pyhanko.py
	$(BIN)/python bench/submit.py
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/report.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) bench/out .pytest_cache
