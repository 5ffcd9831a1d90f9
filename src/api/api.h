/* Handlers of the JSON API under /api/v1 and the service endpoints (docs/API.md). */
#ifndef SEXTANT_API_H
#define SEXTANT_API_H

#include "http/http.h"

#include <jansson.h>

extern const struct route api_routes[];
extern const size_t api_routes_count;

/* Shared by the handlers (api/common.c). */
const struct entity *api_entity(struct req *r, const char *name);
bool api_id(struct req *r, const char *s, int64_t *id);
/* The request body as a JSON object; NULL after answering with a 400. */
json_t *api_json_body(struct req *r);
/* If-Match as a version; -1 if absent; -2 after answering with a 400. */
int64_t api_if_match(struct req *r);
/*
 * The start most handlers share: the entity named by the first path segment, the operation
 * context, the record id of the second (id not NULL) and the JSON body (body not NULL).
 * False after answering (404, 400).
 */
bool api_begin(struct req *r, struct op *op, int64_t *id, json_t **body);
/* Answer with the outcome of a generic operation: status > 0 with body, or the problem. */
void api_answer(struct req *r, int status, struct str *body);
void api_etag(struct req *r, int64_t version);
/* Answer a database error outside the generic engine: busy and timeouts 503, else a fault. */
void api_db_failure(struct req *r, int rc, const char *what);
/*
 * A plain page the server makes for people without the web application (an approval link, the
 * web form for leads): api_page_open writes its head in the request's language, with css added
 * to the shared style, and "<h1>heading</h1><p>text</p>" (both escaped); api_page_send closes
 * it and answers status as HTML with no script allowed (a strict CSP, forms posting here only),
 * not cached, not framed.
 */
void api_page_open(struct req *r, struct str *out, const char *heading, const char *text,
                   const char *css);
void api_page_send(struct req *r, int status, struct str *out);

/* Close `{"data":[…]` begun in out and answer 200, or answer rc's failure. */
void api_answer_data(struct req *r, int rc, struct str *out, const char *what);
/*
 * An access event in the audit trail (entity "users", the record the user it concerns, 0 if
 * none): by whom (0: nobody logged in), from the request's address and browser.
 */
int api_audit_access(struct req *r, int64_t actor, const char *action, int64_t user,
                     const char *changes);

/*
 * A read worth recording (an export, a reveal of sensitive fields): entity op->e, the record (0
 * for a list) and the request's query parameters.
 */
int api_audit_read(struct req *r, struct op *op, const char *action, int64_t record_id);

/*
 * The profile members of a user body (display_name, email, mobile, locale … as the
 * administrators' user calls take them) into c, checked and normalised; problems are added to
 * the request's.
 */
struct profile_change;
void api_read_profile(struct req *r, json_t *body, struct profile_change *c);

/* The values of a yes/no query parameter. */
extern const char *const api_bool_options[];
/* A filter a list takes as a query parameter: its name, and the values it may have (NULL:
 * any). */
struct page_filter {
	const char *name;
	const char *const *options;
};
/*
 * The paging parameters of a list (limit 1..200, default 50; cursor: the last id of the page
 * before) and its filters (ending with a zeroed one; each value into values[i], NULL if
 * absent). Another parameter, or a value not among a filter's options, is a 400. False after
 * answering.
 */
bool api_page_params(struct req *r, const struct page_filter *filters, const char **values,
                     int64_t *limit, int64_t *cursor);
/*
 * Answer a page of a list: the rows of st (prepared and bound by the caller, NULL if rc says it
 * failed; column 0 the id, newest first) appended to out, which holds `{"data":[` or more, each
 * row written as json_add_row's spec, or by row when it is given; then next_cursor.
 */
typedef void (*api_row_fn)(struct req *r, struct db_stmt *st, struct str *out);
void api_answer_list(struct req *r, int rc, struct db_stmt *st, const char *spec, api_row_fn row,
                     int64_t limit, struct str *out, const char *what);
/* Answer the one row of sql (its one parameter id) with status, written as api_answer_list
 * does; 404 if there is none. */
void api_answer_row(struct req *r, int status, const char *sql, int64_t id, const char *spec,
                    api_row_fn row, const char *what);

/* Overwrite the request body once read (it held a password). */
void api_forget_body(struct req *r);
/* Set the session cookie, after the response is made (NULL: clear it). */
void api_set_session_cookie(struct req *r, const char *token);

/* Handlers of the base services (api/outbox.c, settings.c, jobs.c, templates.c,
 * webhooks.c, notifications.c, reminders.c, calendar.c). */
void api_outbox_list(struct req *r);
void api_outbox_get(struct req *r);
void api_outbox_resend(struct req *r);
void api_outbox_cancel(struct req *r);
/* Store body over the settings document of key (objects merged a level deep), audited, in
 * one transaction (api/settings.c). A DB_ code. */
int api_settings_merge(struct req *r, const char *key, const json_t *body);
/* The GET of a settings document: doc (taken) as 200, or rc's database failure. */
void api_settings_answer(struct req *r, int rc, json_t *doc);
/* The PUT of a settings document: the body checked by check (0; -1 with r->problem's field
 * errors added: 422; -2 when it answered itself), merged under key, then answered by get with
 * what is stored now. */
void api_settings_put(struct req *r, const char *key,
                      int (*check)(struct req *r, const json_t *body), void (*get)(struct req *r));

/* A contact's personal data on request (api/personal.c). */
void api_personal_export(struct req *r);
void api_personal_erase(struct req *r);
void api_contact_closeness(struct req *r);
void api_plan_progress(struct req *r);

/* Birthday reminders (api/birthdays.c). */
void api_birthday_settings_get(struct req *r);
void api_birthday_settings_put(struct req *r);
void api_contacts_birthdays(struct req *r);
/* The public web form for leads (api/lead_form.c). */
void api_lead_form_settings_get(struct req *r);
void api_lead_form_settings_put(struct req *r);
void api_lead_form_page(struct req *r);
void api_lead_form_send(struct req *r);

/* api/comments.c */
void api_comments_list(struct req *r);
void api_comment_create(struct req *r);
void api_comment_delete(struct req *r);

/* Report parameters (api/report_params.c): "YYYY-MM" with a month 01–12; an id ≥ 1 and an
 * option key of op->e's field, each adding a problem on param when it is not (0, NULL). */
bool api_is_month(const char *s);
int64_t api_id_param(struct op *op, const char *param, const char *v);
const char *api_option_param(struct op *op, const char *param, const char *field, const char *v);
/* The parameters every report takes — from, to (months), owner and team (ids) — read into
 * the places given, problems added on op->problem; false for another parameter k. */
bool api_report_common(struct op *op, const char *k, const char *v, const char **from,
                       const char **to, int64_t *owner_id, int64_t *team_id);
/* After a report's parameters were read into op->problem: a 400 naming them, a 403 when the
 * caller may not list op->e, or true to go on. */
bool api_report_may(struct req *r, struct op *op, const char *what);

/* api/sales.c */
void api_opportunities_funnel(struct req *r);
void api_opportunity_conflicts(struct req *r);
/* Customer analysis and salespeople's performance (api/analysis.c). */
void api_customers_analysis(struct req *r);
void api_sales_performance(struct req *r);
void api_sales_performance_customers(struct req *r);
/* The activity report (api/activity_report.c). */
void api_activities_report(struct req *r);
void api_lead_settings_get(struct req *r);
void api_lead_settings_put(struct req *r);

/* The shared pool, handovers and a customer's moves (api/pool.c). */
void api_entity_pool(struct req *r);
void api_pool_claim(struct req *r);
void api_pool_release(struct req *r);
void api_pool_handover(struct req *r);
void api_customer_moves(struct req *r);
void api_customer_summary(struct req *r);
void api_customer_loyalty(struct req *r);
void api_customer_timeline(struct req *r);
void api_pool_settings_get(struct req *r);
void api_pool_settings_put(struct req *r);

/* A customer's contacts and their relations, for its organisation chart (api/network.c). */
void api_customer_network(struct req *r);
/* The duplicate check (api/match.c). */
void api_entity_match(struct req *r);
void api_entity_merge(struct req *r);
void api_match_settings_get(struct req *r);
void api_match_settings_put(struct req *r);
void api_channel_settings_get(struct req *r);
void api_channel_settings_put(struct req *r);
void api_channel_settings_test(struct req *r);
void api_jobs_list(struct req *r);
void api_job_update(struct req *r);
void api_job_run(struct req *r);
void api_job_runs(struct req *r);
void api_templates_list(struct req *r);
void api_template_put(struct req *r);
void api_template_reset(struct req *r);
void api_webhooks_list(struct req *r);
void api_webhook_create(struct req *r);
void api_webhook_update(struct req *r);
void api_webhook_delete(struct req *r);
void api_webhook_test(struct req *r);
void api_notifications_list(struct req *r);
void api_notifications_read_all(struct req *r);
void api_notification_prefs_get(struct req *r);
void api_notification_prefs_put(struct req *r);
void api_notification_read(struct req *r);
void api_reminders_list(struct req *r);
void api_reminder_create(struct req *r);
void api_reminder_delete(struct req *r);
void api_calendar_status(struct req *r);
void api_calendar_rotate(struct req *r);
void api_calendar_disable(struct req *r);
void api_calendar_feed(struct req *r);
void api_record_mail(struct req *r);
void api_processes_list(struct req *r);
void api_process_get(struct req *r);
void api_process_put(struct req *r);
void api_process_delete(struct req *r);
void api_record_process(struct req *r);
void api_record_transition(struct req *r);
void api_record_approvals(struct req *r);
void api_approval_tasks(struct req *r);
void api_approval_task_approve(struct req *r);
void api_approval_task_reject(struct req *r);
void api_approval_withdraw(struct req *r);
void api_act_page(struct req *r);
void api_act_decide(struct req *r);
void api_delegation_get(struct req *r);
void api_delegation_put(struct req *r);
void api_delegation_delete(struct req *r);

/* Handlers. */
void api_entity_list(struct req *r);
void api_entity_create(struct req *r);
void api_entity_get(struct req *r);
void api_entity_update(struct req *r);
void api_entity_delete(struct req *r);
void api_entity_restore(struct req *r);
void api_entity_related(struct req *r);
void api_entity_history(struct req *r);
void api_entity_bulk_update(struct req *r);
void api_entity_bulk_delete(struct req *r);
void api_entity_export(struct req *r);
void api_entity_import(struct req *r);
void api_meta(struct req *r);
void api_meta_entity(struct req *r);
void api_meta_field_create(struct req *r);
void api_meta_field_update(struct req *r);
void api_meta_field_delete(struct req *r);
void api_meta_field_options(struct req *r);
void api_openapi(struct req *r);
void api_audit(struct req *r);
void api_audit_export(struct req *r);
void api_login(struct req *r);
void api_logout(struct req *r);
void api_me(struct req *r);
void api_me_update(struct req *r);
void api_sessions_list(struct req *r);
void api_session_revoke(struct req *r);
void api_sessions_end_all(struct req *r);
void api_token_create_route(struct req *r);
void api_token_list_route(struct req *r);
void api_token_revoke_route(struct req *r);
void api_password_change(struct req *r);
void api_totp_setup(struct req *r);
void api_totp_confirm(struct req *r);
void api_totp_disable(struct req *r);
void api_user_totp_reset(struct req *r);
void api_policy_get(struct req *r);
void api_policy_put(struct req *r);
void api_oidc_discovery(struct req *r);
void api_oidc_jwks(struct req *r);
void api_oidc_authorize(struct req *r);
void api_oidc_token(struct req *r);
void api_oidc_userinfo(struct req *r);
void api_oidc_logout(struct req *r);
void api_oidc_clients_list(struct req *r);
void api_oidc_client_create(struct req *r);
void api_oidc_client_delete(struct req *r);
void api_oidc_keys_rotate(struct req *r);
void api_news_list(struct req *r);
void api_news_get(struct req *r);
void api_news_read(struct req *r);
void api_news_receipts(struct req *r);
void api_news_create(struct req *r);
void api_news_update(struct req *r);
void api_news_delete(struct req *r);
void api_org_list(struct req *r);
void api_org_create(struct req *r);
void api_org_update(struct req *r);
void api_org_delete(struct req *r);
void api_users_list(struct req *r);
void api_user_get(struct req *r);
void api_user_create(struct req *r);
void api_user_update(struct req *r);
void api_user_password(struct req *r);
void api_user_unlock(struct req *r);
void api_user_sessions(struct req *r);
void api_user_sessions_end(struct req *r);
void api_roles_list(struct req *r);
void api_role_create(struct req *r);
void api_role_update(struct req *r);
void api_role_delete(struct req *r);
void api_role_permissions(struct req *r);
void api_views_list(struct req *r);
void api_view_create(struct req *r);
void api_view_update(struct req *r);
void api_view_delete(struct req *r);
void api_recent_list(struct req *r);
void api_recent_add(struct req *r);
void api_files_list(struct req *r);
void api_files_upload(struct req *r);
void api_file_download(struct req *r);
void api_file_delete(struct req *r);
void api_file_versions(struct req *r);
void api_file_version_add(struct req *r);
void api_shares_list(struct req *r);
void api_share_create(struct req *r);
void api_share_delete(struct req *r);
void api_healthz(struct req *r);
void api_readyz(struct req *r);
void api_metrics(struct req *r);

#endif
