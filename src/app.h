/* Start-up shared by the subcommands: open the database, migrate, load the model. */
#ifndef SEXTANT_APP_H
#define SEXTANT_APP_H

#include "core/config.h"
#include "db/db.h"
#include "meta/registry.h"

/* Open a connection as the configuration says (creating the data folder for SQLite). */
int app_open_db(const struct config *cfg, struct db **out);
/*
 * Bring the database up to date: system migrations, then the tables the model declares, then
 * install the registry. *fresh tells whether the database was empty before.
 */
int app_prepare(const struct config *cfg, struct db *db, bool *fresh);
/* With no users at all, create "admin" with a random password shown once (and kept in a file
 * only its owner can read, in the data folder). */
int app_bootstrap_admin(const struct config *cfg, struct db *db);

#endif
