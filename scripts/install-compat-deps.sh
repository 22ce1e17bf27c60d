#!/usr/bin/env bash
# Installs the Debian packages the third-party compatibility suite (tests/compat) needs: kcat and the two Python
# clients with their codec modules (run under /usr/bin/python3, not a pyenv python), librdkafka-dev for building the
# librdkafka mock-cluster helper, and the -dev libraries that `CKJS_LINKING=dynamic npm ci` links
# @confluentinc/kafka-javascript's bundled librdkafka against, and Burrow with the ZooKeeper it needs for itself (the
# lag-monitor check of __consumer_offsets), openssl, which makes the certificates of @samsa/client's TLS tests, and
# GNU time, which counts kcat's page faults in the broker benchmark.
# Idempotent: installs only what is missing.
# The npm-side clients come from `CKJS_LINKING=dynamic npm ci` (devDependencies of tests/compat).
set -euo pipefail

PACKAGES=(
  kcat librdkafka1 librdkafka-dev
  python3-confluent-kafka python3-kafka python3-lz4 python3-snappy python3-zstandard
  gcc g++ make pkg-config python3
  liblz4-dev libsasl2-dev libsasl2-modules libssl-dev zlib1g-dev libzstd-dev
  burrow zookeeper
  openssl time
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]; then missing+=("$pkg"); fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-compat-deps: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi

echo "install-compat-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq -o DPkg::Lock::Timeout=600
apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}"
