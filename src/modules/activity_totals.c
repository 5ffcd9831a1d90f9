#include "modules/activity_totals.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "db/migrate.h"
#include "meta/access.h"
#include "meta/crud.h"
#include "meta/registry.h"
#include "meta/sqlq.h"
#include "modules/report_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Raised when the triggers or what the totals hold change: the next start counts them again. */
#define ACTIVITY_TOTALS_VERSION 1

#define TOTALS_KEY "month, kind, org_unit_id, owner_id"

/* ---- the SQL of both dialects ---- */

/* The totals' key of row x (NEW, OLD, or a table alias): 0 and '' stand for none. */
static void add_key(struct str *q, enum db_kind k, const char *x)
{
	struct str at = STR_INIT;
	str_addf(&at, "%s.occurred_at", x);
	str_adds(q, "coalesce(");
	report_add_time_month(q, k, at.buf);
	str_release(&at);
	str_addf(
	    q,
	    ", ''), coalesce(%s.kind, ''), coalesce(%s.org_unit_id, 0), coalesce(%s.owner_id, 0)",
	    x, x, x);
}

/* Count (sign "") or take away (sign "-") row x in activity_totals when it is live (a soft
 * deleted row counts nowhere); taken away, a key left with nothing is removed. */
static void add_change(struct str *q, enum db_kind k, const char *x, const char *sign)
{
	str_adds(q, "INSERT INTO activity_totals (" TOTALS_KEY ", n) SELECT ");
	add_key(q, k, x);
	str_addf(q,
	         ", %s1 WHERE %s.deleted_at IS NULL ON CONFLICT (" TOTALS_KEY
	         ") DO UPDATE SET n = %sn + excluded.n;",
	         sign, x, k == DB_PG ? "activity_totals." : "");
	if (*sign) {
		str_adds(q, "DELETE FROM activity_totals WHERE n = 0 AND (" TOTALS_KEY ") = (");
		add_key(q, k, x);
		str_adds(q, ");");
	}
}

/* Only the columns the totals are made of: other edits (the content, the outcome) leave them
 * be. */
#define WATCHED "kind, occurred_at, owner_id, org_unit_id, deleted_at"

static void add_triggers_sqlite(struct str *q)
{
	const enum db_kind k = DB_SQLITE;
	str_adds(q, "DROP TRIGGER IF EXISTS activity_totals_insert;"
	            "DROP TRIGGER IF EXISTS activity_totals_delete;"
	            "DROP TRIGGER IF EXISTS activity_totals_update;"
	            "CREATE TRIGGER activity_totals_insert AFTER INSERT ON activities BEGIN ");
	add_change(q, k, "NEW", "");
	str_adds(q,
	         " END; CREATE TRIGGER activity_totals_delete AFTER DELETE ON activities BEGIN ");
	add_change(q, k, "OLD", "-");
	str_adds(q, " END; CREATE TRIGGER activity_totals_update AFTER UPDATE OF " WATCHED
	            " ON activities BEGIN ");
	add_change(q, k, "OLD", "-");
	add_change(q, k, "NEW", "");
	str_adds(q, " END;");
}

static void add_triggers_pg(struct str *q)
{
	const enum db_kind k = DB_PG;
	str_adds(q, "CREATE OR REPLACE FUNCTION activity_totals_keep() RETURNS trigger LANGUAGE "
	            "plpgsql AS $f$ BEGIN IF TG_OP <> 'INSERT' THEN ");
	add_change(q, k, "OLD", "-");
	str_adds(q, " END IF; IF TG_OP <> 'DELETE' THEN ");
	add_change(q, k, "NEW", "");
	str_adds(
	    q,
	    " END IF; RETURN NULL; END $f$;"
	    "CREATE OR REPLACE TRIGGER activity_totals AFTER INSERT OR DELETE OR UPDATE OF " WATCHED
	    " ON activities FOR EACH ROW EXECUTE FUNCTION activity_totals_keep();");
}

int activity_totals_sync(struct db *db)
{
	int rc = db_begin(db);
	if (rc)
		return rc;
	int64_t version = 0;
	if ((rc = migrate_lock(db)) ||
	    (rc = db_query_int(db,
	                       "SELECT value FROM sys_meta WHERE key = 'activity_totals_version'",
	                       0, NULL, &version)) == DB_ERROR)
		goto fail;
	if (version == ACTIVITY_TOTALS_VERSION)
		return db_commit(db);
	enum db_kind k = db_kind(db);
	struct str q = STR_INIT;
	if (k == DB_PG)
		add_triggers_pg(&q);
	else
		add_triggers_sqlite(&q);
	str_adds(&q, "DELETE FROM activity_totals; INSERT INTO activity_totals (" TOTALS_KEY
	             ", n) SELECT ");
	add_key(&q, k, "t");
	str_addf(&q,
	         ", count(*) FROM activities t WHERE t.deleted_at IS NULL GROUP BY 1, 2, 3, 4;"
	         "DELETE FROM sys_meta WHERE key = 'activity_totals_version';"
	         "INSERT INTO sys_meta (key, value) VALUES ('activity_totals_version', %d);",
	         ACTIVITY_TOTALS_VERSION);
	rc = db_exec(db, q.buf);
	str_release(&q);
	if (rc)
		goto fail;
	log_info("activity totals counted from the records (version %d)", ACTIVITY_TOTALS_VERSION);
	return db_commit(db);
fail:
	log_error("activity totals: %s", db_errmsg(db));
	db_rollback(db);
	return rc;
}

/* ---- the report ---- */

/* A kind reported: an option of the kind field, or a key met in the data that no longer is. In
 * the order they were added. */
struct kind_row {
	const char *key, *label;
	int64_t *by_month; /* n_months counts */
	int64_t total;
	struct kind_row *next;
};

struct report {
	int first; /* the first month (time_month_number) */
	int n_months;
	struct kind_row *kinds, **tail;
};

static struct kind_row *add_kind(struct op *op, struct report *rp, const char *key,
                                 const char *label)
{
	struct kind_row *k = ARENA_NEW(op->arena, struct kind_row);
	*k = (struct kind_row){.key = key,
	                       .label = label,
	                       .by_month = ARENA_NEW_ARRAY(op->arena, int64_t, rp->n_months)};
	*rp->tail = k;
	rp->tail = &k->next;
	return k;
}

/* Rows of (month, kind, count) into the report. */
static int read_counts(struct op *op, struct report *rp, struct db_stmt *st)
{
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		size_t n;
		const char *month = db_column_text(st, 0, &n);
		const char *kind = db_column_text(st, 1, NULL);
		int i = n == 7 ? time_month_number(month) - rp->first : -1;
		if (i < 0 || i >= rp->n_months)
			continue; /* picked by the query already; a malformed time reads as none */
		struct kind_row *k = rp->kinds;
		while (k && strcmp(k->key, kind) != 0)
			k = k->next;
		if (!k) {
			const char *key = arena_strdup(op->arena, kind);
			k = add_kind(op, rp, key, key);
		}
		int64_t c = db_column_int(st, 2);
		k->by_month[i] += c;
		k->total += c;
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int run(struct op *op, struct report *rp, const struct sqlq *s)
{
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, s, &st);
	return rc ? rc : read_counts(op, rp, st);
}

/*
 * The kept totals under the condition scope (on owner and unit). The whole organisation is
 * grouped by the database, reading the totals in the order of their key (month and kind
 * first); a part of it (an owner, a unit) is read through its index as it is and summed as
 * the rows come.
 */
static int from_totals(struct op *op, const struct activity_filter *f, const struct sqlq *scope,
                       bool whole, struct report *rp)
{
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, whole ? "SELECT month, kind, sum(n) FROM activity_totals WHERE "
	                   : "SELECT month, kind, n FROM activity_totals WHERE ");
	sqlq_append(&s, scope);
	report_add_people(&s, "", f->owner_id, f->team_id);
	if (f->kind) {
		sqlq_add(&s, " AND kind = ");
		sqlq_texts(&s, f->kind);
	}
	report_add_months(&s, "month", f->from, f->to);
	if (whole)
		sqlq_add(&s, " GROUP BY month, kind");
	int rc = run(op, rp, &s);
	sqlq_release(&s);
	return rc;
}

/* The activities shared with the caller beyond their scope, counted from those records. */
static int from_shared(struct op *op, const struct activity_filter *f, struct report *rp)
{
	enum db_kind k = db_kind(op->db);
	struct sqlq scope_t, s;
	sqlq_init(&scope_t);
	sqlq_init(&s);
	bool again;
	int rc = access_cond_owner_unit(op, ACT_READ, "t.", &scope_t, &again);
	struct str month = STR_INIT;
	report_add_time_month(&month, k, "t.occurred_at");
	sqlq_addf(&s,
	          "SELECT %s, coalesce(t.kind, ''), count(*) FROM activities t WHERE "
	          "t.deleted_at IS NULL AND t.id IN (",
	          month.buf);
	access_add_shared_ids(op, ACT_READ, &s);
	sqlq_add(&s, ") AND NOT coalesce(");
	sqlq_append(&s, &scope_t);
	sqlq_add(&s, ", FALSE)");
	report_add_people(&s, "t.", f->owner_id, f->team_id);
	if (f->kind) {
		sqlq_add(&s, " AND t.kind = ");
		sqlq_texts(&s, f->kind);
	}
	report_add_months(&s, month.buf, f->from, f->to);
	sqlq_add(&s, " GROUP BY 1, 2");
	if (!rc)
		rc = run(op, rp, &s);
	str_release(&month);
	sqlq_release(&s);
	sqlq_release(&scope_t);
	return rc;
}

static int gather(struct op *op, const struct activity_filter *f, struct report *rp)
{
	struct sqlq scope;
	sqlq_init(&scope);
	bool shares = false;
	int rc = access_cond_owner_unit(op, ACT_READ, "", &scope, &shares);
	bool whole = access_scope(op, ACT_READ) == SCOPE_ALL && !f->owner_id && !f->team_id;
	if (!rc)
		rc = from_totals(op, f, &scope, whole, rp);
	if (!rc && shares)
		rc = from_shared(op, f, rp);
	sqlq_release(&scope);
	return rc;
}

static void add_month_json(struct str *out, int number)
{
	str_addf(out, "\"%04d-%02d\"", number / 12, number % 12 + 1);
}

static void add_json(const struct activity_filter *f, const struct report *rp, struct str *out)
{
	str_adds(out, "{\"from\":");
	str_add_jsons(out, f->from);
	str_adds(out, ",\"to\":");
	str_add_jsons(out, f->to);
	str_adds(out, ",\"months\":[");
	for (int i = 0; i < rp->n_months; i++) {
		if (i)
			str_addc(out, ',');
		add_month_json(out, rp->first + i);
	}
	str_adds(out, "],\"kinds\":[");
	for (const struct kind_row *k = rp->kinds; k; k = k->next) {
		str_adds(out, k == rp->kinds ? "{\"key\":" : ",{\"key\":");
		str_add_jsons(out, k->key);
		str_adds(out, ",\"label\":");
		str_add_jsons(out, k->label);
		str_addc(out, '}');
	}
	/* Only the cells with activities: a year of ten kinds is mostly full, a person's not. */
	str_adds(out, "],\"data\":[");
	bool first = true;
	for (int i = 0; i < rp->n_months; i++)
		for (const struct kind_row *k = rp->kinds; k; k = k->next) {
			if (!k->by_month[i])
				continue;
			str_adds(out, first ? "{\"month\":" : ",{\"month\":");
			first = false;
			add_month_json(out, rp->first + i);
			str_adds(out, ",\"kind\":");
			str_add_jsons(out, k->key);
			str_addf(out, ",\"count\":%lld}", (long long)k->by_month[i]);
		}
	str_adds(out, "],\"by_kind\":{");
	int64_t total = 0;
	for (const struct kind_row *k = rp->kinds; k; k = k->next) {
		if (k != rp->kinds)
			str_addc(out, ',');
		str_add_jsons(out, k->key);
		str_addf(out, ":%lld", (long long)k->total);
		total += k->total;
	}
	str_adds(out, "},\"by_month\":{");
	for (int i = 0; i < rp->n_months; i++) {
		int64_t c = 0;
		for (const struct kind_row *k = rp->kinds; k; k = k->next)
			c += k->by_month[i];
		if (i)
			str_addc(out, ',');
		add_month_json(out, rp->first + i);
		str_addf(out, ":%lld", (long long)c);
	}
	str_addf(out, "},\"total\":%lld}", (long long)total);
}

int activity_report_json(struct op *op, const struct activity_filter *f, struct str *out)
{
	struct report rp = {.first = time_month_number(f->from)};
	rp.tail = &rp.kinds;
	rp.n_months = time_month_number(f->to) - rp.first + 1;
	/* The kinds in the option list's order (or the one asked for), so the chart's colours and
	 * the table's rows stay where they are from one month to the next. */
	const struct field *kf = entity_field(op->e, "kind");
	for (size_t i = 0; kf && i < kf->n_options; i++) {
		const struct option *o = &kf->options[i];
		if (!f->kind || strcmp(f->kind, o->key) == 0)
			add_kind(op, &rp, o->key, label_get(&o->label, op->lang));
	}
	int rc = gather(op, f, &rp);
	if (!rc)
		add_json(f, &rp, out);
	return rc ? crud_db_error(op, rc, "the activity report") : 200;
}
