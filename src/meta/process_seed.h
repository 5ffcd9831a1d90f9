/*
 * The processes Sextant ships (the files of process/, embedded at build time): each installed once,
 * at the first start that knows it, through the same path as an administrator's definition.
 * Afterwards it is the administrators' to change or remove; a removed one does not come back.
 */
#ifndef SEXTANT_PROCESS_SEED_H
#define SEXTANT_PROCESS_SEED_H

#include "db/db.h"

/* Install the shipped processes not installed before. 0, or -1 (logged). */
int process_seed(struct db *db);

#endif
