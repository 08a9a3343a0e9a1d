# The two commands of the README: `make run` and `make test`. Both install what is missing first.
BUILD_DIR   ?= build
CMAKE_FLAGS ?=
JOBS        ?= $(shell nproc)

.PHONY: all deps configure build run demo test bench bench-dist bench-quality claims claims-quick format clean \
	fuzz sanitize soak cuda-check

all: build

# The desktop app's libraries too, unless CMAKE_FLAGS switches the GUI off.
deps:
	@scripts/install-deps.sh $(if $(findstring SCORELAB_BUILD_GUI=OFF,$(CMAKE_FLAGS)),,--gui)

configure: deps
	@mkdir -p $(BUILD_DIR)
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) > $(BUILD_DIR)/configure.log 2>&1 \
	  || { cat $(BUILD_DIR)/configure.log; exit 1; }

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Opens the app when a display exists; without one (or before the app exists) runs the headless demo.
run: build
	@scripts/run.sh $(BUILD_DIR)

demo: build
	@scripts/demo.sh $(BUILD_DIR)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j 2

bench: build
	@$(BUILD_DIR)/scorelab-bench

# Data parallel on this machine: the image presets with 1 and 2 local ranks (~6 min).
bench-dist: build
	@scripts/bench-dist.sh $(BUILD_DIR) 40 2 2

# One-step presets x data sets: quality after 60 s and 300 s of training (~75 min in all).
bench-quality: build
	@$(BUILD_DIR)/scorelab-bench quality

# The seed documents' claims, measured over 3 seeds: one row per claim (~60 min; --quick ~15 min).
claims: build
	@$(BUILD_DIR)/scorelab-bench claims

claims-quick: build
	@$(BUILD_DIR)/scorelab-bench claims --quick

# Reliability checks, not in CI. Every reader under libFuzzer, FUZZ_SECONDS each (default 60).
fuzz: build
	@scripts/install-deps.sh --fuzz
	@scripts/fuzz.sh $(BUILD_DIR)

# The suite under ASan + UBSan, the threaded parts under TSan (~2 h; own build folders).
sanitize: deps
	@scripts/sanitize.sh $(BUILD_DIR)

# The app under Xvfb for SOAK_MINUTES (30) with live changes, then 50 SIGKILLs of the CLI.
soak: build
	@scripts/soak.sh $(BUILD_DIR)

# On a machine with a CUDA libtorch (PyTorch's): build against it, run the CUDA tests and print
# the GPU figures (~8 min). See scripts/cuda-check.sh for SCORELAB_DEPS, SCORELAB_FASHION_MNIST.
cuda-check:
	@scripts/cuda-check.sh

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	@rm -rf $(BUILD_DIR)
