/*
 * Shared helpers of the cmocka unit tests (tests/unit/t*.c).
 *
 * Table-driven tests check every case with EXPECT*(), which prints the failing case and carries
 * on, and end with EXPECT_ALL(), which fails the test once if any case failed. A run then names
 * every bad input at once instead of stopping at the first.
 *
 * Tests run from the repository root (tools/run-unit.sh, make test); the helpers that need the
 * tree (golden files) also look upwards from the current directory.
 */
#ifndef SEXTANT_UNIT_H
#define SEXTANT_UNIT_H

/* cmocka needs these before its header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int unit_failed __attribute__((unused));

#define EXPECT(cond, ...)                                           \
	do {                                                        \
		if (!(cond)) {                                      \
			print_error("%s:%d: ", __FILE__, __LINE__); \
			print_error(__VA_ARGS__);                   \
			print_error("\n");                          \
			unit_failed++;                              \
		}                                                   \
	} while (0)

/* Text for a failure message: control characters shown as \n, \t or \xNN (rotating buffers). */
static inline const char *unit_esc(const char *s)
{
	static char bufs[8][1024];
	static unsigned next;
	if (!s)
		return "(null)";
	char *b = bufs[next++ % 8];
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p && n + 5 < sizeof bufs[0]; p++) {
		if (*p == '\n')
			n += (size_t)snprintf(b + n, 5, "\\n");
		else if (*p == '\t')
			n += (size_t)snprintf(b + n, 5, "\\t");
		else if (*p == '\r')
			n += (size_t)snprintf(b + n, 5, "\\r");
		else if (*p < 0x20 || *p == 0x7f)
			n += (size_t)snprintf(b + n, 5, "\\x%02x", *p);
		else
			b[n++] = (char)*p;
	}
	b[n] = '\0';
	return b;
}

/* Compare two NUL-terminated strings, naming the case on failure. */
#define EXPECT_STR(got, want, what)                                                              \
	do {                                                                                     \
		const char *g_ = (got), *w_ = (want);                                            \
		EXPECT(g_ &&w_ &&strcmp(g_, w_) == 0, "%s: got [%s], want [%s]", unit_esc(what), \
		       unit_esc(g_), unit_esc(w_));                                              \
	} while (0)

#define EXPECT_INT(got, want, what)                                          \
	do {                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);     \
		EXPECT(g_ == w_, "%s: got %lld, want %lld", (what), g_, w_); \
	} while (0)

#define EXPECT_ALL()                                                            \
	do {                                                                    \
		int n_ = unit_failed;                                           \
		unit_failed = 0;                                                \
		if (n_)                                                         \
			fail_msg("%d expectation(s) failed, listed above", n_); \
	} while (0)

/* Each test starts with no failed expectations (an assertion may have cut the last one short). */
static inline int unit_reset(void **state)
{
	(void)state;
	unit_failed = 0;
	return 0;
}

/* Use instead of cmocka_unit_test(). */
#define UNIT_TEST(f) cmocka_unit_test_setup(f, unit_reset)

/*
 * Run a shell command when this process ends, however it ends (a failed assertion, a sanitizer
 * abort): a child process waits for the end of a pipe that only this process holds. Used to
 * remove temporary folders and stop a throwaway database server.
 */
static inline void unit_at_exit_sh(const char *cmd)
{
	int p[2];
	if (pipe(p))
		return;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		close(p[1]);
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			/* Do not hold the test runner's output pipe open. */
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		char c;
		while (read(p[0], &c, 1) > 0)
			;
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	fcntl(p[1], F_SETFD, FD_CLOEXEC); /* programs we run do not keep it open */
}

/*
 * A fresh private directory under $TMPDIR (or /tmp); the caller frees the path. It is removed
 * when the process ends even if the test never reaches its teardown.
 */
static inline char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof tmpl, "%s/sextant-unit-XXXXXX", base && *base ? base : "/tmp");
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	unit_at_exit_sh(cmd);
	return strdup(d);
}

/* Remove a directory made by unit_tmpdir() and the plain files in it. */
static inline void unit_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			char p[1024];
			snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* Write n bytes to path (created or truncated). */
static inline void unit_write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	if (n)
		assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* Read a whole file (malloc'd, NUL-terminated); NULL if it cannot be read. */
static inline char *unit_read_file(const char *path, size_t *len)
{
	if (len)
		*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n - 1 == 0) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/*
 * Find a folder of the source tree (e.g. "tests/golden") from the current directory or one of
 * its parents; writes the path to out. False if there is none.
 */
static inline bool unit_find_dir(const char *rel, char *out, size_t n)
{
	char prefix[256] = "";
	for (int up = 0; up < 6; up++) {
		snprintf(out, n, "%s%s", prefix, rel);
		struct stat st;
		if (stat(out, &st) == 0 && S_ISDIR(st.st_mode))
			return true;
		size_t l = strlen(prefix);
		if (l + 3 >= sizeof prefix)
			break;
		memcpy(prefix + l, "../", 4);
	}
	return false;
}

#endif
