// The phone breakpoint, for layouts that change below it (dialogs full screen, one column).
import { onBeforeUnmount, ref } from 'vue';

/* True below 768 px, kept current (a phone turned sideways). */
export function useNarrow() {
  const mq = window.matchMedia('(max-width: 768px)');
  const narrow = ref(mq.matches);
  const on = (e: MediaQueryListEvent) => (narrow.value = e.matches);
  mq.addEventListener('change', on);
  onBeforeUnmount(() => mq.removeEventListener('change', on));
  return narrow;
}
