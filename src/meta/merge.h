/*
 * Merging two records of an entity that are one (issue 7: duplicate customers): the one kept
 * takes the fields chosen from the other, every record that referred to the other (contacts,
 * tasks …), its files, shares and reminders move to the one kept, and the other is deleted —
 * all in one transaction, each change in the audit trail (docs/internals/MATCH.md).
 */
#ifndef SEXTANT_MERGE_H
#define SEXTANT_MERGE_H

#include "crud.h"
#include "op.h"

#include <jansson.h>

/*
 * Merge body {"from": id, "take": ["phone", …]} into record id of op->e. 200 with the kept record
 * and "moved": {"<relation>": n, "files": n, …}, or -1/-2 with op->problem: 404 (either record),
 * 422 (a body member, the same record twice, a field that cannot be taken), 403 (the caller may
 * not change the one or delete the other).
 */
int record_merge(struct op *op, int64_t id, const json_t *body, struct str *out);

#endif
