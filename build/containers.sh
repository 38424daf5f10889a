#!/usr/bin/env bash
# What the serving-image tests (tests/MlOps.Ci.Containers.Tests) run for real, on loopback only:
#
#   1. a Docker engine: Debian's docker.io (installed when missing), dockerd started in the background with its own
#      data root, no bridge and no iptables (containers use the host network and bind 127.0.0.1);
#   2. a registry: Debian's docker-registry (the CNCF distribution) on 127.0.0.1:$MLOPS_CI_REGISTRY_PORT (5050);
#   3. a base image, <registry>/mlops-ci/aspnet-base:10.0: nothing can be pulled from public registries here, so it is
#      made from this machine's own .NET runtime (host, Microsoft.NETCore.App and Microsoft.AspNetCore.App of the
#      installed version, no SDK) and the libraries they load (glibc, libstdc++, libgcc, ICU, OpenSSL, zlib), plus CA
#      certificates, /tmp and an "app" user (1654) the way mcr.microsoft.com/dotnet/aspnet has them.
#
# Idempotent: what already runs or exists is reused, so a second run takes well under a second. Run as root (apt-get,
# dockerd). Writes artifacts/containers.env (MLOPS_TEST_REGISTRY, MLOPS_TEST_BASE_IMAGE, DOCKER_HOST) for the tests and
# prints the same lines. State (engine data, registry storage, logs) lives in $MLOPS_CI_DOCKER_STATE
# (/var/lib/mlops-ci-docker); delete that folder, after stopping the two processes, to start from nothing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${MLOPS_CI_DOCKER_STATE:-/var/lib/mlops-ci-docker}"
port="${MLOPS_CI_REGISTRY_PORT:-5050}"
registry="127.0.0.1:$port"
base_image="$registry/mlops-ci/aspnet-base:10.0"
docker_host="${DOCKER_HOST:-unix:///var/run/docker.sock}"
env_file="$root/artifacts/containers.env"
dotnet_root="${MLOPS_CI_DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}"
started=$SECONDS

log() { echo "containers.sh: $*"; }
fail() { echo "containers.sh: error: $*" >&2; exit 1; }

# Waits up to $1 seconds for the command that follows to succeed.
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
  ((${#missing[@]})) || return 0
  [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1 || fail "${missing[*]} missing, and installing needs root and apt-get"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # policy-rc.d 101: the packages' own service scripts must not start a second, differently configured engine.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [[ ! -e $policy ]]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1; fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || { ((created_policy)) && rm -f "$policy"; fail "apt-get install ${missing[*]} failed"; }
  ((created_policy)) && rm -f "$policy"
  return 0
}

engine_answers() { DOCKER_HOST="$docker_host" docker info --format '{{.ServerVersion}}'; }

start_engine() {
  if engine_answers >/dev/null 2>&1; then
    log "engine already running (Docker $(engine_answers))"
    return
  fi
  [[ $docker_host == unix:///var/run/docker.sock ]] || fail "DOCKER_HOST=$docker_host does not answer, and only the default socket is started here"
  mkdir -p "$state"
  local pidfile="$state/dockerd.pid"
  # A dockerd killed without cleanup leaves its pid file behind, and a new one refuses to start over it.
  if [[ -f $pidfile ]] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then rm -f "$pidfile"; fi
  log "starting dockerd (data root $state/data, log $state/dockerd.log)"
  setsid dockerd --data-root "$state/data" --pidfile "$pidfile" --bridge=none --iptables=false --ip6tables=false \
    >>"$state/dockerd.log" 2>&1 </dev/null &
  wait_for 60 engine_answers || { tail -n 30 "$state/dockerd.log" >&2; fail "dockerd did not answer within 60 s (log above)"; }
  log "engine ready (Docker $(engine_answers))"
}

registry_answers() { curl -fs --max-time 2 -o /dev/null "http://$registry/v2/"; }

start_registry() {
  if registry_answers; then
    log "registry already answering on $registry"
    return
  fi
  mkdir -p "$state/registry"
  cat >"$state/registry.yml" <<EOF
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: '$state/registry'}, delete: {enabled: true}}
http: {addr: '$registry', secret: mlops-ci-loopback-only}
EOF
  log "starting docker-registry on $registry (log $state/registry.log)"
  setsid docker-registry serve "$state/registry.yml" >>"$state/registry.log" 2>&1 </dev/null &
  echo $! >"$state/registry.pid"
  wait_for 30 registry_answers || { tail -n 30 "$state/registry.log" >&2; fail "docker-registry did not answer on $registry within 30 s (log above)"; }
}

runtime_version() { ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -n1; }

# The files of the base image, laid out under $1.
stage_rootfs() {
  local rootfs=$1 version=$2
  local netcore="$dotnet_root/shared/Microsoft.NETCore.App/$version" aspnet="$dotnet_root/shared/Microsoft.AspNetCore.App/$version"
  [[ -d $netcore && -d $aspnet ]] || fail "the .NET runtime $version is not complete under $dotnet_root/shared"
  mkdir -p "$rootfs/usr/share/dotnet/shared/Microsoft.NETCore.App" "$rootfs/usr/share/dotnet/shared/Microsoft.AspNetCore.App" "$rootfs/usr/bin"
  cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$rootfs/usr/share/dotnet/" 2>/dev/null \
    || cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$rootfs/usr/share/dotnet/"
  cp -a "$netcore" "$rootfs/usr/share/dotnet/shared/Microsoft.NETCore.App/"
  cp -a "$aspnet" "$rootfs/usr/share/dotnet/shared/Microsoft.AspNetCore.App/"
  ln -s ../share/dotnet/dotnet "$rootfs/usr/bin/dotnet"

  # What the host and the runtime link against (ldd), and what the runtime dlopens by name, which ldd cannot see:
  # ICU (globalization), OpenSSL (TLS, hashing), zlib; the glibc stubs ONNX Runtime still links (libdl, librt, libpthread).
  local libraries
  libraries=$( {
    ldd "$dotnet_root/dotnet" "$dotnet_root"/host/fxr/*/libhostfxr.so "$netcore"/*.so 2>/dev/null | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]+ \(/ { print $1 }'
    for name in libicuuc.so.72 libicui18n.so.72 libicudata.so.72 libssl.so.3 libcrypto.so.3 libz.so.1 libdl.so.2 librt.so.1 libpthread.so.0 libm.so.6; do
      ldconfig -p | awk -v n="$name" '$1 == n && /x86-64/ { print $NF; exit }'
    done
  } | sort -u)
  [[ -n $libraries ]] || fail "ldd found no libraries for $dotnet_root/dotnet"
  local library target
  for library in $libraries; do
    target="$(readlink -f "$(dirname "$library")")/$(basename "$library")"
    mkdir -p "$rootfs$(dirname "$target")"
    cp -L "$library" "$rootfs$target"
  done
  # The same merged-/usr links as this machine (Debian 12: /lib -> usr/lib), so the ELF interpreter path resolves.
  local link
  for link in /lib /lib64 /bin /sbin; do
    if [[ -L $link ]]; then ln -sfn "$(readlink "$link")" "$rootfs$link"; fi
  done
  [[ -e $rootfs/lib64/ld-linux-x86-64.so.2 ]] || fail "the ELF interpreter is missing from the staged image"

  mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/tmp" "$rootfs/home/app"
  chmod 1777 "$rootfs/tmp"
  chown 1654:1654 "$rootfs/home/app"
  if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then cp -L /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"; fi
  printf 'root:x:0:0:root:/root:/sbin/nologin\napp:x:1654:1654:app:/home/app:/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\napp:x:1654:\n' >"$rootfs/etc/group"
  printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
}

seed_base_image() {
  local version present
  version=$(runtime_version)
  [[ -n $version ]] || fail "no ASP.NET Core runtime under $dotnet_root/shared/Microsoft.AspNetCore.App"
  present=$(docker image inspect --format '{{ index .Config.Labels "io.mlops-ci.dotnet.runtime" }}' "$base_image" 2>/dev/null || true)
  if [[ $present == "$version" ]] && curl -fsS --max-time 5 -o /dev/null -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
      "http://$registry/v2/mlops-ci/aspnet-base/manifests/10.0"; then
    log "base image $base_image (.NET $version) already in the engine and the registry"
    return
  fi
  if [[ -z $present ]] && docker pull -q "$base_image" >/dev/null 2>&1; then
    present=$(docker image inspect --format '{{ index .Config.Labels "io.mlops-ci.dotnet.runtime" }}' "$base_image" 2>/dev/null || true)
    if [[ $present == "$version" ]]; then log "base image $base_image (.NET $version) pulled from the registry"; return; fi
  fi

  log "building base image $base_image from $dotnet_root (.NET $version)"
  local work
  work=$(mktemp -d /tmp/mlops-ci-base-image.XXXXXX)
  trap 'rm -rf "$work"' RETURN
  stage_rootfs "$work/rootfs" "$version"
  tar -C "$work/rootfs" --numeric-owner --sort=name --mtime=@0 -cf "$work/rootfs.tar" .
  cat >"$work/Dockerfile" <<EOF
FROM scratch
ADD rootfs.tar /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    DOTNET_ROOT=/usr/share/dotnet \\
    DOTNET_VERSION=$version \\
    ASPNET_VERSION=$version \\
    APP_UID=1654 \\
    ASPNETCORE_HTTP_PORTS=8080 \\
    DOTNET_RUNNING_IN_CONTAINER=true \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL io.mlops-ci.dotnet.runtime="$version" \\
      org.opencontainers.image.description="ASP.NET Core $version runtime from the build machine's own .NET install (mlops-ci test base image)"
EOF
  # Only the legacy builder exists with Debian's engine; its deprecation notice is noise here, its errors are not.
  DOCKER_BUILDKIT=0 docker build -q -t "$base_image" "$work" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; fail "docker build of the base image failed"; }
  docker push -q "$base_image" >"$work/push.log" 2>&1 || { cat "$work/push.log" >&2; fail "docker push $base_image failed"; }
}

install_packages
start_engine
start_registry
export DOCKER_HOST="$docker_host"
seed_base_image

mkdir -p "$(dirname "$env_file")"
cat >"$env_file" <<EOF
MLOPS_TEST_REGISTRY=$registry
MLOPS_TEST_BASE_IMAGE=$base_image
DOCKER_HOST=$docker_host
EOF
cat "$env_file"
size=$(docker image inspect --format '{{.Size}}' "$base_image")
log "ready in $((SECONDS - started)) s; base image $((size / 1000000)) MB; wrote ${env_file#"$root"/}"
