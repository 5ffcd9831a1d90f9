#!/usr/bin/env bash
# Sextant benchmarks: bench/run.sh quick|full (make bench-quick / make bench).
#   quick  100,000 customers, 3 s per wrk run, report in bench/out/BENCHMARKS-quick.md;
#          exits 1 below half the target throughput ratios (runs in make test)
#   full   1,000,000 customers + 1,000,000 contacts, 10 s per run, writes docs/BENCHMARKS.md
# Needs wrk, nginx, curl, python3 and PostgreSQL 15 (tools/deps.sh test). All servers run on
# 127.0.0.1 with free ports, in a temporary folder that is removed on exit, Ctrl-C or SIGTERM.
# Environment overrides are listed at the top of bench/bench.py.
set -euo pipefail
mode=${1:-quick}
case "$mode" in
quick | full) ;;
*)
	echo "usage: bench/run.sh quick|full" >&2
	exit 2
	;;
esac
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# bench.py does the work and its own cleanup (signals included); exec keeps it the process
# that receives them.
exec python3 "$here/bench.py" "$mode"
