#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Print the project version, the one modinfo and DKMS show:
#   a release tarball's VERSION file, else from git:
#   v1.2-3-gabcdef0[-dirty] -> 1.2.r3.gabcdef0[.dirty], or without a tag
#   0.1.r<commits>.g<sha>[.dirty]; 0.1 when neither exists.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

version() {
	local d n sha

	# A release tarball carries VERSION; a git checkout derives it.
	if [ -f "$top/VERSION" ] && ! git -C "$top" rev-parse 2>/dev/null; then
		cat "$top/VERSION"
		return
	fi
	if d=$(git -C "$top" describe --tags --match 'v[0-9]*' --dirty 2>/dev/null); then
		# v1.2-3-gabcdef0-dirty -> 1.2.r3.gabcdef0.dirty
		d=${d#v}
		echo "$d" | sed 's/-\([0-9]*\)-g/.r\1.g/; s/-dirty$/.dirty/'
		return
	fi
	if sha=$(git -C "$top" rev-parse --short=12 HEAD 2>/dev/null); then
		n=$(git -C "$top" rev-list --count HEAD)
		d=0.1.r$n.g$sha
		git -C "$top" diff --quiet HEAD -- 2>/dev/null || d=$d.dirty
		echo "$d"
		return
	fi
	echo 0.1
}

version
