#!/usr/bin/env bash
# Set up a fresh Debian machine for molcache: the system packages the tests and figures need (Jupyter's nbconvert
# for notebooks, Chromium for figure export, Redis for the distributed-sampling tests), the npm packages, and the tslab Jupyter kernel. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(jupyter-nbconvert jupyter-client python3-nbclient chromium fonts-liberation fonts-dejavu-core redis-server)
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "molcache setup: missing Debian packages: ${missing[*]}; install them with sudo apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# onnxruntime-node's installer would download a CUDA build; its CPU binary ships in the package.
export ONNXRUNTIME_NODE_INSTALL=skip
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node --import tsx scripts/install_kernel.ts
