/*
 * The virus-scan hook of uploads (REQUIREMENTS P-FILE): with --file-scan, every uploaded file
 * is given on standard input to that command (run directly, split on spaces, no shell) before
 * it is kept. The exit status decides, as ClamAV's scanners report it (`clamdscan --fdpass -`,
 * `clamscan -`): 0 clean, 1 infected, anything else (or no answer within the time) a failed
 * scan — and a file that could not be scanned is not kept either.
 */
#ifndef SEXTANT_FILESCAN_H
#define SEXTANT_FILESCAN_H

#include <stddef.h>

enum scan_verdict { SCAN_CLEAN, SCAN_INFECTED, SCAN_FAILED };

#define SCAN_TIMEOUT_MS 60000

/* Scan the whole of fd with command; finding gets the scanner's first line of output (what it
 * found, or why it failed). */
enum scan_verdict files_scan(const char *command, int fd, char *finding, size_t n);

#endif
