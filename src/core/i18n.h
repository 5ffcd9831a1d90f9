/*
 * The two languages every user-facing text exists in, and the message catalogue for problems.
 * Simplified Chinese is the default; English is the second language.
 */
#ifndef SEXTANT_I18N_H
#define SEXTANT_I18N_H

#include "arena.h"

enum lang { LANG_ZH, LANG_EN, LANG__MAX };

/* A text in both languages; either may be NULL and falls back to the other. */
struct label {
	const char *text[LANG__MAX];
};

extern const char *const lang_tags[LANG__MAX]; /* "zh-CN", "en" */

/* Pick the language from an Accept-Language header (NULL or unknown: Chinese). */
enum lang lang_negotiate(const char *accept_language);
/* "zh-CN", "zh", "en", "en-US" … → the language; -1 if neither. */
int lang_parse(const char *tag);
const char *label_get(const struct label *l, enum lang lang);

/*
 * A problem message for `code` in `lang`, with "{name}" placeholders filled from params
 * (NULL-terminated name, value pairs). An unknown code gives the code itself.
 */
const char *i18n_message(struct arena *a, enum lang lang, const char *code,
                         const char *const *params);
/* The catalogue has a message for this code. */
int i18n_has(const char *code);

#endif
