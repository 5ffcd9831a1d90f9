// The JSON API (docs/API.md): the session cookie travels by itself; unsafe methods carry the
// CSRF token the login gave. A 401 means the session is over: the app goes back to the login.
export interface Problem {
  status: number;
  code: string;
  title: string;
  errors?: { field: string | null; code: string; message: string }[];
  [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(public problem: Problem) {
    super(problem.title || problem.code);
  }
}

let csrf = '';
let language = 'zh-CN';
let onExpired: () => void = () => {};

export function setCsrf(token: string) {
  csrf = token;
}
/* Problems and labels come back in this language. */
export function setApiLanguage(l: string) {
  language = l;
}
export function onSessionExpired(fn: () => void) {
  onExpired = fn;
}

export async function api<T>(method: string, path: string, body?: unknown, extra?: Record<string, string>): Promise<T> {
  if (body === undefined) return send<T>(method, path, undefined, undefined, extra);
  return send<T>(method, path, JSON.stringify(body), 'application/json', extra);
}

/* A body that is not JSON: a CSV file to import, a file to upload. */
export function apiRaw<T>(method: string, path: string, body: Blob | string, contentType: string): Promise<T> {
  return send<T>(method, path, body, contentType);
}

/* A file the server sends as a download (Content-Disposition: attachment), fetched with the
 * session so that a refusal can be shown as the problem it is rather than saved as a file. */
export async function apiDownload(path: string): Promise<{ blob: Blob; filename: string }> {
  const res = await fetch(path, { headers: { 'Accept-Language': language }, credentials: 'same-origin' });
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    if (res.status === 401) onExpired();
    throw new ApiError({ status: res.status, code: 'error', title: res.statusText, ...data });
  }
  const cd = res.headers.get('Content-Disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  const filename = star ? decodeURIComponent(star[1]) : plain ? plain[1] : path.split('/').pop() || 'download';
  return { blob: await res.blob(), filename };
}

/* Hands a blob to the browser as a download under its name. */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function send<T>(method: string, path: string, body?: Blob | string, contentType?: string, extra?: Record<string, string>): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': language, ...extra };
  if (contentType) headers['Content-Type'] = contentType;
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401 && !path.startsWith('/api/v1/auth/login')) onExpired();
    throw new ApiError({ status: res.status, code: 'error', title: res.statusText, ...data });
  }
  return data as T;
}
