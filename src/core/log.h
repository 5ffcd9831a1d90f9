/*
 * Logging to stderr, one line per event: "<UTC time> <level> <message>".
 * Messages follow git's tone: lowercase, no final full stop, subjects quoted.
 * Control characters in a formatted message are escaped, so a value that came from a
 * request cannot forge a second log line.
 */
#ifndef SEXTANT_LOG_H
#define SEXTANT_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG__MAX };

extern enum log_level log_threshold;

/* "error", "warn", "info" or "debug"; returns -1 if the name is unknown. */
int log_level_parse(const char *name);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                   \
	do {                                             \
		if (log_threshold >= LOG_DEBUG)          \
			log_msg(LOG_DEBUG, __VA_ARGS__); \
	} while (0)

#endif
