/* The model built from the shipped schemas alone (no database), for the unit tests of the model. */
#ifndef SEXTANT_UNIT_REGISTRY_H
#define SEXTANT_UNIT_REGISTRY_H

#include "unit.h"

#include "core/log.h"
#include "meta/registry.h"

/* The registry, or NULL with the reason printed; quiet below errors. */
static __attribute__((unused)) struct registry *unit_registry(void)
{
	log_threshold = LOG_ERROR;
	char *err = NULL;
	struct registry *r = registry_build(NULL, &err);
	if (!r) {
		print_error("registry_build: %s\n", err ? err : "?");
		free(err);
	}
	return r;
}

#endif
