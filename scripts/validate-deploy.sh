#!/usr/bin/env bash
# Validates the deployment files without a Docker engine, a cluster or the network beyond the Go
# module proxy: the Dockerfile, docker-compose.yml, the Kubernetes manifests (every kustomization
# under deploy/k8s built with kustomize's library and decoded strictly into Kubernetes' types),
# Prometheus' configuration and Grafana's provisioning. See deploy/validate/main.go.
#
# The checker is a Go program in deploy/validate, built on first use and cached outside the
# repository, keyed by a hash of its sources, go.mod and go.sum (as packages/infra caches its Go
# build of FerretDB): the first build takes about two minutes on two cores with empty Go caches
# (downloading the modules included), a rebuild after a change of the checker a few seconds, and
# a cached run under a second. When a docker CLI with the compose plugin is present,
# `docker compose config -q` checks docker-compose.yml too (it needs no engine).
#
#   bash scripts/validate-deploy.sh
#   WEFT_CACHE_DIR=/somewhere bash scripts/validate-deploy.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
module="$root/deploy/validate"

if ! command -v go > /dev/null; then
  echo "validate-deploy: go is required (Go 1.26 or newer; its module proxy supplies the libraries)" >&2
  exit 1
fi

cache="${WEFT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/weft}"
hash() { if command -v sha256sum > /dev/null; then sha256sum; else shasum -a 256; fi; }
key=$(cd "$module" && cat go.mod go.sum $(LC_ALL=C ls ./*.go) | hash | cut -c1-12)
dir="$cache/deploy-validate-$key"
binary="$dir/deploy-validate"

if [[ ! -x $binary ]]; then
  echo "validate-deploy: building deploy/validate into $dir (up to about 2 minutes with empty Go caches)"
  mkdir -p "$dir"
  started=$(date +%s)
  # Renamed only once whole, so an interrupted build is never taken for a finished one.
  (cd "$module" && go build -o "$binary.partial" .)
  mv "$binary.partial" "$binary"
  echo "validate-deploy: built in $(($(date +%s) - started)) s"
  # Builds of earlier sources are of no further use.
  for old in "$cache"/deploy-validate-*; do
    if [[ $old != "$dir" && -d $old ]]; then rm -rf "$old"; fi
  done
fi

"$binary" -root "$root"

if docker compose version > /dev/null 2>&1; then
  docker compose -f "$root/docker-compose.yml" --profile grafana config -q
  echo "validate-deploy: docker compose config: ok"
else
  echo "validate-deploy: no docker compose CLI here; docker-compose.yml was checked with compose-go only"
fi
