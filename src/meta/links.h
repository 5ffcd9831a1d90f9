/*
 * How an entity's records are tied to customers, from the schema keys "timeline", "handover" and
 * "business" (registry.h struct timeline, handover, business), checked once every entity is
 * known.
 */
#ifndef SEXTANT_LINKS_H
#define SEXTANT_LINKS_H

#include "registry.h"
#include "core/arena.h"

#include <jansson.h>

/*
 * From the entity's schema:
 *   timeline: {"customer", "contact", "at", "kind", "detail", "followup": bool} — customer a
 *             reference to customers, contact (optional) one to contacts, at a date or time,
 *             kind an option field, detail a text;
 *   handover: {"customer": field, "when": {option field: [option, …]}};
 *   business: {"customer": field, "at": date or time field, "counted": {option field: [option,
 * …]}}. Each may be missing. 0, or -1 with err.
 */
int links_resolve(struct arena *a, struct entity *e, const json_t *schema, char *err,
                  size_t errlen);

#endif
