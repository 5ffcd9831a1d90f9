/*
 * Settings administrators change at run time (the mail server, the SMS gateway …): one JSON
 * document a key in table sys_settings, so every node reads the same.
 */
#ifndef SEXTANT_SETTINGS_H
#define SEXTANT_SETTINGS_H

#include "core/problem.h"
#include "db/db.h"

#include <jansson.h>
#include <stdint.h>

/* The document of key (a new reference), or an empty object if there is none. A DB_ code. */
int settings_get(struct db *db, const char *key, json_t **out);
/* Replace key's document with doc's text (inside or outside a transaction). A DB_ code. */
int settings_put(struct db *db, const char *key, const char *doc, int64_t by_user);

/* Checks of a document a PUT sends, problems naming the member. doc must be an object (false,
 * with invalid_value, when it is not) whose members are among members (NULL-terminated): each
 * other one is unknown_field. */
bool settings_check_members(const json_t *doc, const char *const *members, struct problem *p);
/* Member at holds a number (an integer if integral) from min to max; else out_of_range. */
void settings_check_number(struct problem *p, const char *at, const json_t *v, bool integral,
                           double min, double max);

#endif
