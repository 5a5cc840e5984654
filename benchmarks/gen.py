#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Generates benchmarks/corpus: the fixed programs `vmadiff bench` measures.

A realistic mix of 8 to 32 ops per program, in docs/FORMAT.md text: fixed
and non-fixed anonymous mmaps (private mostly, some shared, some
FIXED_NOREPLACE, a few small POPULATE), munmaps that punch holes,
mprotects that split and re-merge, touch and read of a few pages, and a
few short bulk ops. Most addresses land on what the program mapped, in the
first 128 pages of the window or relative to a non-fixed mmap (rK+n), so
ops interact. Lengths stay small: a program costs microseconds.

Deterministic: its own PRNG (splitmix64) with a fixed seed, so the output
does not depend on the Python version. Rerun after changing it:
    python3 benchmarks/gen.py
Programs listed in EXCLUDE are not written (none so far: add the index of
a program that diverges, with the signature, until the model is fixed).
"""
import os
import sys

SEED = 0x766D6164
COUNT = 300
EXCLUDE = {}  # index -> signature of the divergence it shows
SPAN = 128    # window pages programs work in

PROTS = [("rw", 50), ("r", 20), ("none", 10), ("rx", 10), ("rwx", 5),
         ("w", 5)]


class Rng:
    def __init__(self, seed):
        self.s = seed & (2**64 - 1)

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & (2**64 - 1)
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n

    def between(self, lo, hi):
        return lo + self.below(hi - lo + 1)

    def chance(self, pct):
        return self.below(100) < pct

    def weighted(self, items):
        total = sum(w for _, w in items)
        r = self.below(total)
        for v, w in items:
            if r < w:
                return v
            r -= w
        return items[-1][0]


def program(rng):
    """One program as a list of text lines."""
    nops = rng.between(8, 32)
    ops = []
    fixed = []    # (page, pages) of fixed mmaps made so far
    nonfixed = []  # (op index, pages) of non-fixed mmaps

    def target(maxlen):
        """An address and a length, mostly on something mapped."""
        r = rng.below(100)
        if nonfixed and r < 30:
            k, n = nonfixed[rng.below(len(nonfixed))]
            off = rng.below(n)
            return f"r{k}+{off}", rng.between(1, min(maxlen, n - off + 1))
        if fixed and r < 85:
            p, n = fixed[rng.below(len(fixed))]
            off = rng.below(n)
            return f"W+{p + off}", rng.between(1, min(maxlen, n - off + 2))
        return f"W+{rng.below(SPAN)}", rng.between(1, maxlen)

    def bulk(maxrep):
        return f" x{rng.between(2, maxrep)}/{rng.weighted([(2, 3), (1, 1), (3, 1)])}"

    while len(ops) < nops:
        idx = len(ops)
        kind = rng.weighted([("mmap_fixed", 26), ("mmap", 10),
                             ("munmap", 14), ("mprotect", 24),
                             ("touch", 15), ("read", 11)])
        # the first op maps something: programs start from nothing
        if idx == 0 and kind not in ("mmap_fixed", "mmap"):
            kind = "mmap_fixed"
        prot = rng.weighted(PROTS)
        if kind == "mmap_fixed":
            page = rng.below(SPAN - 16)
            n = rng.between(1, 16)
            flags = rng.weighted([("PRIVATE|ANONYMOUS|FIXED", 80),
                                  ("SHARED|ANONYMOUS|FIXED", 8),
                                  ("PRIVATE|ANONYMOUS|FIXED_NOREPLACE", 8),
                                  ("PRIVATE|ANONYMOUS|FIXED|POPULATE", 4)])
            if "POPULATE" in flags:
                n = min(n, 4)
            ops.append(f"mmap W+{page} {n} {prot} {flags}")
            fixed.append((page, n))
        elif kind == "mmap":
            n = rng.between(1, 16)
            hint = f"W+{rng.below(SPAN)}" if rng.chance(20) else "0"
            flags = rng.weighted([("PRIVATE|ANONYMOUS", 85),
                                  ("SHARED|ANONYMOUS", 15)])
            ops.append(f"mmap {hint} {n} {prot} {flags}")
            nonfixed.append((idx, n))
        elif kind == "munmap":
            a, n = target(8)
            ops.append(f"munmap {a} {n}")
        elif kind == "mprotect":
            a, n = target(8)
            b = bulk(6) if rng.chance(8) else ""
            ops.append(f"mprotect {a} {n} {prot}{b}")
        else:
            a, n = target(8)
            b = bulk(4) if rng.chance(6) else ""
            ops.append(f"{kind} {a} {n}{b}")
    return ops


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.endswith(".vma"):
            os.remove(os.path.join(out, f))
    rng = Rng(SEED)
    written = 0
    for i in range(COUNT):
        ops = program(rng)
        if i in EXCLUDE:
            continue
        with open(os.path.join(out, f"b{i:03d}.vma"), "w") as f:
            f.write(f"# benchmarks/gen.py program {i} (generated: "
                    "do not edit)\n")
            f.write("\n".join(ops) + "\n")
        written += 1
    print(f"{written} programs in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
