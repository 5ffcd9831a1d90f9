/*
 * What GET /api/v1/customers/{id}/network (api/network.c) shows of each record, for the
 * organisation chart and influence graph of the web app; the OpenAPI document describes the same
 * lists. No sensitive field: the charts need none, and the answer is read by everyone who may see
 * the customer.
 */
#ifndef SEXTANT_NETWORK_H
#define SEXTANT_NETWORK_H

/* A customer's network answers this many contacts and relations at most ("truncated"). */
#define NETWORK_MAX_CONTACTS  500
#define NETWORK_MAX_RELATIONS 2000

static const char *const network_contact_fields[] = {"id",
                                                     "name",
                                                     "position",
                                                     "department",
                                                     "decision_role",
                                                     "attitude",
                                                     "influence_level",
                                                     "reports_to_id",
                                                     "contact_role",
                                                     NULL};
static const char *const network_relation_fields[] = {
    "id", "contact_id", "related_contact_id", "relation", "name", "influence_reason", NULL};

#endif
