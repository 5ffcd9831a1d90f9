/* The generic entity endpoints: every entity of the registry gets these. */
#include "api.h"
#include "meta/access.h"
#include "meta/audit.h"
#include "meta/crud.h"
#include "meta/query.h"
#include "core/util.h"
#include "meta/merge.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* 0 if the actor may list op->e (a read scope, or records shared with them), else the
 * failure (-1 forbidden, -2 fault) as crud.h's functions answer. */
static int may_list(struct op *op)
{
	bool may = false;
	int rc = access_may_list(op, &may);
	if (rc)
		return crud_db_error(op, rc, "list");
	return may ? 0 : problem_set(op->problem, 403, "forbidden");
}

/* One page of a list (or a related list); a page that shows sensitive fields is audited. */
static int page(struct req *r, struct op *op, struct list_query *q, struct str *out)
{
	int rc = list_page(op, q, out);
	if (!rc && q->reveal != LIST_REVEAL_NONE)
		rc = api_audit_read(r, op, "reveal", 0);
	return rc ? crud_db_error(op, rc, "list") : 200;
}

void api_entity_list(struct req *r)
{
	struct op op;
	if (!api_begin(r, &op, NULL, NULL))
		return;
	struct list_query q;
	struct str out = STR_INIT;
	int status = may_list(&op);
	if (!status)
		status =
		    list_parse(&op, r->query, r->n_query, NULL, &q) ? -1 : page(r, &op, &q, &out);
	api_answer(r, status, &out);
}

void api_entity_related(struct req *r)
{
	const struct entity *parent = api_entity(r, r->captures[0]);
	int64_t id;
	if (!parent || !api_id(r, r->captures[1], &id))
		return;
	const struct relation *rel = entity_relation(parent, r->captures[2]);
	if (!rel) {
		resp_error(r, 404, "not_found");
		return;
	}
	struct op op;
	req_op(r, parent, &op);
	struct str out = STR_INIT;
	struct crud_result res;
	/* The parent must exist (and be visible to the caller). */
	int status = crud_get(&op, id, false, &out, &res);
	str_reset(&out);
	if (status == 200) {
		req_op(r, rel->child, &op);
		struct list_query q;
		if ((status = may_list(&op))) {
			/* refused: answered below */
		} else if (list_parse(&op, r->query, r->n_query, NULL, &q)) {
			status = -1;
		} else {
			q.parent_field = rel->via;
			q.parent_id = id;
			status = page(r, &op, &q, &out);
		}
	}
	api_answer(r, status, &out);
}

void api_entity_get(struct req *r)
{
	struct op op;
	int64_t id;
	if (!api_begin(r, &op, &id, NULL))
		return;
	const char *deleted = req_query(r, "deleted"), *reveal = req_query(r, "reveal");
	bool want_deleted = deleted && strcmp(deleted, "true") == 0;
	if (want_deleted && !op.admin) {
		resp_error(r, 403, "forbidden");
		return;
	}
	if (reveal && strcmp(reveal, "true") == 0) {
		if (access_scope(&op, ACT_SENSITIVE) == SCOPE_NONE) {
			resp_error(r, 403, "forbidden");
			return;
		}
		op.reveal = true; /* crud_get checks the record's scope and audits */
		op.ip = req_ip(r);
		op.user_agent = req_user_agent(r);
	}
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_get(&op, id, want_deleted, &out, &res);
	api_answer(r, status, &out);
	if (status == 200)
		api_etag(r, res.version);
}

/* GET /api/v1/{entity}/{id}/history: the record's audit trail, for whoever may read it. */
void api_entity_history(struct req *r)
{
	struct op op;
	int64_t id;
	if (!api_begin(r, &op, &id, NULL))
		return;
	struct str out = STR_INIT;
	int rc = access_find_record(&op, ACT_READ, id), status;
	if (rc == DB_DONE)
		status = problem_set(op.problem, 404, "not_found");
	else if (rc)
		status = crud_db_error(&op, rc, "history");
	else
		status = audit_history(&op, id, r->query, r->n_query, &out);
	api_answer(r, status, &out);
}

static void request_hash(struct req *r, char out[65])
{
	crypto_hash_sha256_state h;
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&h);
	crypto_hash_sha256_update(&h, (const unsigned char *)r->path, strlen(r->path));
	crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
	crypto_hash_sha256_update(&h, (const unsigned char *)r->body.buf, r->body.len);
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(out, 65, d, sizeof d);
}

void api_entity_create(struct req *r)
{
	struct op op;
	json_t *body;
	const char *key = req_header(r, "Idempotency-Key");
	if (key && (strlen(key) == 0 || strlen(key) > 255)) {
		problem_add(&r->problem, "Idempotency-Key", "invalid_value", NULL);
		resp_error(r, 400, "bad_request");
		return;
	}
	if (!api_begin(r, &op, NULL, &body))
		return;
	char hash[65];
	request_hash(r, hash);
	struct idempotency idem = {.key = key, .request_hash = hash};
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_create(&op, body, &idem, &out, &res);
	json_decref(body);
	api_answer(r, status, &out);
	if (status == 201) {
		char loc[128];
		snprintf(loc, sizeof loc, "/api/v1/%s/%lld", op.e->name, (long long)res.id);
		resp_header(r, "Location", loc);
		if (res.replayed)
			resp_header(r, "Idempotent-Replayed", "true");
		else
			api_etag(r, res.version);
	}
}

void api_entity_update(struct req *r)
{
	struct op op;
	int64_t id, if_match;
	json_t *body;
	if (!api_begin(r, &op, &id, NULL) || (if_match = api_if_match(r)) == -2 ||
	    !(body = api_json_body(r)))
		return;
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_update(&op, id, body, if_match, &out, &res);
	json_decref(body);
	api_answer(r, status, &out);
	if (status == 200)
		api_etag(r, res.version);
}

void api_entity_merge(struct req *r)
{
	struct op op;
	int64_t id;
	json_t *body;
	if (!api_begin(r, &op, &id, &body))
		return;
	struct str out = STR_INIT;
	int status = record_merge(&op, id, body, &out);
	json_decref(body);
	api_answer(r, status, &out);
}

void api_entity_delete(struct req *r)
{
	struct op op;
	int64_t id, if_match;
	if (!api_begin(r, &op, &id, NULL) || (if_match = api_if_match(r)) == -2)
		return;
	struct str out = STR_INIT;
	api_answer(r, crud_delete(&op, id, if_match), &out);
}

void api_entity_restore(struct req *r)
{
	struct op op;
	int64_t id;
	if (!api_begin(r, &op, &id, NULL))
		return;
	struct str out = STR_INIT;
	struct crud_result res = {0};
	int status = crud_restore(&op, id, &out, &res);
	api_answer(r, status, &out);
	if (status == 200)
		api_etag(r, res.version);
}

static void bulk(struct req *r, int (*run)(struct op *, const json_t *, struct str *))
{
	struct op op;
	json_t *body;
	if (!api_begin(r, &op, NULL, &body))
		return;
	struct str out = STR_INIT;
	int status = run(&op, body, &out);
	json_decref(body);
	api_answer(r, status, &out);
}

void api_entity_bulk_update(struct req *r)
{
	bulk(r, crud_bulk_update);
}

void api_entity_bulk_delete(struct req *r)
{
	bulk(r, crud_bulk_delete);
}
