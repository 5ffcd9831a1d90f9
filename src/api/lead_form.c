/*
 * The public web form for leads (网站需求表单, REQUIREMENTS.md LEAD-1: "a web form" among the
 * sources; docs/internals/SALES.md "The web form"): a page the company links to from its site,
 * made by the server in plain HTML (no script, a strict CSP), whose POST makes a lead with the
 * source web_form for the person the settings name — who gets a task to handle it, in the same
 * transaction (modules/leads.c). Off until an administrator turns it on and names that person
 * (GET/PUT /api/v1/settings/lead-form). What a visitor typed is shown back with the errors when
 * something is wrong, never dropped; a hidden field that only robots fill and a limit per
 * address keep floods out.
 */
#include "api.h"
#include "body.h"
#include "core/i18n.h"
#include "core/ratelimit.h"
#include "core/str.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "meta/crud.h"
#include "modules/about_tasks.h"
#include "services/settings.h"
#include "services/templates.h"

#include <stdio.h>
#include <string.h>

/* Five leads from one address in ten minutes: more than a person sends. */
static struct ratelimit per_address = RATELIMIT_INIT(5, 10 * 60000);

struct form_settings {
	bool enabled;
	int64_t owner_id;
};

static int load(struct db *db, struct form_settings *s)
{
	*s = (struct form_settings){0};
	json_t *doc = NULL;
	int rc = settings_get(db, "lead_form", &doc);
	if (rc)
		return rc;
	s->enabled = json_is_true(json_object_get(doc, "enabled"));
	json_t *o = json_object_get(doc, "owner_id");
	s->owner_id = json_is_integer(o) ? json_integer_value(o) : 0;
	json_decref(doc);
	return DB_OK;
}

/* Whether user id is an active user (the one the form's leads go to). A DB_ code. */
static int owner_active(struct db *db, int64_t id, bool *active)
{
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", (long long)id);
	int64_t n = 0;
	int rc = db_query_int(db, "SELECT count(*) FROM users WHERE id = ? AND NOT disabled", 1,
	                      (const char *[]){uid}, &n);
	*active = n > 0;
	return rc;
}

void api_lead_form_settings_get(struct req *r)
{
	struct form_settings s;
	int rc = load(r->db, &s);
	json_t *doc = rc ? NULL
	                 : json_pack("{s:b, s:o, s:s}", "enabled", s.enabled, "owner_id",
	                             s.owner_id ? json_integer(s.owner_id) : json_null(), "path",
	                             "/forms/lead");
	api_settings_answer(r, rc, doc);
}

static int check(struct req *r, const json_t *body)
{
	static const char *const members[] = {"enabled", "owner_id", NULL};
	size_t before = r->problem.n_errors;
	if (!settings_check_members(body, members, &r->problem))
		return -1;
	json_t *on = json_object_get(body, "enabled"), *owner = json_object_get(body, "owner_id");
	if (!json_is_boolean(on))
		problem_add(&r->problem, "enabled", on ? "invalid_type" : "required", NULL);
	if (owner && !json_is_null(owner) &&
	    (!json_is_integer(owner) || json_integer_value(owner) <= 0)) {
		problem_add(&r->problem, "owner_id", "invalid_id", NULL);
	} else if (json_is_true(on)) {
		/* On, the form's leads need someone to handle them: an active user. */
		bool active = false;
		int rc = owner_active(r->db, json_is_integer(owner) ? json_integer_value(owner) : 0,
		                      &active);
		if (rc) {
			api_db_failure(r, rc, "checking the lead form's settings");
			return -2;
		}
		if (!active)
			problem_add(&r->problem, "owner_id",
			            json_is_integer(owner) ? "reference_not_found" : "required",
			            NULL);
	}
	return r->problem.n_errors > before ? -1 : 0;
}

void api_lead_form_settings_put(struct req *r)
{
	api_settings_put(r, "lead_form", check, api_lead_form_settings_get);
}

static const char *word(struct req *r, const char *zh, const char *en)
{
	return r->lang == LANG_EN ? en : zh;
}

/* The form's fields: the lead's own, with the lengths its schema allows. */
static const struct input {
	const char *name, *zh, *en;
	bool required, area;
	int max;
} inputs[] = {
    {"company_name", "公司或单位", "Company", false, false, 200},
    {"contact_name", "您的称呼", "Your name", true, false, 100},
    {"phone", "电话", "Phone", false, false, 40},
    {"email", "电子邮件", "E-mail", false, false, 200},
    {"requirement", "您的需求", "What you are looking for", true, true, 2000},
};
/* Option fields of the lead offered as lists. */
static const char *const choices[] = {"product_line", "region"};

struct shown {
	const struct kv *kv; /* what was sent, shown again */
	size_t n;
	const struct problem *problem; /* its errors by field */
};

static const char *sent(const struct shown *s, const char *name)
{
	const char *v = s && s->kv ? kv_get(s->kv, s->n, name) : NULL;
	return v ? v : "";
}

static void field_error(struct req *r, struct str *out, const struct shown *s, const char *name)
{
	for (size_t i = 0; s && s->problem && i < s->problem->n_errors; i++) {
		const struct problem_error *e = &s->problem->errors[i];
		if (e->field && str_eq(e->field, name)) {
			str_adds(out, "<span class=\"err\">");
			template_escape_html(out,
			                     i18n_message(&r->arena, r->lang, e->code, e->params));
			str_adds(out, "</span>");
			return;
		}
	}
}

static void form(struct req *r, struct str *out, const struct shown *s)
{
	const struct entity *leads = r->reg ? registry_entity(r->reg, "leads") : NULL;
	str_adds(out, "<form method=\"post\" action=\"/forms/lead\">");
	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		const struct input *in = &inputs[i];
		str_addf(out, "<p><label for=\"%s\">", in->name);
		template_escape_html(out, word(r, in->zh, in->en));
		str_adds(out, in->required ? " *</label>" : "</label>");
		field_error(r, out, s, in->name);
		if (in->area)
			str_addf(out, "<textarea id=\"%s\" name=\"%s\" maxlength=\"%d\"%s>",
			         in->name, in->name, in->max, in->required ? " required" : "");
		else
			str_addf(out, "<input id=\"%s\" name=\"%s\" maxlength=\"%d\"%s value=\"",
			         in->name, in->name, in->max, in->required ? " required" : "");
		template_escape_html(out, sent(s, in->name));
		str_adds(out, in->area ? "</textarea></p>" : "\"></p>");
	}
	for (size_t i = 0; leads && i < ARRAY_SIZE(choices); i++) {
		const struct field *f = entity_field(leads, choices[i]);
		if (!f)
			continue;
		str_addf(out, "<p><label for=\"%s\">", f->name);
		template_escape_html(out, label_get(&f->label, r->lang));
		str_addf(out, "</label><select id=\"%s\" name=\"%s\"><option value=\"\"></option>",
		         f->name, f->name);
		for (size_t k = 0; k < f->n_options; k++) {
			str_adds(out, "<option value=\"");
			template_escape_html(out, f->options[k].key);
			str_adds(out, str_eq(sent(s, f->name), f->options[k].key) ? "\" selected>"
			                                                          : "\">");
			template_escape_html(out, label_get(&f->options[k].label, r->lang));
			str_adds(out, "</option>");
		}
		str_adds(out, "</select></p>");
	}
	/* For robots only: hidden from people, and from screen readers. */
	str_adds(out, "<p class=\"hp\" aria-hidden=\"true\"><label for=\"website\">Website</label>"
	              "<input id=\"website\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\">"
	              "</p><p><button type=\"submit\">");
	str_adds(out, word(r, "提交", "Send"));
	str_adds(out, "</button></p></form>");
}

static void page(struct req *r, int status, const char *heading, const char *text,
                 const struct shown *s, bool with_form)
{
	struct str out = STR_INIT;
	api_page_open(r, &out, heading, text,
	              "label{display:block;color:#606266;margin-bottom:.3em}input,select,textarea{"
	              "width:100%;box-sizing:border-box;padding:.5em;font-size:1em}textarea{"
	              "min-height:8em}button{padding:.6em 1.6em}.err{display:block;margin-bottom:"
	              ".3em}.hp{position:absolute;left:-9999px}");
	if (with_form)
		form(r, &out, s);
	api_page_send(r, status, &out);
}

/* The form's settings; false after answering with a page (off, or the database failing). */
static bool open_form(struct req *r, struct form_settings *s)
{
	bool active = false;
	int rc = load(r->db, s);
	if (!rc && s->enabled && s->owner_id)
		rc = owner_active(r->db, s->owner_id, &active);
	if (rc) {
		api_db_failure(r, rc, "reading the lead form's settings");
		return false;
	}
	/* Closed too when its person was disabled since: their leads would wait for no one. */
	if (!s->enabled || !active) {
		page(r, 404, word(r, "表单未开放", "This form is closed"),
		     word(r, "请通过电话或邮件与我们联系。", "Please call or write to us instead."),
		     NULL, false);
		return false;
	}
	return true;
}

static const char *heading(struct req *r)
{
	return word(r, "游艇需求咨询", "Tell us what you are looking for");
}

void api_lead_form_page(struct req *r)
{
	struct form_settings s;
	if (!open_form(r, &s))
		return;
	page(r, 200, heading(r),
	     word(r, "留下您的联系方式和需求，我们的顾问会尽快与您联系。",
	          "Leave your details and what you need; an adviser will contact you soon."),
	     NULL, true);
}

/* The lead the form's values make, for the settings' person. */
static json_t *lead_body(const struct kv *kv, size_t n, int64_t owner)
{
	json_t *body = json_pack("{s:s, s:I}", "source", "web_form", "owner_id", (json_int_t)owner);
	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		const char *v = kv_get(kv, n, inputs[i].name);
		if (v && v[strspn(v, " \t\r\n")])
			json_object_set_new(body, inputs[i].name, json_string(v));
	}
	for (size_t i = 0; i < ARRAY_SIZE(choices); i++) {
		const char *v = kv_get(kv, n, choices[i]);
		if (v && *v)
			json_object_set_new(body, choices[i], json_string(v));
	}
	/* "网站留言：<company, or the person>", cut to a title's 200 characters; in the company's
	 * language whatever the visitor's, as every title the system writes. */
	const char *who = kv_get(kv, n, "company_name");
	if (!who || !who[strspn(who, " \t\r\n")])
		who = kv_get(kv, n, "contact_name");
	struct str title = STR_INIT;
	str_adds(&title, "网站留言：");
	if (who)
		str_add(&title, who, utf8_prefix_chars(who, strlen(who), 180));
	json_object_set_new(body, "title", json_string(title.buf));
	str_release(&title);
	return body;
}

/* The lead, and a task for its person to handle it within a day, in one transaction: made by
 * no one (the public form), as the system. 201, or a negative status with r->problem set. */
static int make_lead(struct req *r, const struct kv *kv, size_t n, int64_t owner)
{
	struct op req;
	req_op(r, registry_entity(r->reg, "leads"), &req);
	if (!req.e)
		return problem_set(&r->problem, 503, "unavailable");
	struct op op = op_as_system(&req);
	op.user_id = 0;
	json_t *body = lead_body(kv, n, owner);
	struct str out = STR_INIT, subject = STR_INIT;
	struct crud_result res = {0};
	int rc = db_begin(op.db);
	bool began = !rc;
	int status = rc ? crud_db_error(&op, rc, "a lead from the web form")
	                : crud_create_in_tx(&op, body, &out, &res);
	if (status >= 0) {
		const char *title = json_string_value(json_object_get(body, "title"));
		str_adds(&subject, "处理：");
		str_add(&subject, title, utf8_prefix_chars(title, strlen(title), 190));
		char due[TIME_ISO_LEN];
		time_format_iso(time_now_ms() + 86400000, due);
		json_t *task = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "subject",
		                         subject.buf, "status", "open", "priority", "high",
		                         "due_at", due, "about_entity", "leads", "about_id",
		                         (json_int_t)res.id, "owner_id", (json_int_t)owner);
		status = about_task_add(&op, task);
		json_decref(task);
	}
	if (status >= 0 && (rc = db_commit(op.db)))
		status = crud_db_error(&op, rc, "a lead from the web form");
	else if (status >= 0)
		began = false; /* committed */
	if (status < 0 && began)
		db_rollback(op.db);
	json_decref(body);
	str_release(&out);
	str_release(&subject);
	return status;
}

void api_lead_form_send(struct req *r)
{
	struct form_settings s;
	if (!open_form(r, &s))
		return;
	struct kv *kv;
	size_t n;
	if (!body_form(r, &kv, &n)) {
		page(r, 400, heading(r),
		     word(r, "提交的内容有误，请重试。",
		          "The form was not sent as "
		          "expected; please try again."),
		     NULL, true);
		return;
	}
	struct shown shown = {.kv = kv, .n = n, .problem = &r->problem};
	if (!ratelimit_allow(&per_address, req_ip(r), time_now_ms())) {
		page(r, 429, heading(r),
		     word(r, "提交太频繁，请稍后再试。",
		          "Too many in a short time; please try again later."),
		     &shown, true);
		resp_header(r, "Retry-After", "600");
		return;
	}
	const char *trap = kv_get(kv, n, "website");
	bool robot = trap && *trap;
	/* The form's own rules first: a person to answer and a way to reach them. */
	const char *phone = kv_get(kv, n, "phone"), *email = kv_get(kv, n, "email");
	if ((!phone || !phone[strspn(phone, " ")]) && (!email || !email[strspn(email, " ")]))
		problem_add(&r->problem, "phone", "required", NULL);
	for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
		const char *v = kv_get(kv, n, inputs[i].name);
		if (inputs[i].required && (!v || !v[strspn(v, " \t\r\n")]))
			problem_add(&r->problem, inputs[i].name, "required", NULL);
	}
	int status = 201;
	if (!r->problem.n_errors && !robot)
		status = make_lead(r, kv, n, s.owner_id);
	if (r->problem.n_errors || status < 0) {
		bool theirs = r->problem.n_errors > 0;
		page(r, theirs ? 422 : 503, heading(r),
		     theirs ? word(r, "请修改标出的内容后再提交。",
		                   "Please correct what is marked and send it again.")
		            : word(r, "暂时无法提交，请稍后再试。",
		                   "It could not be sent just now; please try again shortly."),
		     &shown, true);
		return;
	}
	/* A robot is thanked like a person: nothing tells it that it was caught. */
	page(r, 200, word(r, "提交成功", "Thank you"),
	     word(r, "我们已收到您的需求，顾问会尽快与您联系。",
	          "We have your enquiry; an adviser will contact you soon."),
	     NULL, false);
}
