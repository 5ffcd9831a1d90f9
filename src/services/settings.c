#include "settings.h"
#include "core/log.h"
#include "core/util.h"
#include "core/timeutil.h"

#include <stdio.h>

int settings_get(struct db *db, const char *key, json_t **out)
{
	struct db_stmt *st;
	*out = NULL;
	int rc = db_prepare(db, "SELECT value FROM sys_settings WHERE key = ?", &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, key);
	rc = db_step(st);
	if (rc == DB_ROW) {
		json_error_t err;
		*out = json_loads(db_column_text(st, 0, NULL), 0, &err);
		if (*out && !json_is_object(*out)) {
			json_decref(*out);
			*out = NULL;
		}
		if (!*out)
			log_error("setting '%s' is not a JSON object; read as empty", key);
	}
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc;
	if (!*out)
		*out = json_object();
	return DB_OK;
}

int settings_put(struct db *db, const char *key, const char *doc, int64_t by_user)
{
	char now[TIME_ISO_LEN], by[24];
	time_now_iso(now);
	snprintf(by, sizeof by, "%lld", (long long)by_user);
	const char *params[] = {key, doc, now, by_user ? by : NULL};
	int rc = db_run(db, "DELETE FROM sys_settings WHERE key = ?", 1, params);
	if (!rc)
		rc = db_run(db,
		            "INSERT INTO sys_settings (key, value, updated_at, updated_by) "
		            "VALUES (?, ?, ?, ?)",
		            4, params);
	return rc;
}

bool settings_check_members(const json_t *doc, const char *const *members, struct problem *p)
{
	const char *k;
	json_t *v;
	if (!json_is_object(doc)) {
		problem_add(p, NULL, "invalid_value", NULL);
		return false;
	}
	json_object_foreach((json_t *)doc, k, v)
	{
		if (!str_in_list(k, members))
			problem_add(p, k, "unknown_field", NULL);
	}
	return true;
}

void settings_check_number(struct problem *p, const char *at, const json_t *v, bool integral,
                           double min, double max)
{
	if ((integral ? json_is_integer(v) : json_is_number(v)) && json_number_value(v) >= min &&
	    json_number_value(v) <= max)
		return;
	char lo[32], hi[32];
	snprintf(lo, sizeof lo, "%.15g", min);
	snprintf(hi, sizeof hi, "%.15g", max);
	problem_add(p, at, "out_of_range",
	            (const char *[]){"min", arena_strdup(p->arena, lo), "max",
	                             arena_strdup(p->arena, hi), NULL});
}
