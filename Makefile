# Short wrappers over CMake for the daily commands.
BUILD ?= build
.PHONY: build run test unit e2e bench asan format clean

build:
	scripts/build

run:
	scripts/run

test:
	scripts/test

unit: build
	cd $(BUILD) && ctest --output-on-failure -j2

e2e: build
	VIGIL_BIN=$(CURDIR)/$(BUILD)/vigil /usr/bin/python3 -m pytest -q tests/e2e

bench: build
	bench/run_all.sh

asan:
	BUILD_DIR=build-asan BUILD_TYPE=Debug scripts/build -DVIGIL_SANITIZE=ON
	cd build-asan && ctest --output-on-failure -j2

format:
	find src bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build build-asan
