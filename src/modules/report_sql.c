#include "modules/report_sql.h"

void report_add_people(struct sqlq *s, const char *prefix, int64_t owner_id, int64_t team_id)
{
	if (owner_id) {
		sqlq_addf(s, " AND %sowner_id = ", prefix);
		sqlq_int(s, owner_id);
	}
	if (team_id) {
		/* The unit and those below it: paths that start with its path. */
		sqlq_addf(s,
		          " AND %sorg_unit_id IN (SELECT u.id FROM org_units u JOIN org_units p ON "
		          "substr(u.path, 1, length(p.path)) = p.path WHERE p.id = ",
		          prefix);
		sqlq_int(s, team_id);
		sqlq_add(s, ")");
	}
}

void report_add_months(struct sqlq *s, const char *month, const char *from, const char *to)
{
	if (from) {
		sqlq_addf(s, " AND %s >= ", month);
		sqlq_texts(s, from);
	}
	if (to) {
		sqlq_addf(s, " AND %s <= ", month);
		sqlq_texts(s, to);
	}
}

void report_add_time_month(struct str *q, enum db_kind k, const char *at)
{
	/* SQLite holds our canonical UTC text (…Z); PostgreSQL a timestamptz, whose month
	 * depends on the session's zone unless asked in UTC. */
	if (k == DB_PG)
		str_addf(q, "to_char(%s AT TIME ZONE 'UTC', 'YYYY-MM')", at);
	else
		str_addf(q, "substr(%s, 1, 7)", at);
}
