#include "pool.h"
#include "core/log.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/access.h"
#include "meta/crud.h"
#include "meta/members.h"
#include "meta/owner_moves.h"
#include "meta/transition.h"
#include "services/notify.h"
#include "services/settings.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DAY_MS        86400000.0
#define DAYS_MAX      3650
#define RUN_BATCH     200
#define RUN_MAX       5000 /* moves per run and kind: the next run goes on */
#define OPEN_WORK_MAX 2000 /* records of one entity moved with one customer */

/* ---- rules ---- */

void pool_rules_default(struct pool_rules *r)
{
	memset(r, 0, sizeof *r);
	r->enabled = true;
	r->default_days = 30;
	static const struct {
		const char *level;
		double days;
	} levels[] = {{"a", 90}, {"b", 60}, {"c", 30}, {"d", 15}};
	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		snprintf(r->levels[i].level, sizeof r->levels[i].level, "%s", levels[i].level);
		r->levels[i].days = levels[i].days;
	}
	r->n_levels = ARRAY_SIZE(levels);
	r->warn_days = 7;
	r->claim_cap = 200;
	r->reclaim_days = 30;
}

/* Days: a number from 0 to ten years; fractions are allowed (hours, and the tests' seconds). */
static bool days_value(const json_t *v)
{
	return json_is_number(v) && json_number_value(v) >= 0 && json_number_value(v) <= DAYS_MAX;
}

int pool_rules_check(const struct entity *customers, const json_t *doc, struct problem *p)
{
	static const char *const members[] = {"enabled",   "default_days", "levels", "warn_days",
	                                      "claim_cap", "reclaim_days", NULL};
	static const char *const days[] = {"default_days", "warn_days", "reclaim_days"};
	size_t before = p->n_errors;
	if (!settings_check_members(doc, members, p))
		return -1;
	const char *k;
	json_t *v;
	if ((v = json_object_get(doc, "enabled")) && !json_is_boolean(v))
		problem_add(p, "enabled", "invalid_bool", NULL);
	if ((v = json_object_get(doc, "claim_cap")))
		settings_check_number(p, "claim_cap", v, true, 0, 1000000);
	for (size_t i = 0; i < ARRAY_SIZE(days); i++)
		if ((v = json_object_get(doc, days[i])))
			settings_check_number(p, days[i], v, false, 0, DAYS_MAX);
	json_t *levels = json_object_get(doc, "levels");
	if (levels && !json_is_object(levels))
		problem_add(p, "levels", "invalid_value", NULL);
	const struct field *level = customers ? entity_field(customers, "level") : NULL;
	json_object_foreach(levels, k, v)
	{
		const char *at = arena_printf(p->arena, "levels.%s", k);
		bool known = false;
		for (size_t i = 0; level && i < level->n_options; i++)
			known |= str_eq(level->options[i].key, k);
		if (!known)
			problem_add(p, at, "invalid_option", NULL);
		else
			settings_check_number(p, at, v, false, 0, DAYS_MAX);
	}
	if (json_object_size(levels) > POOL_LEVELS_MAX)
		problem_add(p, "levels", "too_many", NULL);
	return p->n_errors > before ? -1 : 0;
}

int pool_rules_load(struct db *db, struct pool_rules *r)
{
	pool_rules_default(r);
	json_t *doc = NULL;
	int rc = settings_get(db, "pool", &doc);
	if (rc)
		return rc;
	json_t *v;
	if (json_is_boolean(v = json_object_get(doc, "enabled")))
		r->enabled = json_is_true(v);
	if (days_value(v = json_object_get(doc, "default_days")))
		r->default_days = json_number_value(v);
	if (days_value(v = json_object_get(doc, "warn_days")))
		r->warn_days = json_number_value(v);
	if (days_value(v = json_object_get(doc, "reclaim_days")))
		r->reclaim_days = json_number_value(v);
	if (json_is_integer(v = json_object_get(doc, "claim_cap")) && json_integer_value(v) >= 0)
		r->claim_cap = json_integer_value(v);
	/* Each level stored overrides its default; the others keep theirs. */
	const char *k;
	json_object_foreach(json_object_get(doc, "levels"), k, v)
	{
		if (!days_value(v))
			continue;
		size_t i = 0;
		while (i < r->n_levels && !str_eq(r->levels[i].level, k))
			i++;
		if (i == POOL_LEVELS_MAX)
			continue;
		if (i == r->n_levels)
			snprintf(r->levels[r->n_levels++].level, sizeof r->levels[0].level, "%s",
			         k);
		r->levels[i].days = json_number_value(v);
	}
	json_decref(doc);
	return DB_OK;
}

json_t *pool_rules_json(const struct pool_rules *r)
{
	json_t *levels = json_object();
	for (size_t i = 0; i < r->n_levels; i++)
		json_object_set_new(levels, r->levels[i].level, json_real(r->levels[i].days));
	return json_pack("{s:b, s:f, s:o, s:f, s:I, s:f}", "enabled", r->enabled, "default_days",
	                 r->default_days, "levels", levels, "warn_days", r->warn_days, "claim_cap",
	                 (json_int_t)r->claim_cap, "reclaim_days", r->reclaim_days);
}

/* ---- moves ---- */

/* The live customer's owner (0: in the pool), locked for the transaction. */
static int load_owner(struct op *op, int64_t id, int64_t *owner, int64_t *version)
{
	struct db_stmt *st;
	int rc = db_prepare(op->db,
	                    db_kind(op->db) == DB_PG
	                        ? "SELECT owner_id, version FROM customers WHERE id = ? AND "
	                          "deleted_at IS NULL FOR UPDATE"
	                        : "SELECT owner_id, version FROM customers WHERE id = ? AND "
	                          "deleted_at IS NULL",
	                    &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, id);
	rc = db_step(st);
	if (rc == DB_ROW) {
		*owner = db_column_null(st, 0) ? 0 : db_column_int(st, 0);
		*version = db_column_int(st, 1);
		rc = DB_OK;
	}
	db_reset(st);
	return rc;
}

/* Change the customer's owner through the generic update (its checks as op's actor, the audit
 * trail, webhooks, and the move with op->move_action). */
static int set_owner(struct op *op, int64_t id, int64_t to, int64_t version, struct str *out)
{
	json_t *body = json_pack("{s:o}", "owner_id", to ? json_integer(to) : json_null());
	struct crud_result res = {0};
	int status = crud_update_in_tx(op, id, body, version, out, &res);
	json_decref(body);
	return status;
}

/*
 * The open work about customer id owned by `from` (0: by nobody) — records of every entity
 * that moves with a customer (registry.h struct handover) — given to `to`, as the system: each
 * an ordinary update with its audit row. Counts into moved ({"contacts": n, …}). 0, or a
 * negative status with op->problem set.
 */
static int move_open_work(struct op *op, int64_t id, int64_t from, int64_t to, json_t *moved)
{
	for (size_t i = 0; i < op->reg->n_entities; i++) {
		const struct entity *e = &op->reg->entities[i];
		const struct handover *h = e->handover;
		if (!h)
			continue;
		struct str q = STR_INIT;
		str_addf(&q, "SELECT id FROM \"%s\" WHERE \"%s\" = ? AND deleted_at IS NULL AND %s",
		         e->name, h->customer->name, from ? "owner_id = ?" : "owner_id IS NULL");
		if (h->when.n_values) {
			str_addf(&q, " AND \"%s\" IN (", h->when.field->name);
			for (size_t v = 0; v < h->when.n_values; v++)
				str_adds(&q, v ? ", ?" : "?");
			str_addc(&q, ')');
		}
		str_addf(&q, " ORDER BY id LIMIT %d", OPEN_WORK_MAX);
		struct db_stmt *st;
		int rc = db_prepare(op->db, q.buf, &st);
		str_release(&q);
		if (rc)
			return crud_db_error(op, rc, "a handover");
		int p = 1;
		db_bind_int(st, p++, id);
		if (from)
			db_bind_int(st, p++, from);
		for (size_t v = 0; v < h->when.n_values; v++)
			db_bind_texts(st, p++, h->when.values[v]);
		int64_t *ids = ARENA_NEW_ARRAY(op->arena, int64_t, OPEN_WORK_MAX);
		size_t n = 0;
		while ((rc = db_step(st)) == DB_ROW)
			ids[n++] = db_column_int(st, 0);
		db_reset(st);
		if (rc != DB_DONE)
			return crud_db_error(op, rc, "a handover");
		struct op sys = op_as_system(op);
		sys.e = e;
		sys.move_action = NULL;
		for (size_t k = 0; k < n; k++) {
			struct str out = STR_INIT;
			int status = set_owner(&sys, ids[k], to, -1, &out);
			str_release(&out);
			if (status < 0)
				return status;
		}
		if (n)
			json_object_set_new(moved, e->name, json_integer((json_int_t)n));
	}
	return 0;
}

/* The last owner who gave customer id up (returned or released), 0 if none. */
static int last_leaver(struct op *op, int64_t id, int64_t *user)
{
	char c[24];
	snprintf(c, sizeof c, "%lld", (long long)id);
	*user = 0;
	int rc = db_query_int(op->db,
	                      "SELECT from_user_id FROM customer_moves WHERE customer_id = ? AND "
	                      "action IN ('returned', 'released') ORDER BY id DESC LIMIT 1",
	                      1, (const char *[]){c}, user);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Whether the actor may still claim: the cap on what they own, and what they gave up lately. */
static int may_claim(struct op *op, const struct pool_rules *rules, int64_t id)
{
	char me[24], c[24], since[TIME_ISO_LEN];
	snprintf(me, sizeof me, "%lld", (long long)op->user_id);
	snprintf(c, sizeof c, "%lld", (long long)id);
	int64_t n = 0;
	int rc;
	if (rules->claim_cap > 0) {
		if ((rc = db_query_int(
		         op->db,
		         "SELECT count(*) FROM (SELECT 1 FROM customers WHERE owner_id = "
		         "? AND deleted_at IS NULL LIMIT 1000001) x",
		         1, (const char *[]){me}, &n)))
			return crud_db_error(op, rc, "a claim");
		if (n >= rules->claim_cap) {
			char cap[24];
			snprintf(cap, sizeof cap, "%lld", (long long)rules->claim_cap);
			problem_add(op->problem, NULL, "pool_cap_reached",
			            (const char *[]){"cap", arena_strdup(op->arena, cap), NULL});
			return problem_set(op->problem, 409, "conflict");
		}
	}
	if (rules->reclaim_days > 0) {
		time_format_iso(time_now_ms() - (int64_t)(rules->reclaim_days * DAY_MS), since);
		n = 0;
		rc = db_query_int(
		    op->db,
		    "SELECT count(*) FROM customer_moves WHERE from_user_id = ? AND "
		    "customer_id = ? AND action IN ('returned', 'released') AND at > ?",
		    3, (const char *[]){me, c, since}, &n);
		if (rc && rc != DB_DONE)
			return crud_db_error(op, rc, "a claim");
		if (n) {
			char days[32];
			snprintf(days, sizeof days, "%g", rules->reclaim_days);
			problem_add(op->problem, NULL, "reclaim_too_soon",
			            (const char *[]){"days", arena_strdup(op->arena, days), NULL});
			return problem_set(op->problem, 409, "conflict");
		}
	}
	return 0;
}

/* Commit, then answer the customer as the caller sees it now, with what moved. */
static int answer(struct op *op, int status, int64_t id, json_t *moved, struct str *out)
{
	int rc;
	if (status >= 0 && (rc = db_commit(op->db)))
		status = crud_db_error(op, rc, "a move");
	if (status < 0) {
		db_rollback(op->db);
		return status;
	}
	struct crud_result res = {0};
	struct str rec = STR_INIT;
	struct op reader = *op;
	status = crud_get(&reader, id, false, &rec, &res);
	if (status < 0) {
		/* Given away: the caller may no longer read it. */
		str_release(&rec);
		problem_init(op->problem, op->arena);
		str_adds(out, "{\"id\":");
		str_addf(out, "%lld", (long long)id);
	} else {
		str_add(out, rec.buf, rec.len - 1);
		str_release(&rec);
	}
	if (moved) {
		char *m = json_dumps(moved, JSON_COMPACT);
		str_adds(out, ",\"moved\":");
		str_adds(out, m);
		free(m);
	}
	str_addc(out, '}');
	return 200;
}

int pool_claim(struct op *op, int64_t id, struct str *out)
{
	if (access_scope(op, ACT_CREATE) == SCOPE_NONE)
		return problem_set(op->problem, 403, "forbidden");
	struct pool_rules rules;
	int64_t owner = 0, version = 0, leaver = 0;
	int rc = pool_rules_load(op->db, &rules);
	if (!rc)
		rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, "a claim");
	int status = 0;
	if ((rc = load_owner(op, id, &owner, &version)) == DB_DONE)
		status = problem_set(op->problem, 404, "not_found");
	else if (rc)
		status = crud_db_error(op, rc, "a claim");
	else if (owner) {
		problem_add(op->problem, NULL, "not_in_pool", NULL);
		status = problem_set(op->problem, 409, "conflict");
	}
	if (!status)
		status = may_claim(op, &rules, id);
	if (!status && (rc = last_leaver(op, id, &leaver)))
		status = crud_db_error(op, rc, "a claim");
	json_t *moved = json_object();
	if (!status) {
		/* The claimer takes it as the system: claiming needs no right to assign. */
		struct op sys = op_as_system(op);
		sys.move_action = "claimed";
		struct str rec = STR_INIT;
		status = set_owner(&sys, id, op->user_id, version, &rec);
		str_release(&rec);
	}
	if (status >= 0)
		status = move_open_work(op, id, leaver, op->user_id, moved);
	status = answer(op, status, id, moved, out);
	json_decref(moved);
	return status;
}

int pool_release(struct op *op, int64_t id, const json_t *body, struct str *out)
{
	static const char *const members[] = {"reason", NULL};
	members_check(op, body, members);
	const char *reason = member_reason(op, body, true);
	if (op->problem->n_errors)
		return problem_set(op->problem, 422, "validation_failed");
	int64_t owner = 0, version = 0;
	int rc = db_begin(op->db);
	if (rc)
		return crud_db_error(op, rc, "a release");
	int status = 0;
	if ((rc = load_owner(op, id, &owner, &version)) == DB_DONE ||
	    (!rc && (rc = access_find_record(op, ACT_READ, id)) == DB_DONE))
		status = problem_set(op->problem, 404, "not_found");
	else if (rc)
		status = crud_db_error(op, rc, "a release");
	else if (!owner) {
		problem_add(op->problem, NULL, "in_pool", NULL);
		status = problem_set(op->problem, 409, "conflict");
	} else if (owner != op->user_id && (rc = access_find_record(op, ACT_ASSIGN, id))) {
		/* Its owner gives it up, or someone who may assign it. */
		status = rc == DB_DONE ? problem_set(op->problem, 403, "forbidden")
		                       : crud_db_error(op, rc, "a release");
	}
	if (!status) {
		struct op sys = op_as_system(op);
		sys.move_action = "released";
		sys.move_reason = reason;
		struct str rec = STR_INIT;
		status = set_owner(&sys, id, 0, version, &rec);
		str_release(&rec);
	}
	return answer(op, status, id, NULL, out);
}

/* Whether user id is an active user. */
static int active_user(struct op *op, int64_t id, bool *yes)
{
	char u[24];
	snprintf(u, sizeof u, "%lld", (long long)id);
	int64_t n = 0;
	int rc = db_query_int(op->db, "SELECT count(*) FROM users WHERE id = ? AND NOT disabled", 1,
	                      (const char *[]){u}, &n);
	*yes = n > 0;
	return rc == DB_DONE ? DB_OK : rc;
}

/* Tell the new owner and the former one (neither when they did it themselves). */
static int tell_handover(struct op *op, int64_t id, int64_t from, int64_t to, const char *reason)
{
	char c[24];
	snprintf(c, sizeof c, "%lld", (long long)id);
	const char *p[] = {c};
	struct db_stmt *st;
	int rc = db_prepare(op->db, "SELECT name FROM customers WHERE id = ?", &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, p[0]);
	const char *name = "";
	if (db_step(st) == DB_ROW)
		name = arena_strdup(op->arena, db_column_text(st, 0, NULL));
	db_reset(st);
	const struct {
		const char *event;
		int64_t user;
	} notices[] = {{"customer.handover_in", to}, {"customer.handover_out", from}};
	for (size_t i = 0; i < ARRAY_SIZE(notices) && !rc; i++) {
		if (!notices[i].user || notices[i].user == op->user_id)
			continue;
		json_t *vars =
		    json_pack("{s:s, s:s, s:s, s:s, s:s}", "customer", name, "from",
		              from ? user_name(op, from) : "", "to", user_name(op, to), "actor",
		              user_name(op, op->user_id), "reason", reason ? reason : "");
		struct notice n = {.event = notices[i].event,
		                   .user_id = notices[i].user,
		                   .entity = "customers",
		                   .record_id = id,
		                   .vars = vars,
		                   .actor = op->user_id};
		rc = notify(op->db, &n);
		json_decref(vars);
	}
	return rc;
}

int pool_handover(struct op *op, int64_t id, const json_t *body, struct str *out)
{
	static const char *const members[] = {"to", "reason", "with_open_work", NULL};
	members_check(op, body, members);
	json_t *to_j = json_object_get(body, "to"), *w = json_object_get(body, "with_open_work");
	int64_t to = json_is_integer(to_j) ? json_integer_value(to_j) : 0;
	if (!to_j)
		problem_add(op->problem, "to", "required", NULL);
	else if (to <= 0)
		problem_add(op->problem, "to", "invalid_id", NULL);
	if (w && !json_is_boolean(w))
		problem_add(op->problem, "with_open_work", "invalid_bool", NULL);
	const char *reason = member_reason(op, body, false);
	bool active = true;
	int rc = to > 0 ? active_user(op, to, &active) : DB_OK;
	if (rc)
		return crud_db_error(op, rc, "a handover");
	if (!active)
		problem_add(op->problem, "to", "reference_not_found", NULL);
	if (op->problem->n_errors)
		return problem_set(op->problem, 422, "validation_failed");
	if ((rc = db_begin(op->db)))
		return crud_db_error(op, rc, "a handover");
	int64_t owner = 0, version = 0;
	int status = 0;
	if ((rc = load_owner(op, id, &owner, &version)) == DB_DONE ||
	    (!rc && (rc = access_find_record(op, ACT_READ, id)) == DB_DONE))
		status = problem_set(op->problem, 404, "not_found");
	else if (rc)
		status = crud_db_error(op, rc, "a handover");
	else if (owner == to) {
		problem_add(op->problem, "to", "same_owner", NULL);
		status = problem_set(op->problem, 409, "conflict");
	}
	json_t *moved = json_object();
	if (!status) {
		/* As the caller: the generic update checks that they may assign it to `to`. */
		struct op as_caller = *op;
		as_caller.move_action = "handover";
		as_caller.move_reason = reason;
		struct str rec = STR_INIT;
		status = set_owner(&as_caller, id, to, version, &rec);
		str_release(&rec);
	}
	if (status >= 0 && owner && !json_is_false(w))
		status = move_open_work(op, id, owner, to, moved);
	if (status >= 0 && (rc = tell_handover(op, id, owner, to, reason)))
		status = crud_db_error(op, rc, "a handover");
	status = answer(op, status, id, moved, out);
	json_decref(moved);
	return status;
}

/* ---- the job ---- */

struct run {
	struct job_ctx *ctx;
	struct op op;
	const struct pool_rules *rules;
	int64_t now_ms;
	size_t warned, returned, failed;
};

/* When a customer's clock started: its last follow-up, its owner taking it, or its creation —
 * whichever is latest (columns 2, 3, 4 of st). */
static int64_t clock_start(struct db_stmt *st)
{
	int64_t best = 0, ms;
	for (int c = 2; c <= 4; c++)
		if (!db_column_null(st, c) && db_column_time(st, c, &ms) && ms > best)
			best = ms;
	return best;
}

/* One customer to warn or return: id, owner, clock start and name. */
struct due {
	int64_t id, owner, start;
	const char *name;
};

/*
 * The customers of one level rule (level NULL: those of no listed level) whose clock started
 * before `before`; for warnings, only those not warned since. At most RUN_BATCH.
 */
static int select_due(struct run *run, const char *level, int64_t before, bool warn,
                      struct due *out, size_t *n)
{
	const struct pool_rules *r = run->rules;
	char cutoff[TIME_ISO_LEN];
	time_format_iso(before, cutoff);
	struct str q = STR_INIT;
	str_adds(&q, "SELECT id, owner_id, last_followup_at, owned_since, created_at, name FROM "
	             "customers WHERE deleted_at IS NULL AND owner_id IS NOT NULL AND "
	             "(last_followup_at IS NULL OR last_followup_at < ?) AND "
	             "COALESCE(owned_since, created_at) < ?");
	if (warn)
		str_adds(&q,
		         " AND (pool_warned_at IS NULL OR pool_warned_at < COALESCE(owned_since, "
		         "created_at) OR pool_warned_at < last_followup_at)");
	if (level) {
		str_adds(&q, " AND level = ?");
	} else {
		str_adds(&q, " AND (level IS NULL");
		for (size_t i = 0; i < r->n_levels; i++)
			str_adds(&q, i ? ", ?" : " OR level NOT IN (?");
		str_adds(&q, r->n_levels ? "))" : ")");
	}
	str_addf(&q, " ORDER BY id LIMIT %d", RUN_BATCH);
	struct db_stmt *st;
	int rc = db_prepare(run->ctx->db, q.buf, &st);
	str_release(&q);
	if (rc)
		return rc;
	int p = 1;
	db_bind_texts(st, p++, cutoff);
	db_bind_texts(st, p++, cutoff);
	if (level)
		db_bind_texts(st, p++, level);
	else
		for (size_t i = 0; i < r->n_levels; i++)
			db_bind_texts(st, p++, r->levels[i].level);
	*n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		struct due *d = &out[(*n)++];
		d->id = db_column_int(st, 0);
		d->owner = db_column_int(st, 1);
		d->start = clock_start(st);
		d->name = arena_strdup(run->op.arena, db_column_text(st, 5, NULL));
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static int warn_one(struct run *run, const struct due *d, double days)
{
	struct db *db = run->ctx->db;
	char now[TIME_ISO_LEN], id[24], due[TIME_MINUTE_LEN];
	time_format_iso(run->now_ms, now);
	snprintf(id, sizeof id, "%lld", (long long)d->id);
	time_format_minute_local(d->start + (int64_t)(days * DAY_MS), due);
	json_t *vars = json_pack("{s:s, s:s}", "customer", d->name, "due", due);
	struct notice n = {.event = "customer.pool_warning",
	                   .user_id = d->owner,
	                   .entity = "customers",
	                   .record_id = d->id,
	                   .vars = vars};
	int rc = db_begin(db);
	if (!rc)
		rc = db_run(db, "UPDATE customers SET pool_warned_at = ? WHERE id = ?", 2,
		            (const char *[]){now, id});
	if (!rc)
		rc = owner_moves_add(db, d->id, "warned", d->owner, d->owner, 0, NULL);
	if (!rc)
		rc = notify(db, &n);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	json_decref(vars);
	return rc;
}

static int return_one(struct run *run, const struct due *d, double days)
{
	struct db *db = run->ctx->db;
	char why[96];
	snprintf(why, sizeof why, "%g 天未跟进 / no follow-up for %g days", days, days);
	struct op op = run->op;
	op.move_action = "returned";
	op.move_reason = why;
	problem_init(op.problem, op.arena);
	json_t *vars = json_pack("{s:s, s:s}", "customer", d->name, "days",
	                         arena_printf(op.arena, "%g", days));
	struct notice n = {.event = "customer.returned",
	                   .user_id = d->owner,
	                   .entity = "customers",
	                   .record_id = d->id,
	                   .vars = vars};
	int rc = db_begin(db);
	if (!rc) {
		struct str out = STR_INIT;
		int status = set_owner(&op, d->id, 0, -1, &out);
		str_release(&out);
		rc = status < 0 ? DB_ERROR : DB_OK;
	}
	if (!rc)
		rc = notify(db, &n);
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	json_decref(vars);
	return rc;
}

/* Warn about, then return, the customers of one level rule. */
static int run_level(struct run *run, const char *level, double days)
{
	if (days <= 0)
		return DB_OK; /* never returned */
	struct due *due = ARENA_NEW_ARRAY(run->op.arena, struct due, RUN_BATCH);
	size_t n;
	int rc = DB_OK;
	for (int pass = 0; pass < 2 && !rc; pass++) {
		bool warn = pass == 1; /* returns first: a customer due back is not warned too */
		double ahead =
		    warn ? (run->rules->warn_days < days ? days - run->rules->warn_days : 0) : days;
		if (warn && run->rules->warn_days <= 0)
			continue;
		size_t done = 0;
		while (!rc && done < RUN_MAX) {
			rc = select_due(run, level, run->now_ms - (int64_t)(ahead * DAY_MS), warn,
			                due, &n);
			size_t moved = 0;
			for (size_t i = 0; i < n && !rc; i++) {
				int one = warn ? warn_one(run, &due[i], days)
				               : return_one(run, &due[i], days);
				if (one == DB_OK) {
					moved++;
					*(warn ? &run->warned : &run->returned) += 1;
				} else {
					run->failed++;
					log_error("pool: customer %lld: %s", (long long)due[i].id,
					          warn ? "not warned" : "not returned");
				}
			}
			done += moved;
			if (n < RUN_BATCH || !moved)
				break;
		}
	}
	return rc;
}

int pool_job(struct job_ctx *ctx)
{
	struct pool_rules rules;
	int rc = pool_rules_load(ctx->db, &rules);
	if (rc) {
		snprintf(ctx->message, sizeof ctx->message, "the rules could not be read");
		return -1;
	}
	if (!rules.enabled) {
		snprintf(ctx->message, sizeof ctx->message, "the pool's rules are off");
		return 0;
	}
	struct arena arena;
	arena_init(&arena, 64 * 1024);
	struct problem problem;
	problem_init(&problem, &arena);
	struct registry *reg = registry_acquire();
	struct run run = {.ctx = ctx, .rules = &rules, .now_ms = time_now_ms()};
	run.op = (struct op){.arena = &arena,
	                     .db = ctx->db,
	                     .reg = reg,
	                     .e = registry_entity(reg, "customers"),
	                     .admin = true,
	                     .lang = LANG_ZH,
	                     .problem = &problem,
	                     .count_cap = 1000};
	for (size_t i = 0; i < rules.n_levels && !rc; i++)
		rc = run_level(&run, rules.levels[i].level, rules.levels[i].days);
	if (!rc)
		rc = run_level(&run, NULL, rules.default_days);
	snprintf(ctx->message, sizeof ctx->message, "%zu warned, %zu returned to the pool%s%s",
	         run.warned, run.returned, run.failed ? ", some failed (see the log)" : "",
	         rc ? ", then a database error" : "");
	registry_release(reg);
	arena_release(&arena);
	return rc ? -1 : 0;
}
