/*
 * The duplicate report of an import's dry run (docs/internals/MATCH.md): each good row of an
 * entity with a duplicate check is compared with the records already there (the check's own
 * scoring) and with the rows before it in the file (by the codes of their exact keys: tax ID,
 * phone, e-mail, core name), so a person sees what is new before importing.
 */
#include "import_internal.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

#define MATCHES_PER_ROW 3

void import_match_init(struct importer *im, bool dry_run)
{
	im->dup.on = dry_run && match_fields_of(im->e);
	strset_init(&im->dup.keys);
	match_memo_init(&im->dup.memo);
	im->dup.json = (struct str)STR_INIT;
}

void import_match_release(struct importer *im)
{
	strset_release(&im->dup.keys);
	match_memo_release(&im->dup.memo);
	str_release(&im->dup.json);
}

/* The row's values as the check's body: the first field of each kind. */
static json_t *body_of(const struct entity *e, const struct match_fields *mf,
                       const struct value *vals)
{
	const char *members[][2] = {{"name", mf->name},        {"address", mf->address},
	                            {"phone", mf->phones[0]},  {"mobile", mf->mobiles[0]},
	                            {"email", mf->emails[0]},  {"website", mf->websites[0]},
	                            {"tax_id", mf->tax_ids[0]}};
	json_t *body = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
		const struct field *f = members[i][1] ? entity_field(e, members[i][1]) : NULL;
		if (f && vals[f->position].kind == V_TEXT)
			json_object_set_new(body, members[i][0],
			                    json_stringn(vals[f->position].s, vals[f->position].n));
	}
	return body;
}

/* The earlier rows of the file that share an exact key with this one, as [{"row","reasons"}]. */
static void earlier_rows(struct importer *im, const struct import_row *row, struct str *out,
                         size_t *found)
{
	static const struct {
		enum match_kind kind;
		const char *reason;
	} kinds[] = {
	    {MK_TAX, "tax_id"}, {MK_PHONE, "phone"}, {MK_EMAIL, "email"}, {MK_NAME, "name"}};
	int64_t rows[8];
	unsigned why[8] = {0};
	size_t n = 0;
	for (size_t i = 0; i < row->n_keys; i++) {
		size_t k = 0;
		while (k < ARRAY_SIZE(kinds) && kinds[k].kind != match_code_kind(row->keys[i]))
			k++;
		if (k == ARRAY_SIZE(kinds))
			continue;
		char key[24];
		int len = snprintf(key, sizeof key, "%llx", (unsigned long long)row->keys[i]);
		int64_t first;
		if (strset_add(&im->dup.keys, key, (size_t)len, row->line, &first))
			continue;
		size_t j = 0;
		while (j < n && rows[j] != first)
			j++;
		if (j == n && n < ARRAY_SIZE(rows))
			rows[n++] = first;
		if (j < n)
			why[j] |= 1u << k;
	}
	str_addc(out, '[');
	for (size_t j = 0; j < n; j++) {
		str_addf(out, "%s{\"row\":%lld,\"reasons\":[", j ? "," : "", (long long)rows[j]);
		size_t m = 0;
		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
			if (why[j] & (1u << k))
				str_addf(out, "%s\"%s\"", m++ ? "," : "", kinds[k].reason);
		str_adds(out, "]}");
	}
	str_addc(out, ']');
	*found = n;
}

int import_match_batch(struct importer *im, struct import_batch *b)
{
	if (!im->dup.on)
		return 0;
	struct op *op = im->op;
	const struct match_fields *mf = match_fields_of(im->e);
	if (!im->dup.rules_loaded) {
		int rc = match_rules_load(op->db, &im->dup.rules);
		if (rc)
			return rc;
		im->dup.rules_loaded = true;
	}
	for (size_t i = 0; i < b->n; i++) {
		const struct import_row *row = &b->rows[i];
		if (!row->ok)
			continue;
		json_t *body = body_of(im->e, mf, row->vals);
		struct match_hit hits[MATCHES_PER_ROW];
		size_t n = 0;
		size_t mark = op->problem->n_errors;
		int status =
		    match_best(op, &im->dup.rules, &im->dup.memo, body, hits, MATCHES_PER_ROW, &n);
		json_decref(body);
		if (status < 0) {
			/* Only a fault gets here: the row's values were checked already. */
			op->problem->n_errors = mark;
			return DB_ERROR;
		}
		struct str earlier = STR_INIT;
		size_t same = 0;
		earlier_rows(im, row, &earlier, &same);
		if (n || same) {
			im->dup.count++;
			if (im->dup.listed < IMPORT_MAX_ERRORS) {
				im->dup.listed++;
				str_addf(&im->dup.json, "%s{\"row\":%lld,\"matches\":",
				         im->dup.json.len ? "," : "", (long long)row->line);
				match_hits_json(&im->dup.json, hits, n);
				str_adds(&im->dup.json, ",\"rows\":");
				str_add(&im->dup.json, earlier.buf, earlier.len);
				str_addc(&im->dup.json, '}');
			}
		}
		str_release(&earlier);
	}
	return 0;
}

void import_match_report(const struct importer *im, struct str *out)
{
	if (!im->dup.on)
		return;
	str_addf(out, ",\"duplicate_rows\":%zu,\"duplicates_truncated\":%s,\"duplicates\":[",
	         im->dup.count, im->dup.count > im->dup.listed ? "true" : "false");
	str_add(out, im->dup.json.buf ? im->dup.json.buf : "", im->dup.json.len);
	str_addc(out, ']');
}
