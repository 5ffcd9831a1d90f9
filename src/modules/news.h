/*
 * Company announcements (REQUIREMENTS.md P-NEWS): notices addressed to everyone or to org units
 * (each reaching the units below it), with read receipts, shown on the home page. Written by
 * administrators; each change is in the audit trail (entity "announcements").
 */
#ifndef SEXTANT_NEWS_H
#define SEXTANT_NEWS_H

#include "core/str.h"
#include "meta/op.h"

#include <stdbool.h>
#include <stdint.h>

#define NEWS_TITLE_MAX 200
#define NEWS_BODY_MAX  20000
#define NEWS_UNITS_MAX 50
#define NEWS_LIST_MAX  100

enum news_kind { NEWS_ANNOUNCEMENT, NEWS_NOTICE, NEWS_DOCUMENT, NEWS__MAX };
extern const char *const news_kind_names[NEWS__MAX];

struct news_item {
	const char *title, *body; /* plain text: shown as text, never as markup */
	int kind;
	bool pinned;
	const int64_t *units; /* none: everyone */
	size_t n_units;
	const char *published_at; /* ISO time; NULL: now */
	const char *expires_at;   /* NULL: never */
};

/*
 * What the actor may read now (published, not expired, addressed to them), pinned first then
 * newest, with when they read each: {"data":[…],"unread":N}. all (administrators): every
 * announcement, also future, expired and others'.
 */
int news_list_json(struct op *op, bool unread_only, bool all, size_t limit, struct str *out);
/* One the actor may read (all: any); DB_DONE if not. */
int news_get_json(struct op *op, int64_t id, bool all, struct str *out);
/* A read receipt (the first read is kept); DB_DONE if the actor may not read it. */
int news_mark_read(struct op *op, int64_t id);
/* Who was meant to read it and who did: {"audience":N,"read":M,"data":[{user…,read_at}]}. */
int news_receipts_json(struct op *op, int64_t id, struct str *out);

int news_create(struct op *op, const struct news_item *n, int64_t *id);
/* Replace what an announcement says and to whom; DB_DONE if there is none. */
int news_update(struct op *op, int64_t id, const struct news_item *n);
int news_delete(struct op *op, int64_t id);

#endif
