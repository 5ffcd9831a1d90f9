/*
 * How an entity's records are tied to customers, from the schema keys "timeline" and "handover"
 * (registry.h struct timeline, struct handover), checked once every entity is known.
 */
#ifndef SEXTANT_LINKS_H
#define SEXTANT_LINKS_H

#include "registry.h"
#include "core/arena.h"

#include <jansson.h>

/*
 * timeline: {"customer", "contact", "at", "kind", "detail", "followup": bool} — customer a
 * reference to customers, contact (optional) one to contacts, at a date or time, kind an option
 * field, detail a text. handover: {"customer": field, "when": {option field: [option, …]}}.
 * Either may be NULL. 0, or -1 with err.
 */
int links_resolve(struct arena *a, struct entity *e, const json_t *timeline, const json_t *handover,
                  char *err, size_t errlen);

#endif
