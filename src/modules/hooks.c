/* Every module's record hooks (meta/hooks.h), installed at start-up by app_prepare. */
#include "hooks.h"
#include "leads.h"
#include "plans.h"
#include "return_visits.h"

const struct record_hooks module_hooks[] = {
    {"contact_plans", plans_created, plans_updated},
    {"leads", leads_created, leads_updated},
    {"return_visits", return_visits_created, return_visits_updated},
    {NULL, NULL, NULL},
};
