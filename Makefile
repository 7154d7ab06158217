# jobcenter: the two commands are `make run` and `make test` (see README.md).
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
JOBS       ?= 2
MAKEFLAGS  += --no-print-directory

.PHONY: all bootstrap build build-asan build-fuzz test fuzz run bench stack-start stack-stop clean

all: build

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Same code and tests with AddressSanitizer + UndefinedBehaviorSanitizer.
build-asan: bootstrap
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJC_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

# libjc and the libFuzzer targets of every parser of outside data (clang).
build-fuzz: bootstrap
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJC_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS)

# Every test, twice: the release build, then the sanitizer build; then each
# fuzz target for a bounded time (JC_FUZZ_SECONDS, default 10 s) and its
# saved regression inputs.
test: build build-asan build-fuzz
	@scripts/test.sh $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# The fuzz targets for longer, by hand: make fuzz FUZZ_SECONDS=3600
fuzz: build-fuzz
	@cd $(FUZZ_BUILD) && JC_FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --output-on-failure -j$(JOBS) --timeout 0

# The local stack and every service in the foreground; Ctrl-C stops it all.
run: build
	@scripts/run.sh $(BUILD)

# Benchmarks print numbers (they are not pass/fail tests).
bench: build
	@bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) tests/out bench/out
