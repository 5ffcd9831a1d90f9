#include "birthdays.h"
#include "core/log.h"
#include "core/lunar.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "services/notify.h"
#include "services/settings.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define DAYS_AHEAD_MAX 60
#define DAY_MS         INT64_C(86400000)

void birthday_rules_default(struct birthday_rules *r)
{
	r->enabled = true;
	r->days_ahead = 7;
}

int birthday_rules_load(struct db *db, struct birthday_rules *r)
{
	birthday_rules_default(r);
	json_t *doc = NULL;
	int rc = settings_get(db, "birthdays", &doc);
	if (rc)
		return rc;
	json_t *v;
	if (json_is_boolean(v = json_object_get(doc, "enabled")))
		r->enabled = json_is_true(v);
	if (json_is_integer(v = json_object_get(doc, "days_ahead")) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= DAYS_AHEAD_MAX)
		r->days_ahead = (int)json_integer_value(v);
	json_decref(doc);
	return DB_OK;
}

int birthday_rules_check(const json_t *doc, struct problem *p)
{
	static const char *const members[] = {"enabled", "days_ahead", NULL};
	size_t before = p->n_errors;
	if (!settings_check_members(doc, members, p))
		return -1;
	json_t *v;
	if ((v = json_object_get(doc, "enabled")) && !json_is_boolean(v))
		problem_add(p, "enabled", "invalid_bool", NULL);
	if ((v = json_object_get(doc, "days_ahead")))
		settings_check_number(p, "days_ahead", v, true, 0, DAYS_AHEAD_MAX);
	return p->n_errors > before ? -1 : 0;
}

json_t *birthday_rules_json(const struct birthday_rules *r)
{
	return json_pack("{s:b, s:i}", "enabled", r->enabled, "days_ahead", r->days_ahead);
}

int64_t birthday_today(void)
{
	/* The company's day, not UTC's: a reminder at 08:00 in Beijing is on the right date. */
	return (time_now_ms() + TIME_DEFAULT_OFFSET_MIN * 60000) / DAY_MS;
}

bool birthday_of(const char *date, bool lunar, int64_t today, int64_t *next, int *days)
{
	int y, m, d;
	if (!date || !time_parse_date(date, strlen(date), &y, &m, &d))
		return false;
	if (!birthday_next(time_days_from_civil(y, m, d), lunar, today, next))
		return false;
	*days = (int)(*next - today);
	return true;
}

static const char *const lunar_months[] = {"正", "二", "三", "四", "五", "六",
                                           "七", "八", "九", "十", "冬", "腊"};
static const char *const lunar_days[] = {"初", "十", "廿", "三"};
static const char *const digits[] = {"十", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

void birthday_lunar_text(int64_t day, enum lang lang, char *out, size_t n)
{
	struct lunar_date l;
	if (!lunar_from_days(day, &l)) {
		snprintf(out, n, "%s", "");
		return;
	}
	if (lang == LANG_EN) {
		snprintf(out, n, "lunar %smonth %d, day %d", l.leap ? "leap " : "", l.month, l.day);
		return;
	}
	/* 初十, 二十, 三十 are said so; the others are 初一, 十五, 廿三 … */
	const char *tens = l.day == 10   ? "初"
	                   : l.day == 20 ? "二"
	                   : l.day == 30 ? "三"
	                                 : lunar_days[(l.day - 1) / 10];
	snprintf(out, n, "农历%s%s月%s%s", l.leap ? "闰" : "", lunar_months[l.month - 1], tens,
	         digits[l.day % 10]);
}

/* Whether user holds the right to see contacts' sensitive fields, in any scope. */
static int may_see_personal(struct db *db, int64_t user, bool *yes)
{
	char u[24];
	snprintf(u, sizeof u, "%" PRId64, user);
	int64_t n = 0;
	int rc = db_query_int(db,
	                      "SELECT count(*) FROM user_roles ur LEFT JOIN role_permissions rp ON "
	                      "rp.role = ur.role AND rp.action = 'sensitive' AND rp.entity IN "
	                      "('contacts', '*') WHERE ur.user_id = ? AND (ur.role = 'admin' OR "
	                      "rp.role IS NOT NULL)",
	                      1, (const char *[]){u}, &n);
	*yes = n > 0;
	return rc == DB_DONE ? DB_OK : rc;
}

/* Tell the owner of one contact, once for this birthday. */
static int remind(struct db *db, int64_t id, int64_t owner, const char *name, const char *customer,
                  int64_t next, int days, bool lunar, bool *sent)
{
	int y, m, d;
	time_civil_from_days(next, &y, &m, &d);
	char at[TIME_ISO_LEN], rid[24], date[16], in_days[16], lunar_zh[64] = "", lunar_en[64] = "";
	snprintf(at, sizeof at, "%04d-%02d-%02dT00:00:00.000Z", y, m, d);
	snprintf(rid, sizeof rid, "%" PRId64, id);
	snprintf(date, sizeof date, "%02d-%02d", m, d);
	snprintf(in_days, sizeof in_days, "%d", days);
	if (lunar) {
		birthday_lunar_text(next, LANG_ZH, lunar_zh, sizeof lunar_zh);
		birthday_lunar_text(next, LANG_EN, lunar_en, sizeof lunar_en);
	}
	*sent = false;
	int rc = db_begin(db);
	if (rc)
		return rc;
	/* Claimed by the insert: a second node, or a second run, finds it taken. */
	rc = db_run(db,
	            "INSERT INTO sys_reminders_sent (entity, record_id, remind_at) VALUES "
	            "('contacts.birthday', ?, ?) ON CONFLICT DO NOTHING",
	            2, (const char *[]){rid, at});
	if (!rc && db_changes(db) == 1) {
		json_t *vars = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "contact", name,
		                         "customer", customer, "date", date, "days", in_days,
		                         "lunar", lunar_zh, "lunar_en", lunar_en);
		struct notice n = {.event = "contact.birthday",
		                   .user_id = owner,
		                   .entity = "contacts",
		                   .record_id = id,
		                   .vars = vars};
		rc = notify(db, &n);
		json_decref(vars);
		*sent = !rc;
	}
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

int birthdays_job(struct job_ctx *ctx)
{
	struct birthday_rules rules;
	int rc = birthday_rules_load(ctx->db, &rules);
	if (rc) {
		snprintf(ctx->message, sizeof ctx->message, "the rules could not be read");
		return -1;
	}
	if (!rules.enabled) {
		snprintf(ctx->message, sizeof ctx->message, "birthday reminders are off");
		return 0;
	}
	/* Every contact with a birthday and an owner: a lunar birthday cannot be found by a
	 * date range in SQL. Read in one pass (a daily job), remembered, then told. */
	struct db_stmt *st;
	rc = db_prepare(ctx->db,
	                "SELECT c.id, c.owner_id, c.name, c.birthday, c.birthday_lunar, "
	                "COALESCE(k.name, '') FROM contacts c LEFT JOIN customers k ON k.id = "
	                "c.customer_id WHERE c.deleted_at IS NULL AND c.birthday IS NOT NULL AND "
	                "c.owner_id IS NOT NULL",
	                &st);
	if (rc) {
		snprintf(ctx->message, sizeof ctx->message, "contacts could not be read");
		return -1;
	}
	struct due {
		int64_t id, owner, next;
		int days;
		bool lunar;
		char *name, *customer;
	} *due = NULL;
	size_t n = 0, cap = 0;
	int64_t today = birthday_today();
	while ((rc = db_step(st)) == DB_ROW) {
		bool lunar = !db_column_null(st, 4) && db_column_int(st, 4);
		int64_t next;
		int days;
		if (!birthday_of(db_column_text(st, 3, NULL), lunar, today, &next, &days) ||
		    days > rules.days_ahead)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			due = xrealloc(due, cap * sizeof *due);
		}
		due[n++] = (struct due){db_column_int(st, 0),
		                        db_column_int(st, 1),
		                        next,
		                        days,
		                        lunar,
		                        xstrdup(db_column_text(st, 2, NULL)),
		                        xstrdup(db_column_text(st, 5, NULL))};
	}
	db_reset(st);
	rc = rc == DB_DONE ? DB_OK : rc;
	size_t told = 0, skipped = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		bool may, sent;
		if ((rc = may_see_personal(ctx->db, due[i].owner, &may)))
			break;
		if (!may) {
			skipped++; /* the owner may not see birthdays: telling them would */
			continue;
		}
		rc = remind(ctx->db, due[i].id, due[i].owner, due[i].name, due[i].customer,
		            due[i].next, due[i].days, due[i].lunar, &sent);
		told += sent;
	}
	for (size_t i = 0; i < n; i++) {
		free(due[i].name);
		free(due[i].customer);
	}
	free(due);
	snprintf(ctx->message, sizeof ctx->message,
	         "%zu birthday reminders sent, %zu owners may not see birthdays%s", told, skipped,
	         rc ? ", then a database error" : "");
	if (rc)
		log_error("birthday reminders: database error %d", rc);
	return rc ? -1 : 0;
}
