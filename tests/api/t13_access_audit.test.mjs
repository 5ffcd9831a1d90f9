// The audit of access: logins and failures, logouts, ended sessions and API tokens, each with
// the address and browser it came from; every audited write carries them too; administrators
// search the trail by user, action and time.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { request, rawRequest, sessionCookie, Client, loginAdmin, loginAlice, expectProblem, expectStatus, marker, cliAddUser } from './lib.mjs';

let admin;
const M = marker('t13');

before(async () => {
	admin = await loginAdmin();
});

const UA = 'AuditTest/1.0 (Linux; zh-CN)';

async function trail(userId, action) {
	const rows = (await admin.getJson(`/api/v1/audit?entity=users&record_id=${userId}&limit=200`)).data;
	return action ? rows.filter((x) => x.action === action) : rows;
}

test('a login, a failed login, a logout and logging out everywhere are in the trail, with address and browser', async () => {
	const name = `acc_${M}`;
	const id = cliAddUser(name, 'access-password-1');
	const since = new Date().toISOString();
	expectProblem(await request('POST', '/api/v1/auth/login', { json: { username: name, password: 'nope' }, headers: { 'User-Agent': UA } }), 401, 'invalid_credentials');
	const res = await request('POST', '/api/v1/auth/login', { json: { username: name, password: 'access-password-1' }, headers: { 'User-Agent': UA } });
	expectStatus(res, 200);
	const c = new Client();
	c.cookie = res.headers.getSetCookie()[0].split(';')[0];
	c.csrf = res.json.csrf_token;
	expectStatus(await c.req('POST', '/api/v1/auth/logout', { headers: { 'User-Agent': UA } }), 204);

	const failed = (await trail(id, 'login_failed'))[0];
	assert.ok(failed, 'the failure is audited');
	assert.equal(failed.user_id, null, 'nobody was logged in');
	assert.deepEqual(failed.changes, { username: name });
	assert.equal(failed.ip, '127.0.0.1');
	assert.equal(failed.user_agent, UA);
	const login = (await trail(id, 'login'))[0];
	assert.equal(login.user_id, id);
	assert.equal(login.user_agent, UA);
	assert.ok(login.at >= since.slice(0, 19), `${login.at} after ${since}`);
	const logout = (await trail(id, 'logout'))[0];
	assert.equal(logout.user_id, id);
	assert.equal(logout.ip, '127.0.0.1');

	const again = new Client();
	await again.login(name, 'access-password-1');
	expectStatus(await again.req('DELETE', '/api/v1/auth/sessions'), 204);
	assert.equal((await trail(id, 'logout_everywhere')).length, 1);
});

test('a failed login under a name nobody has is audited without a record, and the name is searchable by action', async () => {
	const ghost = `nobody_${M}`;
	expectProblem(await request('POST', '/api/v1/auth/login', { json: { username: ghost, password: 'x' } }), 401, 'invalid_credentials');
	const rows = (await admin.getJson('/api/v1/audit?entity=users&action=login_failed&limit=200')).data;
	const row = rows.find((x) => x.changes && x.changes.username === ghost);
	assert.ok(row, 'found');
	assert.equal(row.record_id, null);
});

test('ending a session and making or revoking an API token are audited', async () => {
	const name = `tokaud_${M}`;
	const id = cliAddUser(name, 'access-password-2');
	const a = new Client();
	await a.login(name, 'access-password-2');
	const b = new Client();
	await b.login(name, 'access-password-2');
	const other = (await a.getJson('/api/v1/auth/sessions')).data.find((s) => !s.current);
	expectStatus(await a.req('DELETE', `/api/v1/auth/sessions/${other.id}`), 204);
	assert.deepEqual((await trail(id, 'session_end'))[0].changes, { session: other.id });

	const made = await a.req('POST', '/api/v1/auth/tokens', { json: { name: '审计' } });
	expectStatus(made, 201);
	assert.deepEqual((await trail(id, 'token_create'))[0].changes, { token: made.json.id, name: '审计' });
	expectStatus(await a.req('DELETE', `/api/v1/auth/tokens/${made.json.id}`), 204);
	assert.deepEqual((await trail(id, 'token_revoke'))[0].changes, { token: made.json.id });
	assert.ok(!JSON.stringify(await trail(id)).includes(made.json.token), 'no secret in the trail');
});

test('every audited write records where it came from', async () => {
	const res = await admin.req('POST', '/api/v1/customers', { json: { name: `审计来源 ${M}` }, headers: { 'User-Agent': UA } });
	expectStatus(res, 201);
	const rows = await admin.audit('customers', res.json.id);
	assert.equal(rows[0].action, 'create');
	assert.equal(rows[0].ip, '127.0.0.1');
	assert.equal(rows[0].user_agent, UA);
	// A browser string is kept to 200 bytes.
	const res2 = await admin.req('POST', '/api/v1/customers', { json: { name: `审计长 ${M}` }, headers: { 'User-Agent': 'x'.repeat(300) } });
	expectStatus(res2, 201);
	assert.equal((await admin.audit('customers', res2.json.id))[0].user_agent, 'x'.repeat(200));
});

test('a browser string that is not UTF-8 is stored with "?" for its bad bytes, on a login and on a write', async () => {
	// node:http sends these characters as single Latin-1 bytes: invalid UTF-8 on the wire.
	const raw = 'Bad\u00e9Agent\u00ff/1';
	const name = `badua_${M}`;
	const id = cliAddUser(name, 'bad-agent-password-3');
	const res = await rawRequest('POST', '/api/v1/auth/login', {
		headers: { 'Content-Type': 'application/json', 'User-Agent': raw },
		body: JSON.stringify({ username: name, password: 'bad-agent-password-3' }),
	});
	expectStatus(res, 200);
	assert.equal((await trail(id, 'login'))[0].user_agent, 'Bad?Agent?/1');
	const c = new Client();
	c.cookie = `sextant_session=${sessionCookie(res).value}`;
	c.csrf = res.json.csrf_token;
	assert.equal((await c.getJson('/api/v1/auth/sessions')).data[0].user_agent, 'Bad?Agent?/1');
});

test('the trail is searched by time range; bad times are 400 naming the parameter; it is for administrators only', async () => {
	const before = new Date(Date.now() - 1000).toISOString();
	const res = await admin.req('POST', '/api/v1/customers', { json: { name: `审计时间 ${M}` } });
	expectStatus(res, 201);
	const after = new Date(Date.now() + 1000).toISOString();
	const inside = (await admin.getJson(`/api/v1/audit?entity=customers&record_id=${res.json.id}&from=${before}&to=${after}`)).data;
	assert.equal(inside.length, 1);
	const later = (await admin.getJson(`/api/v1/audit?entity=customers&record_id=${res.json.id}&from=${after}`)).data;
	assert.equal(later.length, 0);
	const earlier = (await admin.getJson(`/api/v1/audit?entity=customers&record_id=${res.json.id}&to=${before}`)).data;
	assert.equal(earlier.length, 0);
	expectProblem(await admin.get('/api/v1/audit?from=yesterday'), 400, 'bad_request', [['from', 'invalid_datetime']]);
	const alice = await loginAlice();
	expectProblem(await alice.get('/api/v1/audit'), 403, 'forbidden');
});
