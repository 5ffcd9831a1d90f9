// A user's own sessions: the list (every device, which one is this), ending one, and logging
// out everywhere; nobody can see or end another user's sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, Client, expectProblem, expectStatus, marker, untilRefused, cliAddUser, sessionCookie } from './lib.mjs';

const M = marker('t10');

async function signIn(name, password, userAgent) {
	const c = new Client();
	const res = await request('POST', '/api/v1/auth/login', {
		json: { username: name, password },
		headers: { 'User-Agent': userAgent },
	});
	expectStatus(res, 200);
	c.cookie = `sextant_session=${sessionCookie(res).value}`;
	c.csrf = res.json.csrf_token;
	return c;
}

async function sessions(c) {
	const res = await c.req('GET', '/api/v1/auth/sessions');
	expectStatus(res, 200);
	return res.json.data;
}

test('the session list shows every device of the user, marks this one, and tells nothing of the tokens', async () => {
	const name = `ses_${M}`;
	cliAddUser(name, 'session-password-1');
	const laptop = await signIn(name, 'session-password-1', 'Laptop/1.0');
	const phone = await signIn(name, 'session-password-1', 'Phone/2.0');
	const list = await sessions(laptop);
	assert.equal(list.length, 2, JSON.stringify(list));
	const mine = list.find((s) => s.current);
	assert.equal(mine.user_agent, 'Laptop/1.0');
	assert.equal(list.filter((s) => s.current).length, 1);
	assert.equal(list.find((s) => !s.current).user_agent, 'Phone/2.0');
	for (const s of list) {
		assert.match(s.id, /^[0-9a-f]{16}$/);
		assert.ok(!laptop.cookie.includes(s.id) && !phone.cookie.includes(s.id), 'an id is not part of a token');
		assert.equal(s.ip, '127.0.0.1');
		for (const k of ['created_at', 'last_seen_at', 'expires_at']) assert.match(s[k], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, k);
		assert.ok(Date.parse(s.expires_at) > Date.now());
		assert.equal(Object.keys(s).length, 7, `no other keys: ${Object.keys(s)}`);
	}
	// Another user sees only their own.
	const other = `ses2_${M}`;
	cliAddUser(other, 'session-password-2');
	const stranger = await signIn(other, 'session-password-2', 'Other/1.0');
	const theirs = await sessions(stranger);
	assert.equal(theirs.length, 1);
	assert.ok(!list.some((s) => s.id === theirs[0].id));
});

test('ending the session of another device: it is refused from then on, this one goes on; ids of other users are 404', async () => {
	const name = `end_${M}`;
	cliAddUser(name, 'session-password-3');
	const laptop = await signIn(name, 'session-password-3', 'Laptop/1.0');
	const phone = await signIn(name, 'session-password-3', 'Phone/2.0');
	const phoneId = (await sessions(laptop)).find((s) => !s.current).id;

	// Unsafe: the CSRF token is needed.
	const noCsrf = await laptop.req('DELETE', `/api/v1/auth/sessions/${phoneId}`, { csrf: false });
	expectProblem(noCsrf, 403, 'csrf_failed');
	expectStatus(await phone.req('GET', '/api/v1/auth/me'), 200);

	// A stranger cannot end it, nor learn that it exists: the same 404 as for no session at all.
	const other = `end2_${M}`;
	cliAddUser(other, 'session-password-4');
	const stranger = await signIn(other, 'session-password-4', 'Other/1.0');
	expectProblem(await stranger.req('DELETE', `/api/v1/auth/sessions/${phoneId}`), 404, 'not_found');
	expectProblem(await stranger.req('DELETE', '/api/v1/auth/sessions/0000000000000000'), 404, 'not_found');
	expectProblem(await stranger.req('DELETE', '/api/v1/auth/sessions/not-an-id'), 404, 'not_found');
	expectStatus(await phone.req('GET', '/api/v1/auth/me'), 200);

	const res = await laptop.req('DELETE', `/api/v1/auth/sessions/${phoneId}`);
	expectStatus(res, 204);
	assert.equal(sessionCookie(res), null, 'ending another session leaves this cookie alone');
	expectProblem(await phone.req('GET', '/api/v1/auth/me'), 401, 'unauthorized');
	expectStatus(await laptop.req('GET', '/api/v1/auth/me'), 200);
	assert.equal((await sessions(laptop)).length, 1);
	expectProblem(await laptop.req('DELETE', `/api/v1/auth/sessions/${phoneId}`), 404, 'not_found');

	// Ending this very session clears the cookie.
	const selfId = (await sessions(laptop))[0].id;
	const self = await laptop.req('DELETE', `/api/v1/auth/sessions/${selfId}`);
	expectStatus(self, 204);
	assert.match(sessionCookie(self).attributes, /Max-Age=0/);
	expectProblem(await laptop.req('GET', '/api/v1/auth/me'), 401, 'unauthorized');
});

test('log out everywhere ends every session of the user, this one included, and no other user', async () => {
	const name = `all_${M}`;
	cliAddUser(name, 'session-password-5');
	const a = await signIn(name, 'session-password-5', 'A/1');
	const b = await signIn(name, 'session-password-5', 'B/1');
	const c = await signIn(name, 'session-password-5', 'C/1');
	const other = `all2_${M}`;
	cliAddUser(other, 'session-password-6');
	const bystander = await signIn(other, 'session-password-6', 'D/1');

	expectProblem(await a.req('DELETE', '/api/v1/auth/sessions', { csrf: false }), 403, 'csrf_failed');
	const res = await a.req('DELETE', '/api/v1/auth/sessions');
	expectStatus(res, 204);
	assert.match(sessionCookie(res).attributes, /Max-Age=0/);
	for (const x of [a, b, c]) await untilRefused(x, 100); // same node: at once
	expectStatus(await bystander.req('GET', '/api/v1/auth/me'), 200);
	// The password still works: a new session starts clean.
	const again = await signIn(name, 'session-password-5', 'A/2');
	assert.equal((await sessions(again)).length, 1);
});

test('without a session the session routes answer 401', async () => {
	for (const [method, p] of [
		['GET', '/api/v1/auth/sessions'],
		['DELETE', '/api/v1/auth/sessions'],
		['DELETE', '/api/v1/auth/sessions/0123456789abcdef'],
	])
		expectProblem(await request(method, p), 401, 'unauthorized');
});
