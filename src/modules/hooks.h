/* The table of every module's record hooks (meta/hooks.h). */
#ifndef SEXTANT_MODULE_HOOKS_H
#define SEXTANT_MODULE_HOOKS_H

#include "meta/hooks.h"

extern const struct record_hooks module_hooks[];

#endif
