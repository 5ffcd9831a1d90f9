#!/usr/bin/env bash
# Run every unit-test binary in the given folders; cmocka prints a summary per binary.
set -uo pipefail
fail=0
for dir in "$@"; do
	for t in "$dir"/t*; do
		[ -x "$t" ] || continue
		if ! out=$("$t" 2>&1); then
			echo "$out"
			echo "FAILED: $t"
			fail=1
		else
			echo "ok    $t ($(echo "$out" | grep -c '^\[       OK \]') tests)"
		fi
	done
done
exit $fail
