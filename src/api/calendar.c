/*
 * The personal calendar feed (services/calendar.h): a secret URL per user, made (and made
 * again, which ends the old one) from the user's account page, that calendar programs
 * subscribe to without a login. It holds the user's tasks with a due time and their
 * reminders; the sales modules add plans and visits. Only the token's SHA-256 is kept.
 */
#include "api.h"
#include "auth/session.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "services/calendar.h"
#include "services/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_PAST_DAYS   90
#define FEED_FUTURE_DAYS 400
#define FEED_MAX_ITEMS   2000

void api_calendar_status(struct req *r)
{
	struct db_stmt *st;
	struct str out = STR_INIT;
	int rc = db_prepare(r->db, "SELECT created_at FROM calendar_feeds WHERE user_id = ?", &st);
	if (!rc) {
		db_bind_int(st, 1, r->session.user_id);
		rc = db_step(st);
		str_adds(&out, "{\"enabled\":");
		str_adds(&out, rc == DB_ROW ? "true" : "false");
		str_adds(&out, ",\"created_at\":");
		if (rc == DB_ROW)
			json_add_time_column(&out, st, 0);
		else
			str_adds(&out, "null");
		str_addc(&out, '}');
		db_reset(st);
		rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	}
	if (rc) {
		str_release(&out);
		api_db_failure(r, rc, "reading the calendar feed");
		return;
	}
	resp_json(r, 200, &out);
}

void api_calendar_rotate(struct req *r)
{
	char token[TOKEN_TEXT_LEN], hash[65], now[TIME_ISO_LEN], uid[24];
	token_random(token);
	token_hash(token, hash);
	time_now_iso(now);
	snprintf(uid, sizeof uid, "%lld", (long long)r->session.user_id);
	const char *p[] = {uid, hash, now};
	int rc = db_begin(r->db);
	if (!rc)
		rc = db_run(r->db, "DELETE FROM calendar_feeds WHERE user_id = ?", 1, p);
	if (!rc)
		rc = db_run(
		    r->db,
		    "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)",
		    3, p);
	if (!rc)
		rc = api_audit_access(r, r->session.user_id, "calendar_feed_create",
		                      r->session.user_id, NULL);
	if (!rc)
		rc = db_commit(r->db);
	if (rc) {
		db_rollback(r->db);
		api_db_failure(r, rc, "making a calendar feed");
		return;
	}
	struct str out = STR_INIT;
	str_adds(&out, "{\"enabled\":true,\"url\":");
	char url[1024];
	snprintf(url, sizeof url, "%s/api/v1/calendar/%s.ics", outbox_public_url(), token);
	str_add_jsons(&out, url);
	str_addc(&out, '}');
	resp_json(r, 201, &out);
}

void api_calendar_disable(struct req *r)
{
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", (long long)r->session.user_id);
	int rc =
	    db_run(r->db, "DELETE FROM calendar_feeds WHERE user_id = ?", 1, (const char *[]){uid});
	if (rc) {
		api_db_failure(r, rc, "ending the calendar feed");
		return;
	}
	resp_empty(r, 204);
}

/* The owner of a feed token (an active user), or 0. */
static int feed_user(struct req *r, const char *token, int64_t *user)
{
	char hash[65];
	token_hash(token, hash);
	struct db_stmt *st;
	int rc =
	    db_prepare(r->db,
	               "SELECT f.user_id FROM calendar_feeds f JOIN users u ON u.id = f.user_id "
	               "WHERE f.token_hash = ? AND u.disabled = ?",
	               &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, hash);
	db_bind_int(st, 2, 0);
	*user = 0;
	if ((rc = db_step(st)) == DB_ROW)
		*user = db_column_int(st, 0);
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

struct items {
	struct calendar_item *v;
	size_t n;
};

static struct calendar_item *item_new(struct items *it)
{
	if (it->n % 64 == 0)
		it->v = xrealloc(it->v, (it->n + 64) * sizeof *it->v);
	struct calendar_item *c = &it->v[it->n++];
	memset(c, 0, sizeof *c);
	return c;
}

static const char *record_link(struct req *r, const char *entity, int64_t id)
{
	return arena_printf(&r->arena, "%s/e/%s/%lld", outbox_public_url(), entity, (long long)id);
}

/* The user's tasks with a due time in the window. */
static int add_tasks(struct req *r, int64_t user, const char *from, const char *to,
                     struct items *it)
{
	struct db_stmt *st;
	int rc =
	    db_prepare(r->db,
	               "SELECT id, subject, description, due_at, remind_at, status, updated_at "
	               "FROM tasks WHERE owner_id = ? AND deleted_at IS NULL AND due_at >= ? AND "
	               "due_at < ? ORDER BY due_at LIMIT 2000",
	               &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user);
	db_bind_texts(st, 2, from);
	db_bind_texts(st, 3, to);
	while ((rc = db_step(st)) == DB_ROW && it->n < FEED_MAX_ITEMS) {
		struct calendar_item *c = item_new(it);
		int64_t id = db_column_int(st, 0);
		c->uid = arena_printf(&r->arena, "tasks-%lld@sextant", (long long)id);
		c->summary = arena_strdup(&r->arena, db_column_text(st, 1, NULL));
		c->description = db_column_null(st, 2)
		                     ? NULL
		                     : arena_strdup(&r->arena, db_column_text(st, 2, NULL));
		c->url = record_link(r, "tasks", id);
		db_column_time(st, 3, &c->start_ms);
		db_column_time(st, 4, &c->alarm_ms);
		const char *status = db_column_text(st, 5, NULL);
		c->done = str_eq(status, "done");
		c->status = str_eq(status, "cancelled") ? "CANCELLED" : "CONFIRMED";
		db_column_time(st, 6, &c->updated_ms);
	}
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* The user's own reminders in the window: a short event with an alarm at its time. */
static int add_reminders(struct req *r, int64_t user, const char *from, const char *to,
                         struct items *it)
{
	struct db_stmt *st;
	int rc =
	    db_prepare(r->db,
	               "SELECT id, note, entity, record_id, remind_at, created_at FROM reminders "
	               "WHERE user_id = ? AND deleted_at IS NULL AND remind_at >= ? AND "
	               "remind_at < ? ORDER BY remind_at LIMIT 2000",
	               &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, user);
	db_bind_texts(st, 2, from);
	db_bind_texts(st, 3, to);
	while ((rc = db_step(st)) == DB_ROW && it->n < FEED_MAX_ITEMS) {
		struct calendar_item *c = item_new(it);
		c->uid = arena_printf(&r->arena, "reminders-%lld@sextant",
		                      (long long)db_column_int(st, 0));
		c->summary = arena_strdup(&r->arena, db_column_text(st, 1, NULL));
		if (!db_column_null(st, 2))
			c->url = record_link(r, db_column_text(st, 2, NULL), db_column_int(st, 3));
		db_column_time(st, 4, &c->start_ms);
		c->alarm_ms = c->start_ms;
		c->end_ms = c->start_ms + 15 * 60000;
		db_column_time(st, 5, &c->updated_ms);
	}
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

void api_calendar_feed(struct req *r)
{
	char token[TOKEN_TEXT_LEN + 8];
	const char *t = r->captures[0];
	size_t n = strlen(t);
	if (n > 4 && !strcmp(t + n - 4, ".ics"))
		n -= 4;
	if (n == 0 || n >= TOKEN_TEXT_LEN) {
		resp_error(r, 404, "not_found");
		return;
	}
	snprintf(token, sizeof token, "%.*s", (int)n, t);
	int64_t user = 0;
	int rc = feed_user(r, token, &user);
	if (!rc && !user) {
		resp_error(r, 404, "not_found");
		return;
	}
	int64_t now = time_now_ms();
	char from[TIME_ISO_LEN], to[TIME_ISO_LEN];
	time_format_iso(now - FEED_PAST_DAYS * 86400000LL, from);
	time_format_iso(now + FEED_FUTURE_DAYS * 86400000LL, to);
	struct items it = {0};
	if (!rc)
		rc = add_tasks(r, user, from, to, &it);
	if (!rc)
		rc = add_reminders(r, user, from, to, &it);
	if (rc) {
		free(it.v);
		api_db_failure(r, rc, "making a calendar feed");
		return;
	}
	struct str out = STR_INIT;
	rc = calendar_render("Sextant", it.v, it.n, &out);
	free(it.v);
	if (rc) {
		str_release(&out);
		resp_fault(r, "rendering a calendar feed");
		return;
	}
	resp_text(r, 200, "text/calendar; charset=utf-8", &out);
	resp_header(r, "Cache-Control", "private, max-age=300");
}
