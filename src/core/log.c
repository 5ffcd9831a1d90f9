#include "log.h"
#include "str.h"
#include "timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum log_level log_threshold = LOG_INFO;

static const char *const level_names[LOG__MAX] = {
    [LOG_ERROR] = "error",
    [LOG_WARN] = "warn",
    [LOG_INFO] = "info",
    [LOG_DEBUG] = "debug",
};

int log_level_parse(const char *name)
{
	for (int i = 0; i < LOG__MAX; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level > log_threshold)
		return;
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);

	char line[4096 + 64];
	char ts[TIME_ISO_LEN];
	time_now_iso(ts);
	size_t n = (size_t)snprintf(line, 64, "%s %-5s ", ts, level_names[level]);
	for (const unsigned char *p = (const unsigned char *)msg; *p && n < sizeof line - 8; p++) {
		if (*p < 0x20 || *p == 0x7f)
			n += (size_t)snprintf(line + n, 5, "\\x%02x", *p);
		else
			line[n++] = (char)*p;
	}
	line[n++] = '\n';
	/* One write per line keeps lines from different threads whole. */
	fwrite(line, 1, n, stderr);
}
