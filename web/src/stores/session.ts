// Who is signed in, what they must do first, and the model they may see.
import { defineStore } from 'pinia';
import { api, setCsrf } from '../api';
import { i18n, setLocale, type Locale } from '../i18n';

export interface User {
  id: number;
  username: string;
  display_name: string;
  roles: string[];
  admin: boolean;
  org_unit_id: number | null;
  locale: string;
  totp_enabled: boolean;
  restriction: null | 'password_change_required' | 'totp_enrolment_required';
}

export interface Field {
  name: string;
  type: string;
  label: Record<string, string>;
  sensitive?: boolean;
  system?: boolean;
  sortable?: boolean;
  required?: boolean;
  read_only?: boolean;
  custom?: boolean;
  indexed?: boolean;
  searchable?: boolean;
  unique?: boolean;
  section?: string | null;
  ref?: string;
  format?: string;
  max_length?: number;
  min?: number;
  max?: number;
  scale?: number;
  default?: unknown;
  help?: Record<string, string>;
  operators?: string[];
  options?: { key: string; label: Record<string, string>; disabled?: boolean }[];
}

export interface Relation {
  name: string;
  entity: string;
  field: string;
  label: Record<string, string>;
}

export interface Entity {
  name: string;
  sections: { key: string; label: Record<string, string> }[];
  relations: Relation[];
  label: Record<string, string>;
  label_plural: Record<string, string>;
  title_field: string | null;
  searchable: boolean;
  fields: Field[];
  permissions: Record<string, boolean>;
  scopes?: Record<string, string>;
  owned?: boolean;
  default_sort?: string;
  area: string;
  /* The entity's process, if it has one: its state field changes only through transitions. */
  process?: { key: string; state_field: string } | null;
  /* Whether new and edited records are checked for duplicates (POST /api/v1/{name}/match). */
  duplicate_check?: boolean;
}

interface Me {
  csrf_token: string;
  user: User;
}

export const useSession = defineStore('session', {
  // approvalsWaiting: how many approval tasks wait for the user (the sidebar's badge).
  state: () => ({ user: null as User | null, entities: [] as Entity[], approvalsWaiting: 0 }),
  actions: {
    async login(username: string, password: string, totp?: string) {
      const me = await api<Me>('POST', '/api/v1/auth/login', { username, password, ...(totp ? { totp } : {}) });
      this.accept(me);
    },
    async restore() {
      const me = await api<Me>('GET', '/api/v1/auth/me');
      this.accept(me);
    },
    accept(me: Me) {
      setCsrf(me.csrf_token);
      this.user = me.user;
      // The language is the user's, kept on the server: the same on every browser they use.
      const l = me.user.locale as Locale;
      if ((l === 'en' || l === 'zh-CN') && l !== i18n.global.locale.value) setLocale(l);
    },
    async setLanguage(l: Locale) {
      setLocale(l);
      if (this.user) {
        this.user.locale = l;
        await api('PATCH', '/api/v1/auth/me', { locale: l }).catch(() => undefined);
      }
    },
    async loadModel() {
      const meta = await api<{ entities: Entity[] }>('GET', '/api/v1/meta');
      this.entities = meta.entities;
    },
    async countApprovals() {
      const r = await api<{ data: unknown[] }>('GET', '/api/v1/approval-tasks?state=pending').catch(() => null);
      if (r) this.approvalsWaiting = r.data.length;
    },
    async logout() {
      await api('POST', '/api/v1/auth/logout').catch(() => undefined);
      this.user = null;
    },
    entity(name: string) {
      return this.entities.find((e) => e.name === name);
    },
  },
});
