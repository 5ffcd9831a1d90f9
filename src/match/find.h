/*
 * The duplicate check (docs/internals/MATCH.md): the records of an entity that look like a
 * customer-shaped body, best first, each with why. Candidates come from match_keys by index
 * (exact tax ID, phone, e-mail, web domain, name, address; name bigrams that are not too
 * common), then each is scored from its record as it is now:
 *
 *   score = 1 − Π (1 − weight_r × similarity_r)
 *
 * over the rules that hold: exact ones count 1; the name and the address count their similarity
 * when it reaches the rule's floor. Weights, floors and the threshold are administrators'
 * settings (key "match").
 */
#ifndef SEXTANT_MATCH_FIND_H
#define SEXTANT_MATCH_FIND_H

#include "core/str.h"
#include "core/strset.h"
#include "meta/op.h"
#include "meta/value.h"

#include <jansson.h>
#include <pthread.h>

enum match_rule {
	MR_TAX_ID,
	MR_PHONE,
	MR_MOBILE,
	MR_EMAIL,
	MR_WEBSITE,
	MR_NAME,
	MR_ADDRESS,
	MR__MAX
};
extern const char *const match_rule_names[MR__MAX]; /* the body's members and the reasons */

struct match_rules {
	double weight[MR__MAX];
	double name_floor, address_floor; /* the least similarity that counts */
	double threshold;                 /* the least score shown */
};

void match_rules_default(struct match_rules *r);
/* The rules as stored (settings key "match") over the defaults. A DB_ code. */
int match_rules_load(struct db *db, struct match_rules *r);
/* Check a settings document; 0, or -1 with the problem's errors added (field names). */
int match_rules_check(const json_t *doc, struct problem *p);
/* The rules as a JSON document. */
json_t *match_rules_json(const struct match_rules *r);

#define MATCH_RESULTS_MAX 10

/* One look-alike: the record, its owner, its score and the rules that hold (bit per rule). */
struct match_hit {
	int64_t id, owner_id;
	const char *name, *owner_name; /* in op's arena */
	double score, sim[MR__MAX];
	unsigned reasons;
};

/*
 * What many checks in a row (an import's dry run) learn once and need not ask again: the records
 * that have each name bigram met so far that is not too common to be evidence (the common ones
 * the process remembers for every check: find.c), and how many records there are (which weighs
 * the bigrams). The threads that check one import's rows
 * share it.
 */
struct match_memo {
	pthread_mutex_t lock;
	/* A bigram's code (its eight bytes) → its postings in ids: offset << 16 | count. */
	struct strset grams;
	int64_t *ids; /* the postings remembered, MATCH_MEMO_IDS at most */
	size_t n_ids, cap_ids;
	int64_t records; /* live records of the entity; -1 until asked */
};
#define MATCH_MEMO_IDS (512 * 1024)
void match_memo_init(struct match_memo *m);
void match_memo_release(struct match_memo *m);

/* The look-alikes of body (as match_find takes it) into hits, best first, at most max (*n).
 * 0, or a negative status with op->problem set. The caller loads the rules (an import checks
 * many rows with one load); memo may be NULL. */
int match_best(struct op *op, const struct match_rules *rules, struct match_memo *memo,
               const json_t *body, struct match_hit *hits, size_t max, size_t *n);
/* The same for a record's values (by field position), as an import's reader has them: the
 * first field of each kind, with the core name and address it has made already (the normal
 * forms of match/keys.h; NULL: none). */
int match_best_values(struct op *op, const struct match_rules *rules, struct match_memo *memo,
                      const struct value *vals, const char *core_name, const char *core_address,
                      struct match_hit *hits, size_t max, size_t *n);
/* [{"id","name","score","reasons","similarity","owner"}…] of n hits. */
void match_hits_json(struct str *out, const struct match_hit *h, size_t n);

/* {"data":[{"id","name","score","reasons":[…],"similarity":{…},"owner":{"id","name"}}]} for
 * body against op->e's live records (all of them: the check is about the whole base). A body's
 * "id" is left out of the results (the record being edited). 200, or -1 with op->problem. */
int match_find(struct op *op, const json_t *body, struct str *out);

#endif
