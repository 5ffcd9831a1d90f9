#include "news.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/dbjson.h"
#include "meta/audit.h"
#include "meta/sqlq.h"
#include "auth/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const news_kind_names[NEWS__MAX] = {
    [NEWS_ANNOUNCEMENT] = "announcement",
    [NEWS_NOTICE] = "notice",
    [NEWS_DOCUMENT] = "document",
};

/* " AND …": published, not expired, addressed to everyone or to a unit of the actor's path. */
static void add_visible(struct op *op, struct sqlq *s, const char *now)
{
	sqlq_add(s, " AND a.published_at <= ");
	sqlq_texts(s, now);
	sqlq_add(s, " AND (a.expires_at IS NULL OR a.expires_at > ");
	sqlq_texts(s, now);
	sqlq_add(s, ") AND (a.everyone = ");
	sqlq_int(s, 1);
	const struct actor *a = op->actor;
	for (size_t i = 0; a && i < a->n_units; i++) {
		sqlq_add(s, i ? ", "
		              : " OR a.id IN (SELECT announcement_id FROM announcement_units "
		                "WHERE org_unit_id IN (");
		sqlq_int(s, a->units[i]);
	}
	sqlq_add(s, a && a->n_units ? ")))" : ")");
}

/* Append "org_unit_ids":[…] of one announcement. */
static int units_json(struct op *op, int64_t id, struct str *out)
{
	struct db_stmt *st;
	int rc = db_prepare(op->db,
	                    "SELECT org_unit_id FROM announcement_units WHERE announcement_id = ? "
	                    "ORDER BY org_unit_id",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, id);
	str_adds(out, ",\"org_unit_ids\":[");
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		if (n++)
			str_addc(out, ',');
		str_add_int(out, db_column_int(st, 0));
	}
	db_reset(st);
	str_addc(out, ']');
	return rc == DB_DONE ? DB_OK : rc;
}

#define NEWS_COLUMNS                                                                          \
	"a.id, a.title, a.body, a.kind, a.pinned, a.everyone, a.published_at, a.expires_at, " \
	"a.created_by, r.read_at FROM announcements a LEFT JOIN announcement_reads r ON "     \
	"r.announcement_id = a.id AND r.user_id = "

static void item_json(struct db_stmt *st, struct str *out)
{
	str_adds(out, "{\"id\":");
	str_add_int(out, db_column_int(st, 0));
	str_adds(out, ",\"title\":");
	str_add_jsons(out, db_column_text(st, 1, NULL));
	str_adds(out, ",\"body\":");
	str_add_jsons(out, db_column_text(st, 2, NULL));
	str_adds(out, ",\"kind\":");
	str_add_jsons(out, db_column_text(st, 3, NULL));
	str_adds(out, db_column_int(st, 4) ? ",\"pinned\":true" : ",\"pinned\":false");
	str_adds(out, db_column_int(st, 5) ? ",\"everyone\":true" : ",\"everyone\":false");
	str_adds(out, ",\"published_at\":");
	json_add_time_column(out, st, 6);
	str_adds(out, ",\"expires_at\":");
	json_add_time_column(out, st, 7);
	str_adds(out, ",\"created_by\":");
	json_add_int_column(out, st, 8);
	str_adds(out, ",\"read_at\":");
	json_add_time_column(out, st, 9);
}

/* Rows of a prepared list as items, each with its units; returns how many. */
static int items_json(struct op *op, struct db_stmt *st, struct str *out, size_t *count)
{
	int rc;
	int64_t *ids = NULL;
	size_t n = 0;
	struct str rows = STR_INIT;
	while ((rc = db_step(st)) == DB_ROW) {
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = db_column_int(st, 0);
		item_json(st, &rows);
		str_addc(&rows, '\n');
	}
	db_reset(st);
	const char *p = rows.buf;
	for (size_t i = 0; i < n && rc == DB_DONE; i++) {
		const char *end = strchr(p, '\n');
		if (i)
			str_addc(out, ',');
		str_add(out, p, (size_t)(end - p));
		int u = units_json(op, ids[i], out);
		str_addc(out, '}');
		if (u)
			rc = u;
		p = end + 1;
	}
	*count = n;
	free(ids);
	str_release(&rows);
	return rc == DB_DONE ? DB_OK : rc;
}

int news_list_json(struct op *op, bool unread_only, bool all, size_t limit, struct str *out)
{
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT " NEWS_COLUMNS);
	sqlq_int(&s, op->user_id);
	sqlq_add(&s, " WHERE a.deleted_at IS NULL");
	if (!all)
		add_visible(op, &s, now);
	if (unread_only)
		sqlq_add(&s, " AND r.read_at IS NULL");
	sqlq_addf(&s, " ORDER BY a.pinned DESC, a.published_at DESC, a.id DESC LIMIT %zu", limit);
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, &s, &st);
	size_t n = 0;
	str_adds(out, "{\"data\":[");
	if (!rc)
		rc = items_json(op, st, out, &n);
	sqlq_release(&s);
	str_addc(out, ']');
	if (rc)
		return rc;
	/* The unread count of what the actor may read, whatever the page shows. */
	sqlq_init(&s);
	sqlq_add(&s, "SELECT count(*) FROM announcements a LEFT JOIN announcement_reads r ON "
	             "r.announcement_id = a.id AND r.user_id = ");
	sqlq_int(&s, op->user_id);
	sqlq_add(&s, " WHERE a.deleted_at IS NULL AND r.read_at IS NULL");
	add_visible(op, &s, now);
	if (!(rc = sqlq_prepare(op->db, &s, &st))) {
		rc = db_step(st);
		if (rc == DB_ROW) {
			str_adds(out, ",\"unread\":");
			str_add_int(out, db_column_int(st, 0));
			rc = DB_OK;
		}
		db_reset(st);
	}
	sqlq_release(&s);
	str_addc(out, '}');
	return rc;
}

/* Whether the actor may read it (all: whether it exists); DB_DONE if not. */
static int may_read(struct op *op, int64_t id, bool all)
{
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT 1 FROM announcements a WHERE a.id = ");
	sqlq_int(&s, id);
	sqlq_add(&s, " AND a.deleted_at IS NULL");
	if (!all)
		add_visible(op, &s, now);
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, &s, &st);
	if (!rc) {
		rc = db_step(st);
		db_reset(st);
		if (rc == DB_ROW)
			rc = DB_OK;
	}
	sqlq_release(&s);
	return rc;
}

int news_get_json(struct op *op, int64_t id, bool all, struct str *out)
{
	int rc = may_read(op, id, all);
	if (rc)
		return rc;
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT " NEWS_COLUMNS);
	sqlq_int(&s, op->user_id);
	sqlq_add(&s, " WHERE a.id = ");
	sqlq_int(&s, id);
	struct db_stmt *st;
	size_t n = 0;
	if (!(rc = sqlq_prepare(op->db, &s, &st)))
		rc = items_json(op, st, out, &n);
	sqlq_release(&s);
	return rc ? rc : n ? DB_OK : DB_DONE;
}

int news_mark_read(struct op *op, int64_t id)
{
	int rc = may_read(op, id, false);
	if (rc)
		return rc;
	char now[TIME_ISO_LEN], a[24], u[24];
	time_now_iso(now);
	snprintf(a, sizeof a, "%lld", (long long)id);
	snprintf(u, sizeof u, "%lld", (long long)op->user_id);
	/* The first read is the receipt; reading again changes nothing. */
	return db_run(op->db,
	              "INSERT INTO announcement_reads (announcement_id, user_id, read_at) "
	              "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
	              3, (const char *[]){a, u, now});
}

int news_receipts_json(struct op *op, int64_t id, struct str *out)
{
	int rc = may_read(op, id, true);
	if (rc)
		return rc;
	/* The audience: active users in a unit it is addressed to, or below; or everyone. */
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT u.id, u.username, u.display_name, r.read_at FROM users u LEFT JOIN "
	             "announcement_reads r ON r.user_id = u.id AND r.announcement_id = ");
	sqlq_int(&s, id);
	sqlq_add(&s, " WHERE u.disabled = ");
	sqlq_int(&s, 0);
	sqlq_add(&s, " AND ((SELECT everyone FROM announcements WHERE id = ");
	sqlq_int(&s, id);
	sqlq_add(&s, ") = ");
	sqlq_int(&s, 1);
	sqlq_add(&s, " OR EXISTS (SELECT 1 FROM announcement_units au JOIN org_units t ON "
	             "t.id = au.org_unit_id JOIN org_units m ON m.id = u.org_unit_id WHERE "
	             "au.announcement_id = ");
	sqlq_int(&s, id);
	sqlq_add(&s, " AND substr(m.path, 1, length(t.path)) = t.path)) "
	             "ORDER BY r.read_at IS NULL, r.read_at, u.username");
	struct db_stmt *st;
	if ((rc = sqlq_prepare(op->db, &s, &st))) {
		sqlq_release(&s);
		return rc;
	}
	struct str rows = STR_INIT;
	int64_t audience = 0, read = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		if (audience++)
			str_addc(&rows, ',');
		read += !db_column_null(st, 3);
		str_adds(&rows, "{\"user_id\":");
		str_add_int(&rows, db_column_int(st, 0));
		str_adds(&rows, ",\"username\":");
		str_add_jsons(&rows, db_column_text(st, 1, NULL));
		str_adds(&rows, ",\"display_name\":");
		str_add_jsons(&rows, db_column_null(st, 2) ? "" : db_column_text(st, 2, NULL));
		str_adds(&rows, ",\"read_at\":");
		json_add_time_column(&rows, st, 3);
		str_addc(&rows, '}');
	}
	db_reset(st);
	sqlq_release(&s);
	str_addf(out, "{\"audience\":%lld,\"read\":%lld,\"data\":[", (long long)audience,
	         (long long)read);
	str_add(out, rows.buf ? rows.buf : "", rows.len);
	str_adds(out, "]}");
	str_release(&rows);
	return rc == DB_DONE ? DB_OK : rc;
}

/* ---- writing ---- */

static int write_units(struct op *op, int64_t id, const struct news_item *n)
{
	char a[24];
	snprintf(a, sizeof a, "%lld", (long long)id);
	int rc = db_run(op->db, "DELETE FROM announcement_units WHERE announcement_id = ?", 1,
	                (const char *[]){a});
	for (size_t i = 0; i < n->n_units && !rc; i++) {
		char u[24];
		snprintf(u, sizeof u, "%lld", (long long)n->units[i]);
		rc = db_run(op->db,
		            "INSERT INTO announcement_units (announcement_id, org_unit_id) "
		            "VALUES (?, ?) ON CONFLICT DO NOTHING",
		            2, (const char *[]){a, u});
	}
	return rc;
}

static void item_changes(const struct news_item *n, struct str *c)
{
	str_adds(c, "{\"title\":");
	str_add_jsons(c, n->title);
	str_adds(c, ",\"kind\":");
	str_add_jsons(c, news_kind_names[n->kind]);
	str_adds(c, ",\"org_unit_ids\":[");
	for (size_t i = 0; i < n->n_units; i++)
		str_addf(c, i ? ",%lld" : "%lld", (long long)n->units[i]);
	str_adds(c, "]}");
}

static int finish(struct op *op, int rc, const char *action, int64_t id, const struct news_item *n)
{
	struct str c = STR_INIT;
	if (n)
		item_changes(n, &c);
	if (!rc)
		rc = audit_write(op, action, "announcements", id, n ? c.buf : NULL);
	str_release(&c);
	if (!rc)
		rc = db_commit(op->db);
	if (rc)
		db_rollback(op->db);
	return rc;
}

int news_create(struct op *op, const struct news_item *n, int64_t *id)
{
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	int rc = db_begin(op->db);
	struct db_stmt *st;
	if (!rc && !(rc = db_prepare(op->db,
	                             "INSERT INTO announcements (title, body, kind, pinned, "
	                             "everyone, published_at, expires_at, created_by, created_at, "
	                             "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
	                             "RETURNING id",
	                             &st))) {
		db_bind_texts(st, 1, n->title);
		db_bind_texts(st, 2, n->body);
		db_bind_texts(st, 3, news_kind_names[n->kind]);
		db_bind_int(st, 4, n->pinned);
		db_bind_int(st, 5, n->n_units == 0);
		db_bind_texts(st, 6, n->published_at ? n->published_at : now);
		db_bind_texts(st, 7, n->expires_at);
		if (op->user_id)
			db_bind_int(st, 8, op->user_id);
		else
			db_bind_null(st, 8);
		db_bind_texts(st, 9, now);
		db_bind_texts(st, 10, now);
		rc = db_step_id(st, id);
	}
	if (!rc)
		rc = write_units(op, *id, n);
	return finish(op, rc, "create", *id, n);
}

int news_update(struct op *op, int64_t id, const struct news_item *n)
{
	char now[TIME_ISO_LEN], sid[24];
	time_now_iso(now);
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	int rc = db_begin(op->db);
	if (!rc)
		rc = db_run_one(
		    op->db,
		    "UPDATE announcements SET title = ?, body = ?, kind = ?, pinned = ?, "
		    "everyone = ?, published_at = coalesce(?, published_at), expires_at = ?, "
		    "updated_at = ? WHERE id = ? AND deleted_at IS NULL",
		    9,
		    (const char *[]){n->title, n->body, news_kind_names[n->kind],
		                     n->pinned ? "1" : "0", n->n_units ? "0" : "1", n->published_at,
		                     n->expires_at, now, sid});
	if (!rc)
		rc = write_units(op, id, n);
	return finish(op, rc, "update", id, n);
}

int news_delete(struct op *op, int64_t id)
{
	char now[TIME_ISO_LEN], sid[24];
	time_now_iso(now);
	snprintf(sid, sizeof sid, "%lld", (long long)id);
	int rc = db_begin(op->db);
	if (!rc)
		rc = db_run_one(
		    op->db,
		    "UPDATE announcements SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
		    2, (const char *[]){now, sid});
	return finish(op, rc, "delete", id, NULL);
}
