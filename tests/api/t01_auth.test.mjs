// Log in, log out, sessions, CSRF, and that nothing under /api/v1 answers without a session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
	env,
	request,
	Client,
	login,
	loginAdmin,
	loginAlice,
	sessionCookie,
	expectProblem,
	expectStatus,
	marker,
} from './lib.mjs';

test('every /api/v1 route but login answers 401 unauthorized without a session', async () => {
	const routes = [
		['GET', '/api/v1/auth/me'],
		['POST', '/api/v1/auth/logout'],
		['GET', '/api/v1/auth/sessions'],
		['DELETE', '/api/v1/auth/sessions'],
		['DELETE', '/api/v1/auth/sessions/0123456789abcdef'],
		['GET', '/api/v1/auth/tokens'],
		['POST', '/api/v1/auth/tokens', { name: 'x' }],
		['DELETE', '/api/v1/auth/tokens/1'],
		['GET', '/api/v1/meta'],
		['GET', '/api/v1/meta/entities/customers'],
		['POST', '/api/v1/meta/entities/customers/fields', { name: 'c_x', type: 'text', label: { 'zh-CN': 'x', en: 'x' } }],
		['PATCH', '/api/v1/meta/entities/customers/fields/c_x', { label: { 'zh-CN': 'y', en: 'y' } }],
		['DELETE', '/api/v1/meta/entities/customers/fields/c_x'],
		['PUT', '/api/v1/meta/entities/customers/fields/level/options', { options: [] }],
		['GET', '/api/v1/openapi.json'],
		['GET', '/api/v1/audit'],
		['GET', '/api/v1/customers'],
		['POST', '/api/v1/customers', { name: 'x' }],
		['GET', '/api/v1/customers/export'],
		['POST', '/api/v1/customers/import?dry_run=true'],
		['POST', '/api/v1/customers/bulk-update', { ids: [1], field: 'level', value: 'a' }],
		['GET', '/api/v1/customers/1'],
		['PATCH', '/api/v1/customers/1', { name: 'x' }],
		['DELETE', '/api/v1/customers/1'],
		['POST', '/api/v1/customers/1/restore'],
		['GET', '/api/v1/customers/1/contacts'],
		['GET', '/api/v1/contacts'],
		['GET', '/api/v1/no_such_entity'],
	];
	for (const [method, p, json] of routes) {
		const res = await request(method, p, json ? { json } : {});
		expectProblem(res, 401, 'unauthorized');
	}
	// A cookie that is no session is no better than none.
	const res = await request('GET', '/api/v1/customers', { headers: { Cookie: 'sextant_session=forged-token-value' } });
	expectProblem(res, 401, 'unauthorized');
});

test('problem messages follow Accept-Language: Chinese by default, English on request', async () => {
	const zh = await request('GET', '/api/v1/customers');
	expectProblem(zh, 401, 'unauthorized');
	assert.equal(zh.json.title, '请先登录');
	const en = await request('GET', '/api/v1/customers', { headers: { 'Accept-Language': 'en-US,en;q=0.9' } });
	expectProblem(en, 401, 'unauthorized');
	assert.equal(en.json.title, 'Log in first');
	const fr = await request('GET', '/api/v1/customers', { headers: { 'Accept-Language': 'fr-FR, en;q=0.5' } });
	assert.equal(fr.json.title, 'Log in first', 'the first language we speak in the list wins');
	const zhExplicit = await request('GET', '/api/v1/customers', { headers: { 'Accept-Language': 'zh-CN' } });
	assert.equal(zhExplicit.json.title, '请先登录');
});

test('a wrong password or an unknown user is 401 invalid_credentials, with no cookie', async () => {
	for (const body of [
		{ username: 'admin', password: env.adminPassword + 'x' },
		{ username: 'nobody', password: 'whatever-password' },
		{ username: 'ADMIN', password: env.adminPassword },
	]) {
		const res = await request('POST', '/api/v1/auth/login', { json: body });
		expectProblem(res, 401, 'invalid_credentials');
		assert.equal(sessionCookie(res), null, 'a failed login sets no session cookie');
	}
});

test('login checks its body: missing fields 422, bad JSON 400, wrong type 415', async () => {
	let res = await request('POST', '/api/v1/auth/login', { json: {} });
	expectProblem(res, 422, 'validation_failed', [
		['username', 'required'],
		['password', 'required'],
	]);
	res = await request('POST', '/api/v1/auth/login', { json: { username: 'admin', password: '' } });
	expectProblem(res, 422, 'validation_failed', [['password', 'required']]);
	res = await request('POST', '/api/v1/auth/login', {
		body: '{"username":"admin",',
		headers: { 'Content-Type': 'application/json' },
	});
	expectProblem(res, 400, 'bad_request', [['body', 'invalid_json']]);
	res = await request('POST', '/api/v1/auth/login', {
		body: `username=admin&password=${env.adminPassword}`,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
	});
	expectProblem(res, 415, 'unsupported_media_type');
});

test('login sets an HttpOnly SameSite=Lax session cookie and returns the CSRF token and user', async () => {
	const res = await request('POST', '/api/v1/auth/login', { json: { username: 'admin', password: env.adminPassword } });
	expectStatus(res, 200);
	assert.match(res.headers.get('content-type'), /^application\/json/);
	const c = sessionCookie(res);
	assert.ok(c, 'Set-Cookie sextant_session');
	assert.ok(c.value.length >= 20, 'the session token is long enough to be unguessable');
	assert.match(c.attributes, /;\s*HttpOnly/i);
	assert.match(c.attributes, /;\s*SameSite=Lax/i);
	assert.match(c.attributes, /;\s*Path=\//i);
	assert.doesNotMatch(c.attributes, /Max-Age=0/i);
	const b = res.json;
	assert.equal(typeof b.csrf_token, 'string');
	assert.ok(b.csrf_token.length >= 20);
	assert.notEqual(b.csrf_token, c.value, 'the CSRF token is not the session token');
	assert.deepEqual(Object.keys(b.user).sort(), ['admin', 'display_name', 'id', 'locale', 'org_unit_id', 'restriction', 'roles', 'totp_enabled', 'username']);
	assert.equal(b.user.username, 'admin');
	assert.deepEqual(b.user.roles, ['admin']);
	assert.equal(b.user.admin, true);
	assert.equal(b.user.restriction, null);
	assert.equal(b.user.totp_enabled, false);
	assert.ok(Number.isInteger(b.user.id) && b.user.id > 0);
	assert.equal(typeof b.user.display_name, 'string');
	assert.ok(['zh-CN', 'en'].includes(b.user.locale));
	assert.equal(res.headers.get('cache-control'), 'no-store');
});

test('GET /auth/me tells who is logged in, with the same CSRF token', async () => {
	const admin = await loginAdmin();
	const me = await admin.getJson('/api/v1/auth/me');
	assert.equal(me.user.username, 'admin');
	assert.equal(me.user.id, admin.user.id);
	assert.equal(me.csrf_token, admin.csrf);
	const alice = await loginAlice();
	const meA = await alice.getJson('/api/v1/auth/me');
	assert.equal(meA.user.username, 'alice');
	assert.deepEqual(meA.user.roles, ['user']);
	assert.equal(meA.user.admin, false);
	assert.notEqual(meA.user.id, me.user.id);
	assert.notEqual(alice.csrf, admin.csrf, 'every session has its own CSRF token');
});

test('unsafe methods need the session CSRF token (403 csrf_failed) and change nothing without it', async () => {
	const admin = await loginAdmin();
	const mk = marker('t01');
	const before = await admin.total('customers');
	let res = await admin.post('/api/v1/customers', { name: `无令牌 ${mk}` }, { csrf: false });
	expectProblem(res, 403, 'csrf_failed');
	res = await admin.post('/api/v1/customers', { name: `错令牌 ${mk}` }, { csrf: 'x'.repeat(admin.csrf.length) });
	expectProblem(res, 403, 'csrf_failed');
	res = await admin.post('/api/v1/customers', { name: `短令牌 ${mk}` }, { csrf: admin.csrf.slice(0, -1) });
	expectProblem(res, 403, 'csrf_failed');
	// Another session's token is not this session's token.
	const alice = await loginAlice();
	res = await admin.post('/api/v1/customers', { name: `他人令牌 ${mk}` }, { csrf: alice.csrf });
	expectProblem(res, 403, 'csrf_failed');
	assert.equal(await admin.total('customers'), before, 'a refused create created nothing');

	const rec = await admin.create('customers', { name: `有令牌 ${mk}` });
	res = await admin.patch(`/api/v1/customers/${rec.id}`, { city: '深圳' }, { csrf: false });
	expectProblem(res, 403, 'csrf_failed');
	res = await admin.del(`/api/v1/customers/${rec.id}`, { csrf: false });
	expectProblem(res, 403, 'csrf_failed');
	res = await admin.post('/api/v1/customers/bulk-update', { ids: [rec.id], field: 'city', value: '深圳' }, { csrf: false });
	expectProblem(res, 403, 'csrf_failed');
	res = await admin.post(`/api/v1/customers/${rec.id}/restore`, undefined, { csrf: false });
	expectProblem(res, 403, 'csrf_failed');
	const after = await admin.getJson(`/api/v1/customers/${rec.id}`);
	assert.equal(after.city, null);
	assert.equal(after.version, 1);
	assert.equal(after.deleted_at, null);
	// Safe methods need no token.
	const got = await admin.get(`/api/v1/customers/${rec.id}`);
	expectStatus(got, 200);
});

test('logout ends the session: 204, the cookie is cleared, the old cookie is refused', async () => {
	const c = await loginAdmin();
	const res = await c.post('/api/v1/auth/logout');
	expectStatus(res, 204);
	assert.equal(res.text, '');
	const cleared = sessionCookie(res);
	assert.ok(cleared, 'logout sends a Set-Cookie');
	assert.equal(cleared.value, '');
	assert.match(cleared.attributes, /Max-Age=0/i);
	expectProblem(await c.get('/api/v1/auth/me'), 401, 'unauthorized');
	expectProblem(await c.get('/api/v1/customers'), 401, 'unauthorized');
});

test('logout needs the CSRF token too', async () => {
	const c = await loginAdmin();
	expectProblem(await c.post('/api/v1/auth/logout', undefined, { csrf: false }), 403, 'csrf_failed');
	expectStatus(await c.get('/api/v1/auth/me'), 200);
});

test('every login gets a fresh session; logging in again with an old cookie replaces it', async () => {
	const first = await loginAdmin();
	const res = await request('POST', '/api/v1/auth/login', {
		json: { username: 'admin', password: env.adminPassword },
		headers: { Cookie: first.cookie },
	});
	expectStatus(res, 200);
	const second = sessionCookie(res);
	assert.notEqual(`sextant_session=${second.value}`, first.cookie, 'a new session id at every login');
	expectProblem(await first.get('/api/v1/auth/me'), 401, 'unauthorized');
	const c = new Client();
	c.cookie = `sextant_session=${second.value}`;
	c.csrf = res.json.csrf_token;
	expectStatus(await c.get('/api/v1/auth/me'), 200);
	// Two independent logins are two live sessions.
	const a = await loginAdmin();
	const b = await loginAdmin();
	expectStatus(await a.get('/api/v1/auth/me'), 200);
	expectStatus(await b.get('/api/v1/auth/me'), 200);
});

test('administrator-only routes answer 403 forbidden to a user and change nothing', async () => {
	const alice = await loginAlice();
	const admin = await loginAdmin();
	const rec = await admin.create('customers', { name: `管理员专用 ${marker('t01')}` });
	expectProblem(await alice.get('/api/v1/audit'), 403, 'forbidden');
	expectProblem(
		await alice.post('/api/v1/meta/entities/customers/fields', {
			name: 'c_by_alice',
			type: 'text',
			label: { 'zh-CN': '甲', en: 'A' },
		}),
		403,
		'forbidden',
	);
	expectProblem(await alice.put('/api/v1/meta/entities/customers/fields/level/options', { options: [{ key: 'a' }] }), 403, 'forbidden');
	expectProblem(await alice.del('/api/v1/meta/entities/customers/fields/name'), 403, 'forbidden');
	expectProblem(await alice.post(`/api/v1/customers/${rec.id}/restore`), 403, 'forbidden');
	expectProblem(await alice.get('/api/v1/customers?deleted=true'), 403, 'forbidden');
	expectProblem(await alice.get(`/api/v1/customers/${rec.id}?deleted=true`), 403, 'forbidden');
	const meta = await admin.getJson('/api/v1/meta/entities/customers');
	assert.ok(!meta.fields.some((f) => f.name === 'c_by_alice'));
	const level = meta.fields.find((f) => f.name === 'level');
	assert.deepEqual(
		level.options.map((o) => o.key),
		['a', 'b', 'c', 'd'],
	);
	// What a user may do, a user can do.
	const own = await alice.create('customers', { name: `用户创建 ${marker('t01')}` });
	assert.equal(own.owner_id, alice.user.id, 'a new record belongs to its creator');
	assert.equal(own.created_by, alice.user.id);
	const metaA = await alice.getJson('/api/v1/meta/entities/customers');
	assert.equal(metaA.permissions.restore, false);
	assert.equal(metaA.permissions.customize, false);
	assert.equal(meta.permissions.restore, true);
	assert.equal(meta.permissions.customize, true);
});

test('unknown routes and methods: 404 and 405 problems', async () => {
	const admin = await loginAdmin();
	expectProblem(await admin.get('/api/v1/no_such_entity'), 404, 'not_found');
	expectProblem(await admin.get('/api/v1/customers/999999999'), 404, 'not_found');
	expectProblem(await admin.get('/api/v1/customers/abc'), 404, 'not_found');
	expectProblem(await admin.get('/api/v1/customers/0'), 404, 'not_found');
	expectProblem(await admin.get('/api/v1/customers/-5'), 404, 'not_found');
	const res = await admin.put('/api/v1/customers/1', { name: 'x' });
	expectProblem(res, 405, 'method_not_allowed');
	const allow = res.headers.get('allow') || '';
	for (const m of ['GET', 'PATCH', 'DELETE']) assert.ok(allow.includes(m), `Allow lists ${m}: ${allow}`);
	assert.ok(!allow.includes('PUT'), `Allow does not list PUT: ${allow}`);
});
