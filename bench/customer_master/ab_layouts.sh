#!/usr/bin/env bash
# Usage: SRC=<git archive of the tree> LAYOUTS="5x4 2x8" T=60s bash bench/customer_master/ab_layouts.sh
# (the bench database and sessions.json as in RESULTS.md; servers on :8765, one at a time)
# A/B of gunicorn worker x thread layouts: for each layout start the server as `pharmacrm serve`
# does, warm it, then locust 20 users for $T per user type. Prints the stats lines.
set -uo pipefail
mkdir -p "${OUT:-/tmp/cm-ab}"
SRC=${SRC:?}; T=${T:-60s}
cd /work/main/bench/customer_master
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/pcrm_bench PHARMACRM_VAR=/work/main/var/bench-cm PYTHONPATH=$SRC/src
for layout in $LAYOUTS; do
  w=${layout%x*}; t=${layout#*x}
  /work/main/.venv/bin/python -m gunicorn pharmacrm.wsgi:application --bind 127.0.0.1:8765 \
    --workers $w --threads $t --worker-class gthread --access-logfile ${OUT:-/tmp/cm-ab}/access-$layout.log --timeout 120 \
    > ${OUT:-/tmp/cm-ab}/server-$layout.log 2>&1 &
  gpid=$!
  sleep 6
  for who in bench_rep bench_director; do
    sid=$(python3 -c "import json; print(json.load(open('sessions.json'))['$who'])")
    for round in 1 2 3 4; do
      for q in "tongrentng%20pharmcy" "yifeng%20pharmaci" "dashenlin" "laobaixng" "pharmacy%20yixintang" "jianzhija" "haiwang%20hospitl" "rigla%20aptka" "zdorvie" "neofarm%20clinc" "boots%20farmacy" "wellcare" "medilink%20clinik" "greenlef" "evergren%20hospital" "goldenbrige"; do
        curl -s -o /dev/null -b "sessionid=$sid" "http://127.0.0.1:8765/api/v1/accounts/search?q=$q"
      done
      for page in 1 2 3 4 5; do
        curl -s -o /dev/null -b "sessionid=$sid" "http://127.0.0.1:8765/crm/accounts/?page=$page"
        curl -s -o /dev/null -b "sessionid=$sid" "http://127.0.0.1:8765/api/v1/accounts/?limit=25"
      done
    done
  done
  for who in bench_rep bench_director; do
    echo "== $layout $who $(date -u +%T) $(cut -d' ' -f1-3 /proc/loadavg)"
    BENCH_USER=$who ../.venv-locust/bin/locust -f locustfile.py --headless -u 20 -r 10 -t $T \
      --host http://127.0.0.1:8765 --csv ${OUT:-/tmp/cm-ab}/${layout}_${who} --only-summary > /dev/null 2>&1
    python3 - ${OUT:-/tmp/cm-ab}/${layout}_${who}_stats.csv <<'PY'
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    print(f"   {r['Name']:12} n={r['Request Count']:>5} fail={r['Failure Count']:>3} p50={r['50%']:>5} p95={r['95%']:>5} p99={r['99%']:>5} rps={float(r['Requests/s']):.1f}")
PY
  done
  kill $gpid; wait $gpid 2>/dev/null; sleep 2
done
