/*
 * Changes administrators make to the model at run time: custom fields (real columns) and
 * edited option lists. Each change is one transaction that records the overlay, alters the
 * table and bumps meta_version; this node installs the new registry at once, other nodes within
 * a second or two (they poll meta_version). See docs/internals/METADATA.md.
 *
 * Functions return an HTTP status with the field's metadata in out, or -1/-2 like crud.h.
 */
#ifndef SEXTANT_CUSTOM_H
#define SEXTANT_CUSTOM_H

#include "op.h"
#include "core/str.h"

#include <jansson.h>

/* Custom field names start with this, so later built-in fields can never collide. */
#define CUSTOM_PREFIX "c_"

/* For every change to the model (custom.c, process_store.c), inside its transaction: bump
 * meta_version, and build the registry as the database now describes it (a 422 in op->problem
 * when it does not load). */
int model_bump_version(struct db *db);
int model_rebuild(struct op *op, struct registry **reg);

int custom_field_create(struct op *op, const json_t *def, struct str *out);
int custom_field_update(struct op *op, const char *name, const json_t *patch, struct str *out);
int custom_field_delete(struct op *op, const char *name);
int custom_field_options(struct op *op, const char *name, const json_t *options, struct str *out);

#endif
