#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build and run the X722 model's Toeplitz unit test (TAP on stdout).
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${TMPDIR:-/tmp}/x722-toeplitz-test.$$
trap 'rm -f "$out"' EXIT
cc -O2 -Wall -o "$out" "$here/toeplitz-test.c" "$here/x722_rss.c"
"$out"
