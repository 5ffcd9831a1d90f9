/*
 * A customer's network (REQUIREMENTS.md CT-2, CT-5, CT-6; docs/DECISIONS.md, Contact networks):
 * GET /api/v1/customers/{id}/network answers, in one call for the organisation chart and the
 * influence graph of the web app, the customer's contacts with the fields the charts draw, and
 * the relations of those contacts (contact_relations). Each list holds only what the caller may
 * read, through the engine's access rules, as any list does; a customer they may not read is
 * not there (404). No sensitive field is asked for; were one of these made sensitive, it would
 * come masked as in every list.
 */
#include "api.h"
#include "meta/access.h"
#include "meta/network.h"
#include "meta/query.h"

#include <string.h>

/* A list of e's records in id order showing the named fields (those e has). */
static void network_query(struct op *op, const struct entity *e, const char *const *names,
                          struct list_query *q)
{
	memset(q, 0, sizeof *q);
	q->e = e;
	q->act = ACT_READ;
	q->reveal = LIST_REVEAL_NONE;
	q->sort = entity_field(e, "id");
	q->no_total = true;
	size_t n = 0;
	while (names[n])
		n++;
	q->proj = ARENA_NEW_ARRAY(op->arena, const struct field *, n);
	for (size_t i = 0; i < n; i++) {
		const struct field *f = entity_field(e, names[i]);
		if (f && field_visible(f))
			q->proj[q->n_proj++] = f;
	}
}

/* The rows as a JSON array's members, and their ids. */
struct network_rows {
	const struct list_query *q;
	struct str *out;
	struct value *ids;
	size_t n;
};

static int network_row(void *ctx, struct db_stmt *st, const int *cols)
{
	struct network_rows *rows = ctx;
	if (rows->n)
		str_addc(rows->out, ',');
	list_row_json(rows->q, st, cols, rows->out);
	if (rows->ids)
		rows->ids[rows->n] = (struct value){.kind = V_INT, .i = db_column_int(st, 0)};
	rows->n++;
	return 0;
}

/* "contacts":[…] of the customer; their ids into ids, *n of them. */
static int network_contacts(struct op *op, int64_t customer, struct str *out, struct value *ids,
                            size_t *n, bool *more)
{
	const struct entity *e = registry_entity(op->reg, "contacts");
	struct list_query q;
	network_query(op, e, network_contact_fields, &q);
	q.parent_field = entity_field(e, "customer_id");
	q.parent_id = customer;
	op->e = e;
	op->shared = 0;
	struct network_rows rows = {.q = &q, .out = out, .ids = ids};
	str_adds(out, "\"contacts\":[");
	int rc = list_fetch(op, &q, NETWORK_MAX_CONTACTS, network_row, &rows, more);
	str_addc(out, ']');
	*n = rows.n;
	return rc;
}

/* "relations":[…]: those of the contacts given, whoever they point at. */
static int network_relations(struct op *op, const struct value *ids, size_t n, struct str *out,
                             bool *more)
{
	const struct entity *e = registry_entity(op->reg, "contact_relations");
	struct list_query q;
	network_query(op, e, network_relation_fields, &q);
	q.filters[0] = (struct filter){.f = entity_field(e, "contact_id"),
	                               .op = OP_IN,
	                               .vals = (struct value *)ids,
	                               .n_vals = n};
	q.n_filters = 1;
	op->e = e;
	op->shared = 0;
	struct network_rows rows = {.q = &q, .out = out};
	str_adds(out, "\"relations\":[");
	*more = false;
	int rc = n ? list_fetch(op, &q, NETWORK_MAX_RELATIONS, network_row, &rows, more) : DB_OK;
	str_addc(out, ']');
	return rc;
}

void api_customer_network(struct req *r)
{
	const struct entity *customers = api_entity(r, "customers");
	int64_t id;
	if (!customers || !api_id(r, r->captures[0], &id))
		return;
	if (!registry_entity(r->reg, "contacts") || !registry_entity(r->reg, "contact_relations")) {
		resp_error(r, 404, "not_found");
		return;
	}
	struct op op;
	req_op(r, customers, &op);
	int rc = access_find_record(&op, ACT_READ, id);
	if (rc == DB_DONE) {
		resp_error(r, 404, "not_found");
		return;
	}
	struct str out = STR_INIT;
	struct value *ids = ARENA_NEW_ARRAY(op.arena, struct value, NETWORK_MAX_CONTACTS);
	size_t n = 0;
	bool more_contacts = false, more_relations = false;
	str_addc(&out, '{');
	if (!rc)
		rc = network_contacts(&op, id, &out, ids, &n, &more_contacts);
	str_addc(&out, ',');
	if (!rc)
		rc = network_relations(&op, ids, n, &out, &more_relations);
	if (rc) {
		str_release(&out);
		api_db_failure(r, rc, "a customer's network");
		return;
	}
	str_adds(&out, more_contacts || more_relations ? ",\"truncated\":true}"
	                                               : ",\"truncated\":false}");
	resp_json(r, 200, &out);
}
