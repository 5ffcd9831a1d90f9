/* What the three parts of the file endpoints share (files.c, files_upload.c, files_download.c). */
#ifndef SEXTANT_API_FILES_INTERNAL_H
#define SEXTANT_API_FILES_INTERNAL_H

#include "api.h"
#include "meta/access.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Columns of a file as the API shows it, then what only the server uses. */
#define FILE_SELECT                                                                                \
	"SELECT f.id, f.group_id, f.name, f.content_type, f.size, f.sha256, f.version, "           \
	"(SELECT count(*) FROM files v WHERE v.group_id = f.group_id), f.created_by, "             \
	"u.display_name, f.created_at, f.entity, f.record_id, f.storage, f.deleted_at FROM files " \
	"f LEFT JOIN users u ON u.id = f.created_by"

/* One version of a document, as FILE_SELECT reads it. */
struct file_row {
	int64_t id, group_id, record_id, version;
	uint64_t size;
	const char *entity, *name, *type, *sha256, *storage;
	bool deleted;
};

/* One row of FILE_SELECT as the API shows it, without the closing brace. */
void files_row_json(struct db_stmt *st, struct str *out);
/* The file `id` (deleted ones too): DB_DONE when there is none. */
int files_load(struct req *r, int64_t id, struct file_row *f);
/* Whether the caller may `act` on record `id` of op->e; the answer is given when not. */
bool files_record_access(struct req *r, struct op *op, enum action act, int64_t id);
/* The file of the route's {file_id}, when its record allows `act`; answered when not. */
bool files_reachable(struct req *r, enum action act, struct file_row *f, struct op *op);
/* Whether the query holds only the parameters named (once each); a 400 when not. */
bool files_only_params(struct req *r, const char *const *known);
/* An audit row on the owning record (file_add, file_delete); takes `changes`. */
int files_audit(struct op *op, const char *action, int64_t record_id, json_t *changes);

#endif
