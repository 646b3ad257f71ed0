#!/usr/bin/env bash
# tests/e2e/postgis.sh — PostGIS as input and as output, against a real
# PostgreSQL 15 + PostGIS 3 cluster that the test starts itself (initdb in
# its work directory as the postgres user, loopback only, a random port,
# password authentication) and stops on exit.
#   input:  the synthetic city loaded with ogr2ogr; a run reading parcels
#           and inspections from PostGIS ranks as the run on the GeoPackage
#   output: output.postgis writes the tables (primary key, GiST index,
#           comments) with round-trip counts and values; a later run
#           replaces them; a run whose swap fails leaves the previous tables
#           intact; a bad password is named in the error, masked.
# Needs postgresql-15 and postgresql-15-postgis-3 (scripts/setup
# --test-tools); skipped without them, except in CI.
source "$(dirname "$0")/common.bash"
PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ] || [ ! -e /usr/share/postgresql/15/extension/postgis.control ] || ! id postgres >/dev/null 2>&1; then
  [ "${CI:-}" = true ] && fail "PostgreSQL 15 + PostGIS 3 missing in CI (scripts/test installs them)"
  echo "SKIP: postgresql-15 and postgresql-15-postgis-3 not installed (scripts/setup --test-tools)"
  exit 77
fi
# The server refuses to run as root: the cluster belongs to postgres (when
# the test runs as root, as CI does) or to the user running it.
if [ "$(id -u)" = 0 ]; then AS_PG=(runuser -u postgres --); else AS_PG=(); fi
# A root unpacked from a 0700 temporary directory (a chroot such as
# ../shared/tools/fresh-debian's) keeps other users out of everything; every
# installed Debian system has / at 0755, which the server needs.
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$PGBIN/initdb"; then
  echo "note: / is mode $(stat -c %a /): made searchable (o+x) so that the postgres user can run the server"
  chmod o+x /
fi
PGDIR=$(mktemp -d /tmp/firerisk-e2e-pg.XXXXXX)
chmod 755 "$PGDIR"
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
PW=s3cret-Pw
pg_stop() { "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1 || true; rm -rf "$PGDIR" "$WORK"; }
trap pg_stop EXIT
echo "$PW" > "$PGDIR/pw"
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR/pw"
"${AS_PG[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --pwfile="$PGDIR/pw" -A scram-sha-256 >"$PGDIR/initdb.log" 2>&1 ||
  { cat "$PGDIR/initdb.log"; fail "initdb failed"; }
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w start \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$PGDIR -c fsync=off" >/dev/null ||
  { cat "$PGDIR/server.log"; fail "the PostgreSQL server did not start"; }
export PGPASSWORD=$PW
psqlc() { psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres "$@"; }
q() { psqlc -d fire -At -c "$1"; }
psqlc -d postgres -c "CREATE DATABASE fire"
q "CREATE EXTENSION postgis; CREATE SCHEMA input; CREATE SCHEMA analytics"
# the connection string carries no password: libpq takes PGPASSWORD
PG="PG:host=127.0.0.1 port=$PORT user=postgres dbname=fire"

cd "$WORK"
synth_city city --parcels 600 --seed 9

# ---- PostGIS as input -----------------------------------------------------
for l in parcels inspections; do
  ogr2ogr -f PostgreSQL "$PG" city/city.gpkg "$l" -lco SCHEMA=input -nln "$l" || fail "loading $l"
done
python3 - city/firerisk.yaml "$PG" > city/from_pg.yaml <<'PY'
import re, sys
text, pg = open(sys.argv[1]).read(), sys.argv[2]
# parcels and inspections from PostGIS, the other layers from the GeoPackage
for l in ("parcels", "inspections"):
    text = re.sub(r"(  %s:\n    source: )city\.gpkg\n    layer: %s" % (l, l),
                  r'\g<1>"%s"\n    layer: input.%s' % (pg, l), text)
print(text, end="")
PY
grep -q 'layer: input.parcels' city/from_pg.yaml || fail "config rewrite"
"$FIRERISK" run --config city/from_pg.yaml --out from_pg --quiet || fail "run reading PostGIS failed"
"$FIRERISK" run --config city/firerisk.yaml --out from_gpkg --quiet
cmp -s from_pg/targets.csv from_gpkg/targets.csv || fail "PostGIS input ranks differently from the GeoPackage"
[ "$(feature_count from_pg/ranked_parcels.geojson)" = 600 ] || fail "PostGIS input: parcel count"

# ---- PostGIS as output ----------------------------------------------------
with_output() { # with_output CONNECTION > config
  cat city/firerisk.yaml
  printf 'output:\n  postgis:\n    connection: "%s"\n    schema: analytics\n    table_prefix: fr_\n' "$1"
}
with_output "$PG" > city/pg_out.yaml
"$FIRERISK" run --config city/pg_out.yaml --out out1 --quiet --as-of 2025-06-01 || fail "run into PostGIS failed"
tables=$(q "SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'analytics'")
[ "$tables" = "fr_matches fr_ranked_parcels fr_rejects fr_targets" ] || fail "tables: $tables"
[ "$(q 'SELECT count(*) FROM analytics.fr_ranked_parcels')" = 600 ] || fail "fr_ranked_parcels count"
[ "$(q 'SELECT count(*) FROM analytics.fr_targets')" = "$(($(wc -l < out1/targets.csv) - 1))" ] || fail "fr_targets count"
[ "$(q 'SELECT count(*) FROM analytics.fr_matches')" = "$(($(wc -l < out1/matches.csv) - 1))" ] || fail "fr_matches count"
[ "$(q 'SELECT count(*) FROM analytics.fr_rejects')" = "$(($(wc -l < out1/rejects.csv) - 1))" ] || fail "fr_rejects count"
# values: the target list as the CSV has it, typed; geometry at lon/lat; the
# ranked layer in the working CRS with the ranks of the GeoJSON
q "SELECT rank, parcel_id, score, lon, lat, ST_X(geom), ST_Y(geom), ST_SRID(geom) FROM analytics.fr_targets ORDER BY rank" \
  > pg_targets.txt
python3 - out1/targets.csv pg_targets.txt <<'PY'
import csv, sys
t = list(csv.DictReader(open(sys.argv[1])))
p = [l.rstrip("\n").split("|") for l in open(sys.argv[2])]
assert len(t) == len(p) > 0, (len(t), len(p))
for a, b in zip(t, p):
    assert a["rank"] == b[0] and a["parcel_id"] == b[1], (a, b)
    assert abs(float(a["score"]) - float(b[2])) < 1e-9, (a, b)
    assert abs(float(b[5]) - float(a["lon"])) < 1e-9 and abs(float(b[6]) - float(a["lat"])) < 1e-9, (a, b)
    assert b[7] == "4326", b
PY
[ "$(q "SELECT ST_SRID(geom) FROM analytics.fr_ranked_parcels LIMIT 1")" = 32616 ] || fail "ranked CRS"
[ "$(q "SELECT parcel_id FROM analytics.fr_ranked_parcels WHERE rank = 1")" = "$(csv_column out1/targets.csv parcel_id | head -1)" ] ||
  fail "rank 1 differs"
# primary key, spatial index, comments
[ "$(q "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid WHERE c.relname = 'fr_ranked_parcels' AND i.indisprimary")" = 1 ] ||
  fail "no primary key"
q "SELECT indexdef FROM pg_indexes WHERE schemaname = 'analytics' AND tablename = 'fr_ranked_parcels'" | grep -i 'USING gist (geom)' >/dev/null ||
  fail "no GiST index on geom"
[ -n "$(q "SELECT col_description('analytics.fr_ranked_parcels'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = 'analytics.fr_ranked_parcels'::regclass AND attname = 'rank'))")" ] ||
  fail "no comment on rank"
[ -n "$(q "SELECT obj_description('analytics.fr_targets'::regclass, 'pg_class')")" ] || fail "no table comment"
[ "$(q "SELECT data_type FROM information_schema.columns WHERE table_name = 'fr_targets' AND column_name = 'rank'")" = integer ] ||
  fail "fr_targets.rank is not an integer"

# A second run (another date) replaces the tables: same counts, new values,
# nothing left under a temporary name, indexes renamed with their table.
"$FIRERISK" run --config city/pg_out.yaml --out out2 --quiet --as-of 2025-12-01 || fail "second run into PostGIS failed"
[ "$(q 'SELECT count(*) FROM analytics.fr_ranked_parcels')" = 600 ] || fail "second run: count"
[ "$(q "SELECT count(*) FROM pg_class WHERE relname LIKE '%\_\_new%'")" = 0 ] || fail "temporary names left"
top2=$(q "SELECT parcel_id || ' ' || score FROM analytics.fr_targets WHERE rank = 1")
[ "$top2" = "$(csv_column out2/targets.csv parcel_id | head -1) $(csv_column out2/targets.csv score | head -1)" ] ||
  fail "second run: the table holds '$top2'"
"$FIRERISK" run --config city/pg_out.yaml --out out2 --quiet --as-of 2025-12-01 || fail "third run (indexes renamed?) failed"

# A run whose swap fails (a view of the analysts depends on the targets
# table, so it cannot be dropped) exits 3, and every previous table is left
# as it was, the ranked parcels' too (one transaction).
q "CREATE VIEW analytics.top10 AS SELECT * FROM analytics.fr_targets WHERE rank <= 10"
before=$(q "SELECT md5(string_agg(parcel_id || score, ',' ORDER BY rank)) FROM analytics.fr_ranked_parcels")
in_view=$(q 'SELECT count(*) FROM analytics.top10')   # ranks 1-10 less the homes the revisit rule passed over
[ "$in_view" -ge 1 ] || fail "the analysts' view is empty"
expect_exit 3 "$FIRERISK" run --config city/pg_out.yaml --out out3 --quiet --as-of 2025-03-01
expect_stderr "firerisk: error: output.postgis"
expect_stderr "top10"
[ "$before" = "$(q "SELECT md5(string_agg(parcel_id || score, ',' ORDER BY rank)) FROM analytics.fr_ranked_parcels")" ] ||
  fail "a failed swap changed fr_ranked_parcels"
[ "$(q 'SELECT count(*) FROM analytics.top10')" = "$in_view" ] || fail "the analysts' view was dropped"
[ "$(q "SELECT count(*) FROM pg_class WHERE relname LIKE '%\_\_new%'")" = 0 ] || fail "a failed run left temporary tables"
[ ! -e out3 ] || fail "a failed run published its output directory"

# A bad password: exit 3, the error says so, the password is masked.
with_output "$PG password=wrong-Pass" > city/bad_pw.yaml
PGPASSWORD= expect_exit 3 "$FIRERISK" run --config city/bad_pw.yaml --out out4 --quiet
expect_stderr "password authentication failed"
expect_stderr "password=***"
grep -q "wrong-Pass" "$WORK/stderr" && fail "the password is in the error: $(cat "$WORK/stderr")"
grep -rq "wrong-Pass" out1 out2 && fail "a password in the outputs"
echo "postgis: ok"
