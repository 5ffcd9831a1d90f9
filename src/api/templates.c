/*
 * Message templates for administrators (services/templates.h): every template in both
 * languages as it is used now (the override, or the built-in text), an override written, and
 * removed again.
 */
#include "api.h"
#include "body.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/audit.h"
#include "services/templates.h"

#include <stdio.h>
#include <string.h>

static const char *const locales[] = {"zh-CN", "en", NULL};

static void add_text(struct str *out, const struct template_text *t, bool overridden)
{
	str_adds(out, "{\"subject\":");
	str_add_jsons(out, t->subject);
	str_adds(out, ",\"text\":");
	str_add_jsons(out, t->text);
	str_adds(out, ",\"html\":");
	if (t->html)
		str_add_jsons(out, t->html);
	else
		str_adds(out, "null");
	str_adds(out, ",\"brief\":");
	if (t->brief)
		str_add_jsons(out, t->brief);
	else
		str_adds(out, "null");
	str_addf(out, ",\"overridden\":%s}", overridden ? "true" : "false");
}

static int template_json(struct req *r, const struct template_def *d, struct str *out)
{
	str_adds(out, "{\"key\":");
	str_add_jsons(out, d->key);
	str_adds(out, ",\"label\":");
	str_add_jsons(out, r->lang == LANG_EN ? d->label_en : d->label_zh);
	str_adds(out, ",\"variables\":[");
	for (const char *p = d->variables; *p;) {
		size_t n = strcspn(p, ",");
		if (p != d->variables)
			str_addc(out, ',');
		str_add_json(out, p, n);
		p += n + (p[n] == ',');
	}
	str_addc(out, ']');
	for (size_t i = 0; locales[i]; i++) {
		struct template_text t;
		int rc = template_load(r->db, &r->arena, d->key, locales[i], &t);
		if (rc)
			return rc;
		const struct template_text *builtin = i ? &d->en : &d->zh;
		str_addc(out, ',');
		str_add_jsons(out, locales[i]);
		str_addc(out, ':');
		add_text(out, &t, t.subject != builtin->subject);
	}
	str_addc(out, '}');
	return DB_OK;
}

void api_templates_list(struct req *r)
{
	struct str out = STR_INIT;
	str_adds(&out, "{\"data\":[");
	int rc = DB_OK;
	for (const struct template_def *d = template_defs; d->key && !rc; d++) {
		if (d != template_defs)
			str_addc(&out, ',');
		rc = template_json(r, d, &out);
	}
	str_addc(&out, ']');
	api_answer_data(r, rc, &out, "listing templates");
}

static const struct template_def *find(struct req *r)
{
	const struct template_def *d = template_find(r->captures[0]);
	if (!d)
		resp_error(r, 404, "not_found");
	return d;
}

static int audit(struct req *r, const char *action, const char *key)
{
	struct op op;
	req_op(r, NULL, &op);
	json_t *c = json_pack("{s:s}", "template", key);
	char *text = json_dumps(c, JSON_COMPACT);
	int rc = audit_write(&op, action, "message_templates", 0, text);
	free(text);
	json_decref(c);
	return rc;
}

void api_template_put(struct req *r)
{
	const struct template_def *d = find(r);
	if (!d)
		return;
	json_t *body = api_json_body(r);
	if (!body)
		return;
	body_allow(r, body, locales);
	struct {
		const char *subject, *text, *html, *brief;
		bool given;
	} in[2] = {{0}};
	for (size_t i = 0; locales[i]; i++) {
		json_t *o = json_object_get(body, locales[i]);
		if (!o)
			continue;
		if (!json_is_object(o)) {
			problem_add(&r->problem, locales[i], "invalid_type",
			            (const char *[]){"expected", "object", NULL});
			continue;
		}
		in[i].given = true;
		char f[4][32];
		snprintf(f[0], sizeof f[0], "%s.subject", locales[i]);
		snprintf(f[1], sizeof f[1], "%s.text", locales[i]);
		snprintf(f[2], sizeof f[2], "%s.html", locales[i]);
		snprintf(f[3], sizeof f[3], "%s.brief", locales[i]);
		const char *key;
		json_t *v;
		json_object_foreach(o, key, v)
		{
			if (!str_in_list(
			        key, (const char *[]){"subject", "text", "html", "brief", NULL}))
				problem_add(&r->problem,
				            arena_printf(&r->arena, "%s.%s", locales[i], key),
				            "unknown_field", NULL);
		}
		/* Checked as members of their own, named with the language in front. */
		json_t *flat =
		    json_pack("{s:O?, s:O?, s:O?, s:O?}", f[0], json_object_get(o, "subject"), f[1],
		              json_object_get(o, "text"), f[2], json_object_get(o, "html"), f[3],
		              json_object_get(o, "brief"));
		body_text(r, flat, arena_strdup(&r->arena, f[0]), 200, true, &in[i].subject);
		body_text(r, flat, arena_strdup(&r->arena, f[1]), 10000, true, &in[i].text);
		body_text(r, flat, arena_strdup(&r->arena, f[2]), 50000, false, &in[i].html);
		body_text(r, flat, arena_strdup(&r->arena, f[3]), 1000, false, &in[i].brief);
		if (in[i].subject && strpbrk(in[i].subject, "\r\n"))
			problem_add(&r->problem, arena_strdup(&r->arena, f[0]), "invalid_text",
			            NULL);
		json_decref(flat);
	}
	if (!in[0].given && !in[1].given)
		problem_add(&r->problem, "zh-CN", "required", NULL);
	if (!body_checked(r, body))
		return;
	char now[TIME_ISO_LEN], by[24];
	time_now_iso(now);
	snprintf(by, sizeof by, "%lld", (long long)r->session.user_id);
	int rc = db_begin(r->db);
	for (size_t i = 0; locales[i] && !rc; i++) {
		if (!in[i].given)
			continue;
		const char *p[] = {d->key,     locales[i],  in[i].subject, in[i].text,
		                   in[i].html, in[i].brief, now,           by};
		rc = db_run(r->db, "DELETE FROM message_templates WHERE key = ? AND locale = ?", 2,
		            p);
		if (!rc)
			rc = db_run(
			    r->db,
			    "INSERT INTO message_templates (key, locale, subject, text, html, "
			    "brief, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			    8, p);
	}
	if (!rc)
		rc = audit(r, "update", d->key);
	if (!rc)
		rc = db_commit(r->db);
	if (rc) {
		db_rollback(r->db);
		api_db_failure(r, rc, "saving a template");
		return;
	}
	struct str out = STR_INIT;
	rc = template_json(r, d, &out);
	if (rc) {
		str_release(&out);
		api_db_failure(r, rc, "reading a template");
		return;
	}
	resp_json(r, 200, &out);
}

void api_template_reset(struct req *r)
{
	const struct template_def *d = find(r);
	if (!d)
		return;
	int rc = db_begin(r->db);
	if (!rc)
		rc = db_run(r->db, "DELETE FROM message_templates WHERE key = ?", 1,
		            (const char *[]){d->key});
	if (!rc)
		rc = audit(r, "reset", d->key);
	if (!rc)
		rc = db_commit(r->db);
	if (rc)
		db_rollback(r->db);
	body_answer_done(r, rc, "resetting a template");
}
