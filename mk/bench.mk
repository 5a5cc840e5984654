# `make bench`: programs per second on benchmarks/corpus in the four
# configurations, then the model at scale (README "Performance");
# BENCH_SECONDS sets the measuring time. `make bench-corpus` regenerates
# the corpus from its generator (fixed seed: the same files).
BENCH_SECONDS ?= 20

.PHONY: bench bench-corpus
bench: $(B)/vmadiff $(B)/vmadiff-executor
	$(B)/vmadiff bench --seconds $(BENCH_SECONDS)
	$(B)/vmadiff bench --model-scale

bench-corpus:
	python3 benchmarks/gen.py
