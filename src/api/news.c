/* Company announcements (modules/news.h): everyone reads theirs; administrators write them. */
#include "api.h"
#include "body.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "modules/news.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void api_news_list(struct req *r)
{
	const char *unread = req_query(r, "unread"), *all = req_query(r, "all");
	const char *limit = req_query(r, "limit");
	int64_t n = 20;
	if (limit && (!parse_int64(limit, strlen(limit), &n) || n < 1 || n > NEWS_LIST_MAX))
		problem_add(&r->problem, "limit", "out_of_range",
		            (const char *[]){"min", "1", "max", "100", NULL});
	bool every = all && strcmp(all, "true") == 0;
	if (every && !r->actor.admin) {
		resp_error(r, 403, "forbidden");
		return;
	}
	if (r->problem.n_errors) {
		resp_error(r, 400, "bad_request");
		return;
	}
	struct op op;
	req_op(r, NULL, &op);
	struct str out = STR_INIT;
	int rc = news_list_json(&op, unread && strcmp(unread, "true") == 0, every, (size_t)n, &out);
	if (rc) {
		str_release(&out);
		api_db_failure(r, rc, "listing announcements");
		return;
	}
	resp_json(r, 200, &out);
}

/* The id of the path and the operation context; false after answering a bad id. */
static bool begin(struct req *r, int64_t *id, struct op *op)
{
	if (!api_id(r, r->captures[0], id))
		return false;
	req_op(r, NULL, op);
	return true;
}

/* Answer a call's outcome: out as JSON (status), or 204 without out; 404 etc. by rc. */
static void answer(struct req *r, int rc, struct str *out, int status, const char *what)
{
	if (rc) {
		if (out)
			str_release(out);
		body_answer_db(r, rc, NULL, "org_unit_ids", what);
	} else if (out) {
		resp_json(r, status, out);
	} else {
		resp_empty(r, 204);
	}
}

void api_news_get(struct req *r)
{
	int64_t id;
	struct op op;
	struct str out = STR_INIT;
	if (begin(r, &id, &op))
		answer(r, news_get_json(&op, id, r->actor.admin, &out), &out, 200,
		       "reading an announcement");
}

void api_news_read(struct req *r)
{
	int64_t id;
	struct op op;
	if (begin(r, &id, &op))
		answer(r, news_mark_read(&op, id), NULL, 204, "recording a read");
}

void api_news_receipts(struct req *r)
{
	int64_t id;
	struct op op;
	struct str out = STR_INIT;
	if (begin(r, &id, &op))
		answer(r, news_receipts_json(&op, id, &out), &out, 200, "reading receipts");
}

/* The body of a create or a replace; false after answering 422. */
static bool read_item(struct req *r, struct news_item *n)
{
	json_t *body = api_json_body(r);
	if (!body)
		return false;
	static const char *const allowed[] = {
	    "title", "body", "kind", "pinned", "org_unit_ids", "published_at", "expires_at", NULL};
	body_allow(r, body, allowed);
	memset(n, 0, sizeof *n);
	body_text(r, body, "title", NEWS_TITLE_MAX, true, &n->title);
	body_text(r, body, "body", NEWS_BODY_MAX, true, &n->body);
	const char *kind = NULL;
	if (body_text(r, body, "kind", 20, false, &kind) == BM_VALUE) {
		n->kind = -1;
		for (int k = 0; k < NEWS__MAX; k++)
			if (strcmp(kind, news_kind_names[k]) == 0)
				n->kind = k;
		if (n->kind < 0)
			problem_add(&r->problem, "kind", "invalid_option",
			            (const char *[]){"value", kind, NULL});
	}
	body_bool(r, body, "pinned", &n->pinned);
	json_t *units = json_object_get(body, "org_unit_ids");
	if (units && !json_is_null(units)) {
		if (!json_is_array(units) || json_array_size(units) > NEWS_UNITS_MAX) {
			problem_add(&r->problem, "org_unit_ids",
			            json_is_array(units) ? "too_many" : "invalid_type",
			            (const char *[]){"max", "50", NULL});
		} else {
			int64_t *ids =
			    ARENA_NEW_ARRAY(&r->arena, int64_t, json_array_size(units) + 1);
			size_t i;
			json_t *v;
			json_array_foreach(units, i, v)
			{
				if (!json_is_integer(v) || json_integer_value(v) <= 0)
					problem_add(&r->problem,
					            arena_printf(&r->arena, "org_unit_ids[%zu]", i),
					            "invalid_id", NULL);
				else
					ids[n->n_units++] = json_integer_value(v);
			}
			n->units = ids;
		}
	}
	int64_t from = 0, until = 0;
	body_time(r, body, "published_at", false, &n->published_at, &from);
	body_time(r, body, "expires_at", false, &n->expires_at, &until);
	if (n->expires_at && until <= (n->published_at ? from : time_now_ms()))
		problem_add(&r->problem, "expires_at", "out_of_range", NULL);
	return body_checked(r, body);
}

void api_news_create(struct req *r)
{
	struct news_item n;
	if (!read_item(r, &n))
		return;
	struct op op;
	req_op(r, NULL, &op);
	int64_t id = 0;
	struct str out = STR_INIT;
	int rc = news_create(&op, &n, &id);
	if (!rc)
		rc = news_get_json(&op, id, true, &out);
	answer(r, rc, &out, 201, "publishing an announcement");
	if (!rc) {
		char loc[64];
		snprintf(loc, sizeof loc, "/api/v1/announcements/%lld", (long long)id);
		resp_header(r, "Location", loc);
	}
}

void api_news_update(struct req *r)
{
	int64_t id;
	struct op op;
	struct news_item n;
	if (!begin(r, &id, &op) || !read_item(r, &n))
		return;
	struct str out = STR_INIT;
	int rc = news_update(&op, id, &n);
	if (!rc)
		rc = news_get_json(&op, id, true, &out);
	answer(r, rc, &out, 200, "changing an announcement");
}

void api_news_delete(struct req *r)
{
	int64_t id;
	struct op op;
	if (begin(r, &id, &op))
		answer(r, news_delete(&op, id), NULL, 204, "deleting an announcement");
}
