/* The metadata as JSON: GET /api/v1/meta, for the UI's generic lists and forms. */
#ifndef SEXTANT_METAJSON_H
#define SEXTANT_METAJSON_H

#include "registry.h"
#include "auth/actor.h"
#include "core/str.h"

void meta_label_json(struct str *out, const struct label *l);
void meta_field_json(struct str *out, const struct field *f);
/* With what the actor may do on each entity ("permissions" and "scopes"). */
void meta_entity_json(struct str *out, const struct entity *e, const struct actor *a);
void meta_registry_json(struct str *out, const struct registry *r, const struct actor *a);

#endif
