import { createApp } from 'vue';
import { createPinia } from 'pinia';
import ElementPlus from 'element-plus';
import 'element-plus/dist/index.css';
import App from './App.vue';
import { router } from './router';
import { i18n, setLocale, type Locale } from './i18n';
import { onSessionExpired } from './api';
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
app.mount('#app');
