#!/usr/bin/env bash
# Locust runs of 2 minutes each (sales rep, then director, RUNS times) against the running
# server on :8765 (start it as RESULTS.md shows). Each run is preceded by a warm-up: every
# search query of the locustfile and a few list pages, so the per-process gram counts and the
# province cache are filled as on a server that has been up for a while.
# locust exits 1 when any request failed; the run goes on and the failures are printed.
# Prints `uptime` before and after each run; CSVs land in bench/customer_master/results/
# (only *_stats.csv is kept in git; failures, exceptions and history are ignored).
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-1}  # FIRST=k numbers the runs from k (keeps earlier CSVs)
SESSIONS=sessions.json
for n in $(seq "${FIRST:-1}" $(( ${FIRST:-1} + RUNS - 1 ))); do
  for who in bench_rep bench_director; do
    sid=$(python3 -c "import json,sys; print(json.load(open('$SESSIONS'))['$who'])")
    for round in 1 2 3; do
      for q in "tongrentng%20pharmcy" "yifeng%20pharmaci" "dashenlin" "laobaixng" \
        "pharmacy%20yixintang" "jianzhija" "haiwang%20hospitl" "rigla%20aptka" "zdorvie" \
        "neofarm%20clinc" "boots%20farmacy" "wellcare" "medilink%20clinik" "greenlef" \
        "evergren%20hospital" "goldenbrige"; do
        curl -s -o /dev/null -b "sessionid=$sid" "http://127.0.0.1:8765/api/v1/accounts/search?q=$q"
      done
      for page in 1 2 3 4 5; do
        curl -s -o /dev/null -b "sessionid=$sid" "http://127.0.0.1:8765/crm/accounts/?page=$page"
        curl -s -o /dev/null -b "sessionid=$sid" "http://127.0.0.1:8765/api/v1/accounts/?limit=25"
      done
    done
    echo "== $who run $n start $(date -u +%FT%TZ) uptime: $(uptime)"
    BENCH_USER=$who ../.venv-locust/bin/locust -f locustfile.py --headless -u 20 -r 10 -t 2m \
      --host http://127.0.0.1:8765 --csv "results/${who}_run$n" --only-summary 2>&1 \
      | grep -E "^(GET|Type| +Aggregated|[0-9]+ +GET)|Aggregated" || true
    echo "== $who run $n end $(date -u +%FT%TZ) uptime: $(uptime)"
  done
done
