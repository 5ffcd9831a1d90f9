/*
 * CSV as RFC 4180 has it (quotes, doubled quotes, CR LF or LF), read from a file descriptor a
 * record at a time, and written a cell at a time. Files that are not UTF-8 are read as GB18030,
 * which is what Excel on a Chinese Windows saves ("CSV (逗号分隔)").
 */
#ifndef SEXTANT_CSV_H
#define SEXTANT_CSV_H

#include "str.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct csv_reader {
	char *buf; /* the whole input: the file mapped, or its UTF-8 conversion */
	size_t len, pos;
	bool mapped;
	struct str field; /* the current record's fields, NUL-separated */
	size_t *offsets;  /* start of each field in `field` */
	size_t *lengths;
	size_t n_fields, cap_fields;
	int64_t line;      /* line where the current record starts (1-based) */
	int64_t next_line; /* line of the first unread byte */
	const char *error; /* set when the input is malformed */
	bool converted;    /* the input was GB18030 and has been converted */
};

/*
 * Map the file behind fd for parsing (the heap holds only a record at a time). Returns 0, or
 * -1 with r->error set (unreadable, too large, or neither UTF-8 nor GB18030).
 */
int csv_open(struct csv_reader *r, int fd, size_t max_bytes);
/* Next record: 1 with fields ready, 0 at the end, -1 on malformed input (r->error). */
int csv_next(struct csv_reader *r);
static inline const char *csv_field(const struct csv_reader *r, size_t i, size_t *len)
{
	*len = r->lengths[i];
	return r->field.buf + r->offsets[i];
}
/* Go back to the first record. */
void csv_rewind(struct csv_reader *r);
void csv_close(struct csv_reader *r);

/*
 * Append one cell (quoted when needed). With neutralise, text that a spreadsheet would run as a
 * formula (starting with = + - @, tab or CR) gets a leading apostrophe.
 */
void csv_add_cell(struct str *out, const char *s, size_t n, bool neutralise);
/* True if a spreadsheet would treat the text as a formula. */
bool csv_formula_like(const char *s, size_t n);

#endif
