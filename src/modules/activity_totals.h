/*
 * The activity report (T7, G-5, S-STD "visit results/statistics", docs/internals/SALES.md):
 * the activities by kind and UTC month of occurred_at, for the organisation, a team or an
 * owner.
 *
 * One year of ten million activities must answer within T7's 500 ms, and counting the rows
 * takes seconds, so the database keeps counts as rows change, as it does for the funnel:
 * triggers on `activities` (every path that writes one: create, edit, delete, restore, bulk
 * edit, import, merge, the sqlite3 shell) keep `activity_totals` (month, kind, unit, owner →
 * count) of the live rows.
 */
#ifndef SEXTANT_ACTIVITY_TOTALS_H
#define SEXTANT_ACTIVITY_TOTALS_H

#include "db/db.h"
#include "meta/op.h"
#include "core/str.h"

/* The longest report, in months: its months are listed one by one. */
#define ACTIVITY_REPORT_MAX_MONTHS 120

/* Make the triggers and count the totals from the records, when this build's are not there
 * yet (ACTIVITY_TOTALS_VERSION in sys_meta). 0, or a database status (logged here). */
int activity_totals_sync(struct db *db);

struct activity_filter {
	const char *from, *to; /* UTC months "YYYY-MM", both set, from <= to */
	int64_t owner_id;      /* 0: anyone */
	int64_t team_id;       /* an organisation unit and those below it; 0: any */
	const char *kind;      /* an option key of activities.kind; NULL: every kind */
};

/* The report of op->e (activities) as the caller may see it: 200 with the JSON in out, or -2
 * (database). */
int activity_report_json(struct op *op, const struct activity_filter *f, struct str *out);

#endif
