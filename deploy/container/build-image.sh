#!/bin/sh
# build-image.sh: the tapetrain image from this checkout's jars (mvn -q package -DskipTests first).
#
#   deploy/container/build-image.sh [IMAGE]       default IMAGE: localhost/tapetrain:latest
#
# Stages bin/tapetrain and the three jars as the build context deploy/container/Containerfile
# expects, then builds with podman (docker if there is no podman). BASE (an environment
# variable) picks the base image: by default the offline one make-base.sh makes (made here if
# missing); with a registry, BASE=docker.io/library/eclipse-temurin:17-jre.
set -eu

image=${1:-localhost/tapetrain:latest}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
base=${BASE:-localhost/tapetrain-base:bookworm-jre17}
if command -v podman >/dev/null; then tool=podman; else tool=docker; fi

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/bin" "$context/lib" "$context/runs"
cp "$root/bin/tapetrain" "$context/bin/"
for module in local-runner coordinator worker; do
  jar=$root/$module/target/$module.jar
  [ -f "$jar" ] || { echo "build-image: no $jar (build it: mvn -q package -DskipTests)" >&2; exit 2; }
  cp "$jar" "$context/lib/"
done
if [ "$base" = localhost/tapetrain-base:bookworm-jre17 ] && [ "$tool" = podman ]; then
  "$here/make-base.sh" "$base"
fi
"$tool" build --build-arg "BASE=$base" -f "$here/Containerfile" -t "$image" "$context"
