# A thin layer over CMake and the scripts. Every target installs what it needs first.
BUILD ?= build
JOBS ?= 2

.PHONY: demo test build deps bench clean

demo: build  ## the main job on the default profile (a real Kamailio)
	scripts/demo $(BUILD)/pbxbench

test:  ## every test: unit, integration, ASan+UBSan, fuzzing
	scripts/test

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

deps:
	scripts/install-deps

bench: build  ## benchmarks that print figures (not tests); they share the machine with everything else
	$(BUILD)/bench/bench_sip_codec
	$(BUILD)/bench/bench_monitor_overhead --seconds 60
	bench/signaling_cps $(BUILD)/pbxbench
	bench/media_capacity $(BUILD)/pbxbench
	bench/message_rate $(BUILD)/pbxbench

clean:
	rm -rf build build-asan build-fuzz
