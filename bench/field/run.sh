#!/usr/bin/env bash
# Field bench (issue 9): call-plan generation for all reps for a quarter, then two locust runs
# of 2 minutes (20 users, waits 0.5–1.5 s) against the production server: reps (day plan)
# and regional managers (team page). Normal priority on purpose.
# Needs: the database loaded by load.py ($DATABASE_URL) and the server running on :8766:
#   .venv/bin/pharmacrm serve --host 127.0.0.1 --port 8766
set -euo pipefail
cd "$(dirname "$0")"
PHARMACRM=../../.venv/bin/pharmacrm
for n in 1 2; do
  echo "== generate-plans 2026Q1 run $n start $(date -u +%FT%TZ) uptime: $(uptime)"
  /usr/bin/time -v "$PHARMACRM" field generate-plans --period 2026Q1 2>&1 \
    | grep -E "plans for|Elapsed|Maximum resident" || true
  echo "== generate-plans run $n end uptime: $(uptime)"
done
for scenario in rep manager; do
  for warm in 1 2 3; do
    curl -s -o /dev/null "http://127.0.0.1:8766/healthz" || true
  done
  echo "== locust $scenario start $(date -u +%FT%TZ) uptime: $(uptime)"
  BENCH_SCENARIO=$scenario ../.venv-locust/bin/locust -f locustfile.py --headless -u 20 -r 10 \
    -t 2m --host http://127.0.0.1:8766 --csv "results/$scenario" --only-summary 2>&1 \
    | grep -E "Type|GET|Aggregated" || true
  echo "== locust $scenario end $(date -u +%FT%TZ) uptime: $(uptime)"
done
