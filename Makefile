# Makefile — the two commands of the README, and a few conveniences.
#   make demo   install what is missing, build, run the main job on the bundled example
#   make test   build and run the whole test suite (what CI runs)
#   make quant-report   measure q8/q4 accuracy, print the tables of weights/QUANT.md
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps build demo test quant-report clean

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

quant-report:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS) --target ecgr1_quant_report
	OMP_NUM_THREADS=$(JOBS) $(BUILD)/ecgr1_quant_report

clean:
	rm -rf $(BUILD)
