/* Every route of the server, in matching order (the first match wins). */
#include "api.h"
#include "core/util.h"

#define JSON RF_BODY_JSON
#define LONG RF_LONG
const struct route api_routes[] = {
    {M_GET, "/healthz", api_healthz, RF_PUBLIC | RF_NO_DB, "healthz"},
    {M_GET, "/readyz", api_readyz, RF_PUBLIC, "readyz"},
    {M_GET, "/metrics", api_metrics, RF_PUBLIC | RF_NO_DB, "metrics"},

    {M_POST, "/api/v1/auth/login", api_login, RF_PUBLIC | JSON, "auth.login"},
    {M_POST, "/api/v1/auth/logout", api_logout, 0, "auth.logout"},
    {M_GET, "/api/v1/auth/me", api_me, 0, "auth.me"},
    {M_GET, "/api/v1/auth/sessions", api_sessions_list, 0, "auth.sessions.list"},
    {M_DELETE, "/api/v1/auth/sessions", api_sessions_end_all, 0, "auth.sessions.end_all"},
    {M_DELETE, "/api/v1/auth/sessions/{id}", api_session_revoke, 0, "auth.sessions.revoke"},
    {M_GET, "/api/v1/auth/tokens", api_token_list_route, 0, "auth.tokens.list"},
    {M_POST, "/api/v1/auth/tokens", api_token_create_route, RF_SESSION | JSON,
     "auth.tokens.create"},
    {M_DELETE, "/api/v1/auth/tokens/{id}", api_token_revoke_route, 0, "auth.tokens.revoke"},

    {M_GET, "/api/v1/meta", api_meta, 0, "meta"},
    {M_GET, "/api/v1/meta/entities/{entity}", api_meta_entity, 0, "meta.entity"},
    {M_POST, "/api/v1/meta/entities/{entity}/fields", api_meta_field_create, RF_ADMIN | JSON | LONG,
     "meta.field.create"},
    {M_PATCH, "/api/v1/meta/entities/{entity}/fields/{field}", api_meta_field_update,
     RF_ADMIN | JSON | LONG, "meta.field.update"},
    {M_DELETE, "/api/v1/meta/entities/{entity}/fields/{field}", api_meta_field_delete,
     RF_ADMIN | LONG, "meta.field.delete"},
    {M_PUT, "/api/v1/meta/entities/{entity}/fields/{field}/options", api_meta_field_options,
     RF_ADMIN | JSON | LONG, "meta.field.options"},
    {M_GET, "/api/v1/openapi.json", api_openapi, 0, "openapi"},
    {M_GET, "/api/v1/audit", api_audit, RF_ADMIN, "audit"},

    {M_GET, "/api/v1/org-units", api_org_list, 0, "org.list"},
    {M_POST, "/api/v1/org-units", api_org_create, RF_ADMIN | JSON, "org.create"},
    {M_PATCH, "/api/v1/org-units/{id}", api_org_update, RF_ADMIN | JSON, "org.update"},
    {M_DELETE, "/api/v1/org-units/{id}", api_org_delete, RF_ADMIN, "org.delete"},
    {M_GET, "/api/v1/users", api_users_list, 0, "users.list"},
    {M_POST, "/api/v1/users", api_user_create, RF_ADMIN | JSON, "users.create"},
    {M_GET, "/api/v1/users/{id}", api_user_get, 0, "users.get"},
    {M_PATCH, "/api/v1/users/{id}", api_user_update, RF_ADMIN | JSON, "users.update"},
    {M_POST, "/api/v1/users/{id}/password", api_user_password, RF_ADMIN | JSON, "users.password"},
    {M_POST, "/api/v1/users/{id}/unlock", api_user_unlock, RF_ADMIN, "users.unlock"},
    {M_GET, "/api/v1/users/{id}/sessions", api_user_sessions, RF_ADMIN, "users.sessions"},
    {M_DELETE, "/api/v1/users/{id}/sessions", api_user_sessions_end, RF_ADMIN,
     "users.sessions.end"},
    {M_GET, "/api/v1/roles", api_roles_list, RF_ADMIN, "roles.list"},
    {M_POST, "/api/v1/roles", api_role_create, RF_ADMIN | JSON, "roles.create"},
    {M_PATCH, "/api/v1/roles/{key}", api_role_update, RF_ADMIN | JSON, "roles.update"},
    {M_DELETE, "/api/v1/roles/{key}", api_role_delete, RF_ADMIN, "roles.delete"},
    {M_PUT, "/api/v1/roles/{key}/permissions", api_role_permissions, RF_ADMIN | JSON,
     "roles.permissions"},

    {M_GET, "/api/v1/{entity}", api_entity_list, 0, "entity.list"},
    {M_POST, "/api/v1/{entity}", api_entity_create, JSON, "entity.create"},
    {M_GET, "/api/v1/{entity}/export", api_entity_export, 0, "entity.export"},
    {M_POST, "/api/v1/{entity}/import", api_entity_import, RF_BODY_FILE | LONG, "entity.import"},
    {M_POST, "/api/v1/{entity}/bulk-update", api_entity_bulk_update, JSON | LONG,
     "entity.bulk_update"},
    {M_GET, "/api/v1/{entity}/{id}", api_entity_get, 0, "entity.get"},
    {M_PATCH, "/api/v1/{entity}/{id}", api_entity_update, JSON, "entity.update"},
    {M_DELETE, "/api/v1/{entity}/{id}", api_entity_delete, 0, "entity.delete"},
    {M_POST, "/api/v1/{entity}/{id}/restore", api_entity_restore, RF_ADMIN, "entity.restore"},
    {M_GET, "/api/v1/{entity}/{id}/shares", api_shares_list, 0, "entity.shares.list"},
    {M_POST, "/api/v1/{entity}/{id}/shares", api_share_create, JSON, "entity.shares.create"},
    {M_DELETE, "/api/v1/{entity}/{id}/shares/{share}", api_share_delete, 0, "entity.shares.delete"},
    {M_GET, "/api/v1/{entity}/{id}/{relation}", api_entity_related, 0, "entity.related"},

    {M_GET, "/*", static_serve, RF_PUBLIC | RF_NO_DB, "static"},
};
const size_t api_routes_count = ARRAY_SIZE(api_routes);
