/* Every module's record hooks (meta/hooks.h), installed at start-up by app_prepare. */
#include "hooks.h"
#include "leads.h"
#include "plans.h"
#include "return_visits.h"
#include "work_plans.h"
#include "work_reports.h"

const struct record_hooks module_hooks[] = {
    /* An appraisal is kept as a report is: its period, title and its person's figures. */
    {"appraisals", work_reports_created, work_reports_updated, NULL},
    {"contact_plans", plans_created, plans_updated, NULL},
    {"leads", leads_created, leads_updated, NULL},
    {"return_visits", return_visits_created, return_visits_updated, NULL},
    {"work_plans", work_plans_created, work_plans_updated, NULL},
    {"work_plan_items", work_plan_items_created, work_plan_items_updated, work_plan_items_removed},
    {"work_reports", work_reports_created, work_reports_updated, NULL},
    {NULL, NULL, NULL, NULL},
};
