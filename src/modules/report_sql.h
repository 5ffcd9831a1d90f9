/*
 * SQL pieces the sales reports share (the funnel, the activity report): the filters by owner,
 * team and months they all take, and the UTC month of a time in either dialect.
 */
#ifndef SEXTANT_REPORT_SQL_H
#define SEXTANT_REPORT_SQL_H

#include "db/db.h"
#include "meta/sqlq.h"
#include "core/str.h"

/* " AND prefix owner_id = owner" and " AND prefix org_unit_id IN (team and the units below
 * it)", each when not 0. */
void report_add_people(struct sqlq *s, const char *prefix, int64_t owner_id, int64_t team_id);
/* " AND month >= from AND month <= to" on the expression month, each when not NULL. */
void report_add_months(struct sqlq *s, const char *month, const char *from, const char *to);
/* The UTC month "YYYY-MM" of the time at (a column or expression; NULL stays NULL). */
void report_add_time_month(struct str *q, enum db_kind k, const char *at);

#endif
