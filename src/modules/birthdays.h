/*
 * Birthday reminders (REQUIREMENTS.md CT-1): the owner of a contact is told N days before the
 * contact's birthday — by the solar calendar, or by the lunar one for those who keep it (农历
 * 生日, contacts.birthday_lunar). The job contacts.birthdays runs daily; each birthday is told
 * once. A birthday is personal data (sensitive): only an owner whose roles may see contacts'
 * sensitive fields is told.
 */
#ifndef SEXTANT_BIRTHDAYS_H
#define SEXTANT_BIRTHDAYS_H

#include "core/problem.h"
#include "db/db.h"
#include "services/jobs.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct birthday_rules {
	bool enabled;
	int days_ahead; /* 0–60 */
};

void birthday_rules_default(struct birthday_rules *r);
/* The rules as stored (settings key "birthdays") over the defaults. A DB_ code. */
int birthday_rules_load(struct db *db, struct birthday_rules *r);
/* 0, or -1 with the problem's errors added (member names). */
int birthday_rules_check(const json_t *doc, struct problem *p);
json_t *birthday_rules_json(const struct birthday_rules *r);

/* Today in the company's time zone, as days since 1970-01-01. */
int64_t birthday_today(void);
/* The next birthday of someone born on date ("YYYY-MM-DD") on or after today, and in how many
 * days; false if there is none to find. */
bool birthday_of(const char *date, bool lunar, int64_t today, int64_t *next, int *days);
/* "农历闰五月初七" for a day, in English "lunar leap month 5, day 7"; "" outside the table. */
void birthday_lunar_text(int64_t day, enum lang lang, char *out, size_t n);

int birthdays_job(struct job_ctx *ctx);

#endif
