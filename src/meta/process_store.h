/*
 * Process definitions administrators write (meta/process.h): each a change to the model, made
 * like a custom field's — checked by parsing it against its entity, stored, meta_version bumped,
 * the registry rebuilt in the same transaction and installed after it (other nodes follow
 * within two seconds). Functions return an HTTP status, or -1/-2 like crud.h.
 */
#ifndef SEXTANT_PROCESS_STORE_H
#define SEXTANT_PROCESS_STORE_H

#include "op.h"
#include "core/str.h"

#include <jansson.h>

/* Every stored definition as {"data":[{"key","entity","version","definition"}]}. */
int process_list_json(struct op *op, struct str *out);
/* One: {"key","entity","version","updated_at","definition"}; 404 if none. */
int process_get_json(struct op *op, const char *key, struct str *out);
/* Create or replace key with def (its "entity" names the entity; one process per entity). */
int process_store(struct op *op, const char *key, const json_t *def, struct str *out);
int process_remove(struct op *op, const char *key);

#endif
