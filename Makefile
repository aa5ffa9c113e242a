# Makefile — the two commands of the README, and a few conveniences.
#   make demo   install what is missing, build, run the main job on the bundled example
#   make test   build and run the whole test suite (what CI runs)
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps build demo test clean

all: build

deps:
	tools/install-deps.sh

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

demo: deps build
	tools/demo.sh

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD)
