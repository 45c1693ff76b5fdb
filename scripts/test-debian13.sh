#!/usr/bin/env bash
# test-debian13.sh: the whole ctest suite again on Debian 13 (trixie), in a
# chroot, against its OpenSSL 3.5, nginx, HAProxy, Apache and curl.
#
# The chroot is made once with debootstrap from Debian's archive and kept
# outside the source tree (HWC_DEBIAN13_ROOT, default
# /var/cache/hwcloud-ci/trixie); later runs refresh it with apt-get
# upgrade. It gets the packages of `install-deps.sh --test` (run inside it),
# and servers installed there never start (policy-rc.d). The source tree
# is bind-mounted read-only at /src; the build goes to /root/hwcloud-build
# inside the chroot, made afresh each run. /proc, /sys, /dev, /dev/pts,
# /dev/shm and a private /tmp are mounted for the run and unmounted on any
# exit, including a failed test or an interrupt.
#
# Arguments are passed to ctest (e.g. -R test_haproxy); none: the whole
# suite.
#
# Packages come from the Debian archive this machine's apt uses (its URI
# for the host's own suite, and for its -security suite).
#
# Environment: HWC_DEBIAN13_ROOT (chroot directory), HWC_DEBIAN_MIRROR and
# HWC_DEBIAN_SECURITY (archive URLs instead of the host's), JOBS (ctest -j,
# default nproc).
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
ROOT=${HWC_DEBIAN13_ROOT:-/var/cache/hwcloud-ci/trixie}
SUITE=trixie
JOBS=${JOBS:-$(nproc)}
BUILD=/root/hwcloud-build

say() { echo "== debian13: $*"; }
die() {
  echo "debian13: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mount)"

# host_repo SUITE: the archive URI apt uses here for SUITE.
host_repo() {
  apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null |
    awk -v s="$1" '$1 == s { print $2; exit }'
}
. /etc/os-release
MIRROR=${HWC_DEBIAN_MIRROR:-$(host_repo "${VERSION_CODENAME:-}")}
SECURITY=${HWC_DEBIAN_SECURITY:-$(host_repo "${VERSION_CODENAME:-}-security")}
[ -n "$MIRROR" ] ||
  die "no Debian archive found in this machine's apt sources: set HWC_DEBIAN_MIRROR"
mkdir -p "$(dirname "$ROOT")"
ROOT=$(readlink -m "$ROOT")
case $ROOT in "$SRC" | "$SRC"/*) die "$ROOT is inside the source tree" ;; esac

# One run at a time per chroot: a second one would share its mounts.
exec 9>"$ROOT.lock"
flock 9

t_start=$(date +%s)
mounted=()

# Ends what runs inside the chroot (only this run's processes can: the lock
# above), then unmounts, innermost first.
cleanup() {
  local rc=$? pid sig i
  trap - EXIT INT TERM
  for sig in TERM KILL; do
    for pid in $(chroot_pids); do kill -"$sig" "$pid" 2>/dev/null || true; done
    [ -z "$(chroot_pids)" ] && break
    sleep 2
  done
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" ||
      echo "debian13: could not unmount ${mounted[i]}" >&2
  done
  if [ -d "$ROOT" ] && findmnt -rn -o TARGET | grep -q "^$ROOT/"; then
    echo "debian13: still mounted under $ROOT:" >&2
    findmnt -rn -o TARGET | grep "^$ROOT/" >&2
    rc=1
  fi
  say "finished in $(($(date +%s) - t_start)) s (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "debian13: interrupted" >&2; exit 130' INT
trap 'echo "debian13: terminated" >&2; exit 143' TERM

chroot_pids() {
  local p
  for p in /proc/[0-9]*; do
    [ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ] && echo "${p#/proc/}"
  done
  return 0
}

# mnt DIR MOUNT-ARGS...: mounts at $ROOT/DIR and remembers it for cleanup.
mnt() {
  local dir=$ROOT/$1
  shift
  mkdir -p "$dir"
  mount "$@" "$dir"
  mounted+=("$dir")
}

# Unmounts whatever an interrupted debootstrap left under a directory.
unmount_under() {
  local m
  for m in $(findmnt -rn -o TARGET | grep "^$1/" | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
}

# Runs a command in the chroot with a clean environment. In the background
# and waited for, so that an interrupt reaches the trap at once.
in_chroot() {
  chroot "$ROOT" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive JOBS="$JOBS" "$@" &
  wait $!
}

make_chroot() {
  local new=$ROOT.new t0
  t0=$(date +%s)
  if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap on the host"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
  if [ -e "$new" ]; then
    unmount_under "$new"
    rm -rf --one-file-system "$new"
  fi
  say "debootstrap $SUITE from $MIRROR into $new"
  debootstrap --variant=minbase "$SUITE" "$new" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 || {
    tail -20 "$ROOT.debootstrap.log" >&2
    unmount_under "$new"
    die "debootstrap failed (log: $ROOT.debootstrap.log)"
  }
  unmount_under "$new"
  {
    echo "deb $MIRROR $SUITE main"
    echo "deb $MIRROR $SUITE-updates main"
    [ -z "$SECURITY" ] || echo "deb $SECURITY $SUITE-security main"
  } >"$new/etc/apt/sources.list"
  # Servers installed or upgraded here must never start.
  printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
  chmod +x "$new/usr/sbin/policy-rc.d"
  mv "$new" "$ROOT"
  say "chroot made in $(($(date +%s) - t0)) s"
}

if [ ! -x "$ROOT/usr/bin/apt-get" ] || [ ! -x "$ROOT/usr/sbin/policy-rc.d" ]; then
  [ -e "$ROOT" ] && { unmount_under "$ROOT"; rm -rf --one-file-system "$ROOT"; }
  make_chroot
else
  say "reusing the chroot in $ROOT"
fi
# Mounts a killed run (SIGKILL, a lost machine) could not undo; the lock
# says that no run is using them.
unmount_under "$ROOT"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
grep -qw localhost "$ROOT/etc/hosts" 2>/dev/null ||
  printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >>"$ROOT/etc/hosts"

mnt proc -t proc proc
mnt sys -t sysfs -o ro sysfs
mnt dev --bind /dev
mnt dev/pts --bind /dev/pts
mnt dev/shm -t tmpfs -o mode=1777,nosuid,nodev shm
# No nosuid: tests make setgid programs under /tmp (AT_SECURE checks).
mnt tmp -t tmpfs -o mode=1777 tmp
mnt src --bind "$SRC"
mount -o remount,bind,ro "$ROOT/src"

t0=$(date +%s)
say "refreshing: apt-get update && apt-get upgrade"
in_chroot sh -c 'apt-get update -qq && apt-get upgrade -y -qq >/dev/null'
in_chroot bash /src/scripts/install-deps.sh --test
say "packages ready in $(($(date +%s) - t0)) s"

say "versions used"
in_chroot bash /src/scripts/versions.sh

t0=$(date +%s)
say "building into $BUILD"
in_chroot sh -c "rm -rf $BUILD $BUILD.log && BUILD_DIR=$BUILD bash /src/scripts/build.sh"
say "built in $(($(date +%s) - t0)) s"

t0=$(date +%s)
say "ctest -j$JOBS $*"
in_chroot sh -c 'cd "$0" && exec ctest -j"$JOBS" --output-on-failure --timeout 900 "$@"' "$BUILD" "$@"
say "ctest passed in $(($(date +%s) - t0)) s"
