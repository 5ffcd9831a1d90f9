// The administration pages (设置 Settings): their routes and the sidebar entries that lead to them.
// Only administrators see the entries; the server refuses the calls to anybody else anyway.
import type { RouteRecordRaw } from 'vue-router';

export const adminPages = [
  { key: 'users', path: 'admin/users', component: () => import('../views/admin/UsersView.vue') },
  { key: 'roles', path: 'admin/roles', component: () => import('../views/admin/RolesView.vue') },
  { key: 'org', path: 'admin/org', component: () => import('../views/admin/OrgView.vue') },
  { key: 'fields', path: 'admin/fields', component: () => import('../views/admin/FieldsView.vue') },
  { key: 'security', path: 'admin/security', component: () => import('../views/admin/SecurityView.vue') },
  { key: 'oidc', path: 'admin/oidc', component: () => import('../views/admin/OidcClientsView.vue') },
  { key: 'messaging', path: 'admin/messaging', component: () => import('../views/admin/MessagingView.vue') },
  { key: 'outbox', path: 'admin/outbox', component: () => import('../views/admin/OutboxView.vue') },
  { key: 'jobs', path: 'admin/jobs', component: () => import('../views/admin/JobsView.vue') },
  { key: 'webhooks', path: 'admin/webhooks', component: () => import('../views/admin/WebhooksView.vue') },
  { key: 'processes', path: 'admin/processes', component: () => import('../views/admin/ProcessesView.vue') },
  { key: 'match', path: 'admin/match', component: () => import('../views/admin/MatchRulesView.vue') },
  { key: 'pool', path: 'admin/pool', component: () => import('../views/admin/PoolRulesView.vue') },
  { key: 'birthdays', path: 'admin/birthdays', component: () => import('../views/admin/BirthdayRulesView.vue') },
  { key: 'leads', path: 'admin/leads', component: () => import('../views/admin/LeadBandsView.vue') },
];

export const adminRoutes: RouteRecordRaw[] = adminPages.map((p) => ({
  path: p.path,
  name: `admin-${p.key}`,
  component: p.component,
  meta: { admin: true },
}));
