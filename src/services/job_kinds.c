/*
 * Every kind of job the system runs. Modules add their rows here: a recurring kind gets its
 * row in table jobs at start-up (jobs_sync) and administrators may change its schedule; a
 * one-off kind is queued with job_enqueue.
 */
#include "jobs.h"
#include "modules/birthdays.h"
#include "modules/pool.h"
#include "reminders.h"
#include "workers.h"

const struct job_kind job_kinds[] = {
    {"maintenance.purge", workers_purge, "17 * * * *", 600, 0, "清理过期数据",
     "Purge expired data"},
    {"tasks.remind", reminders_tasks_due, "@every 1m", 300, 0, "发送任务提醒",
     "Send task reminders"},
    {"tasks.escalate", reminders_tasks_overdue, "@every 5m", 300, 0, "逾期任务上报",
     "Escalate overdue tasks"},
    {"reminders.fire", reminders_fire, NULL, 120, 5, "发送个人提醒", "Send a personal reminder"},
    {"customers.pool", pool_job, "15 * * * *", 600, 0, "公海回收：预警与退回",
     "Shared pool: warn, then return customers"},
    {"contacts.birthdays", birthdays_job, "0 1 * * *", 600, 0, "联系人生日提醒",
     "Contacts' birthday reminders"},
    {NULL, NULL, NULL, 0, 0, NULL, NULL},
};
