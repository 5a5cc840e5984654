# make rediscover: `vmadiff rediscover` (README.md, "Rediscovery"): fuzz
# with the model targeting 6.15 and print how long the fuzzer takes to find
# the 6.16 anonymous-merge and the 6.17 multi-VMA mremap changes.

.PHONY: rediscover

REDISCOVER_SECONDS ?= 900
rediscover: fuzz-build
	$(B)/vmadiff rediscover --seconds $(REDISCOVER_SECONDS)
