#!/usr/bin/env bash
# Functions we never call (git's banned.h): unbounded copies and formatting, and
# non-reentrant helpers that break under MHD's worker threads.
set -euo pipefail
banned='\b(strcpy|strcat|sprintf|vsprintf|gets|strtok|asctime|ctime|gmtime|localtime|rand|atoi|atol)\s*\('
if grep -nE "$banned" $(git ls-files 'src/*.c' 'src/*.h'); then
	echo "check-banned: the calls above are banned (see docs/STYLE-NOTES.md)" >&2
	exit 1
fi
