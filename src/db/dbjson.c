#include "dbjson.h"
#include "core/timeutil.h"

#include <string.h>

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

void json_add_row(struct str *out, struct db_stmt *st, const char *spec)
{
	str_addc(out, '{');
	int col = 0;
	for (const char *p = spec; *p; col++) {
		char kind = *p++;
		size_t n = strcspn(p, ",");
		if (col)
			str_addc(out, ',');
		str_add_json(out, p, n);
		str_addc(out, ':');
		p += n + (p[n] == ',');
		switch (kind) {
		case 'i':
			json_add_int_column(out, st, col);
			break;
		case 'T':
			json_add_time_column(out, st, col);
			break;
		case 'b':
			str_adds(out, db_column_null(st, col)       ? "null"
			              : db_column_int(st, col) != 0 ? "true"
			                                            : "false");
			break;
		case 'j': {
			size_t len = 0;
			const char *v = db_column_text(st, col, &len);
			if (len)
				str_add(out, v, len);
			else
				str_adds(out, "null");
			break;
		}
		default:
			json_add_text_column(out, st, col);
		}
	}
	str_addc(out, '}');
}

int json_add_rows(struct db_stmt *st, const char *spec, struct str *out)
{
	int rc;
	size_t n = 0;
	str_addc(out, '[');
	while ((rc = db_step(st)) == DB_ROW) {
		if (n++)
			str_addc(out, ',');
		json_add_row(out, st, spec);
	}
	db_reset(st);
	str_addc(out, ']');
	return rc == DB_DONE ? DB_OK : rc;
}
