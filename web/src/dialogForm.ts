// A dialog with a form that sends one request (erase a contact, release or hand over a
// customer): whether it is open, busy while the request runs, and the server's refusal placed —
// the errors of the fields the form shows at them, the rest as one text above the form.
import { reactive, ref } from 'vue';
import { clearErrors, placeProblem } from './problems';

export function useDialogForm(fields: string[]) {
  const open = ref(false);
  const busy = ref(false);
  const errors = reactive<Record<string, string>>({});
  const error = ref('');
  function clear() {
    clearErrors(errors);
    error.value = '';
  }
  function show() {
    clear();
    open.value = true;
  }
  /* Run the request; true when it went through, else its refusal is placed. */
  async function submit(request: () => Promise<void>): Promise<boolean> {
    busy.value = true;
    try {
      await request();
      return true;
    } catch (e) {
      error.value = placeProblem(e, errors, fields);
      return false;
    } finally {
      busy.value = false;
    }
  }
  return { open, busy, errors, error, clear, show, submit };
}
