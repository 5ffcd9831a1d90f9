/*
 * Demo data: realistic, deterministic customers and contacts of a yacht builder's market
 * (coastal Chinese companies, clubs, marinas and people), for a newcomer's first start and for
 * the benchmarks' data sets.
 */
#ifndef SEXTANT_DEMO_H
#define SEXTANT_DEMO_H

#include "db/db.h"

#include <stdint.h>
#include <stdio.h>

/*
 * Load the demo set once (marked in sys_meta): the demo organisation and people (demo_people)
 * and customers with their contacts, owned by the demo salespeople, and follow-up tasks for
 * them. verbose prints what it did.
 */
int demo_load(struct db *db, const char *data_dir, bool verbose);
/* The demo organisation and a user for every shipped role, if there is no organisation yet;
 * their password is printed once and kept in data_dir/demo-password.txt. */
int demo_people(struct db *db, const char *data_dir, bool verbose);
/* Give the customers to the demo salespeople in turn; their contacts follow. */
int demo_assign_owners(struct db *db, const int64_t *customer_ids, size_t n);
/* Follow-up tasks on the first customers for their owners, due from a few days ago to two
 * weeks ahead, each with a reminder the day before: the demo workbench has work on it. */
int demo_tasks(struct db *db, const int64_t *customer_ids, size_t n);
/* Private buyers, dealers, marinas and clubs (demo/buyers.c); *count of them. */
int demo_buyers(struct db *db, long *count);
/* The last n of the demo customers returned to the shared pool by their owners' neglect. */
int demo_pool(struct db *db, const int64_t *customer_ids, size_t n);
/* A CSV cell, quoted (names may hold anything a spreadsheet would split on). */
void demo_csv_quoted(FILE *f, const char *s);
/* Follow-ups and contacts' news on the demo customers (demo/activities.c). */
int demo_activities(struct db *db, const int64_t *customer_ids, size_t n);
/* Leads at every state of the lead flow (demo/leads.c). */
int demo_leads(struct db *db);
/* The demo salespeople's plans, reports, visits, service plans, bids and their manager's
 * comments (demo/salework.c); after the opportunities and activities they count. */
int demo_sales_work(struct db *db);
/* Opportunities at every stage for the demo customers, with their stage moves
 * (demo/opportunities.c). */
int demo_opportunities(struct db *db, const int64_t *customer_ids, size_t n);
/* n opportunities numbered from first, of customers 1..n drawn by the seed, at every stage
 * (`sextant generate opportunities`: the benchmark's funnel). */
int demo_generate_opportunities(FILE *out, long n, long first, uint64_t seed);
/* demo_import_fd, then each row given to its customer's owner and unit. */
int demo_import_owned(struct db *db, const char *entity, int fd);
/* Import the CSV in fd into entity through the ordinary import path (checks, audit, counts). */
int demo_import_fd(struct db *db, const char *entity, int fd);
/* Write n rows of an entity as CSV (field names as headers), numbered from first: the number
 * makes a row's tax ID, e-mail and web site, so a file numbered on from a loaded one holds new
 * companies. Contacts refer to customer ids 1..n/2+1 (for a database whose customers were
 * generated the same way). */
int demo_generate_csv(FILE *out, const char *entity, long n, long first, uint64_t seed);
/* The same, with contacts referring to the given customer ids. */
int demo_generate_csv_ids(FILE *out, const char *entity, long n, long first, uint64_t seed,
                          const int64_t *customer_ids, size_t n_ids);

#endif
