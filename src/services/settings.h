/*
 * Settings administrators change at run time (the mail server, the SMS gateway …): one JSON
 * document a key in table sys_settings, so every node reads the same.
 */
#ifndef SEXTANT_SETTINGS_H
#define SEXTANT_SETTINGS_H

#include "db/db.h"

#include <jansson.h>
#include <stdint.h>

/* The document of key (a new reference), or an empty object if there is none. A DB_ code. */
int settings_get(struct db *db, const char *key, json_t **out);
/* Replace key's document with doc's text (inside or outside a transaction). A DB_ code. */
int settings_put(struct db *db, const char *key, const char *doc, int64_t by_user);

#endif
