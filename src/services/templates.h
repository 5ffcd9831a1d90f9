/*
 * Message templates: for each kind of message (a notification event, a test message) a
 * subject, a plain text, an HTML text and a brief line for the notification centre in each
 * language, with {{variables}}. The built-in
 * ones are in services/templates.c; administrators override any of them (table
 * message_templates), and an override can be removed to return to the built-in one.
 */
#ifndef SEXTANT_TEMPLATES_H
#define SEXTANT_TEMPLATES_H

#include "core/arena.h"
#include "core/str.h"
#include "db/db.h"

#include <jansson.h>
#include <stdbool.h>

struct template_text {
	const char *subject;
	const char *text;  /* the mail's plain text (and the SMS, after the subject) */
	const char *html;  /* the mail's HTML part; NULL: none */
	const char *brief; /* under the title in the notification centre; NULL: the text */
};

struct template_def {
	const char *key;
	const char *label_zh, *label_en;
	const char *variables; /* the names it may use, comma-separated, for the editor */
	struct template_text zh, en;
};

extern const struct template_def template_defs[];
const struct template_def *template_find(const char *key);

/* The template key in locale ("zh-CN" or "en"): the override if any, else the built-in one;
 * the strings in a. A DB_ code (DB_DONE: no such key). */
int template_load(struct db *db, struct arena *a, const char *key, const char *locale,
                  struct template_text *out);

/* Replace each {{name}} in tpl with vars' member name (strings as they are, numbers printed;
 * missing ones empty), HTML-escaped when html. */
void template_render(const char *tpl, json_t *vars, bool html, struct str *out);

/* s with & < > " ' escaped, for HTML text and attribute values. */
void template_escape_html(struct str *out, const char *s);

#endif
