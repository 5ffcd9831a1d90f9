#include "outbox.h"
#include "outbox_channels.h"
#include "core/log.h"
#include "http/http.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <jansson.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static struct outbox_options opts = {
    .max_attempts = 8,
    .backoff_ms = 30000,
    .backoff_max_ms = 3600000,
    .timeout_ms = 30000,
};
static atomic_bool kicked;

void outbox_configure(const struct outbox_options *o)
{
	opts = *o;
}

const char *outbox_public_url(void)
{
	/* --public-url, or the address the server found itself listening at. */
	return http_public_url;
}

bool outbox_kicked(void)
{
	return atomic_exchange(&kicked, false);
}

int outbox_put(struct db *db, const struct outbox_msg *m, int64_t *id)
{
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "INSERT INTO outbox (channel, recipient, subject, body, state, "
	                    "next_attempt_at, event, entity, record_id, user_id, created_by, "
	                    "created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, "
	                    "?, ?, ?) RETURNING id",
	                    &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, m->channel);
	db_bind_texts(st, 2, m->recipient);
	db_bind_texts(st, 3, m->subject);
	db_bind_texts(st, 4, m->body);
	db_bind_texts(st, 5, now);
	db_bind_texts(st, 6, m->event);
	db_bind_texts(st, 7, m->entity);
	int64_t ids[] = {m->record_id, m->user_id, m->created_by};
	for (int i = 0; i < 3; i++) {
		if (ids[i])
			db_bind_int(st, 8 + i, ids[i]);
		else
			db_bind_null(st, 8 + i);
	}
	db_bind_texts(st, 11, now);
	db_bind_texts(st, 12, now);
	int64_t got = 0;
	rc = db_step_id(st, &got);
	if (id)
		*id = got;
	if (!rc)
		atomic_store(&kicked, true);
	return rc;
}

/* A message as claimed. */
struct claimed {
	int64_t id;
	int attempt;
	char *channel, *recipient, *body;
	int64_t created_ms;
};

static void claimed_free(struct claimed *c)
{
	free(c->channel);
	free(c->recipient);
	free(c->body);
}

/* Long enough for one delivery to time out and be recorded; a message is claimed alone, so a
 * slow one never holds others. */
static int64_t lease_ms(void)
{
	return opts.timeout_ms * 2 + 5000;
}

/* Take up to max due messages: the number taken into out, or a DB_ code. */
static int claim(struct db *db, const char *node, struct claimed *out, int max)
{
	int64_t now_ms = time_now_ms();
	char now[TIME_ISO_LEN], until[TIME_ISO_LEN];
	time_format_iso(now_ms, now);
	time_format_iso(now_ms + lease_ms(), until);
	/* An UPDATE that finds nothing still takes SQLite's write lock: look first. */
	int64_t due = 0;
	int rc =
	    db_query_int(db,
	                 "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE state = 'pending' AND "
	                 "next_attempt_at <= ? LIMIT 1) d",
	                 1, (const char *[]){now}, &due);
	if (rc || !due)
		return rc;
	struct db_stmt *st;
	rc = db_prepare(
	    db,
	    db_kind(db) == DB_PG
	        ? "UPDATE outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, "
	          "updated_at = ? WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND "
	          "next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY "
	          "next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING id, attempts, "
	          "channel, recipient, body, created_at"
	        : "UPDATE outbox SET lease_owner = ?, lease_until = ?, attempts = attempts + 1, "
	          "updated_at = ? WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND "
	          "next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY "
	          "next_attempt_at, id LIMIT ?) RETURNING id, attempts, channel, recipient, body, "
	          "created_at",
	    &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, node);
	db_bind_texts(st, 2, until);
	db_bind_texts(st, 3, now);
	db_bind_texts(st, 4, now);
	db_bind_texts(st, 5, now);
	db_bind_int(st, 6, max);
	int n = 0;
	while ((rc = db_step(st)) == DB_ROW && n < max) {
		struct claimed *c = &out[n++];
		c->id = db_column_int(st, 0);
		c->attempt = (int)db_column_int(st, 1);
		c->channel = xstrdup(db_column_text(st, 2, NULL));
		c->recipient = xstrdup(db_column_text(st, 3, NULL));
		c->body = xstrdup(db_column_text(st, 4, NULL));
		c->created_ms = 0;
		db_column_time(st, 5, &c->created_ms);
	}
	db_reset(st);
	if (rc != DB_DONE && rc != DB_ROW) {
		for (int i = 0; i < n; i++)
			claimed_free(&out[i]);
		return rc;
	}
	return n;
}

static int64_t backoff(int attempt)
{
	int64_t d = opts.backoff_ms;
	for (int i = 1; i < attempt && d < opts.backoff_max_ms; i++)
		d *= 2;
	if (d > opts.backoff_max_ms)
		d = opts.backoff_max_ms;
	/* ±20%, so that messages that failed together do not all come back together. */
	int64_t spread = d / 5;
	if (spread > 0)
		d += (int64_t)randombytes_uniform((uint32_t)(spread * 2 + 1)) - spread;
	return d;
}

static const char *const results[] = {"sent", "retry", "refused"};

/* Record the attempt and the message's new state, if this node still holds its lease. */
static int record(struct db *db, const char *node, const struct claimed *c, enum delivery d,
                  const char *err, int64_t started_ms, int64_t took_ms)
{
	int64_t now_ms = time_now_ms();
	char now[TIME_ISO_LEN], started[TIME_ISO_LEN], next[TIME_ISO_LEN], id[24], attempt[16],
	    took[24];
	time_format_iso(now_ms, now);
	time_format_iso(started_ms, started);
	snprintf(id, sizeof id, "%lld", (long long)c->id);
	snprintf(attempt, sizeof attempt, "%d", c->attempt);
	snprintf(took, sizeof took, "%lld", (long long)took_ms);
	const char *state = d == DELIVERY_OK                  ? "sent"
	                    : d == DELIVERY_PERMANENT         ? "parked"
	                    : c->attempt >= opts.max_attempts ? "parked"
	                                                      : "pending";
	time_format_iso(now_ms + (d == DELIVERY_RETRY ? backoff(c->attempt) : 0), next);
	int rc = db_begin(db);
	const char *pa[] = {id, attempt, node, started, took, results[d], d ? err : NULL};
	if (!rc)
		rc = db_run(db,
		            "INSERT INTO outbox_attempts (outbox_id, attempt, node, started_at, "
		            "duration_ms, result, error) VALUES (?, ?, ?, ?, ?, ?, ?)",
		            7, pa);
	const char *pu[] = {state, next, d ? err : NULL, d == DELIVERY_OK ? now : NULL, now,
	                    id,    node};
	if (!rc)
		rc = db_run_one(
		    db,
		    "UPDATE outbox SET state = ?, next_attempt_at = ?, lease_owner = NULL, "
		    "lease_until = NULL, last_error = ?, sent_at = ?, updated_at = ? WHERE "
		    "id = ? AND lease_owner = ? AND state = 'pending'",
		    7, pu);
	if (rc == DB_DONE) {
		/* Cancelled meanwhile, or the lease ran out and another node took it: theirs now.
		 */
		log_warn("outbox message %lld: no longer ours to record", (long long)c->id);
		rc = DB_OK;
	}
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}

/* Deliver one claimed message and record how it went. */
static int deliver(struct db *db, const char *node, struct claimed *c)
{
	char err[DELIVERY_ERROR_MAX] = "";
	int64_t started = time_now_ms(), t0 = time_mono_ns();
	struct outbox_delivery dl = {.db = db,
	                             .id = c->id,
	                             .attempt = c->attempt,
	                             .created_ms = c->created_ms,
	                             .recipient = c->recipient,
	                             .timeout_ms = opts.timeout_ms,
	                             .public_url = outbox_public_url()};
	json_error_t jerr;
	dl.body = json_loads(c->body, 0, &jerr);
	enum delivery d;
	if (!dl.body || !json_is_object(dl.body)) {
		snprintf(err, sizeof err, "the stored message is not a JSON object");
		d = DELIVERY_PERMANENT;
	} else {
		d = outbox_channel_send(c->channel, &dl, err, sizeof err);
	}
	json_decref(dl.body);
	int64_t took = (time_mono_ns() - t0) / 1000000;
	log_info("outbox %lld %s to '%s' attempt %d: %s%s%s", (long long)c->id, c->channel,
	         c->recipient, c->attempt, results[d], d ? ": " : "", d ? err : "");
	return record(db, node, c, d, err, started, took);
}

int outbox_deliver_due(struct db *db, const char *node, int max)
{
	int done = 0;
	while (done < max) {
		struct claimed c;
		int n = claim(db, node, &c, 1);
		if (n <= 0)
			return n < 0 ? n : done;
		int rc = deliver(db, node, &c);
		claimed_free(&c);
		if (rc)
			return rc;
		done++;
	}
	return done;
}
