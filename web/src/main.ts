import { createApp } from 'vue';
import { createPinia } from 'pinia';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { router } from './router';
import { i18n, setLocale, type Locale } from './i18n';
import { ElMessage } from 'element-plus';
import { ApiError, onSessionExpired } from './api';
import { useSession } from './stores/session';

const app = createApp(App);
app.use(createPinia());
app.use(router);
app.use(i18n);
app.use(ElementPlus);
setLocale(i18n.global.locale.value as Locale);
// A session that ended (idle, elsewhere, an administrator): back to the login, then back here.
onSessionExpired(() => {
  const session = useSession();
  session.user = null;
  const here = router.currentRoute.value.fullPath;
  if (router.currentRoute.value.name !== 'login')
    router.push({ name: 'login', query: { next: here, expired: '1' } });
});
// A refusal nobody on the page handled (403, 404, 409 …) still tells the user what happened.
function tell(e: unknown) {
  if (e instanceof ApiError && e.problem.status !== 401) ElMessage.error(String(e.problem.detail || e.problem.title));
  else if (!(e instanceof ApiError)) console.error(e);
}
app.config.errorHandler = tell;
window.addEventListener('unhandledrejection', (ev) => {
  if (ev.reason instanceof ApiError) {
    ev.preventDefault();
    tell(ev.reason);
  }
});
app.mount('#app');
