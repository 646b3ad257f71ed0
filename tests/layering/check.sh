#!/usr/bin/env bash
# check.sh BUILD_DIR TARGET refused|compiles HEADER — builds one layering
# probe; "refused" passes only when the compiler stops on HEADER not being
# found (the include directories kept it out), "compiles" only when it builds.
set -uo pipefail
build=$1 target=$2 expected=$3 header=$4
log=$(cmake --build "$build" --target "$target" 2>&1)
rc=$?
case $expected in
compiles)
  [ $rc = 0 ] && { echo "ok: $target compiles"; exit 0; }
  printf '%s\n' "$log"; echo "FAIL: $target should compile"; exit 1 ;;
refused)
  if [ $rc != 0 ] && printf '%s\n' "$log" | grep -F "$header: No such file or directory" >/dev/null; then
    echo "ok: $target refused: $(printf '%s\n' "$log" | grep -F "$header: No such file" | head -1)"
    exit 0
  fi
  printf '%s\n' "$log"; echo "FAIL: $target should stop on '$header: No such file or directory' (exit $rc)"; exit 1 ;;
esac
echo "check.sh: unknown expectation $expected"; exit 2
