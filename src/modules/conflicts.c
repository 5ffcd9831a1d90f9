#include "conflicts.h"

#include "db/dbjson.h"
#include "match/find.h"
#include "meta/access.h"
#include "meta/crud.h"

#include <stdio.h>

/* Open opportunities listed at most: enough to see the conflict, not a report. */
#define CONFLICTS_MAX 20

/* The customer as the duplicate check takes a body: its checked fields and its id (left out of
 * the look-alikes). NULL when there is no such live customer. */
static json_t *customer_body(struct op *op, int64_t id, int *rc)
{
	static const char *const fields[] = {"name",  "address", "phone", "mobile",
	                                     "email", "website", "tax_id"};
	struct db_stmt *st;
	if ((*rc = db_prepare(op->db,
	                      "SELECT name, address, phone, mobile, email, website, tax_id FROM"
	                      " customers WHERE id = ? AND deleted_at IS NULL",
	                      &st)))
		return NULL;
	db_bind_int(st, 1, id);
	json_t *body = NULL;
	if ((*rc = db_step(st)) == DB_ROW) {
		body = json_pack("{s:I}", "id", (json_int_t)id);
		for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
			if (!db_column_null(st, (int)i))
				json_object_set_new(body, fields[i],
				                    json_string(db_column_text(st, (int)i, NULL)));
	}
	db_reset(st);
	*rc = *rc == DB_ROW || *rc == DB_DONE ? DB_OK : *rc;
	return body;
}

/* An open opportunity found on the customer or a look-alike. */
struct rival {
	int64_t id, owner_id, customer_id;
	const char *name, *stage, *product_line, *owner_name, *customer_name; /* op's arena */
};

static const char *column(struct op *op, struct db_stmt *st, int c)
{
	return db_column_null(st, c) ? NULL : arena_strdup(op->arena, db_column_text(st, c, NULL));
}

/* The open opportunities of the customers ids (n), newest change first, into r (*k). */
static int open_opportunities(struct op *op, const int64_t *ids, size_t n, int64_t exclude,
                              struct rival *r, size_t *k)
{
	struct str sql = STR_INIT;
	str_adds(&sql, "SELECT o.id, o.name, o.stage, o.product_line, o.owner_id,"
	               " COALESCE(u.display_name, u.username), o.customer_id, c.name"
	               " FROM opportunities o JOIN customers c ON c.id = o.customer_id"
	               " LEFT JOIN users u ON u.id = o.owner_id WHERE o.deleted_at IS NULL"
	               " AND o.stage NOT IN ('won', 'lost') AND o.id <> ? AND o.customer_id IN (");
	for (size_t i = 0; i < n; i++)
		str_addf(&sql, "%s%lld", i ? ", " : "", (long long)ids[i]);
	str_addf(&sql, ") ORDER BY o.updated_at DESC, o.id DESC LIMIT %d", CONFLICTS_MAX);
	struct db_stmt *st;
	int rc = db_prepare(op->db, sql.buf, &st);
	str_release(&sql);
	if (rc)
		return rc;
	db_bind_int(st, 1, exclude);
	*k = 0;
	while ((rc = db_step(st)) == DB_ROW && *k < CONFLICTS_MAX) {
		struct rival *x = &r[(*k)++];
		x->id = db_column_int(st, 0);
		x->name = column(op, st, 1);
		x->stage = column(op, st, 2);
		x->product_line = column(op, st, 3);
		x->owner_id = db_column_null(st, 4) ? 0 : db_column_int(st, 4);
		x->owner_name = column(op, st, 5);
		x->customer_id = db_column_int(st, 6);
		x->customer_name = column(op, st, 7);
	}
	db_reset(st);
	return rc < 0 ? rc : DB_OK;
}

static void add_text(struct str *out, const char *s)
{
	if (s)
		str_add_jsons(out, s);
	else
		str_adds(out, "null");
}

/* The rivals as JSON, each with whether the caller may open it (their read access). */
static int rivals_json(struct op *op, const struct rival *r, size_t k, int64_t customer,
                       struct str *out)
{
	str_adds(out, ",\"opportunities\":[");
	for (size_t i = 0; i < k; i++) {
		int a = access_find_record(op, ACT_READ, r[i].id);
		if (a != DB_OK && a != DB_DONE)
			return a;
		str_addf(out, "%s{\"id\":%lld,\"name\":", i ? "," : "", (long long)r[i].id);
		add_text(out, r[i].name);
		str_adds(out, ",\"stage\":");
		add_text(out, r[i].stage);
		str_adds(out, ",\"product_line\":");
		add_text(out, r[i].product_line);
		str_adds(out, ",\"owner\":");
		if (r[i].owner_id) {
			str_addf(out, "{\"id\":%lld,\"name\":", (long long)r[i].owner_id);
			add_text(out, r[i].owner_name);
			str_addc(out, '}');
		} else {
			str_adds(out, "null");
		}
		str_addf(out, ",\"customer\":{\"id\":%lld,\"name\":", (long long)r[i].customer_id);
		add_text(out, r[i].customer_name);
		str_addf(out, "},\"same_customer\":%s,\"openable\":%s}",
		         r[i].customer_id == customer ? "true" : "false",
		         a == DB_OK ? "true" : "false");
	}
	str_addc(out, ']');
	return DB_OK;
}

int opportunity_conflicts_json(struct op *op, int64_t customer_id, int64_t exclude, struct str *out)
{
	const struct entity *customers = registry_entity(op->reg, "customers");
	if (!customers)
		return problem_set(op->problem, 404, "not_found");
	/* The customer is one the caller may read: an opportunity's must be (its reference), and
	 * walking ids must not tell others' customers' pipelines. */
	struct op check = *op;
	check.e = customers;
	int rc = access_find_record(&check, ACT_READ, customer_id);
	if (rc == DB_DONE) {
		problem_add(op->problem, "customer_id", "reference_not_found", NULL);
		return problem_set(op->problem, 422, "validation_failed");
	}
	if (rc)
		return crud_db_error(op, rc, "a conflict check");
	json_t *body = customer_body(op, customer_id, &rc);
	if (rc)
		return crud_db_error(op, rc, "a conflict check");
	if (!body) {
		problem_add(op->problem, "customer_id", "reference_not_found", NULL);
		return problem_set(op->problem, 422, "validation_failed");
	}
	struct match_rules rules;
	if ((rc = match_rules_load(op->db, &rules))) {
		json_decref(body);
		return crud_db_error(op, rc, "a conflict check");
	}
	struct match_hit hits[MATCH_RESULTS_MAX];
	size_t n = 0;
	int status = match_best(&check, &rules, NULL, body, hits, MATCH_RESULTS_MAX, &n);
	json_decref(body);
	if (status < 0)
		return status;
	int64_t ids[MATCH_RESULTS_MAX + 1] = {customer_id};
	for (size_t i = 0; i < n; i++)
		ids[i + 1] = hits[i].id;
	struct rival rivals[CONFLICTS_MAX];
	size_t k = 0;
	if ((rc = open_opportunities(op, ids, n + 1, exclude, rivals, &k)))
		return crud_db_error(op, rc, "a conflict check");
	str_addf(out, "{\"customer_id\":%lld,\"look_alikes\":", (long long)customer_id);
	match_hits_json(out, hits, n);
	if ((rc = rivals_json(op, rivals, k, customer_id, out)))
		return crud_db_error(op, rc, "a conflict check");
	str_addc(out, '}');
	return 200;
}
