// API tokens: made from a browser session and shown once, stored hashed, used as a Bearer
// credential with the user's own rights and no CSRF token, listed without secrets, refused once
// revoked or expired, and never usable to make more tokens.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { env, request, Client, expectProblem, expectStatus, marker, cli, cliAddUser } from './lib.mjs';

const M = marker('t12');
let owner;

before(async () => {
	const name = `tok_${M}`;
	cliAddUser(name, 'token-owner-password-1');
	owner = new Client();
	await owner.login(name, 'token-owner-password-1');
});

function bearer(token, method, p, json) {
	return request(method, p, { headers: { Authorization: `Bearer ${token}` }, json });
}

async function makeToken(client, body) {
	const res = await client.req('POST', '/api/v1/auth/tokens', { json: body });
	expectStatus(res, 201);
	return res;
}

/* Set a column of the test database directly: time passing, for an expiry. */
function sql(statement) {
	const r = env.dbUrl
		? spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', env.dbUrl, '-c', statement], { encoding: 'utf8' })
		: spawnSync('sqlite3', [`${env.data}/sextant.db`, `PRAGMA busy_timeout=5000; ${statement}`], { encoding: 'utf8' });
	assert.equal(r.status, 0, r.stderr);
}

test('a token is shown once, works as a Bearer credential without CSRF, and its list shows no secret', async () => {
	const res = await makeToken(owner, { name: 'CI 导入脚本', expires_in_days: 30 });
	const t = res.json;
	assert.match(t.token, /^sxt_[A-Za-z0-9_-]{43}$/);
	assert.equal(t.prefix, t.token.slice(0, 8));
	assert.equal(res.headers.get('cache-control'), 'no-store');
	const days = (Date.parse(t.expires_at) - Date.now()) / 86400000;
	assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);

	const me = await bearer(t.token, 'GET', '/api/v1/auth/me');
	expectStatus(me, 200);
	assert.equal(me.json.user.username, `tok_${M}`);
	// Unsafe methods need no CSRF token with a Bearer credential.
	const made = await bearer(t.token, 'POST', '/api/v1/customers', { name: `令牌客户 ${M}` });
	expectStatus(made, 201);
	assert.equal(made.json.created_by, owner.user.id, 'written as the token\u2019s user');
	assert.equal((await owner.getJson(`/api/v1/customers/${made.json.id}`)).name, `令牌客户 ${M}`);

	const list = (await owner.getJson('/api/v1/auth/tokens')).data;
	const row = list.find((x) => x.id === t.id);
	assert.ok(row, JSON.stringify(list));
	assert.equal(row.name, 'CI 导入脚本');
	assert.equal(row.prefix, t.prefix);
	assert.equal(row.revoked_at, null);
	assert.ok(row.last_used_at, 'the use was noted');
	assert.ok(!JSON.stringify(list).includes(t.token.slice(8)), 'the list carries no secret');
});

test('a token cannot make tokens; a wrong, revoked or expired token is 401 even beside a good cookie', async () => {
	const t = (await makeToken(owner, { name: 'short' })).json;
	expectProblem(await bearer(t.token, 'POST', '/api/v1/auth/tokens', { name: 'more' }), 403, 'forbidden');
	expectProblem(await bearer(t.token.slice(0, -1) + (t.token.endsWith('A') ? 'B' : 'A'), 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
	expectProblem(await bearer('sxt_short', 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
	// Public routes serve a caller with a stale token as anyone: the login itself, health.
	const relog = await request('POST', '/api/v1/auth/login', { json: { username: `tok_${M}`, password: 'token-owner-password-1' }, headers: { Authorization: 'Bearer sxt_stale' } });
	expectStatus(relog, 200);
	expectStatus(await request('GET', '/readyz', { headers: { Authorization: 'Bearer sxt_stale' } }), 200);
	// A bad token is not ignored in favour of the session cookie sent with it.
	const both = await request('GET', '/api/v1/auth/me', { headers: { Authorization: 'Bearer sxt_nothing', Cookie: owner.cookie } });
	expectProblem(both, 401, 'unauthorized');

	// Logging out with a token ends no browser session and does not touch the token.
	expectStatus(await bearer(t.token, 'POST', '/api/v1/auth/logout'), 204);
	expectStatus(await bearer(t.token, 'GET', '/api/v1/auth/me'), 200);
	expectStatus(await owner.req('GET', '/api/v1/auth/me'), 200);

	// Revoked: 204 once, then 404; the token is refused at once.
	expectStatus(await bearer(t.token, 'GET', '/api/v1/auth/me'), 200);
	expectProblem(await owner.req('DELETE', `/api/v1/auth/tokens/${t.id}`, { csrf: false }), 403, 'csrf_failed');
	expectStatus(await owner.req('DELETE', `/api/v1/auth/tokens/${t.id}`), 204);
	expectProblem(await owner.req('DELETE', `/api/v1/auth/tokens/${t.id}`), 404, 'not_found');
	expectProblem(await bearer(t.token, 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
	assert.ok((await owner.getJson('/api/v1/auth/tokens')).data.find((x) => x.id === t.id).revoked_at);

	// Expired: the clock moved on.
	const e = (await makeToken(owner, { name: 'expiring' })).json;
	expectStatus(await bearer(e.token, 'GET', '/api/v1/auth/me'), 200);
	sql(`UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00.000Z' WHERE id = ${e.id}`);
	expectProblem(await bearer(e.token, 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
});

test('tokens belong to their user: nobody else lists or revokes them, and a disabled user\u2019s tokens stop working', async () => {
	const t = (await makeToken(owner, { name: 'mine' })).json;
	const name = `tok2_${M}`;
	cliAddUser(name, 'token-other-password-2');
	const other = new Client();
	await other.login(name, 'token-other-password-2');
	assert.ok(!(await other.getJson('/api/v1/auth/tokens')).data.some((x) => x.id === t.id));
	expectProblem(await other.req('DELETE', `/api/v1/auth/tokens/${t.id}`), 404, 'not_found');
	expectStatus(await bearer(t.token, 'GET', '/api/v1/auth/me'), 200);

	const o = (await makeToken(other, { name: 'theirs' })).json;
	expectStatus(await bearer(o.token, 'GET', '/api/v1/auth/me'), 200);
	assert.equal(cli(['user', 'disable', name]).status, 0);
	expectProblem(await bearer(o.token, 'GET', '/api/v1/auth/me'), 401, 'unauthorized');
	assert.equal(cli(['user', 'enable', name]).status, 0);
});

test('making a token checks its body: every bad field named', async () => {
	let res = await owner.req('POST', '/api/v1/auth/tokens', { json: { expires_in_days: 0, colour: 'red' } });
	expectProblem(res, 422, 'validation_failed', ['name', 'expires_in_days', 'colour']);
	res = await owner.req('POST', '/api/v1/auth/tokens', { json: { name: 'x'.repeat(101), expires_in_days: 400 } });
	expectProblem(res, 422, 'validation_failed', ['name', 'expires_in_days']);
	res = await owner.req('POST', '/api/v1/auth/tokens', { json: { name: 7, expires_in_days: '9' } });
	expectProblem(res, 422, 'validation_failed', ['name', 'expires_in_days']);
	res = await owner.req('POST', '/api/v1/auth/tokens', { json: { name: '   ' } });
	expectProblem(res, 422, 'validation_failed', ['name']);
	res = await owner.req('POST', '/api/v1/auth/tokens', { body: 'not json', headers: { 'Content-Type': 'application/json' } });
	expectProblem(res, 400, 'bad_request');
});
