#include "modules/performance.h"

#include "core/arena.h"
#include "core/util.h"
#include "meta/access.h"
#include "meta/crud.h"
#include "meta/sqlq.h"
#include "modules/funnel.h"
#include "modules/report_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the period and the one before it ---- */

/* Months counted from year 0: "YYYY-MM" (checked by the caller) and back. */
static int month_index(const char *m)
{
	int year = 0;
	for (int i = 0; i < 4; i++)
		year = year * 10 + (m[i] - '0');
	return year * 12 + (m[5] - '0') * 10 + (m[6] - '0') - 1;
}

/* (A period reaching back before year 0 starts there.) */
static void month_text(int i, char out[8])
{
	unsigned u = i < 0 ? 0 : (unsigned)i;
	snprintf(out, 8, "%04u-%02u", u / 12 % 10000, u % 12 + 1);
}

/* The first instant of month i, as times are stored ("YYYY-MM-01T00:00:00.000Z"). */
static void month_start(int i, char out[32])
{
	if (i >= 10000 * 12) { /* after 9999-12: its last instant */
		snprintf(out, 32, "9999-12-31T23:59:59.999Z");
		return;
	}
	char m[8];
	month_text(i, m);
	snprintf(out, 32, "%s-01T00:00:00.000Z", m);
}

struct period {
	char prev_from[8], prev_to[8];
	char prev_start[32], start[32], end[32]; /* [prev_start, start) and [start, end) */
};

static void period_of(const struct perf_filter *f, struct period *p)
{
	int from = month_index(f->from), to = month_index(f->to), n = to - from + 1;
	month_text(from - n, p->prev_from);
	month_text(from - 1, p->prev_to);
	month_start(from - n, p->prev_start);
	month_start(from, p->start);
	month_start(to + 1, p->end);
}

/* ---- what is summed per person, per team and for all ---- */

struct perf {
	int64_t id;                /* the user, or the unit */
	int64_t fresh, before;     /* new customers in the period, and in the one before */
	int64_t activities;        /* in the period */
	int64_t won, won_amount;   /* expected to close in the period (as the funnel) */
	int64_t lost;              /* likewise */
	int64_t open, open_amount; /* open, expected to close in the period */
	int64_t open_weighted;     /* Σ amount × probability (%) */
};

struct perfs {
	struct perf *at;
	size_t n, cap;
};

/* The row of id (0: none, which gets no row: the pool's customers, records without a unit). */
static struct perf *row(struct perfs *l, int64_t id)
{
	static struct perf ignored;
	if (!id) {
		ignored = (struct perf){0};
		return &ignored;
	}
	for (size_t i = 0; i < l->n; i++)
		if (l->at[i].id == id)
			return &l->at[i];
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->at = xrealloc(l->at, l->cap * sizeof *l->at);
	}
	l->at[l->n] = (struct perf){.id = id};
	return &l->at[l->n++];
}

struct perf_all {
	struct perfs people, teams;
	struct perf total; /* everything in the caller's scope, with or without an owner */
	int64_t whole_fresh, whole_before; /* the organisation's (or team's) new customers */
};

/* The three rows one result row of (owner, unit, …) adds to. */
static void rows_of(struct perf_all *a, struct db_stmt *st, struct perf *r[3])
{
	r[0] = row(&a->people, db_column_int(st, 0));
	r[1] = row(&a->teams, db_column_int(st, 1));
	r[2] = &a->total;
}

/* " AND (the caller's scope as an owner and unit test)" and the team, on prefix's columns. */
static int add_scope(struct op *op, const struct perf_filter *f, const char *prefix, struct sqlq *s)
{
	bool shares; /* a person's performance is what they own: records shared are not added */
	sqlq_add(s, " AND ");
	int rc = access_cond_owner_unit(op, ACT_READ, prefix, s, &shares);
	struct funnel_filter people = {.team_id = f->team_id};
	report_add_people(s, prefix, people.owner_id, people.team_id);
	return rc;
}

typedef void (*perf_row_fn)(struct perf_all *a, struct db_stmt *st);

static int run(struct op *op, struct sqlq *s, struct perf_all *a, perf_row_fn fn)
{
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, s, &st);
	if (rc)
		return rc;
	while ((rc = db_step(st)) == DB_ROW)
		fn(a, st);
	db_reset(st);
	sqlq_reset(s);
	return rc == DB_DONE ? DB_OK : rc;
}

/* The new customers of the two periods: by created_at, as [prev_start, start) and
 * [start, end). */
static void add_new_customers(struct sqlq *s, const struct period *p)
{
	sqlq_add(s, "sum(CASE WHEN t.created_at >= ");
	sqlq_texts(s, p->start);
	sqlq_add(s, " THEN 1 ELSE 0 END), sum(CASE WHEN t.created_at < ");
	sqlq_texts(s, p->start);
	sqlq_add(s, " THEN 1 ELSE 0 END) FROM customers t WHERE t.deleted_at IS NULL AND "
	            "t.created_at >= ");
	sqlq_texts(s, p->prev_start);
	sqlq_add(s, " AND t.created_at < ");
	sqlq_texts(s, p->end);
}

static void customers_row(struct perf_all *a, struct db_stmt *st)
{
	struct perf *r[3];
	rows_of(a, st, r);
	for (int i = 0; i < 3; i++) {
		r[i]->fresh += db_column_int(st, 2);
		r[i]->before += db_column_int(st, 3);
	}
}

static void whole_row(struct perf_all *a, struct db_stmt *st)
{
	a->whole_fresh = db_column_int(st, 0);
	a->whole_before = db_column_int(st, 1);
}

static void activities_row(struct perf_all *a, struct db_stmt *st)
{
	struct perf *r[3];
	rows_of(a, st, r);
	for (int i = 0; i < 3; i++)
		r[i]->activities += db_column_int(st, 2);
}

static void funnel_row(struct perf_all *a, struct db_stmt *st)
{
	struct perf *r[3];
	rows_of(a, st, r);
	const char *stage = db_column_text(st, 2, NULL);
	int64_t n = db_column_int(st, 3), amount = db_column_int(st, 4),
	        weighted = db_column_int(st, 5);
	for (int i = 0; i < 3; i++) {
		if (strcmp(stage, "won") == 0) {
			r[i]->won += n;
			r[i]->won_amount += amount;
		} else if (strcmp(stage, "lost") == 0)
			r[i]->lost += n;
		else {
			r[i]->open += n;
			r[i]->open_amount += amount;
			r[i]->open_weighted += weighted;
		}
	}
}

static int gather(struct op *cust, struct op *act, struct op *opp, const struct perf_filter *f,
                  const struct period *p, struct perf_all *a)
{
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT coalesce(t.owner_id, 0), coalesce(t.org_unit_id, 0), ");
	add_new_customers(&s, p);
	int rc = add_scope(cust, f, "t.", &s);
	sqlq_add(&s, " GROUP BY 1, 2");
	if (!rc)
		rc = run(cust, &s, a, customers_row);
	/* The whole, whoever may see it: counts only, which the growth is compared with. */
	if (!rc) {
		sqlq_add(&s, "SELECT ");
		add_new_customers(&s, p);
		struct funnel_filter team = {.team_id = f->team_id};
		report_add_people(&s, "t.", team.owner_id, team.team_id);
		rc = run(cust, &s, a, whole_row);
	}
	if (!rc && act) {
		sqlq_add(&s, "SELECT coalesce(t.owner_id, 0), coalesce(t.org_unit_id, 0), count(*) "
		             "FROM activities t WHERE t.deleted_at IS NULL AND t.occurred_at >= ");
		sqlq_texts(&s, p->start);
		sqlq_add(&s, " AND t.occurred_at < ");
		sqlq_texts(&s, p->end);
		if (!(rc = add_scope(act, f, "t.", &s))) {
			sqlq_add(&s, " GROUP BY 1, 2");
			rc = run(act, &s, a, activities_row);
		}
	}
	if (!rc && opp) {
		/* The funnel's kept totals, by expected close month: the same numbers as the
		 * funnel of the person and months. Counts of every currency, amounts of CNY. */
		sqlq_add(&s,
		         "SELECT owner_id, org_unit_id, stage, sum(n), sum(CASE WHEN currency = "
		         "'CNY' THEN amount ELSE 0 END), sum(CASE WHEN currency = 'CNY' THEN "
		         "weighted ELSE 0 END) FROM funnel_totals WHERE month >= ");
		sqlq_texts(&s, f->from);
		sqlq_add(&s, " AND month <= ");
		sqlq_texts(&s, f->to);
		if (!(rc = add_scope(opp, f, "", &s))) {
			sqlq_add(&s, " GROUP BY 1, 2, 3");
			rc = run(opp, &s, a, funnel_row);
		}
	}
	sqlq_release(&s);
	return rc;
}

/* ---- names ---- */

/* The name of each row's id from sql ("… WHERE id IN "), by its rows (id, name), into names. */
static int load_names(struct op *op, const char *sql, const struct perfs *l, const char **names)
{
	if (!l->n)
		return DB_OK;
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, sql);
	for (size_t i = 0; i < l->n; i++) {
		sqlq_add(&s, i ? ", " : "(");
		sqlq_int(&s, l->at[i].id);
	}
	sqlq_add(&s, ")");
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, &s, &st);
	if (!rc) {
		while ((rc = db_step(st)) == DB_ROW) {
			int64_t id = db_column_int(st, 0);
			for (size_t i = 0; i < l->n; i++)
				if (l->at[i].id == id)
					names[i] =
					    arena_strdup(op->arena, db_column_text(st, 1, NULL));
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	sqlq_release(&s);
	return rc;
}

/* ---- the answer ---- */

static double growth(int64_t now, int64_t before)
{
	return (double)(now - before) / (double)before;
}

static void add_metrics(struct str *out, const struct perf *r, int64_t whole_fresh,
                        int64_t whole_before)
{
	str_addf(out, "\"new_customers\":%lld,\"previous\":%lld,\"growth\":", (long long)r->fresh,
	         (long long)r->before);
	funnel_add_ratio(out, (double)(r->fresh - r->before), (double)r->before, 4);
	/* Percentage points above (or below) the whole's growth. */
	str_adds(out, ",\"vs_whole\":");
	if (r->before && whole_before)
		funnel_add_ratio(
		    out, growth(r->fresh, r->before) - growth(whole_fresh, whole_before), 1, 4);
	else
		str_adds(out, "null");
	str_addf(out,
	         ",\"activities\":%lld,\"won\":{\"count\":%lld,\"amount\":%lld},\"lost\":%lld,"
	         "\"win_rate\":",
	         (long long)r->activities, (long long)r->won, (long long)r->won_amount,
	         (long long)r->lost);
	funnel_add_ratio(out, (double)r->won, (double)(r->won + r->lost), 4);
	str_addf(out, ",\"pipeline\":{\"count\":%lld,\"amount\":%lld,\"weighted\":%lld}",
	         (long long)r->open, (long long)r->open_amount,
	         (long long)funnel_weighted_fen(r->open_weighted));
}

/* Most new customers first, then the largest won amount. */
static int by_results(const void *x, const void *y)
{
	const struct perf *a = x, *b = y;
	if (a->fresh != b->fresh)
		return a->fresh > b->fresh ? -1 : 1;
	if (a->won_amount != b->won_amount)
		return a->won_amount > b->won_amount ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* The rows as the array member, each with its id as id_name and its name from sql. */
static int add_rows(struct op *op, const char *member, const char *id_name, const char *sql,
                    struct perfs *l, const struct perf_all *a, struct str *out)
{
	if (l->n)
		qsort(l->at, l->n, sizeof *l->at, by_results);
	const char **names = ARENA_NEW_ARRAY(op->arena, const char *, l->n + 1);
	int rc = load_names(op, sql, l, names);
	if (rc)
		return rc;
	str_addf(out, ",\"%s\":[", member);
	for (size_t i = 0; i < l->n; i++) {
		str_addf(out, "%s{\"%s\":%lld,\"name\":", i ? "," : "", id_name,
		         (long long)l->at[i].id);
		if (names[i])
			str_add_jsons(out, names[i]);
		else
			str_adds(out, "null");
		str_addc(out, ',');
		add_metrics(out, &l->at[i], a->whole_fresh, a->whole_before);
		str_addc(out, '}');
	}
	str_addc(out, ']');
	return DB_OK;
}

int performance_json(struct op *customers, struct op *activities, struct op *opportunities,
                     const struct perf_filter *f, struct str *out)
{
	struct period p;
	period_of(f, &p);
	struct perf_all a = {0};
	int rc = gather(customers, activities, opportunities, f, &p, &a);
	if (!rc) {
		str_adds(out, "{\"from\":");
		str_add_jsons(out, f->from);
		str_adds(out, ",\"to\":");
		str_add_jsons(out, f->to);
		str_addf(out,
		         ",\"previous\":{\"from\":\"%s\",\"to\":\"%s\"},\"currency\":\"CNY\","
		         "\"whole\":{\"team_id\":",
		         p.prev_from, p.prev_to);
		if (f->team_id)
			str_add_int(out, f->team_id);
		else
			str_adds(out, "null");
		str_addf(out, ",\"new_customers\":%lld,\"previous\":%lld,\"growth\":",
		         (long long)a.whole_fresh, (long long)a.whole_before);
		funnel_add_ratio(out, (double)(a.whole_fresh - a.whole_before),
		                 (double)a.whole_before, 4);
		str_adds(out, "},\"total\":{");
		add_metrics(out, &a.total, a.whole_fresh, a.whole_before);
		str_addc(out, '}');
		rc = add_rows(customers, "people", "user_id",
		              "SELECT id, coalesce(display_name, username) FROM users WHERE id IN ",
		              &a.people, &a, out);
		if (!rc)
			rc = add_rows(customers, "teams", "org_unit_id",
			              "SELECT id, name FROM org_units WHERE id IN ", &a.teams, &a,
			              out);
		str_addc(out, '}');
	}
	free(a.people.at);
	free(a.teams.at);
	return rc ? crud_db_error(customers, rc, "the performance") : 200;
}

int performance_customers_json(struct op *op, int64_t user_id, struct str *out)
{
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, "SELECT t.customer_id, c.name, count(*), sum(CASE WHEN t.owner_id = ");
	sqlq_int(&s, user_id);
	sqlq_add(&s, " THEN coalesce(t.amount, 0) ELSE 0 END), sum(coalesce(t.amount, 0)), (SELECT "
	             "sum(o.amount) FROM opportunities o WHERE o.customer_id = t.customer_id AND "
	             "o.stage = 'won' AND o.deleted_at IS NULL AND coalesce(o.amount_currency, "
	             "'CNY') = 'CNY') FROM opportunities t JOIN customers c ON c.id = "
	             "t.customer_id WHERE t.deleted_at IS NULL AND t.stage = 'won' AND "
	             "coalesce(t.amount_currency, 'CNY') = 'CNY' AND (t.owner_id = ");
	sqlq_int(&s, user_id);
	sqlq_add(&s, " OR t.id IN (SELECT record_id FROM record_shares WHERE entity = "
	             "'opportunities' AND access = 'edit' AND user_id = ");
	sqlq_int(&s, user_id);
	sqlq_add(&s, "))");
	int rc = access_where(op, ACT_READ, &s);
	sqlq_add(&s, " GROUP BY t.customer_id, c.name ORDER BY 5 DESC, 1 LIMIT 100");
	struct db_stmt *st;
	if (!rc && !(rc = sqlq_prepare(op->db, &s, &st))) {
		str_addf(out, "{\"user_id\":%lld,\"currency\":\"CNY\",\"data\":[",
		         (long long)user_id);
		bool first = true;
		while ((rc = db_step(st)) == DB_ROW) {
			int64_t owned = db_column_int(st, 3), all = db_column_int(st, 4),
			        total = db_column_int(st, 5);
			str_addf(out, "%s{\"customer_id\":%lld,\"name\":", first ? "" : ",",
			         (long long)db_column_int(st, 0));
			first = false;
			str_add_jsons(out, db_column_text(st, 1, NULL));
			str_addf(
			    out,
			    ",\"won\":%lld,\"owned\":%lld,\"collaborated\":%lld,\"amount\":%lld,"
			    "\"customer_total\":%lld,\"share\":",
			    (long long)db_column_int(st, 2), (long long)owned,
			    (long long)(all - owned), (long long)all, (long long)total);
			funnel_add_ratio(out, (double)all, (double)total, 4);
			str_adds(out, ",\"owned_share\":");
			funnel_add_ratio(out, (double)owned, (double)total, 4);
			str_addc(out, '}');
		}
		db_reset(st);
		str_adds(out, "]}");
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	sqlq_release(&s);
	return rc ? crud_db_error(op, rc, "the customers' shares") : 200;
}
