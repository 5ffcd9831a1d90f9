#include "files.h"
#include "core/log.h"
#include "core/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <magic.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* libmagic reads this much of a file: every signature it knows lies within it. */
#define SNIFF_BYTES (1024 * 1024)
/* Script markup cut by a block boundary is found within this many bytes either side. */
#define SCRIPT_OVERLAP 32
/* A path below the folder: the folder's own and what is added to it. */
#define PATH_ROOM (PATH_MAX + 128)

/* One libmagic handle for the process (it is not thread-safe), loaded once. */
static magic_t magic;
static pthread_mutex_t magic_lock = PTHREAD_MUTEX_INITIALIZER;
static char folder[PATH_MAX]; /* --file-dir, resolved; "" when content goes to the database */

static int magic_ready(void)
{
	pthread_mutex_lock(&magic_lock);
	if (!magic) {
		magic = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
		if (magic && magic_load(magic, NULL) != 0) {
			log_error("cannot load libmagic's database: %s", magic_error(magic));
			magic_close(magic);
			magic = NULL;
		}
	}
	int rc = magic ? 0 : -1;
	pthread_mutex_unlock(&magic_lock);
	return rc;
}

/* The folder, made and checked: writable, and not where the web application is served from. */
static int folder_ready(const struct config *cfg)
{
	char tmp[PATH_ROOM], web[PATH_MAX];
	if (mkdir_p(cfg->file_dir) || !realpath(cfg->file_dir, folder)) {
		log_error("cannot use --file-dir '%s': %s", cfg->file_dir, strerror(errno));
		return -1;
	}
	if (cfg->web_dir && realpath(cfg->web_dir, web) && strncmp(folder, web, strlen(web)) == 0 &&
	    (folder[strlen(web)] == '/' || folder[strlen(web)] == '\0')) {
		log_error("--file-dir '%s' is inside the served --web folder", folder);
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s/tmp", folder);
	if (mkdir(tmp, 0700) && errno != EEXIST) {
		log_error("cannot use --file-dir '%s': %s", folder, strerror(errno));
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s/tmp/check-XXXXXX", folder);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		log_error("cannot write in --file-dir '%s': %s", folder, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(tmp);
	return 0;
}

int files_init(const struct config *cfg)
{
	folder[0] = '\0';
	if (magic_ready())
		return -1;
	if (cfg->file_dir && *cfg->file_dir && folder_ready(cfg)) {
		folder[0] = '\0';
		return -1;
	}
	return 0;
}

void files_shutdown(void)
{
	pthread_mutex_lock(&magic_lock);
	if (magic)
		magic_close(magic);
	magic = NULL;
	pthread_mutex_unlock(&magic_lock);
}

const char *files_storage(void)
{
	return folder[0] ? "dir" : "db";
}

/* Up to n bytes at off (fewer only at the end of the file); -1 on an error. */
static ssize_t read_at(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static bool markup_at(const unsigned char *p, size_t n)
{
	static const char *const words[] = {
	    "<script", "javascript:", "vbscript:", "<foreignobject", "<iframe", "<embed",
	    "<object", "<handler",    NULL};
	for (const char *const *w = words; *w; w++) {
		size_t l = strlen(*w);
		if (n >= l && strncasecmp((const char *)p, *w, l) == 0)
			return true;
	}
	/* An event attribute: on…= after a space, a slash or a quote. */
	if (n < 3 || tolower(p[0]) != 'o' || tolower(p[1]) != 'n')
		return false;
	size_t k = 2;
	while (k < n && isalpha(p[k]))
		k++;
	if (k == 2)
		return false;
	while (k < n && isspace(p[k]))
		k++;
	return k < n && p[k] == '=';
}

/* Whether text holds markup that runs script (for SVG; best effort: SVG is never shown). */
static bool has_script(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tolower(p[i]);
		if (c != '<' && c != 'j' && c != 'v' && c != 'o')
			continue;
		if (c == 'o' && i > 0 && !isspace(p[i - 1]) && !strchr("/\"'", p[i - 1]))
			continue;
		if (markup_at(p + i, n - i))
			return true;
	}
	return false;
}

/* Whether content of this type is text that a browser could run as markup. */
static bool textual(const char *type)
{
	return strncmp(type, "text/", 5) == 0 || strstr(type, "xml") != NULL;
}

int files_inspect(int fd, struct file_facts *f)
{
	memset(f, 0, sizeof *f);
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	unsigned char *buf = xmalloc(SNIFF_BYTES);
	unsigned char edge[2 * SCRIPT_OVERLAP];
	size_t carried = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = read_at(fd, buf, SNIFF_BYTES, f->size);
		if (n < 0) {
			log_error("reading an upload failed: %s", strerror(errno));
			rc = -1;
			break;
		}
		if (f->size == 0) {
			if (magic_ready()) {
				rc = -1;
				break;
			}
			pthread_mutex_lock(&magic_lock);
			const char *t = magic_buffer(magic, buf, (size_t)n);
			snprintf(f->type, sizeof f->type, "%s", t ? t : "application/octet-stream");
			pthread_mutex_unlock(&magic_lock);
		}
		if (n == 0)
			break;
		crypto_hash_sha256_update(&h, buf, (unsigned long long)n);
		if (textual(f->type) && !f->script) {
			/* The end of the last block and the start of this one, then this one. */
			size_t head = (size_t)n < SCRIPT_OVERLAP ? (size_t)n : SCRIPT_OVERLAP;
			memcpy(edge + carried, buf, head);
			f->script = has_script(edge, carried + head) || has_script(buf, (size_t)n);
			carried = head;
			memcpy(edge, buf + (size_t)n - carried, carried);
		}
		f->size += (uint64_t)n;
		if ((size_t)n < SNIFF_BYTES)
			break;
	}
	free(buf);
	unsigned char d[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(f->sha256, sizeof f->sha256, d, sizeof d);
	return rc;
}

/* <folder>/ab/cd/abcd…: two levels of 256 keep folders small. */
static void blob_path(const char *sha256, char *out, size_t n)
{
	snprintf(out, n, "%s/%.2s/%.2s/%s", folder, sha256, sha256 + 2, sha256);
}

static int sync_dir(const char *path)
{
	int d = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return -1;
	int rc = fsync(d);
	close(d);
	return rc;
}

/* Copy all of in to out; -1 with errno on a failure. */
static int copy_all(int in, int out)
{
	char *buf = xmalloc(FILE_CHUNK);
	uint64_t off = 0;
	int rc = 0;
	for (;;) {
		ssize_t n = read_at(in, buf, FILE_CHUNK, off);
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		for (ssize_t w = 0; w < n;) {
			ssize_t k = write(out, buf + w, (size_t)(n - w));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				rc = -1;
				break;
			}
			w += k;
		}
		if (rc)
			break;
		off += (uint64_t)n;
	}
	int saved = errno;
	free(buf);
	errno = saved;
	return rc;
}

int files_put_folder(int fd, const char *sha256)
{
	char path[PATH_ROOM], dir[PATH_ROOM], tmp[PATH_ROOM];
	blob_path(sha256, path, sizeof path);
	if (access(path, F_OK) == 0)
		return 0; /* the same content, kept already */
	snprintf(dir, sizeof dir, "%s/%.2s/%.2s", folder, sha256, sha256 + 2);
	if (mkdir_p(dir))
		return -1;
	snprintf(tmp, sizeof tmp, "%s/tmp/upload-XXXXXX", folder);
	int out = mkstemp(tmp);
	if (out < 0)
		return -1;
	int rc = copy_all(fd, out);
	if (!rc)
		rc = fsync(out);
	int saved = errno;
	close(out);
	/* Renamed only once whole: a reader never sees a part. */
	if (!rc && !(rc = rename(tmp, path)))
		rc = sync_dir(dir);
	saved = rc ? errno : saved;
	if (rc)
		unlink(tmp);
	errno = saved;
	return rc;
}

int files_forget_folder(struct db *db, const char *sha256)
{
	if (!folder[0] || strlen(sha256) != 64)
		return 0; /* no folder here, or no content named (an erased row) */
	char path[PATH_ROOM], aside[PATH_ROOM + 32];
	blob_path(sha256, path, sizeof path);
	snprintf(aside, sizeof aside, "%s.forget-%ld", path, (long)getpid());
	if (rename(path, aside)) {
		if (errno == ENOENT)
			return 0;
		log_error("erasing a file's content: renaming '%s': %s", path, strerror(errno));
		return -1;
	}
	int64_t named = 0;
	int rc = db_query_int(db, "SELECT count(*) FROM files WHERE storage = 'dir' AND sha256 = ?",
	                      1, (const char *[]){sha256}, &named);
	if (rc != DB_OK && rc != DB_DONE) {
		named = 1; /* in doubt, kept */
		log_error("erasing a file's content: %s", db_errmsg(db));
	}
	if (named ? rename(aside, path) : unlink(aside)) {
		log_error("erasing a file's content: '%s': %s", aside, strerror(errno));
		return -1;
	}
	return 0;
}

int files_put_chunks(struct db *db, int64_t file_id, int fd, uint64_t size)
{
	unsigned char *buf = xmalloc(FILE_CHUNK);
	int rc = DB_OK;
	for (uint64_t off = 0, seq = 0; !rc && off < size; seq++) {
		size_t want = size - off < FILE_CHUNK ? (size_t)(size - off) : FILE_CHUNK;
		if (read_at(fd, buf, want, off) != (ssize_t)want) {
			log_error("reading an upload failed: %s", strerror(errno));
			rc = DB_ERROR;
			break;
		}
		struct db_stmt *st;
		rc = db_prepare(db, "INSERT INTO file_chunks (file_id, seq, data) VALUES (?, ?, ?)",
		                &st);
		if (rc)
			break;
		db_bind_int(st, 1, file_id);
		db_bind_int(st, 2, (int64_t)seq);
		db_bind_blob(st, 3, buf, want);
		rc = db_step(st);
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
		off += want;
	}
	free(buf);
	return rc;
}

/* A download from the chunks: each one read when the connection wants its bytes. */
struct chunk_stream {
	struct db *db;
	int64_t file_id;
	uint64_t from, len;
	int64_t seq; /* the chunk in buf; -1 none */
	size_t have;
	unsigned char *buf;
};

static int load_chunk(struct chunk_stream *cs, int64_t seq)
{
	struct db_stmt *st;
	int rc =
	    db_prepare(cs->db, "SELECT data FROM file_chunks WHERE file_id = ? AND seq = ?", &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, cs->file_id);
	db_bind_int(st, 2, seq);
	rc = db_step(st);
	if (rc == DB_ROW) {
		size_t n = 0;
		const void *p = db_column_blob(st, 0, &n);
		if (p && n <= FILE_CHUNK) {
			memcpy(cs->buf, p, n);
			cs->have = n;
			cs->seq = seq;
			rc = DB_OK;
		} else {
			rc = DB_ERROR;
		}
	} else if (rc == DB_DONE) {
		rc = DB_ERROR; /* a chunk missing: the file is damaged */
	}
	db_reset(st);
	return rc;
}

static ssize_t chunk_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct chunk_stream *cs = cls;
	if (pos >= cs->len)
		return MHD_CONTENT_READER_END_OF_STREAM;
	uint64_t at = cs->from + pos;
	int64_t seq = (int64_t)(at / FILE_CHUNK);
	size_t within = (size_t)(at % FILE_CHUNK);
	if (seq != cs->seq) {
		int rc = load_chunk(cs, seq);
		if (rc) {
			/* The headers are gone: cutting the stream tells the client it is not
			 * whole. */
			log_error("reading chunk %lld of file %lld failed: %s", (long long)seq,
			          (long long)cs->file_id, db_errmsg(cs->db));
			return MHD_CONTENT_READER_END_WITH_ERROR;
		}
	}
	if (within >= cs->have)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	size_t n = cs->have - within;
	if (n > max)
		n = max;
	if (n > cs->len - pos)
		n = (size_t)(cs->len - pos);
	memcpy(out, cs->buf + within, n);
	return (ssize_t)n;
}

static void chunk_free(void *cls)
{
	struct chunk_stream *cs = cls;
	free(cs->buf);
	free(cs);
}

struct MHD_Response *files_response(struct db *db, const struct file_ref *f, uint64_t from,
                                    uint64_t len)
{
	if (strcmp(f->storage, "dir") == 0) {
		char path[PATH_ROOM];
		if (!folder[0]) {
			log_error("file %lld is kept in a folder but --file-dir is not set",
			          (long long)f->id);
			return NULL;
		}
		blob_path(f->sha256, path, sizeof path);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_error("cannot open the content of file %lld: %s", (long long)f->id,
			          strerror(errno));
			return NULL;
		}
		struct MHD_Response *r = MHD_create_response_from_fd_at_offset64(len, fd, from);
		if (!r)
			close(fd);
		return r;
	}
	struct chunk_stream *cs = xcalloc(1, sizeof *cs);
	*cs = (struct chunk_stream){
	    .db = db, .file_id = f->id, .from = from, .len = len, .seq = -1, .buf = NULL};
	cs->buf = xmalloc(FILE_CHUNK);
	struct MHD_Response *r =
	    MHD_create_response_from_callback(len, 64 * 1024, chunk_read, cs, chunk_free);
	if (!r)
		chunk_free(cs);
	return r;
}

int files_read_all(struct db *db, const struct file_ref *f, size_t max, struct str *out)
{
	if (f->size > max)
		return -1;
	size_t start = out->len;
	str_grow(out, (size_t)f->size);
	if (str_eq(f->storage, "dir")) {
		char path[PATH_ROOM];
		blob_path(f->sha256, path, sizeof path);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			log_error("cannot open stored file %lld: %s", (long long)f->id,
			          strerror(errno));
			return -1;
		}
		ssize_t n = read_at(fd, out->buf + out->len, (size_t)f->size, 0);
		close(fd);
		if (n != (ssize_t)f->size) {
			log_error("stored file %lld is shorter than recorded", (long long)f->id);
			return -1;
		}
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
		return 0;
	}
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT data FROM file_chunks WHERE file_id = ? ORDER BY seq", &st);
	if (rc)
		return -1;
	db_bind_int(st, 1, f->id);
	while ((rc = db_step(st)) == DB_ROW) {
		size_t n = 0;
		const void *p = db_column_blob(st, 0, &n);
		if (!p && n) {
			rc = DB_ERROR;
			break;
		}
		str_add(out, p, n);
	}
	db_reset(st);
	if (rc != DB_DONE || out->len - start != f->size) {
		log_error("stored file %lld cannot be read whole", (long long)f->id);
		return -1;
	}
	return 0;
}
