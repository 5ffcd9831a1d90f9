#include "transfer.h"
#include "access.h"
#include "crud.h"
#include "value.h"
#include "core/csv.h"
#include "core/log.h"
#include "core/util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define EXPORT_BATCH  500
#define XLSX_MAX_ROWS 1048575 /* Excel's limit, less the header row */

/* Text that people typed (or administrators named) may start like a formula; numbers may not. */
static bool needs_neutralising(const struct field *f)
{
	switch (f->type) {
	case FT_TEXT:
	case FT_LONGTEXT:
	case FT_EMAIL:
	case FT_URL:
	case FT_ENUM:
	case FT_MULTIENUM:
		return true;
	default:
		return false;
	}
}

static void header_text(const struct field *f, bool names, enum lang lang, struct str *out)
{
	str_adds(out, names ? f->name : label_get(&f->label, lang));
}

/* A money cell: the amount in yuan, with the currency in front when it is not CNY. */
static void cell_text(const struct field *f, const struct value *v, enum lang lang, struct str *out)
{
	if (f->type == FT_MONEY && v->kind == V_INT && v->currency && strcmp(v->currency, "CNY")) {
		str_adds(out, v->currency);
		str_addc(out, ' ');
	}
	value_to_text(out, f, v, lang);
}

struct csv_stream {
	struct op *op;
	struct list_query *q;
	struct str buf;
	size_t sent;
	bool done;
	bool failed;
};

static int csv_row(void *ctx, struct db_stmt *st, const int *cols)
{
	struct csv_stream *cs = ctx;
	const struct list_query *q = cs->q;
	struct str cell = STR_INIT;
	for (size_t i = 0; i < q->n_proj; i++) {
		const struct field *f = q->proj[i];
		int col = cols[i];
		struct value v;
		value_from_column(f, st, &col, &v);
		str_reset(&cell);
		if (list_field_masked(q, st, f))
			access_mask_text(f, &v, &cell);
		else
			cell_text(f, &v, cs->op->lang, &cell);
		if (i)
			str_addc(&cs->buf, ',');
		csv_add_cell(&cs->buf, cell.buf, cell.len, needs_neutralising(f));
	}
	str_add(&cs->buf, "\r\n", 2);
	str_release(&cell);
	return 0;
}

static ssize_t csv_read(void *cls, uint64_t pos, char *out, size_t max)
{
	UNUSED(pos);
	struct csv_stream *cs = cls;
	while (cs->sent == cs->buf.len) {
		if (cs->done)
			return MHD_CONTENT_READER_END_OF_STREAM;
		str_reset(&cs->buf);
		cs->sent = 0;
		bool more = false;
		int rc = list_fetch(cs->op, cs->q, EXPORT_BATCH, csv_row, cs, &more);
		if (rc) {
			/* Headers are gone; all we can do is cut the stream so it is not taken
			 * for complete. */
			log_error("export of '%s' failed: %s (request %s)", cs->q->e->name,
			          db_errmsg(cs->op->db), cs->op->request_id);
			cs->failed = true;
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
		cs->done = !more;
	}
	size_t n = cs->buf.len - cs->sent;
	if (n > max)
		n = max;
	memcpy(out, cs->buf.buf + cs->sent, n);
	cs->sent += n;
	return (ssize_t)n;
}

static void csv_free(void *cls)
{
	struct csv_stream *cs = cls;
	str_release(&cs->buf);
	free(cs);
}

static struct MHD_Response *csv_response(struct op *op, struct list_query *q, bool names)
{
	struct csv_stream *cs = xcalloc(1, sizeof *cs);
	cs->op = op;
	cs->q = q;
	cs->buf = (struct str)STR_INIT;
	str_add(&cs->buf, "\xef\xbb\xbf", 3);
	struct str h = STR_INIT;
	for (size_t i = 0; i < q->n_proj; i++) {
		str_reset(&h);
		header_text(q->proj[i], names, op->lang, &h);
		if (i)
			str_addc(&cs->buf, ',');
		csv_add_cell(&cs->buf, h.buf, h.len, true);
	}
	str_release(&h);
	str_add(&cs->buf, "\r\n", 2);
	struct MHD_Response *r =
	    MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, csv_read, cs, csv_free);
	if (!r)
		csv_free(cs);
	return r;
}

/* ---- XLSX: written to an unlinked temporary file in constant-memory mode, then sent ---- */

struct xlsx_state {
	struct op *op;
	const struct list_query *q;
	lxw_worksheet *ws;
	lxw_format *money;
	uint32_t row;
	struct str cell;
};

static int xlsx_row(void *ctx, struct db_stmt *st, const int *cols)
{
	struct xlsx_state *x = ctx;
	const struct list_query *q = x->q;
	for (size_t i = 0; i < q->n_proj; i++) {
		const struct field *f = q->proj[i];
		int col = cols[i];
		struct value v;
		value_from_column(f, st, &col, &v);
		lxw_col_t c = (lxw_col_t)i;
		if (v.kind == V_NULL)
			continue;
		if (list_field_masked(q, st, f)) {
			str_reset(&x->cell);
			access_mask_text(f, &v, &x->cell);
			worksheet_write_string(x->ws, x->row, c, x->cell.buf, NULL);
			continue;
		}
		if (v.kind == V_INT &&
		    (f->type == FT_INT || f->type == FT_REFERENCE || f->type == FT_USER)) {
			worksheet_write_number(x->ws, x->row, c, (double)v.i, NULL);
			continue;
		}
		if (f->type == FT_MONEY && (!v.currency || strcmp(v.currency, "CNY") == 0)) {
			worksheet_write_number(x->ws, x->row, c, (double)v.i / 100.0, x->money);
			continue;
		}
		str_reset(&x->cell);
		cell_text(f, &v, x->op->lang, &x->cell);
		if (needs_neutralising(f) && csv_formula_like(x->cell.buf, x->cell.len)) {
			struct str n = STR_INIT;
			str_addc(&n, '\'');
			str_add(&n, x->cell.buf, x->cell.len);
			worksheet_write_string(x->ws, x->row, c, n.buf, NULL);
			str_release(&n);
		} else {
			worksheet_write_string(x->ws, x->row, c, x->cell.buf, NULL);
		}
	}
	x->row++;
	return 0;
}

static struct MHD_Response *xlsx_response(struct op *op, struct list_query *q, bool names,
                                          bool *fault)
{
	char path[] = "/tmp/sextant-export-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		*fault = true;
		return NULL;
	}
	static char tmpdir[] = "/tmp";
	lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = tmpdir};
	lxw_workbook *wb = workbook_new_opt(path, &wo);
	if (!wb) {
		close(fd);
		unlink(path);
		*fault = true;
		return NULL;
	}
	struct xlsx_state x = {.op = op, .q = q, .cell = STR_INIT};
	x.ws = workbook_add_worksheet(wb, label_get(&q->e->label_plural, op->lang));
	x.money = workbook_add_format(wb);
	format_set_num_format(x.money, "#,##0.00");
	lxw_format *bold = workbook_add_format(wb);
	format_set_bold(bold);
	struct str h = STR_INIT;
	for (size_t i = 0; i < q->n_proj; i++) {
		str_reset(&h);
		header_text(q->proj[i], names, op->lang, &h);
		worksheet_write_string(x.ws, 0, (lxw_col_t)i, h.buf, bold);
	}
	str_release(&h);
	x.row = 1;
	bool more = true;
	int rc = 0;
	while (more && !rc && x.row <= XLSX_MAX_ROWS) {
		size_t want = EXPORT_BATCH;
		if (x.row - 1 + want > XLSX_MAX_ROWS)
			want = XLSX_MAX_ROWS - (x.row - 1);
		rc = list_fetch(op, q, want, xlsx_row, &x, &more);
	}
	str_release(&x.cell);
	lxw_error err = workbook_close(wb);
	unlink(path);
	struct stat st;
	if (rc || err != LXW_NO_ERROR || fstat(fd, &st)) {
		if (rc)
			crud_db_error(op, rc, "export");
		else
			log_error("cannot write the workbook: %s", lxw_strerror(err));
		close(fd);
		*fault = !op->problem->status;
		return NULL;
	}
	/* The file is unlinked: the descriptor is all that is left, closed by MHD when sent. */
	struct MHD_Response *r = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
	if (!r) {
		close(fd);
		*fault = true;
	}
	return r;
}

struct MHD_Response *export_response(struct op *op, struct list_query *q, enum export_format format,
                                     bool header_names, bool *fault)
{
	*fault = false;
	if (format == EXPORT_XLSX)
		return xlsx_response(op, q, header_names, fault);
	struct MHD_Response *r = csv_response(op, q, header_names);
	*fault = r == NULL;
	return r;
}
