#include "modules/funnel.h"
#include "modules/report_sql.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/util.h"
#include "db/migrate.h"
#include "meta/access.h"
#include "meta/crud.h"
#include "meta/registry.h"
#include "meta/sqlq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Raised when the triggers or what the totals hold change: the next start makes them again. */
#define FUNNEL_VERSION 1

/* The stages a funnel ends in; every other option of the stage field is an open stage. */
#define STAGE_WON  "won"
#define STAGE_LOST "lost"

/* ---- the SQL of both dialects ---- */

/* The expected close month of row x, "YYYY-MM" or ''. */
static void add_close_month(struct str *q, enum db_kind k, const char *x)
{
	if (k == DB_PG)
		str_addf(q, "coalesce(to_char(%s.expected_close, 'YYYY-MM'), '')", x);
	else
		str_addf(q, "coalesce(substr(%s.expected_close, 1, 7), '')", x);
}

/* The totals' key of row X (NEW, OLD, or a table alias). */
static void add_key(struct str *q, enum db_kind k, const char *x)
{
	str_addf(q,
	         "coalesce(%s.org_unit_id, 0), coalesce(%s.owner_id, 0), coalesce(%s.stage, ''), ",
	         x, x, x);
	add_close_month(q, k, x);
	str_addf(q, ", coalesce(%s.amount_currency, 'CNY')", x);
}

#define TOTALS_KEY     "org_unit_id, owner_id, stage, month, currency"
#define TOTALS_COLUMNS TOTALS_KEY ", n, amount, weighted"

/* Add (sign "") or take away (sign "-") row x in funnel_totals; taken away, a key left with
 * nothing is removed. */
static void add_totals_change(struct str *q, enum db_kind k, const char *x, const char *sign)
{
	const char *t = k == DB_PG ? "funnel_totals." : "";
	str_adds(q, "INSERT INTO funnel_totals (" TOTALS_COLUMNS ") SELECT ");
	add_key(q, k, x);
	str_addf(q,
	         ", %s1, %scoalesce(%s.amount, 0), %scoalesce(%s.amount, 0) * "
	         "coalesce(%s.probability, 0) WHERE %s.deleted_at IS NULL "
	         "ON CONFLICT (" TOTALS_KEY ") DO UPDATE SET n = %sn + excluded.n, amount = "
	         "%samount + excluded.amount, weighted = %sweighted + excluded.weighted;",
	         sign, sign, x, sign, x, x, x, t, t, t);
	if (*sign) {
		str_adds(q, "DELETE FROM funnel_totals WHERE n = 0 AND (" TOTALS_KEY ") = (");
		add_key(q, k, x);
		str_adds(q, ");");
	}
}

/* Days between two times. */
static void add_days(struct str *q, enum db_kind k, const char *a, const char *b)
{
	if (k == DB_PG)
		str_addf(q, "extract(epoch from (%s - %s)) / 86400.0", a, b);
	else
		str_addf(q, "julianday(%s) - julianday(%s)", a, b);
}

#define MOVES_KEY     "org_unit_id, owner_id, month, from_stage, to_stage"
#define MOVES_COLUMNS MOVES_KEY ", n, stage_days, life_days"

/*
 * The stage moves summed from process_history, as funnel_moves holds them (MOVES_COLUMNS): each
 * move with the days since the move before it (or since the opportunity was entered) and since
 * it was entered. where, if not NULL, picks the opportunities (alias t); from and to, the
 * months of the moves.
 */
static void add_moves_from_history(struct sqlq *s, enum db_kind k, const struct sqlq *where,
                                   const char *from, const char *to)
{
	struct str *q = &s->sql;
	str_adds(q, "SELECT coalesce(o.org_unit_id, 0), coalesce(o.owner_id, 0), ");
	report_add_time_month(q, k, "m.at");
	str_adds(q, ", coalesce(m.from_state, ''), m.to_state, count(*), sum(");
	add_days(q, k, "m.at", "coalesce(m.prev, o.created_at)");
	str_adds(q, "), sum(");
	add_days(q, k, "m.at", "o.created_at");
	str_adds(q, ") FROM (SELECT h.record_id, h.from_state, h.to_state, h.at, lag(h.at) OVER "
	            "(PARTITION BY h.record_id ORDER BY h.id) AS prev FROM process_history h WHERE "
	            "h.entity = 'opportunities'");
	if (where) {
		/* Live opportunities, read through the indexes (partial, of live rows).
		 * funnel_moves keeps the moves of those deleted since: they happened. */
		str_adds(
		    q,
		    " AND h.record_id IN (SELECT t.id FROM opportunities t WHERE t.deleted_at IS "
		    "NULL");
		sqlq_append(s, where);
		str_adds(q, ")");
	}
	str_adds(q, ") m JOIN opportunities o ON o.id = m.record_id WHERE 1 = 1");
	struct str month = STR_INIT;
	report_add_time_month(&month, k, "m.at");
	report_add_months(s, month.buf, from, to);
	str_release(&month);
	str_adds(q, " GROUP BY 1, 2, 3, 4, 5");
}

/* Count the move process_history's NEW row records, with its days in the stage left (since the
 * record's move before it, or its entry) and since the entry. */
static void add_move(struct str *q, enum db_kind k)
{
	const char *t = k == DB_PG ? "funnel_moves." : "";
	str_adds(q, "INSERT INTO funnel_moves (" MOVES_COLUMNS
	            ") SELECT coalesce(o.org_unit_id, 0), coalesce(o.owner_id, 0), ");
	report_add_time_month(q, k, "NEW.at");
	str_adds(q, ", coalesce(NEW.from_state, ''), NEW.to_state, 1, ");
	add_days(
	    q, k, "NEW.at",
	    "coalesce((SELECT max(h.at) FROM process_history h WHERE h.entity = "
	    "'opportunities' AND h.record_id = NEW.record_id AND h.id < NEW.id), o.created_at)");
	str_adds(q, ", ");
	add_days(q, k, "NEW.at", "o.created_at");
	str_addf(q,
	         " FROM opportunities o WHERE o.id = NEW.record_id ON CONFLICT (" MOVES_KEY
	         ") DO UPDATE SET n = %sn + 1, stage_days = %sstage_days + excluded.stage_days, "
	         "life_days = %slife_days + excluded.life_days;",
	         t, t, t);
}

static void add_triggers_sqlite(struct str *q)
{
	const enum db_kind k = DB_SQLITE;
	str_adds(q,
	         "DROP TRIGGER IF EXISTS funnel_opportunities_insert;"
	         "DROP TRIGGER IF EXISTS funnel_opportunities_delete;"
	         "DROP TRIGGER IF EXISTS funnel_opportunities_update;"
	         "DROP TRIGGER IF EXISTS funnel_opportunities_move;"
	         "CREATE TRIGGER funnel_opportunities_insert AFTER INSERT ON opportunities BEGIN ");
	add_totals_change(q, k, "NEW", "");
	str_adds(q,
	         " END; CREATE TRIGGER funnel_opportunities_delete AFTER DELETE ON opportunities "
	         "BEGIN ");
	add_totals_change(q, k, "OLD", "-");
	/* Only the columns the totals are made of: other edits leave them be. */
	str_adds(q, " END; CREATE TRIGGER funnel_opportunities_update AFTER UPDATE OF stage, "
	            "probability, amount, amount_currency, expected_close, owner_id, org_unit_id, "
	            "deleted_at ON opportunities BEGIN ");
	add_totals_change(q, k, "OLD", "-");
	add_totals_change(q, k, "NEW", "");
	str_adds(q,
	         " END; CREATE TRIGGER funnel_opportunities_move AFTER INSERT ON process_history "
	         "WHEN NEW.entity = 'opportunities' BEGIN ");
	add_move(q, k);
	str_adds(q, " END;");
}

static void add_triggers_pg(struct str *q)
{
	const enum db_kind k = DB_PG;
	str_adds(q, "CREATE OR REPLACE FUNCTION funnel_opportunities() RETURNS trigger LANGUAGE "
	            "plpgsql AS $f$ BEGIN IF TG_OP <> 'INSERT' THEN ");
	add_totals_change(q, k, "OLD", "-");
	str_adds(q, " END IF; IF TG_OP <> 'DELETE' THEN ");
	add_totals_change(q, k, "NEW", "");
	str_adds(q,
	         " END IF; RETURN NULL; END $f$;"
	         "CREATE OR REPLACE TRIGGER funnel_opportunities AFTER INSERT OR DELETE OR UPDATE "
	         "OF stage, probability, amount, amount_currency, expected_close, owner_id, "
	         "org_unit_id, deleted_at ON opportunities FOR EACH ROW EXECUTE FUNCTION "
	         "funnel_opportunities();"
	         "CREATE OR REPLACE FUNCTION funnel_opportunities_move() RETURNS trigger LANGUAGE "
	         "plpgsql AS $f$ BEGIN ");
	add_move(q, k);
	str_adds(q, " RETURN NULL; END $f$;"
	            "CREATE OR REPLACE TRIGGER funnel_opportunities_move AFTER INSERT ON "
	            "process_history FOR EACH ROW WHEN (NEW.entity = 'opportunities') EXECUTE "
	            "FUNCTION funnel_opportunities_move();");
}

/* The totals summed from the records of alias t (TOTALS_COLUMNS). where, if not NULL, is
 * added to the conditions; from and to are expected close months. */
static void add_totals_from_records(struct sqlq *s, enum db_kind k, const struct sqlq *where,
                                    const char *from, const char *to)
{
	struct str *q = &s->sql;
	str_adds(q, "SELECT ");
	add_key(q, k, "t");
	str_adds(q, ", count(*), sum(coalesce(t.amount, 0)), sum(coalesce(t.amount, 0) * "
	            "coalesce(t.probability, 0)) FROM opportunities t WHERE t.deleted_at IS NULL");
	if (where)
		sqlq_append(s, where);
	struct str month = STR_INIT;
	add_close_month(&month, k, "t");
	report_add_months(s, month.buf, from, to);
	str_release(&month);
	str_adds(q, " GROUP BY 1, 2, 3, 4, 5");
}

int funnel_sync(struct db *db)
{
	int rc = db_begin(db);
	if (rc)
		return rc;
	int64_t version = 0;
	if ((rc = migrate_lock(db)) ||
	    (rc = db_query_int(db, "SELECT value FROM sys_meta WHERE key = 'funnel_version'", 0,
	                       NULL, &version)) == DB_ERROR)
		goto fail;
	if (version == FUNNEL_VERSION)
		return db_commit(db);
	enum db_kind k = db_kind(db);
	struct sqlq s;
	sqlq_init(&s);
	struct str *q = &s.sql;
	if (k == DB_PG)
		add_triggers_pg(q);
	else
		add_triggers_sqlite(q);
	str_adds(q, "DELETE FROM funnel_totals; INSERT INTO funnel_totals (" TOTALS_COLUMNS ") ");
	add_totals_from_records(&s, k, NULL, NULL, NULL);
	str_adds(q, "; DELETE FROM funnel_moves; INSERT INTO funnel_moves (" MOVES_COLUMNS ") ");
	add_moves_from_history(&s, k, NULL, NULL, NULL);
	str_adds(q, "; DELETE FROM sys_meta WHERE key = 'funnel_version';");
	str_addf(q, "INSERT INTO sys_meta (key, value) VALUES ('funnel_version', %d);",
	         FUNNEL_VERSION);
	rc = db_exec(db, q->buf);
	sqlq_release(&s);
	if (rc)
		goto fail;
	log_info("funnel totals made from the records (version %d)", FUNNEL_VERSION);
	return db_commit(db);
fail:
	log_error("funnel totals: %s", db_errmsg(db));
	db_rollback(db);
	return rc;
}

/* ---- the funnel ---- */

/* What one stage sums to, in the company's currency (CNY). */
struct sums {
	int64_t n, amount, weighted; /* weighted: amount × probability (%) */
};

/* Sums under a short key: a close month ("YYYY-MM", "" for none) or a currency code. */
struct keyed_sums {
	char key[8];
	struct sums s;
};

/* A growing list of keyed sums (malloc'd), as many as the data has. */
struct keyed_list {
	struct keyed_sums *at;
	size_t n, cap;
};

struct funnel {
	const struct field *stage;
	struct sums *by_stage;    /* per option of the stage field */
	struct keyed_list months; /* the forecast: open ones by close month */
	struct keyed_list others; /* currencies other than CNY */
	int64_t *exits, *forward; /* moves out of each stage, and of those onwards */
	double *stage_days;
	int64_t won_moves;
	double won_life_days;
	const char *source; /* "totals" or "records" */
};

static ssize_t stage_index(const struct funnel *fu, const char *key)
{
	for (size_t i = 0; i < fu->stage->n_options; i++)
		if (strcmp(fu->stage->options[i].key, key) == 0)
			return (ssize_t)i;
	return -1;
}

static bool is_closed(const char *key)
{
	return strcmp(key, STAGE_WON) == 0 || strcmp(key, STAGE_LOST) == 0;
}

static void sums_add(struct sums *s, int64_t n, int64_t amount, int64_t weighted)
{
	s->n += n;
	s->amount += amount;
	s->weighted += weighted;
}

static void add_keyed(struct keyed_list *l, const char *key, int64_t n, int64_t amount,
                      int64_t weighted)
{
	size_t i = 0;
	while (i < l->n && strcmp(l->at[i].key, key) != 0)
		i++;
	if (i == l->n) {
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			l->at = xrealloc(l->at, l->cap * sizeof *l->at);
		}
		l->at[i] = (struct keyed_sums){0};
		snprintf(l->at[i].key, sizeof l->at[i].key, "%s", key);
		l->n++;
	}
	sums_add(&l->at[i].s, n, amount, weighted);
}

/* Rows of TOTALS_COLUMNS into the funnel. */
static int read_totals(struct funnel *fu, struct db_stmt *st)
{
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *stage = db_column_text(st, 2, NULL);
		const char *month = db_column_text(st, 3, NULL);
		const char *currency = db_column_text(st, 4, NULL);
		int64_t n = db_column_int(st, 5), amount = db_column_int(st, 6),
		        weighted = db_column_int(st, 7);
		ssize_t i = stage_index(fu, stage);
		if (i < 0)
			continue; /* an option since removed: in no stage of today's funnel */
		if (strcmp(currency, "CNY") != 0) {
			fu->by_stage[i].n += n;
			add_keyed(&fu->others, currency, n, amount, weighted);
			continue;
		}
		sums_add(&fu->by_stage[i], n, amount, weighted);
		if (!is_closed(stage))
			add_keyed(&fu->months, month, n, amount, weighted);
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Rows of MOVES_COLUMNS into the funnel. */
static int read_moves(struct funnel *fu, struct db_stmt *st)
{
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		ssize_t from = stage_index(fu, db_column_text(st, 3, NULL));
		const char *to_key = db_column_text(st, 4, NULL);
		ssize_t to = stage_index(fu, to_key);
		int64_t n = db_column_int(st, 5);
		if (strcmp(to_key, STAGE_WON) == 0) {
			fu->won_moves += n;
			fu->won_life_days += db_column_double(st, 7);
		}
		if (from < 0 || is_closed(fu->stage->options[from].key))
			continue; /* a reopening, or a stage since removed */
		fu->exits[from] += n;
		fu->stage_days[from] += db_column_double(st, 6);
		if (to >= 0 && strcmp(to_key, STAGE_LOST) != 0 &&
		    (to > from || strcmp(to_key, STAGE_WON) == 0))
			fu->forward[from] += n;
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int run(struct op *op, struct sqlq *s, struct funnel *fu, bool moves)
{
	struct db_stmt *st;
	int rc = sqlq_prepare(op->db, s, &st);
	if (!rc)
		rc = moves ? read_moves(fu, st) : read_totals(fu, st);
	return rc;
}

/*
 * Sum the records of alias t that where picks (its parameters included), and their moves. The
 * filter's people, region and product are added here; its months pick expected close months
 * for the totals and the months of the moves.
 */
static int from_records(struct op *op, const struct funnel_filter *f, struct sqlq *where,
                        struct funnel *fu)
{
	enum db_kind k = db_kind(op->db);
	report_add_people(where, "t.", f->owner_id, f->team_id);
	if (f->region) {
		sqlq_add(where, " AND t.region = ");
		sqlq_texts(where, f->region);
	}
	if (f->product) {
		sqlq_add(where, " AND t.product_line = ");
		sqlq_texts(where, f->product);
	}
	struct sqlq s;
	sqlq_init(&s);
	add_totals_from_records(&s, k, where, f->from, f->to);
	int rc = run(op, &s, fu, false);
	if (!rc) {
		sqlq_reset(&s);
		add_moves_from_history(&s, k, where, f->from, f->to);
		rc = run(op, &s, fu, true);
	}
	sqlq_release(&s);
	return rc;
}

/*
 * Sum the kept totals and moves under the condition scope (on owner and unit). The whole
 * organisation is summed by the database in the order of the key (stage, month and currency
 * first): a few hundred rows come back for the ten thousand read, without sorting. A part of it
 * (an owner, a unit) is read through its index as it is and summed by read_totals, which sums
 * anyway: a GROUP BY would sort those rows first.
 */
static int from_totals(struct op *op, const struct funnel_filter *f, const struct sqlq *scope,
                       bool whole, struct funnel *fu)
{
	struct sqlq s;
	sqlq_init(&s);
	sqlq_add(&s, whole ? "SELECT 0, 0, stage, month, currency, sum(n), sum(amount), "
	                     "sum(weighted) FROM funnel_totals WHERE "
	                   : "SELECT " TOTALS_COLUMNS " FROM funnel_totals WHERE ");
	sqlq_append(&s, scope);
	report_add_people(&s, "", f->owner_id, f->team_id);
	report_add_months(&s, "month", f->from, f->to);
	if (whole)
		sqlq_add(&s, " GROUP BY stage, month, currency");
	int rc = run(op, &s, fu, false);
	if (!rc) {
		sqlq_reset(&s);
		sqlq_add(&s,
		         whole ? "SELECT 0, 0, '', from_stage, to_stage, sum(n), sum(stage_days), "
		                 "sum(life_days) FROM funnel_moves WHERE "
		               : "SELECT " MOVES_COLUMNS " FROM funnel_moves WHERE ");
		sqlq_append(&s, scope);
		report_add_people(&s, "", f->owner_id, f->team_id);
		report_add_months(&s, "month", f->from, f->to);
		if (whole)
			sqlq_add(&s, " GROUP BY from_stage, to_stage");
		rc = run(op, &s, fu, true);
	}
	sqlq_release(&s);
	return rc;
}

/*
 * Gather the funnel. Without a region or product, from the kept totals under the caller's scope
 * (its owner and unit test), plus the records shared with them beyond it, summed from those
 * records; with one, all from the records, as a list reads them.
 */
static int gather(struct op *op, const struct funnel_filter *f, struct funnel *fu)
{
	int rc;
	struct sqlq where;
	sqlq_init(&where);
	if (f->region || f->product) {
		fu->source = "records";
		if (!(rc = access_where(op, ACT_READ, &where)))
			rc = from_records(op, f, &where, fu);
		sqlq_release(&where);
		return rc;
	}
	fu->source = "totals";
	struct sqlq scope;
	sqlq_init(&scope);
	bool shares = false;
	rc = access_cond_owner_unit(op, ACT_READ, "", &scope, &shares);
	bool whole = access_scope(op, ACT_READ) == SCOPE_ALL && !f->owner_id && !f->team_id;
	if (!rc)
		rc = from_totals(op, f, &scope, whole, fu);
	if (!rc && shares) {
		struct sqlq scope_t;
		sqlq_init(&scope_t);
		bool again;
		rc = access_cond_owner_unit(op, ACT_READ, "t.", &scope_t, &again);
		sqlq_add(&where, " AND t.id IN (");
		access_add_shared_ids(op, ACT_READ, &where);
		sqlq_add(&where, ") AND NOT coalesce(");
		sqlq_append(&where, &scope_t);
		sqlq_add(&where, ", FALSE)");
		sqlq_release(&scope_t);
		if (!rc)
			rc = from_records(op, f, &where, fu);
	}
	sqlq_release(&scope);
	sqlq_release(&where);
	return rc;
}

/* ---- the answer ---- */

int64_t funnel_weighted_fen(int64_t w)
{
	return w >= 0 ? (w + 50) / 100 : -((-w + 50) / 100);
}

static void add_sums_json(struct str *out, const struct sums *s)
{
	str_addf(out, "\"count\":%lld,\"amount\":%lld,\"weighted\":%lld", (long long)s->n,
	         (long long)s->amount, (long long)funnel_weighted_fen(s->weighted));
}

void funnel_add_ratio(struct str *out, double num, double den, int decimals)
{
	if (den <= 0) {
		str_adds(out, "null");
		return;
	}
	double scale = pow(10, decimals);
	str_addf(out, "%.*f", decimals, round(num / den * scale) / scale);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct keyed_sums *)a)->key, ((const struct keyed_sums *)b)->key);
}

static void add_json(struct op *op, struct funnel *fu, struct str *out)
{
	const struct field *sf = fu->stage;
	struct sums open = {0};
	ssize_t won = stage_index(fu, STAGE_WON), lost = stage_index(fu, STAGE_LOST);
	str_addf(out, "{\"source\":\"%s\",\"currency\":\"CNY\",\"stages\":[", fu->source);
	bool first = true;
	for (size_t i = 0; i < sf->n_options; i++) {
		const struct option *o = &sf->options[i];
		if (is_closed(o->key))
			continue;
		const struct sums *s = &fu->by_stage[i];
		sums_add(&open, s->n, s->amount, s->weighted);
		str_adds(out, first ? "{" : ",{");
		first = false;
		str_adds(out, "\"key\":");
		str_add_jsons(out, o->key);
		str_adds(out, ",\"label\":");
		str_add_jsons(out, label_get(&o->label, op->lang));
		str_addc(out, ',');
		add_sums_json(out, s);
		str_addf(out, ",\"exits\":%lld,\"conversion\":", (long long)fu->exits[i]);
		funnel_add_ratio(out, (double)fu->forward[i], (double)fu->exits[i], 4);
		str_adds(out, ",\"avg_days\":");
		funnel_add_ratio(out, fu->stage_days[i], (double)fu->exits[i], 1);
		str_addc(out, '}');
	}
	str_adds(out, "],\"open\":{");
	add_sums_json(out, &open);
	static const struct sums none;
	const struct sums *w = won >= 0 ? &fu->by_stage[won] : &none,
	                  *l = lost >= 0 ? &fu->by_stage[lost] : &none;
	str_adds(out, "},\"won\":{");
	add_sums_json(out, w);
	str_adds(out, "},\"lost\":{");
	add_sums_json(out, l);
	str_adds(out, "},\"win_rate\":");
	funnel_add_ratio(out, (double)w->n, (double)(w->n + l->n), 4);
	str_adds(out, ",\"cycle_days\":");
	funnel_add_ratio(out, fu->won_life_days, (double)fu->won_moves, 1);
	const struct keyed_list *m = &fu->months, *o = &fu->others;
	if (m->n) /* qsort must not be given NULL, even for nothing */
		qsort(m->at, m->n, sizeof m->at[0], by_key);
	str_adds(out, ",\"forecast\":[");
	for (size_t i = 0; i < m->n; i++) {
		str_adds(out, i ? ",{\"month\":" : "{\"month\":");
		if (*m->at[i].key)
			str_add_jsons(out, m->at[i].key);
		else
			str_adds(out, "null");
		str_addc(out, ',');
		add_sums_json(out, &m->at[i].s);
		str_addc(out, '}');
	}
	str_adds(out, "],\"other_currencies\":[");
	for (size_t i = 0; i < o->n; i++) {
		str_adds(out, i ? ",{\"currency\":" : "{\"currency\":");
		str_add_jsons(out, o->at[i].key);
		str_addc(out, ',');
		add_sums_json(out, &o->at[i].s);
		str_addc(out, '}');
	}
	str_adds(out, "]}");
}

int funnel_customer_json(struct db *db, const struct registry *reg, int64_t customer_id,
                         struct str *out)
{
	if (!registry_entity(reg, "opportunities")) {
		str_adds(out, ",\"opportunities\":null");
		return DB_OK;
	}
	struct db_stmt *st;
	int rc =
	    db_prepare(db,
	               "SELECT stage = '" STAGE_WON "', count(*), sum(coalesce(amount, 0)), "
	               "sum(coalesce(amount, 0) * coalesce(probability, 0)) FROM opportunities "
	               "WHERE customer_id = ? AND deleted_at IS NULL AND stage <> '" STAGE_LOST
	               "' AND coalesce(amount_currency, 'CNY') = 'CNY' GROUP BY 1",
	               &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, customer_id);
	struct sums open = {0}, won = {0};
	while ((rc = db_step(st)) == DB_ROW)
		sums_add(db_column_int(st, 0) ? &won : &open, db_column_int(st, 1),
		         db_column_int(st, 2), db_column_int(st, 3));
	db_reset(st);
	if (rc != DB_DONE)
		return rc;
	str_adds(out, ",\"opportunities\":{\"open\":{");
	add_sums_json(out, &open);
	str_adds(out, "},\"won\":{");
	add_sums_json(out, &won);
	str_adds(out, "}}");
	return DB_OK;
}

int funnel_json(struct op *op, const struct funnel_filter *f, struct str *out)
{
	struct funnel fu = {.stage = entity_field(op->e, "stage")};
	if (!fu.stage || fu.stage->type != FT_ENUM)
		return problem_set(op->problem, 404, "not_found");
	size_t n = fu.stage->n_options;
	fu.by_stage = ARENA_NEW_ARRAY(op->arena, struct sums, n);
	fu.exits = ARENA_NEW_ARRAY(op->arena, int64_t, n);
	fu.forward = ARENA_NEW_ARRAY(op->arena, int64_t, n);
	fu.stage_days = ARENA_NEW_ARRAY(op->arena, double, n);
	int rc = gather(op, f, &fu);
	if (!rc)
		add_json(op, &fu, out);
	free(fu.months.at);
	free(fu.others.at);
	return rc ? crud_db_error(op, rc, "the funnel") : 200;
}
