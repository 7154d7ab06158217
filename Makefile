# jobcenter: the two commands are `make run` and `make test` (see README.md).
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= 2
MAKEFLAGS  += --no-print-directory

.PHONY: all bootstrap build build-asan test run bench stack-start stack-stop clean

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

# Every test, twice: the release build, then the sanitizer build.
test: build build-asan
	@scripts/test.sh $(BUILD) $(ASAN_BUILD)

# The local stack and every service in the foreground; Ctrl-C stops it all.
run: build
	@scripts/run.sh $(BUILD)

# Benchmarks print numbers (they are not pass/fail tests).
bench: build
	@bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) tests/out bench/out
