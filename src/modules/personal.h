/*
 * A person's data on request (REQUIREMENTS.md CT-8, PIPL art. 45 and 47; GDPR art. 15, 17 and
 * 20; docs/internals/PERSONAL.md): everything the system holds about a contact, as one JSON
 * document, and erasing it. Both need the right to see the contact's sensitive fields, and both
 * are in the audit trail.
 */
#ifndef SEXTANT_PERSONAL_H
#define SEXTANT_PERSONAL_H

#include "core/str.h"
#include "meta/op.h"

#include <jansson.h>

/*
 * {"exported_at","entity","id","record":{…all fields shown…},"related":{"<relation>":[…]},
 *  "files":[{id,name,content_type,size,created_at}]}: the record and every record that refers to
 * it, as the caller may read them, sensitive fields shown (each read audited as a reveal), then
 * an audit row "personal_export". op->e is the person's entity. 200, or a negative status.
 */
int personal_export(struct op *op, int64_t id, struct str *out);

/*
 * body {"reason"} (required): the person's fields emptied (the name replaced by a placeholder;
 * the customer, role, department and position kept), their related people deleted, their files
 * deleted, and the old values taken out of the audit trail of each — in one transaction, then an
 * audit row "erase" with the reason. 200 with the record as it is left, or a negative status.
 */
int personal_erase(struct op *op, int64_t id, const json_t *body, struct str *out);

#endif
