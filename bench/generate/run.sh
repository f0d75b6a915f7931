#!/bin/sh
# Generation time and peak RSS (parent + workers) of `pharmacrm generate` at one scale.
# Usage: bench/generate/run.sh medium [market] [seed]
set -eu
scale=${1:-medium}; market=${2:-cn}; seed=${3:-1}
out=var/bench-generate/$market-$scale-$seed
/usr/bin/time -v .venv/bin/pharmacrm generate --scale "$scale" --market "$market" --seed "$seed" --out "$out" \
  2>&1 | grep -E "receipt_lines|members|Elapsed|Maximum resident|wrote"
du -sh "$out"
