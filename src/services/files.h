/*
 * The content of files attached to records (docs/internals/FILES.md): what an upload holds (its
 * size, SHA-256, the type libmagic finds, script markup), and where it is kept — in the database
 * in chunks of FILE_CHUNK bytes (the default: replication and backups cover it), or in a folder
 * (--file-dir) under its SHA-256 — and read back, a chunk at a time, for a download. The
 * metadata (table files) and who may do what are the API's (api/files.c).
 */
#ifndef SEXTANT_FILES_H
#define SEXTANT_FILES_H

#include "filetype.h"
#include "core/config.h"
#include "core/str.h"
#include "db/db.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#define FILE_CHUNK (256 * 1024)

/*
 * At the start of `serve`: libmagic's database loaded and, with --file-dir, the folder made
 * (mode 0700), writable and not inside the served web folder. -1 after logging why not.
 */
int files_init(const struct config *cfg);
void files_shutdown(void);

/* Where new content goes: "dir" with --file-dir, else "db". */
const char *files_storage(void);

struct file_facts {
	uint64_t size;
	char sha256[65];         /* hex */
	char type[FILETYPE_MAX]; /* what libmagic finds in the first MiB */
	bool script;             /* text holding script markup (<script, javascript:, on…=) */
};

/* Read fd from its start to its end once. 0, or -1 on a read error (logged). */
int files_inspect(int fd, struct file_facts *f);

/* Keep fd's content in the folder under its SHA-256 (unless it is there already): written to a
 * temporary name, synced, renamed. 0, or -1 with errno (ENOSPC: the disk is full). */
int files_put_folder(int fd, const char *sha256);
/*
 * Take sha256's content out of the folder if no version names it any longer (an erasure, after
 * its commit). It is renamed aside first, then the rows are asked: an upload of the same content
 * that committed meanwhile gets it back, and one that commits later finds it gone and writes it
 * again (files_put_folder after its commit). 0, or -1 (logged).
 */
int files_forget_folder(struct db *db, const char *sha256);
/* Keep fd's size bytes as the chunks of file_id, inside the caller's transaction. A DB_ code. */
int files_put_chunks(struct db *db, int64_t file_id, int fd, uint64_t size);

/* One stored version, as a download needs it. */
struct file_ref {
	int64_t id;
	const char *storage; /* "db" or "dir" */
	const char *sha256;
	uint64_t size;
};

/*
 * A response of bytes [from, from + len) of the file: read from the folder, or from the chunks
 * one at a time as they are sent, each with its own query on db (the connection of the thread
 * that sends the response: not one of the long-request pool). NULL on a fault (logged).
 */
struct MHD_Response *files_response(struct db *db, const struct file_ref *f, uint64_t from,
                                    uint64_t len);

/*
 * The whole of a stored version into out (a mail attachment), up to max bytes: -1 if it is
 * larger or cannot be read (logged), else 0.
 */
int files_read_all(struct db *db, const struct file_ref *f, size_t max, struct str *out);

#endif
