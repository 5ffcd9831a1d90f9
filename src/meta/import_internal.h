/*
 * Import internals (docs/internals/TRANSFER.md). An import is a pipeline of two threads: the
 * reader parses the file and checks each row (import_read.c), the writer asks the database
 * and inserts (import_write.c); import.c runs them and writes the report. Batches of checked
 * rows pass from one to the other.
 */
#ifndef SEXTANT_IMPORT_INTERNAL_H
#define SEXTANT_IMPORT_INTERNAL_H

#include "transfer.h"
#include "value.h"
#include "core/csv.h"
#include "core/strset.h"
#include "core/timeutil.h"
#include "match/find.h"
#include "match/keys.h"

#include <stdatomic.h>

#define IMPORT_MAX_ERRORS 1000

/* Threads that check a dry run's rows against the base (import_match.c): one a core. */
#define IMPORT_CHECKERS 2
struct import_checker;

/* A row that passed the reader's checks, with what its insert needs. */
struct import_row {
	struct value *vals; /* one per field position */
	int64_t line;
	bool ok;      /* false once the database says otherwise */
	char *tokens; /* search tokens (only while inserting) */
	size_t n_tokens;
	char *changes; /* the audit's {"field":[null,value]} (only while inserting) */
	int64_t *keys; /* the codes of its duplicate-check keys (match/keys.h), if checked */
	size_t n_keys;
	const char *core_name, *core_address; /* its match forms (match/keys.h), or NULL */
};

struct batch_check;

struct import_batch {
	struct arena arena; /* the rows and everything they point to */
	struct import_row *rows;
	size_t n;
};

/* One side's findings: each thread writes only its own. */
struct import_findings {
	struct problem problem;
	struct arena arena;
	int64_t invalid;
	size_t dropped; /* errors beyond IMPORT_MAX_ERRORS */
};

struct importer {
	struct op *op; /* the reader uses op->e and op->user_id only */
	const struct entity *e;
	struct csv_reader csv;
	size_t n_cols;
	const struct field **col_field; /* per CSV column: the field, or NULL to skip */
	bool *mapped;                   /* per field position */
	bool *stored;                   /* per field position: a column the inserts set */
	size_t batch;                   /* rows per batch (per INSERT statement) */
	char now[TIME_ISO_LEN];
	struct str header_json; /* mapping, for the report */
	struct str unmapped_json;
	/* The reader's own. */
	struct strset *unique_seen; /* per field position, for unique fields */
	int64_t rows;
	int csv_rc;
	struct import_findings read;
	/* The writer's own. */
	struct strset refs_ok; /* "position:id" known to exist */
	int64_t unit_owner;    /* the last owner whose organisation unit was looked up … */
	int64_t unit;          /* … and that unit (0: none) */
	struct import_findings write;
	struct match_postings postings; /* the inserted rows' keys, written sorted */
	struct {                        /* the duplicate report of a dry run (import_match.c) */
		bool on;                /* a dry run of an entity with a duplicate check */
		bool rules_loaded;
		struct match_rules rules;
		/* The threads that check a batch's rows against the base: this one and, for large
		 * batches, a second one with its own connection (opened at the first). */
		struct import_checker *checkers[IMPORT_CHECKERS];
		bool no_second; /* its connection could not be opened: this thread checks alone */
		struct batch_check *current; /* the batch being checked (import_match_begin) */
		struct match_memo memo; /* what the checks of earlier rows learnt (both threads') */
		struct strset keys;     /* key codes of the rows so far → the first row's line */
		struct str json;        /* the report's entries */
		size_t count, listed;
	} dup;
	/* Shared. */
	atomic_bool inserting; /* every row so far is good and this is no dry run */
	atomic_bool stop;      /* the writer failed: the reader stops */
};

void import_add_error(struct import_findings *f, int64_t row, const char *field, const char *code,
                      const char *const *params);

/* import_match.c: the duplicate report of a dry run. */
void import_match_init(struct importer *im, bool dry_run);
void import_match_release(struct importer *im);
/* Begin comparing b's rows with the base, on a second thread where the batch is large enough:
 * called before the database's checks of its rows (import_check_batch), which the writer does
 * meanwhile. */
void import_match_begin(struct importer *im, struct import_batch *b);
/* Then compare the good rows of b with the file's earlier rows, take a share of the comparing
 * with the base, and write the findings. A DB_ code. */
int import_match_batch(struct importer *im, struct import_batch *b);
/* Wait for the batch's comparing where import_match_batch was not called (a failure). */
void import_match_end(struct importer *im);
/* ,"duplicate_rows":n,"duplicates_truncated":…,"duplicates":[{"row","matches","rows"}] */
void import_match_report(const struct importer *im, struct str *out);

/* import_read.c */
/* Map the header's columns to fields; a problem in op->problem on failure (< 0). */
int import_map_columns(struct importer *im, const char *mapping);
/* Decide the columns the inserts set and the batch size (a dry run's: larger). */
void import_plan_columns(struct importer *im, bool dry_run);
/* Check the current CSV record into row (allocating in a). True if the row is good. */
bool import_read_row(struct importer *im, struct arena *a, struct import_row *row);

/* import_write.c */
/* The database's checks of a batch (unique values taken, references missing). */
int import_check_batch(struct importer *im, struct import_batch *b);
/* Insert a checked batch, with its audit rows and search tokens. */
int import_insert_batch(struct importer *im, struct import_batch *b, int64_t *created);
/* Write the duplicate-check keys of the rows inserted and not yet written. A DB_ code. */
int import_write_keys(struct importer *im);

#endif
