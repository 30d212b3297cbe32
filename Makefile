# glance-conformance: see README.md. Every target installs or builds what it needs.
SHELL := /bin/bash
GO    ?= go
BIN   := .bin

# Selection (all optional, on make's command line: the environment is not read, so an OUT or
# RELEASES exported for something else is never followed): TOPOLOGIES=standalone,uwsgi-http  RELEASES=bookworm
# FEATURES=upload.chunked,api.versions  LABELS='<ginkgo label filter>'  OUT=out  KEEP=1
# BASELINE=path/to/matrix.json: compare with it; a regression exits 3
# PROCS=3: Ginkgo processes testing columns side by side (ginkgo --procs; default 3: on 2 cores,
# 27m45s for the full matrix against 35m42s with 2, the same verdicts)
TOPOLOGIES :=
RELEASES   :=
FEATURES   :=
BASELINE   :=
LABELS     :=
OUT        := out
KEEP       :=
PROCS      :=
# IDENTITY=keystone: every column authenticates through one Keystone started for the run
# (keystonemiddleware's authtoken in Glance's pipeline; the specs' parts are Keystone users);
# default: the trusted identity headers (README.md, Identity)
IDENTITY   :=
# RERUN_FAILED=path/to/matrix.json: run again only its failed and errored cells (OUT elsewhere),
# with the images that matrix used
RERUN_FAILED :=
# Images (conformance, images, certify): REGISTRY=host:port[/path] is asked for a missing image
# before it is built; PUSH=1 sends the images used there; IMAGES_FROM=matrix.json uses exactly
# that run's images (local or from REGISTRY), never today's build
REGISTRY    :=
PUSH        :=
IMAGES_FROM :=
# GLANCE_SRC=path/to/glance: run that Glance source tree (a change under review, master) instead
# of each release's packaged Glance, over the release's packaged dependencies
GLANCE_SRC  :=
IMAGE_FLAGS = $(if $(REGISTRY),--registry '$(REGISTRY)') $(if $(PUSH),--push) $(if $(IMAGES_FROM),--images-from '$(IMAGES_FROM)') \
	$(if $(GLANCE_SRC),--glance-src '$(GLANCE_SRC)')

# Certification (make certify): CLOUD=<clouds.yaml entry or "env"> [CLOUD_MEMBER=] [CLOUD_OTHER=]
# [PROFILE=interop|full] [PRODUCT=product.yaml] [CERT_OUT=out/certification]; or START=keystone
# [RELEASE=bookworm] to certify our own Keystone-authenticated deployment.
CLOUD        :=
CLOUD_MEMBER :=
CLOUD_OTHER  :=
START        :=
RELEASE      := bookworm
PROFILE      := interop
PRODUCT      :=
CERT_OUT     := out/certification

.PHONY: help conformance crosscheck list certify test images clean deps test-deps build vet unit e2e features

# A bare `make` explains instead of starting a long run.
## help: this list (the default target)
help:
	@sed -n 's/^## \([a-z-]*\): /  make \1\t/p' $(firstword $(MAKEFILE_LIST)) | expand -t 24
	@echo; echo "  Selection: TOPOLOGIES= RELEASES= FEATURES= LABELS= OUT= KEEP=1 BASELINE= PROCS= IDENTITY= (README.md, Selecting)"
	@echo "  Images:    REGISTRY= PUSH=1 IMAGES_FROM= GLANCE_SRC= (README.md, Images a CI can cache and share; Testing a Glance tree)"

## conformance: build what is missing, run the matrix, write out/
conformance: deps build
	$(BIN)/glance-conformance run --out '$(OUT)' --releases '$(RELEASES)' --topologies '$(TOPOLOGIES)' \
		--features '$(FEATURES)' --label-filter '$(LABELS)' $(if $(KEEP),--keep) $(if $(BASELINE),--baseline '$(BASELINE)') \
		$(if $(PROCS),--procs '$(PROCS)') $(if $(RERUN_FAILED),--rerun-failed '$(RERUN_FAILED)') $(if $(IDENTITY),--identity '$(IDENTITY)') $(IMAGE_FLAGS)

# Crosscheck: TEMPEST=<regex of Tempest's tests> (default: every image API test), with the
# selection variables above; always with IDENTITY=keystone (Tempest signs in through Keystone).
TEMPEST := ^tempest\.api\.image\.

## crosscheck: the matrix plus Tempest's own image API tests on each column, its verdicts beside the matrix's
crosscheck: IDENTITY := keystone
crosscheck: deps build
	$(BIN)/glance-conformance run --out '$(OUT)' --releases '$(RELEASES)' --topologies '$(TOPOLOGIES)' \
		--features '$(FEATURES)' --label-filter '$(LABELS)' $(if $(KEEP),--keep) $(if $(BASELINE),--baseline '$(BASELINE)') \
		$(if $(PROCS),--procs '$(PROCS)') --identity '$(IDENTITY)' --tempest '$(TEMPEST)' $(IMAGE_FLAGS)

## list: print the cells a selection would run (same variables as conformance); nothing is built or started
list: build
	$(BIN)/glance-conformance run --list --releases '$(RELEASES)' --topologies '$(TOPOLOGIES)' \
		--features '$(FEATURES)' --label-filter '$(LABELS)'

## certify: run a profile against one Keystone-authenticated Glance; verdict, bundle in out/certification
certify: build
	$(BIN)/glance-conformance certify --cloud '$(CLOUD)' --cloud-member '$(CLOUD_MEMBER)' --cloud-other '$(CLOUD_OTHER)' \
		--start '$(START)' --release '$(RELEASE)' --profile '$(PROFILE)' --product '$(PRODUCT)' --out '$(CERT_OUT)' \
		$(if $(KEEP),--keep) $(IMAGE_FLAGS)

## test: vet, unit tests (no Docker), and one real end-to-end run of the standalone column
test: test-deps vet unit e2e

## images: build the Glance images that are missing (tagged by their recipe and the archive's package indexes)
images: deps build
	$(BIN)/glance-conformance images --releases '$(RELEASES)' $(IMAGE_FLAGS)

## clean: remove every container, network and volume the project left behind, and the outputs
clean:
	@if [ -x $(BIN)/glance-conformance ]; then $(BIN)/glance-conformance clean; \
	else $(GO) run ./cmd/glance-conformance clean; fi
	rm -rf $(BIN) out

# Host tools the image build needs, from Debian's packages.
deps:
	@command -v debootstrap >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }

# What the tests need beyond it: a browser that renders matrix.html (reports' browser test), and
# Debian's Docker registry, which the registry round trip starts on loopback: only its program is
# unpacked into .bin (installing the package would start a registry service on this machine).
test-deps: deps $(BIN)/docker-registry
	@command -v chromium >/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

build:
	$(GO) build -o $(BIN)/glance-conformance ./cmd/glance-conformance
	$(GO) build -o $(BIN)/ginkgo github.com/onsi/ginkgo/v2/ginkgo
	$(GO) test -c -o $(BIN)/suites.test ./suites

vet:
	$(GO) vet ./...
	$(GO) vet -tags e2e ./cmd/...

## features: regenerate the checked-in feature list (unit tests fail while it is stale)
features:
	$(GO) test -count=1 ./suites -run '^TestCheckedInFeatureListMatchesTheSpecs$$' -update

# make test runs the browser test of matrix.html for real (chromium from make test-deps); a plain
# make unit skips it where chromium is missing.
test: BROWSER_TEST := 1
# Unit tests: go test ./..., in which the conformance suite skips (it runs with a run
# configuration: make conformance, and the e2e tests).
$(BIN)/docker-registry:
	@mkdir -p $(BIN); tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	( cd "$$tmp" && { apt-get download docker-registry >/dev/null 2>&1 || { apt-get update -qq && apt-get download docker-registry; }; } && \
	  dpkg-deb -x docker-registry_*.deb x ) && cp "$$tmp/x/usr/bin/docker-registry" $@

unit:
	GC_BROWSER_TEST=$(BROWSER_TEST) $(GO) test -count=1 ./...

e2e: deps build $(BIN)/docker-registry
	$(GO) test -tags e2e -count=1 -timeout 60m -v -run 'TestEndToEnd' ./cmd/glance-conformance
