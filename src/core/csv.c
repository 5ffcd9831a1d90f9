#include "csv.h"
#include "text.h"
#include "util.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int from_gb18030(struct csv_reader *r)
{
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	if (cd == (iconv_t)-1)
		return -1;
	size_t cap = r->len * 2 + 16;
	char *out = xmalloc(cap), *op = out, *ip = r->buf;
	size_t il = r->len, ol = cap - 1;
	size_t rc = iconv(cd, &ip, &il, &op, &ol);
	iconv_close(cd);
	if (rc == (size_t)-1) {
		free(out);
		return -1;
	}
	*op = '\0';
	if (r->mapped)
		munmap(r->buf, r->len);
	r->mapped = false;
	r->buf = out;
	r->len = (size_t)(op - out);
	r->converted = true;
	return 0;
}

int csv_open(struct csv_reader *r, int fd, size_t max_bytes)
{
	memset(r, 0, sizeof *r);
	r->field = (struct str)STR_INIT;
	struct stat st;
	if (fstat(fd, &st) || st.st_size < 0 || (uint64_t)st.st_size > max_bytes) {
		r->error = "cannot read the file";
		return -1;
	}
	r->len = (size_t)st.st_size;
	if (r->len) {
		r->buf = mmap(NULL, r->len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (r->buf == MAP_FAILED) {
			r->buf = NULL;
			r->error = "cannot read the file";
			return -1;
		}
		r->mapped = true;
	}
	if (!utf8_valid(r->buf, r->len) && from_gb18030(r)) {
		r->error = "the file is neither UTF-8 nor GB18030 text";
		return -1;
	}
	csv_rewind(r);
	return 0;
}

void csv_rewind(struct csv_reader *r)
{
	r->pos =
	    r->len >= 3 && memcmp(r->buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0; /* byte-order mark */
	r->line = r->next_line = 1;
	r->error = NULL;
}

static void end_field(struct csv_reader *r, size_t start)
{
	if (r->n_fields == r->cap_fields) {
		r->cap_fields = r->cap_fields ? r->cap_fields * 2 : 64;
		r->offsets = xrealloc(r->offsets, r->cap_fields * sizeof *r->offsets);
		r->lengths = xrealloc(r->lengths, r->cap_fields * sizeof *r->lengths);
	}
	r->offsets[r->n_fields] = start;
	r->lengths[r->n_fields] = r->field.len - start;
	r->n_fields++;
	str_addc(&r->field, '\0');
}

int csv_next(struct csv_reader *r)
{
	str_reset(&r->field);
	r->n_fields = 0;
	/* Skip blank lines between records. */
	while (r->pos < r->len && (r->buf[r->pos] == '\n' || r->buf[r->pos] == '\r')) {
		if (r->buf[r->pos] == '\n')
			r->next_line++;
		r->pos++;
	}
	r->line = r->next_line;
	if (r->pos >= r->len)
		return 0;
	int64_t lines = 0;
	size_t start = r->field.len;
	const char *b = r->buf;
	size_t i = r->pos;
	for (;;) {
		if (i < r->len && b[i] == '"') {
			/* Quoted field: runs to the closing quote; "" is a quote. */
			i++;
			for (;;) {
				if (i >= r->len) {
					r->error = "a quoted field is not closed";
					return -1;
				}
				const char *q = memchr(b + i, '"', r->len - i);
				if (!q) {
					r->error = "a quoted field is not closed";
					return -1;
				}
				for (const char *p = b + i; p < q; p++)
					lines += *p == '\n';
				str_add(&r->field, b + i, (size_t)(q - (b + i)));
				i = (size_t)(q - b) + 1;
				if (i < r->len && b[i] == '"') {
					str_addc(&r->field, '"');
					i++;
					continue;
				}
				break;
			}
			if (i < r->len && b[i] != ',' && b[i] != '\n' && b[i] != '\r') {
				r->error = "text after a closing quote";
				return -1;
			}
		} else {
			size_t s = i;
			while (i < r->len && b[i] != ',' && b[i] != '\n' && b[i] != '\r')
				i++;
			str_add(&r->field, b + s, i - s);
		}
		end_field(r, start);
		start = r->field.len;
		if (i < r->len && b[i] == ',') {
			i++;
			continue;
		}
		/* End of record. */
		if (i < r->len && b[i] == '\r')
			i++;
		if (i < r->len && b[i] == '\n') {
			i++;
			lines++;
		}
		break;
	}
	r->pos = i;
	r->next_line += lines;
	return 1;
}

void csv_close(struct csv_reader *r)
{
	if (r->mapped)
		munmap(r->buf, r->len);
	else
		free(r->buf);
	free(r->offsets);
	free(r->lengths);
	str_release(&r->field);
	memset(r, 0, sizeof *r);
}

bool csv_formula_like(const char *s, size_t n)
{
	return n && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
	             s[0] == '\r');
}

void csv_add_cell(struct str *out, const char *s, size_t n, bool neutralise)
{
	bool formula = neutralise && csv_formula_like(s, n);
	bool quote = formula;
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (n && (s[0] == ' ' || s[n - 1] == ' '))
		quote = true;
	if (!quote) {
		str_add(out, s, n);
		return;
	}
	str_addc(out, '"');
	if (formula)
		str_addc(out, '\'');
	const char *p = s, *end = s + n;
	while (p < end) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		if (!q) {
			str_add(out, p, (size_t)(end - p));
			break;
		}
		str_add(out, p, (size_t)(q - p) + 1);
		str_addc(out, '"');
		p = q + 1;
	}
	str_addc(out, '"');
}
