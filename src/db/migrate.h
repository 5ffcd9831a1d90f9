/*
 * Versioned migrations of the system tables (users, sessions, audit, metadata overlays …).
 * Each runs once, in its own transaction, recorded in schema_migrations; running them again
 * changes nothing. Several nodes starting at once take turns (an advisory lock on PostgreSQL,
 * the write lock on SQLite). Entity tables are not here: they follow the metadata (meta/ddl.c).
 */
#ifndef SEXTANT_MIGRATE_H
#define SEXTANT_MIGRATE_H

#include "db.h"

/* Apply what is missing; returns 0 or a DB_E* code, logging what failed. */
int migrate_core(struct db *db);
/* Highest core migration this binary knows. */
int migrate_latest(void);
/* Take the migration lock inside an open transaction (PostgreSQL; SQLite holds it already). */
int migrate_lock(struct db *db);

#endif
