#!/usr/bin/env bash
# Builds the Glance image from Debian's packages with no registry:
# debootstrap a minbase root file system, give it the release's apt sources (its updates and
# security archives, as an operator's machine has them), bring it up to date, install the
# packages with apt inside it, read the installed versions, and `docker import` it under the
# given tag with the versions and the given labels.
# Usage: build-rootfs.sh SUITE MIRROR SOURCES_FILE PACKAGES_FILE TAG WORKDIR [LABEL=VALUE...]
set -euo pipefail
suite=$1 mirror=$2 sources_file=$3 packages_file=$4 tag=$5 workdir=$6
shift 6
extra_labels=("$@")
root="$workdir/rootfs"

cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$workdir"
}
trap cleanup EXIT
mkdir -p "$workdir"

echo "image: debootstrap $suite from $mirror" >&2
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$workdir/debootstrap.log" 2>&1 || {
  tail -20 "$workdir/debootstrap.log" >&2; exit 1; }

# The mirror serves a dated snapshot whose Release files may have expired.
echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99no-check-valid-until"
# No service may start while packages install.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$sources_file" "$root/etc/apt/sources.list"
mount -t proc proc "$root/proc"

mapfile -t packages < <(grep -v '^\s*#' "$packages_file" | grep -v '^\s*$')
echo "image: $suite: apt-get install ${packages[*]}" >&2
chroot "$root" /bin/sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -qq &&
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"' \
  apt "${packages[@]}" >"$workdir/apt.log" 2>&1 || { tail -30 "$workdir/apt.log" >&2; exit 1; }

# Versions are read from what was installed, never typed in.
version() { chroot "$root" dpkg-query -W -f '${Version}' "$1" 2>/dev/null || true; }
labels=(
  "org.glance-conformance.suite=$suite"
  "org.glance-conformance.version.glance=$(version glance-api)"
  "org.glance-conformance.version.apache=$(version apache2)"
  "org.glance-conformance.version.mod_wsgi=$(version libapache2-mod-wsgi-py3)"
  "org.glance-conformance.version.uwsgi=$(version uwsgi-core)"
  "org.glance-conformance.version.python=$(version python3)"
  "org.glance-conformance.version.eventlet=$(version python3-eventlet)"
  "org.glance-conformance.version.mariadb=$(version mariadb-server)"
  "org.glance-conformance.version.glance_store=$(version python3-glance-store)"
  "org.glance-conformance.version.oslo.log=$(version python3-oslo.log)"
  "org.glance-conformance.version.webob=$(version python3-webob)"
  "org.glance-conformance.version.keystonemiddleware=$(version python3-keystonemiddleware)"
  "${extra_labels[@]}"
)

umount "$root/proc"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"

changes=()
for l in "${labels[@]}"; do changes+=(--change "LABEL $l"); done
echo "image: $suite: docker import as $tag" >&2
tar -C "$root" --numeric-owner -c . | docker import "${changes[@]}" --change 'CMD ["/bin/bash"]' - "$tag" >/dev/null
