# SPDX-License-Identifier: Apache-2.0
# The two commands a new machine needs: `make test` and `make demo`. Everything else is a step
# of those.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
CMAKE_ARGS ?=
CTEST_ARGS ?= --output-on-failure

.PHONY: all deps build check-format format tidy test test-unit test-integration test-privileged test-asan test-fuzz conformance bench demo images dist clean

all: build

deps:
	tests/tools/install-deps

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DVC_WERROR=ON $(CMAKE_ARGS)
	cmake --build $(BUILD)

# Every C and C++ file of the tree as .clang-format says (ebpf/.clang-format keeps the BPF
# programs' include order); `make format` rewrites them so.
FORMAT_FILES = $(shell git ls-files '*.cpp' '*.h' '*.c')
check-format:
	@command -v clang-format >/dev/null || { echo "check-format: clang-format is missing (make deps installs it)" >&2; exit 1; }
	@clang-format --dry-run -Werror $(FORMAT_FILES) && echo "check-format: $(words $(FORMAT_FILES)) files as .clang-format says"
format:
	clang-format -i $(FORMAT_FILES)

# clang-tidy with the committed .clang-tidy over every C++ file the build compiles; results are
# cached by content (~/.cache/vc-tidy), so only files whose inputs changed are checked again.
tidy: build
	tests/tools/tidy --build $(BUILD)

# The format, every test kind, then unit and integration tests again under
# ASan+UBSan, then the fuzzers.
test: build check-format
	cd $(BUILD) && ctest $(CTEST_ARGS)
	$(MAKE) test-asan
	$(MAKE) test-fuzz

test-unit: build
	cd $(BUILD) && ctest -L unit $(CTEST_ARGS)

test-integration: build
	cd $(BUILD) && ctest -L integration $(CTEST_ARGS)

test-privileged: build
	cd $(BUILD) && ctest -L privileged $(CTEST_ARGS)

# Under ASan+UBSan: every unit test, and the integration tests but those whose minutes go to
# waiting on real nodes rather than to our code (a second host cluster, API-server restarts,
# token ages, a second Kubernetes version, endpoints the host mirrors); those run in
# `make test`'s first pass. The virtual clusters here run this build's vc-syncer (ASan) in
# their pods.
ASAN_SLOW_INTEGRATION ?= MovesToABrandNewHostCluster|UpgradeToTheNextMinor|SelectorlessServiceEndpointsKeptOnHost|AnIdleClusterSleeps|SnapshotDeleteCreateRestore|HostServiceRangeTest|SyncerHostRestartTest|SyncerRestartTest|SyncerTokenRefreshTest|SyncerKilledMidRollout|InterruptedCreate|EndpointsSurvive|ServiceGainingASelector|SelectedRealNodes
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DVC_WERROR=ON -DVC_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest -L 'unit|integration' -E '$(ASAN_SLOW_INTEGRATION)' $(CTEST_ARGS)

# The libFuzzer targets of tests/fuzz (one per parser of outside input), built with clang under
# ASan+UBSan and run FUZZ_SECONDS (default 30) each, two at a time, over a copy of their seed
# corpus; a crash, hang, leak or sanitizer report fails and names its reproducer.
test-fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DVC_FUZZ=ON
	cmake --build $(FUZZ_BUILD) --target vc_fuzzers
	tests/fuzz/run-fuzzers $(FUZZ_BUILD)

# The upstream Kubernetes conformance suite against a virtual cluster that `kubectl vc create`
# made on a host cluster with real nodes, and against that host (root; tests/conformance/README.md).
# CONFORMANCE_SUBSET=ci runs the specs `make test` runs; reports in $(BUILD)/conformance.
CONFORMANCE_SUBSET ?= all
conformance: build
	tests/conformance/conformance --subset $(CONFORMANCE_SUBSET) --project-build $(BUILD) \
	  --out $(BUILD)/conformance

bench: build
	tests/bench/run $(BUILD)

# The seed talk, on local host clusters with real control planes (DEMO_PAUSE=1 to step).
demo: build
	tests/e2e/demo $(BUILD)

# The images the manifests name (vc-syncer, vc-node-agent), from their Dockerfiles with buildah,
# offline, on a Debian base made from Debian's packages; also the third-party images local
# clusters' real nodes run. They land in buildah's storage and in the local clusters' registry
# storage (tests/cluster/README.md "Images"); push them with `buildah push` where your cluster
# pulls from.
VERSION ?= v0.1.0
images: build
	tests/cluster/images/build-images --project $(BUILD) --tag $(VERSION)

# Release archives of the plugin (kubectl-vc, kubectl_complete-vc, LICENSE), their sha256 sums
# and the krew manifest that names them, in $(BUILD)/dist (release/README.md).
dist: build
	release/make-dist $(BUILD) $(BUILD)/dist

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
