/* Every module's record hooks (meta/hooks.h), installed at start-up by app_prepare. */
#include "hooks.h"
#include "plans.h"

const struct record_hooks module_hooks[] = {
    {"contact_plans", plans_created, plans_updated},
    {NULL, NULL, NULL},
};
