#!/usr/bin/env bash
# Two 2-minute locust runs (sales rep, then director) against the running server on :8765.
# locust exits 1 when any request failed; the run goes on and the failures are printed.
# Prints the load average before and after each run; CSVs land in bench/customer_master/results/.
set -euo pipefail
cd "$(dirname "$0")"
for who in bench_rep bench_director; do
  echo "== $who start $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
  BENCH_USER=$who ../.venv-locust/bin/locust -f locustfile.py --headless -u 20 -r 10 -t 2m \
    --host http://127.0.0.1:8765 --csv "results/$who" --only-summary 2>&1 | grep -E "^(GET|Type| +Aggregated|[0-9]+ +GET)" || true
  echo "== $who end $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
done
