#!/usr/bin/env bash
# Rebuild data/cdnow/ from its published source: the lifetimes 0.11.3 wheel on PyPI,
# then check both files against the sha256 recorded in data/README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --dest "$tmp" lifetimes==0.11.3
python3 -m zipfile -e "$tmp"/[Ll]ifetimes-0.11.3-py3-none-any.whl "$tmp/x"
cp "$tmp/x/lifetimes/datasets/CDNOW_master.txt" "$tmp/x/lifetimes/datasets/CDNOW_sample.txt" "$here/"
cd "$here"
sha256sum --check <<'SUMS'
eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef  CDNOW_master.txt
6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a  CDNOW_sample.txt
SUMS
