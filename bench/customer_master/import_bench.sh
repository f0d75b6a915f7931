#!/usr/bin/env bash
# Excel import of 100 k accounts through the real CLI path (`pharmacrm import accounts FILE.xlsx`)
# on PostgreSQL (issue 5 acceptance: < 60 s). RUNS fresh imports into an emptied account table,
# then one re-import of the same file (must add nothing). Each run under /usr/bin/time
# (wall clock, CPU time and peak RSS of the CLI process); `uptime` before and after each.
# Needs: a database DB (default pcrm_import) migrated and holding load.py's territory tree:
#   createdb -h 127.0.0.1 -U postgres pcrm_import
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/pcrm_import .venv/bin/pharmacrm migrate
#   DATABASE_URL=… .venv/bin/python bench/customer_master/load.py --accounts 0 --contacts 0 \
#       --consumers 0 --sessions var/import-sessions.json
#   .venv/bin/python bench/customer_master/make_accounts_xlsx.py --rows 100000 --out FILE
set -euo pipefail
FILE=${1:?usage: import_bench.sh FILE.xlsx}
DB=${DB:-pcrm_import}
RUNS=${RUNS:-3}
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB
cd "$(dirname "$0")/../.."
empty() {
  psql -h 127.0.0.1 -U postgres "$DB" -qc \
    "TRUNCATE accounts_account, accounts_historicalaccount RESTART IDENTITY CASCADE"
  psql -h 127.0.0.1 -U postgres "$DB" -qc "VACUUM ANALYZE accounts_account"
}
run() {
  echo "== $1 start $(date -u +%FT%TZ) uptime: $(uptime)"
  /usr/bin/time -f "wall %e s, CPU user %U s + sys %S s, peak RSS %M KiB" .venv/bin/pharmacrm import accounts "$FILE" 2>&1 \
    | grep -vE "^\s*$" | tail -6
  echo "== $1 end $(date -u +%FT%TZ) uptime: $(uptime)"
  psql -h 127.0.0.1 -U postgres "$DB" -tAc \
    "SELECT 'accounts ' || count(*) || ', with parent ' || count(parent_id) || ', with territory ' || count(territory_id) FROM accounts_account"
}
for n in $(seq 1 "$RUNS"); do
  empty
  run "fresh import $n"
done
run "re-import of the same file"
