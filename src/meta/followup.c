#include "followup.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

bool followup_changed(const struct entity *e, const bool *changed)
{
	const struct timeline *t = e->timeline;
	if (!t || !t->followup)
		return false;
	return changed[t->at->position] || changed[t->customer->position] ||
	       (t->contact && changed[t->contact->position]);
}

/* table.column = at where id is the record's and the column is empty or earlier. */
static int move_forward(struct db *db, const char *table, const char *column,
                        const struct value *id, const char *at)
{
	if (id->kind != V_INT)
		return DB_OK;
	char sql[200], rid[24];
	snprintf(sql, sizeof sql,
	         "UPDATE \"%s\" SET \"%s\" = ? WHERE \"id\" = ? AND (\"%s\" IS NULL OR \"%s\" < ?)",
	         table, column, column, column);
	snprintf(rid, sizeof rid, "%lld", (long long)id->i);
	return db_run(db, sql, 3, (const char *[]){at, rid, at});
}

int followup_touch(struct db *db, const struct entity *e, const struct value *vals)
{
	const struct timeline *t = e->timeline;
	if (!t || !t->followup)
		return DB_OK;
	const struct value *when = &vals[t->at->position];
	if (when->kind != V_TEXT)
		return DB_OK;
	/* One form for both types: a date is its midnight (UTC). */
	char at[TIME_ISO_LEN], now[TIME_ISO_LEN];
	snprintf(at, sizeof at, "%.*s%s", (int)(when->n < 24 ? when->n : 24), when->s,
	         t->at->type == FT_DATE ? "T00:00:00.000Z" : "");
	time_now_iso(now);
	if (strcmp(at, now) > 0)
		return DB_OK; /* planned, not yet happened */
	int rc =
	    move_forward(db, "customers", "last_followup_at", &vals[t->customer->position], at);
	if (!rc && t->contact)
		rc = move_forward(db, "contacts", "last_contacted_at", &vals[t->contact->position],
		                  at);
	return rc;
}
