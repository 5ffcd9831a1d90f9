/*
 * Export and import of any entity (docs/internals/TRANSFER.md).
 *
 * Export streams a filtered, sorted list as CSV (UTF-8 with a byte-order mark, so Excel opens
 * Chinese text correctly) or XLSX, in batches by keyset so memory stays flat at any size.
 * Import reads a CSV file (UTF-8 or GB18030), maps its columns to fields, checks every row and
 * reports every problem; unless it is a dry run and only if every row is valid, it creates all
 * records in one transaction.
 */
#ifndef SEXTANT_TRANSFER_H
#define SEXTANT_TRANSFER_H

#include "op.h"
#include "query.h"
#include "core/str.h"

#include <microhttpd.h>

enum export_format { EXPORT_CSV, EXPORT_XLSX };

/*
 * A response that streams the list. q and op must stay valid until the response is done (they
 * live in the request's arena). NULL after setting op->problem or on a fault (*fault set).
 */
struct MHD_Response *export_response(struct op *op, struct list_query *q, enum export_format format,
                                     bool header_names, bool *fault);

struct import_options {
	bool dry_run;
	const char *mapping; /* JSON object: CSV column → field name (or null to skip) */
	size_t max_bytes;
};

/* Returns 200 with the report in out (also when rows are invalid: 422), or -1/-2. */
int import_csv(struct op *op, int fd, const struct import_options *o, struct str *out);
/*
 * An import outside a request (the command line, the demo loader), as an administrator acting
 * for user_id (0: nobody). out gets the report, or the problem as JSON; returns 200 or < 0.
 */
int import_run(struct db *db, const struct registry *reg, const char *entity, int fd,
               const struct import_options *o, int64_t user_id, const char *request_id,
               struct str *out);

#endif
