#!/usr/bin/env bash
# tests/e2e/package_debian.sh — the .deb that scripts/package builds (CPack)
# installs on a brand-new Debian 12 root with apt, which pulls in its
# library dependencies from Debian, and there `firerisk synth` + `run` work,
# giving the targets the build gives; man page, bash completion, QGIS style
# and docs are where the FHS puts them.
# The root is debootstrap --variant=minbase from Debian's mirror, cached in
# /var/cache/firerisk-tests/ (about a minute to make once; each run unpacks
# a fresh copy).  Needs root (chroot) and debootstrap (scripts/setup
# --test-tools); skipped without them except in CI, and in the sanitizer
# build (the package is the plain build's).
source "$(dirname "$0")/common.bash"
skip() { [ "${CI:-}" = true ] && [ "${2:-}" != always ] && fail "$1"; echo "SKIP: $1"; exit 77; }
ldd "$FIRERISK" | grep libasan >/dev/null && skip "a sanitizer build: the package is checked in the plain build" always
[ "$(id -u)" = 0 ] || skip "needs root for chroot"
command -v debootstrap >/dev/null && command -v file >/dev/null && command -v dpkg-shlibdeps >/dev/null ||
  skip "debootstrap, file or dpkg-dev not installed (scripts/setup --test-tools)"
BUILD=$(cd "$(dirname "$FIRERISK")" && pwd)
[ -f "$BUILD/CPackConfig.cmake" ] || fail "no CPackConfig.cmake in $BUILD"

# The package, as scripts/package makes it (cpack in the build directory).
(cd "$BUILD" && cpack -G DEB -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1) || { cat "$WORK/cpack.log"; fail "cpack failed"; }
deb=$(ls "$WORK"/pkg/firerisk_*.deb)
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libgdal32 libgeos-c1v5 libproj25 libjson-c5 libyaml-0-2; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib: $depends"
done

# A brand-new Debian 12 root.
cache=/var/cache/firerisk-tests
base=$cache/bookworm-minbase.tar
if [ ! -s "$base" ]; then
  # (either file may be missing: a deb822 or a one-line system)
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  mkdir -p "$cache"
  tmp=$(mktemp -d /tmp/firerisk-debootstrap.XXXXXX)
  debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
    { rm -rf "$tmp"; tail -5 "$WORK/debootstrap.log"; skip "debootstrap from $mirror failed (network?)"; }
  tar -C "$tmp" -cf "$base.part" . && mv "$base.part" "$base"
  rm -rf "$tmp"
fi
ROOT="$WORK/root"
mkdir "$ROOT"
tar -C "$ROOT" -xf "$base"
cleanup_root() {
  mountpoint -q "$ROOT/proc" && umount -l "$ROOT/proc"
  rm -rf "$WORK"
}
trap cleanup_root EXIT
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc"
cp "$deb" "$ROOT/tmp/"
in_root() { chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
  DEBIAN_FRONTEND=noninteractive /bin/bash -c "$1"; }
in_root "which firerisk" && fail "the fresh root already has firerisk"
in_root "apt-get update -q && apt-get install -y -q --no-install-recommends /tmp/$(basename "$deb")" \
  >"$WORK/apt.log" 2>&1 || { tail -20 "$WORK/apt.log"; fail "apt-get install of the .deb failed"; }

# It runs there: version, synth, run.
in_root "firerisk --version" > "$WORK/version.txt" || fail "firerisk --version failed in the root"
grep -q "GDAL 3.6" "$WORK/version.txt" || fail "version in the root: $(cat "$WORK/version.txt")"
in_root "firerisk synth --parcels 1500 --seed 6 --out /tmp/city 2>/dev/null &&
         firerisk run --config /tmp/city/firerisk.yaml --out /tmp/out --as-of 2026-01-01 --quiet" || fail "synth + run failed in the root"
[ -s "$ROOT/tmp/out/targets.csv" ] || fail "no targets.csv in the root"
"$FIRERISK" synth --parcels 1500 --seed 6 --out "$WORK/city" 2>/dev/null
"$FIRERISK" run --config "$WORK/city/firerisk.yaml" --out "$WORK/out" --as-of 2026-01-01 --quiet
cmp -s "$ROOT/tmp/out/targets.csv" "$WORK/out/targets.csv" || fail "the installed firerisk ranks differently"

# The FHS places.
for f in /usr/bin/firerisk /usr/share/man/man1/firerisk.1.gz /usr/share/bash-completion/completions/firerisk \
         /usr/share/firerisk/ranked_parcels.qml /usr/share/firerisk/qgis/firerisk_processing/metadata.txt \
         /usr/share/doc/firerisk/README.md /usr/share/doc/firerisk/docs/CONFIG.md; do
  [ -s "$ROOT$f" ] || fail "the package did not install $f"
done
zcat "$ROOT/usr/share/man/man1/firerisk.1.gz" | cmp -s - "$FIRERISK_SOURCE/docs/firerisk.1" || fail "installed man page differs"
in_root "dpkg -r firerisk" >/dev/null 2>&1 || fail "dpkg -r firerisk failed"
[ ! -e "$ROOT/usr/bin/firerisk" ] || fail "removing the package left /usr/bin/firerisk"
echo "package on a fresh Debian 12: ok"
