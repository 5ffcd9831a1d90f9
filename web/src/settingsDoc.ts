// One settings document an administration page edits (GET and PUT /api/v1/settings/<key>): loaded
// on mount, saved with its problems shown at their fields. The page says how a loaded or saved
// document becomes what its form edits (accept), what goes out (outgoing) and which problem
// fields are its form's (the others are shown above it).
import { onMounted, reactive, ref, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { ElMessage } from 'element-plus';
import { api } from './api';
import { clearErrors, showProblem } from './problems';

export function useSettingsDoc<T>(
  key: string,
  page: { accept?: (doc: T) => T; outgoing?: (doc: T) => unknown; fields: string[] | ((field: string) => boolean) },
) {
  const { t } = useI18n();
  const doc = ref<T | null>(null) as Ref<T | null>;
  const busy = ref(false);
  const saving = ref(false);
  const errors = reactive<Record<string, string>>({});
  const accept = (d: T) => (doc.value = page.accept ? page.accept(d) : d);
  const path = `/api/v1/settings/${key}`;

  async function load() {
    busy.value = true;
    clearErrors(errors);
    try {
      accept(await api<T>('GET', path));
    } catch (e) {
      showProblem(e, {});
    } finally {
      busy.value = false;
    }
  }
  onMounted(load);

  async function save() {
    if (!doc.value) return;
    clearErrors(errors);
    saving.value = true;
    try {
      accept(await api<T>('PUT', path, page.outgoing ? page.outgoing(doc.value) : doc.value));
      ElMessage.success(t('admin.common.saved'));
    } catch (e) {
      showProblem(e, errors, page.fields);
    } finally {
      saving.value = false;
    }
  }
  return { doc, busy, saving, errors, load, save };
}
