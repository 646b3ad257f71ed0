#!/usr/bin/env bash
# tests/e2e/cli.sh — the command line's habits: per-command help, version
# with the libraries, "did you mean", one error prefix, --config - (stdin),
# the bash completion and the man page printed from the same table.
source "$(dirname "$0")/common.bash"

# Per-command help: each command's own synopsis and options, not one global text.
for cmd in run synth train backtest; do
  expect_exit 0 "$FIRERISK" "$cmd" --help
  head -1 "$WORK/stdout" | grep -q "^usage: firerisk $cmd " || fail "$cmd --help: $(head -1 "$WORK/stdout")"
  expect_exit 0 "$FIRERISK" help "$cmd"
  cp "$WORK/stdout" "$WORK/help_$cmd"
  "$FIRERISK" "$cmd" --help | cmp -s - "$WORK/help_$cmd" || fail "help $cmd differs from $cmd --help"
done
grep -q -- '--threads N' "$WORK/help_synth" || fail "synth --help omits --threads"
grep -q -- '--log-format' "$WORK/help_synth" && fail "synth --help shows run's --log-format"
grep -q -- '--model-out' "$WORK/help_run" && fail "run --help shows train's options"
cmp -s "$WORK/help_run" "$WORK/help_synth" && fail "run and synth print the same help"

# Version: firerisk's and the libraries', the same for --version, -V and version.
expect_exit 0 "$FIRERISK" -V
grep -qE '^firerisk [0-9]+\.[0-9]+\.[0-9]+$' "$WORK/stdout" || fail "-V: $(cat "$WORK/stdout")"
gdal=$(gdal-config --version 2>/dev/null || ogrinfo --version | sed 's/GDAL \([0-9.]*\).*/\1/')
grep -q "GDAL $gdal, GEOS [0-9.]*, PROJ [0-9.]*, json-c [0-9.]*" "$WORK/stdout" || fail "-V lacks library versions"
for v in --version version; do
  "$FIRERISK" $v | cmp -s - "$WORK/stdout" || fail "$v differs from -V"
done

# Did you mean: commands and options; one error prefix, exit 1.
expect_exit 1 "$FIRERISK" rnu --config x.yaml
expect_stderr "firerisk: error: unknown command 'rnu' (did you mean 'run'?)"
expect_exit 1 "$FIRERISK" backtst
expect_stderr "did you mean 'backtest'?"
expect_exit 1 "$FIRERISK" frobnicate
grep -q "did you mean" "$WORK/stderr" && fail "a suggestion for a word far from every command"
expect_exit 1 "$FIRERISK" run --confg x.yaml
expect_stderr "firerisk: error: run: unknown option '--confg' (did you mean '--config'?)"
expect_exit 1 "$FIRERISK" synth --parcels 5 --sed 3 --out "$WORK/s"
expect_stderr "firerisk: error: synth: unknown option '--sed' (did you mean '--seed'?)"
expect_exit 1 "$FIRERISK" train --config x.yaml --modle-out m.json
expect_stderr "did you mean '--model-out'?"
expect_exit 1 "$FIRERISK" run --config
expect_stderr "firerisk: error: run: option '--config' needs a value"
expect_exit 1 "$FIRERISK" run -Z
expect_stderr "firerisk: error: run: unknown option '-Z'"
# every line on stderr of a usage error is the error or the pointer to --help
for args in "run --bogus" "synth --bogus" "train --bogus" "backtest --bogus" "nothing" "run" "synth"; do
  # shellcheck disable=SC2086
  expect_exit 1 "$FIRERISK" $args
  head -1 "$WORK/stderr" | grep -q '^firerisk: error: ' || fail "'$args': $(head -1 "$WORK/stderr")"
  grep -v '^firerisk: error: ' "$WORK/stderr" | grep -v "^(see 'firerisk" >/dev/null && fail "'$args' prints more: $(cat "$WORK/stderr")"
done

# --out naming a GeoPackage file or a database is refused, no directory created.
synth_city "$WORK/city" --parcels 300 --seed 2
cd "$WORK"
for out in mine.gpkg 'PG:dbname=fire'; do
  expect_exit 1 "$FIRERISK" run --config city/firerisk.yaml --out "$out" --quiet
  expect_stderr "firerisk: error: --out '$out' names an output directory"
  [ ! -e "$out" ] || fail "--out $out created $out"
done

# --config -: the config from stdin, its relative paths from the working directory.
sed 's#source: city.gpkg#source: city/city.gpkg#' city/firerisk.yaml > "$WORK/stdin.yaml"
"$FIRERISK" run --config - --out "$WORK/o_stdin" --quiet < "$WORK/stdin.yaml" || fail "run --config - failed"
[ "$(csv_column o_stdin/targets.csv parcel_id | wc -l)" -gt 0 ] || fail "--config -: no targets"
"$FIRERISK" run --config city/firerisk.yaml --out "$WORK/o_file" --quiet
cmp -s o_stdin/targets.csv o_file/targets.csv || fail "--config - gives other targets than the file"
# the config read from stdin is not left behind, and its errors say <stdin>:LINE
ls "${TMPDIR:-/tmp}"/firerisk-config-* >/dev/null 2>&1 && fail "--config - leaves its copy of stdin"
printf 'as_of: 2026-01-01\nbogus: 1\n' > bad.yaml
expect_exit 1 "$FIRERISK" run --config - --out "$WORK/o_bad" < bad.yaml
expect_stderr "firerisk: error: <stdin>:2: unknown key 'bogus'"

# The manifest records the libraries -V prints.
python3 - "$WORK/o_file/run_manifest.json" "$gdal" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
lib = m["libraries"]
assert lib["gdal"] == sys.argv[2], lib
assert all(lib[k] for k in ("geos", "proj", "json_c")), lib
PY

# Bash completion: commands, each command's options (from its --help), values.
"$FIRERISK" help --completion > "$WORK/completion.bash"
complete_words() { # complete_words WORD...: the candidates for the last word
  bash -c 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _firerisk; printf "%s\n" "${COMPREPLY[@]}"' \
    "$WORK/completion.bash" firerisk "$@"
}
[[ $(complete_words "ba") == *backtest* ]] || fail "completion: no command backtest for 'ba'"
for cmd in run synth train backtest; do
  offered=$(complete_words "$cmd" "--")
  for opt in $(grep -oE '^  --[a-z-]+' "$WORK/help_$cmd"); do
    grep -qx -- "$opt" <<<"$offered" || fail "completion of $cmd lacks $opt"
  done
done
[ "$(complete_words run --log-format "" | sort | tr '\n' ' ')" = "json text " ] || fail "completion: --log-format values"

# The man page: what `help --man` prints, every command and option in it.
cmp -s <("$FIRERISK" help --man) "$FIRERISK_SOURCE/docs/firerisk.1" ||
  fail "docs/firerisk.1 differs from 'firerisk help --man' (cmake --build build --target man-page)"
if command -v man >/dev/null; then
  MANWIDTH=200 man -l "$FIRERISK_SOURCE/docs/firerisk.1" 2>/dev/null > "$WORK/man.txt"
  for cmd in run synth train backtest; do
    for opt in $(grep -oE '^  --[a-z-]+' "$WORK/help_$cmd"); do
      grep -q -- "$opt" "$WORK/man.txt" || fail "man page lacks $cmd $opt"
    done
  done
fi
echo "cli: ok"
