#include "dbjson.h"
#include "core/timeutil.h"

void json_add_time_column(struct str *out, struct db_stmt *st, int col)
{
	int64_t ms;
	char iso[TIME_ISO_LEN];
	if (!db_column_time(st, col, &ms)) {
		str_adds(out, "null");
		return;
	}
	time_format_iso(ms, iso);
	str_add_jsons(out, iso);
}

void json_add_text_column(struct str *out, struct db_stmt *st, int col)
{
	if (db_column_null(st, col))
		str_adds(out, "null");
	else
		str_add_jsons(out, db_column_text(st, col, NULL));
}

void json_add_int_column(struct str *out, struct db_stmt *st, int col)
{
	if (db_column_null(st, col))
		str_adds(out, "null");
	else
		str_add_int(out, db_column_int(st, col));
}

int json_add_text_rows(struct db_stmt *st, struct str *out)
{
	int rc;
	size_t n = 0;
	str_addc(out, '[');
	while ((rc = db_step(st)) == DB_ROW) {
		if (n++)
			str_addc(out, ',');
		str_add_jsons(out, db_column_text(st, 0, NULL));
	}
	db_reset(st);
	str_addc(out, ']');
	return rc == DB_DONE ? DB_OK : rc;
}
