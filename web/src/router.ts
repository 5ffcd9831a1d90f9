// Pages: the login (and the password change it may demand), then the layout with the areas.
import { createRouter, createWebHistory } from 'vue-router';
import { adminRoutes } from './admin/routes';
import { useSession } from './stores/session';

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
    {
      path: '/',
      component: () => import('./views/AppLayout.vue'),
      children: [
        { path: '', name: 'workbench', component: () => import('./views/WorkbenchView.vue') },
        { path: 'account', name: 'account', component: () => import('./views/AccountView.vue') },
        { path: 'password', name: 'password', component: () => import('./views/PasswordView.vue') },
        { path: 'e/:entity', name: 'list', component: () => import('./views/EntityListView.vue'), props: true },
        { path: 'e/:entity/new', name: 'create', component: () => import('./views/RecordFormView.vue'), props: true },
        { path: 'e/:entity/:id/edit', name: 'edit', component: () => import('./views/RecordFormView.vue'), props: true },
        { path: 'e/:entity/:id/merge', name: 'record-merge', component: () => import('./views/MergeView.vue'), props: (r) => ({ entity: String(r.params.entity), id: String(r.params.id), from: typeof r.query.from === 'string' ? r.query.from : undefined }) },
        { path: 'e/:entity/import', name: 'import', component: () => import('./views/ImportView.vue'), props: true },
        { path: 'e/:entity/:id', name: 'record', component: () => import('./views/RecordView.vue'), props: true },
        { path: 'sales/funnel', name: 'funnel', component: () => import('./views/sales/FunnelView.vue') },
        { path: 'sales/board', name: 'board', component: () => import('./views/sales/BoardView.vue') },
        { path: 'sales/performance', name: 'performance', component: () => import('./views/sales/PerformanceView.vue') },
        { path: 'sales/customers', name: 'customerAnalysis', component: () => import('./views/sales/CustomerAnalysisView.vue') },
        { path: 'approvals', name: 'approvals', component: () => import('./views/ApprovalsView.vue') },
        { path: 'sales/activities', name: 'activityReport', component: () => import('./views/sales/ActivityReportView.vue') },
        { path: 'pool', name: 'pool', component: () => import('./views/PoolView.vue') },
        { path: 'search', name: 'search', component: () => import('./views/SearchView.vue'), props: (r) => ({ q: String(r.query.q || '') }) },
        { path: 'area/:area', name: 'area', component: () => import('./views/AreaView.vue'), props: true },
        ...adminRoutes,
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});

router.beforeEach(async (to) => {
  const session = useSession();
  if (to.meta.public) return true;
  if (!session.user) {
    try {
      await session.restore();
    } catch {
      return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
    }
  }
  // An administrator-set or expired password: nothing else until it is changed.
  if (session.user?.restriction === 'password_change_required') return to.name === 'password' ? true : { name: 'password' };
  // A role that requires a second factor: set it up first (the account page needs no model).
  if (session.user?.restriction === 'totp_enrolment_required') return to.name === 'account' ? true : { name: 'account' };
  if (to.meta.admin && !session.user?.admin) return { name: 'workbench' };
  if (!session.entities.length) await session.loadModel();
  return true;
});
