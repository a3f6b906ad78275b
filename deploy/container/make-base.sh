#!/bin/sh
# make-base.sh: an offline base image for deploy/container/Containerfile, from Debian's packages
# alone (no container registry): a minimal bookworm root file system with a Java 17 runtime,
# made by mmdebstrap and imported into podman as localhost/tapetrain-base:bookworm-jre17.
#
#   deploy/container/make-base.sh [IMAGE]      (root, or a user podman unshare lets install)
#
# Does nothing if the image exists already (podman's store is the cache). Needs mmdebstrap and
# podman (apt-get install -y mmdebstrap podman) and a Debian mirror (deb.debian.org or the one
# apt is configured with). A user with a registry needs none of this: see docs/deploy.md.
set -eu

image=${1:-localhost/tapetrain-base:bookworm-jre17}
if podman image exists "$image"; then
  echo "make-base: $image exists" >&2
  exit 0
fi
command -v mmdebstrap >/dev/null || { echo "make-base: mmdebstrap is not installed (apt-get install -y mmdebstrap)" >&2; exit 2; }
mirror=${TAPETRAIN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Only what a JVM needs: no documentation, manual pages or locales. The JRE's post-installation
# script links its manual page into man1, so that directory must exist all the same.
# The hooks' "$1" is mmdebstrap's, not this script's: single quotes on purpose.
# shellcheck disable=SC2016
mmdebstrap --variant=apt --include=openjdk-17-jre-headless,ca-certificates \
  --aptopt='Acquire::Check-Valid-Until "false"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --essential-hook='mkdir -p "$1"/usr/share/man/man1' \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
  bookworm "$work/rootfs.tar" "$mirror"
podman import --change "ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)" \
  --change 'CMD ["/bin/sh"]' "$work/rootfs.tar" "$image" >/dev/null
echo "make-base: imported $image" >&2
