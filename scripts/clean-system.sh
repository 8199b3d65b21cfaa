#!/usr/bin/env bash
# Run the README's two quick-start commands inside a clean, minimal Debian system.
#
#   bash scripts/clean-system.sh SUITE            # SUITE: bookworm (Debian 12), trixie (Debian 13), sid
#   bash scripts/clean-system.sh SUITE COMMAND    # the README's first command (set-up), then COMMAND
#                                                 # (e.g. '.venv/bin/python benchmarks/perf.py')
#
# Proves that a new user's machine needs nothing but what the repository installs: debootstrap
# (--variant=minbase) makes the system, this checkout's HEAD is cloned into it, and the two
# commands of README.md's "Quick start" block are read from the README and run there as they are
# written. Exit status: that of the commands (pytest's 5, "no test ran", counts as a failure);
# 2 for wrong usage or a missing tool on the host.
#
# Needs root and Debian's debootstrap on the host. The system is made under /var/tmp and removed,
# with everything mounted into it, on every way out: success, failure, Ctrl-C, SIGTERM, timeout.
# Settings (environment):
#   CLEAN_SYSTEM_MIRROR   Debian mirror (default http://deb.debian.org/debian)
#   CLEAN_SYSTEM_CACHE    where downloaded .deb files are kept between runs, per suite
#                         (default /var/cache/cvtex-clean-system); never the installed system
#   CLEAN_SYSTEM_TIMEOUT  seconds the two commands may take together (default 2400)
# The host's package-client settings go in so that apt, pip and npm reach the registries as on the
# host: its CA bundle (copied to a path of its own, /etc/cvtex-host-ca.crt, since installing
# ca-certificates inside rewrites the system bundle), /etc/pip.conf and /etc/xdg/pip (the bundle
# path rewritten), ~/.npmrc, apt's proxy settings and the *_proxy variables.
set -euo pipefail

usage() { echo "usage: bash scripts/clean-system.sh bookworm|trixie|sid [COMMAND]" >&2; exit 2; }
[ $# -eq 1 ] || [ $# -eq 2 ] || usage
suite=$1
case "$suite" in bookworm|trixie|sid|forky) ;; *) usage ;; esac
[ "$(id -u)" -eq 0 ] || { echo "clean-system: needs root (debootstrap, chroot, mount)" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "clean-system: no debootstrap; apt-get install debootstrap" >&2; exit 2; }
# A mount namespace of its own (util-linux unshare): the system's mounts are never seen by, nor
# propagate to, the host (a bind of /dev on a host with shared mounts would carry the tmpfs on
# /dev/shm back to the host's /dev), and they vanish with this process even if it is killed.
if [ -z "${CLEAN_SYSTEM_NAMESPACE:-}" ]; then
  exec unshare --mount --propagation private env CLEAN_SYSTEM_NAMESPACE=1 bash "$0" "$@"
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
mirror=${CLEAN_SYSTEM_MIRROR:-http://deb.debian.org/debian}
cache=${CLEAN_SYSTEM_CACHE:-/var/cache/cvtex-clean-system}/$suite
limit=${CLEAN_SYSTEM_TIMEOUT:-2400}
mkdir -p "$cache/debootstrap" "$cache/apt/partial"

# The README's quick start: the lines of the first ```sh block after "## Quick start", without
# their comments. Exactly what a new user copies.
mapfile -t commands < <(awk '/^## Quick start/ {q = 1} q && /^```sh/ {b = 1; next}
                              b && /^```/ {exit} b {sub(/[ \t]*#.*/, ""); if (length) print}' "$repo/README.md")
[ ${#commands[@]} -eq 2 ] || { echo "clean-system: README's quick start has ${#commands[@]} commands, not 2" >&2; exit 2; }
if [ $# -eq 2 ]; then commands[1]=$2; fi

log() { printf '[clean-system %s %s] %s\n' "$suite" "$(date +%T)" "$*"; }

root="" child=""
cleanup() {
  local status=$? pid m mounts=()
  set +e
  trap '' INT TERM HUP  # a second Ctrl-C does not cut the clean-up short
  trap - EXIT
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
  if [ -n "$root" ] && [ -d "$root" ]; then
    # processes still running inside (a test's engine after a timeout) would keep mounts busy
    for pid in /proc/[0-9]*; do
      [ "$(readlink "$pid/root" 2>/dev/null)" = "$root" ] && kill -KILL "${pid#/proc/}" 2>/dev/null
    done
    sleep 0.2
    # every mount below the system, deepest first
    mapfile -t mounts < <(awk -v r="$root" '$2 == r || index($2, r "/") == 1 {print $2}' /proc/self/mounts | sort -r)
    for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
    if awk -v r="$root" '$2 == r || index($2, r "/") == 1 {found = 1} END {exit !found}' /proc/self/mounts; then
      echo "clean-system: could not unmount everything below $root; not removed" >&2
      exit 1
    fi
    rm -rf --one-file-system "$root"
    rm -f "$root.debootstrap.log"
    log "removed $root"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# the real path: /proc/self/mounts and /proc/PID/root name it so
root=$(realpath "$(mktemp -d "/var/tmp/cvtex-$suite.XXXXXX")")
chmod 755 "$root"

elapsed() { local s=$(( $(date +%s) - $1 )); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

t0=$(date +%s)
log "debootstrap --variant=minbase $suite ($mirror)"
debootstrap --variant=minbase --cache-dir="$cache/debootstrap" "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
  || { tail -20 "$root.debootstrap.log" >&2; rm -f "$root.debootstrap.log"; exit 1; }
rm -f "$root.debootstrap.log"
log "stage debootstrap: $(elapsed "$t0")"

# mounts: what the commands need, and the kept .deb files
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=1777,size=1g tmpfs "$root/dev/shm"
mount --bind "$cache/apt" "$root/var/cache/apt/archives"

# package clients as on the host
cp /etc/resolv.conf "$root/etc/resolv.conf"
ca=/etc/cvtex-host-ca.crt
cp /etc/ssl/certs/ca-certificates.crt "$root$ca"
if [ -f /etc/pip.conf ]; then
  sed "s#/etc/ssl/certs/ca-certificates.crt#$ca#g" /etc/pip.conf > "$root/etc/pip.conf"
fi
if [ -d /etc/xdg/pip ]; then mkdir -p "$root/etc/xdg" && cp -r /etc/xdg/pip "$root/etc/xdg/pip"; fi
if [ -f "$HOME/.npmrc" ]; then cp "$HOME/.npmrc" "$root/root/.npmrc"; fi
apt-config dump 2>/dev/null | grep -i '^Acquire::.*proxy' > "$root/etc/apt/apt.conf.d/01host-proxy" || true
env_vars=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb
          CI="${CI:-}" DEBIAN_FRONTEND=noninteractive
          SSL_CERT_FILE=$ca PIP_CERT=$ca REQUESTS_CA_BUNDLE=$ca CURL_CA_BUNDLE=$ca NODE_EXTRA_CA_CERTS=$ca
          GIT_SSL_CAINFO=$ca)
for name in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY PIP_INDEX_URL PIP_EXTRA_INDEX_URL \
            PIP_DEFAULT_TIMEOUT PIP_DISABLE_PIP_VERSION_CHECK; do
  if [ -n "${!name:-}" ]; then env_vars+=("$name=${!name}"); fi
done

# a fresh clone of this checkout's HEAD: what a new user gets, nothing of the working tree
git -c safe.directory="$repo" -c safe.directory="$repo/.git" clone --quiet --no-hardlinks "$repo" "$root/root/cvtex"
log "commit $(git -C "$root/root/cvtex" rev-parse --short HEAD); $(. "$root/etc/os-release"; echo "$PRETTY_NAME")"

status=0
deadline=$(( $(date +%s) + limit ))
for i in "${!commands[@]}"; do
  cmd=${commands[$i]}
  left=$(( deadline - $(date +%s) ))
  if [ "$left" -le 0 ]; then echo "clean-system: out of time ($limit s) before: $cmd" >&2; status=124; break; fi
  t=$(date +%s)
  log "\$ $cmd"
  set +e
  # in the background and waited for, so that Ctrl-C and SIGTERM reach this script's traps at once
  timeout --kill-after=30 "$left" chroot "$root" env -i "${env_vars[@]}" bash -c "cd /root/cvtex && $cmd" </dev/null &
  child=$!
  wait "$child"
  status=$?
  child=""
  set -e
  log "stage $((i + 1)) ($cmd): $(elapsed "$t"), exit $status"
  if [ "$status" -eq 5 ]; then echo "clean-system: pytest ran no test" >&2; status=1; fi
  if [ "$status" -eq 124 ]; then echo "clean-system: out of time ($limit s) in: $cmd" >&2; fi
  [ "$status" -eq 0 ] || break
done
log "total $(elapsed "$t0"), exit $status"
exit "$status"
