// Brute force: failed logins are counted per account name and per client address, in the
// database; past the limit a login is refused with 429 and Retry-After without a password
// being checked, for names that exist and names that do not alike; a lock ends with the window
// or when an administrator lifts it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, request, loginAdmin, expectProblem, expectStatus, marker, startServer, sanitizerErrors, sleep, cli, cliAddUser } from './lib.mjs';

let admin;
const M = marker('t11');

before(async () => {
	admin = await loginAdmin();
});

function tryLogin(username, password, base) {
	return request('POST', '/api/v1/auth/login', { json: { username, password }, base });
}

function expectLocked(res, maxSeconds) {
	expectProblem(res, 429, 'too_many_attempts');
	const after = Number(res.headers.get('retry-after'));
	assert.ok(Number.isInteger(after) && after >= 1 && after <= maxSeconds, `Retry-After ${res.headers.get('retry-after')}`);
	assert.equal(res.headers.get('set-cookie'), null, 'no session for a refused login');
}

test('five failures lock the account: even the right password is refused with 429, and an administrator lifts the lock', async () => {
	const name = `lock_${M}`;
	const id = cliAddUser(name, 'the-right-password-1');
	for (let i = 0; i < 5; i++) expectProblem(await tryLogin(name, `wrong-${i}`), 401, 'invalid_credentials');
	expectLocked(await tryLogin(name, 'the-right-password-1'), 900);
	expectLocked(await tryLogin(name, 'wrong-again'), 900);

	// Others, from the same address, are not held up.
	const bystander = `by_${M}`;
	cliAddUser(bystander, 'bystander-password-2');
	expectStatus(await tryLogin(bystander, 'bystander-password-2'), 200);

	const r = cli(['user', 'unlock', name]);
	assert.equal(r.status, 0, r.stderr);
	expectStatus(await tryLogin(name, 'the-right-password-1'), 200);
	const trail = await admin.audit('users', id);
	assert.ok(trail.some((x) => x.action === 'unlock' && x.user_id === null), JSON.stringify(trail));
});

test('a name that does not exist locks the same way: the answers do not tell who exists', async () => {
	const ghost = `ghost_${M}`;
	const real = `real_${M}`;
	cliAddUser(real, 'real-password-3');
	const answers = { ghost: [], real: [] };
	for (let i = 0; i < 6; i++) {
		answers.ghost.push((await tryLogin(ghost, `guess-${i}`)).status);
		answers.real.push((await tryLogin(real, `guess-${i}`)).status);
	}
	assert.deepEqual(answers.ghost, [401, 401, 401, 401, 401, 429]);
	assert.deepEqual(answers.real, answers.ghost);
	const g = await tryLogin(ghost, 'x');
	const r = await tryLogin(real, 'x');
	assert.equal(g.json.code, r.json.code);
	assert.equal(g.json.title, r.json.title);
	assert.equal(cli(['user', 'unlock', real]).status, 0);
});

test('guesses sent all at once are counted before any is checked: exactly the limit get through to a password check', async () => {
	const name = `burst_${M}`;
	cliAddUser(name, 'burst-password-8');
	const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => tryLogin(name, `guess-${i}`)));
	const statuses = answers.map((a) => a.status).sort();
	assert.equal(statuses.filter((x) => x === 401).length, 5, statuses.join(' '));
	assert.equal(statuses.filter((x) => x === 429).length, 15, statuses.join(' '));
	expectLocked(await tryLogin(name, 'burst-password-8'), 900);
	assert.equal(cli(['user', 'unlock', name]).status, 0);
	expectStatus(await tryLogin(name, 'burst-password-8'), 200);
});

test('a long name cut inside a character is counted like any other, on both databases', async () => {
	const name = 'n'.repeat(119) + '海韵游艇';
	for (let i = 0; i < 5; i++) expectProblem(await tryLogin(name, 'x'), 401, 'invalid_credentials');
	expectLocked(await tryLogin(name, 'x'), 900);
});

test('a successful login starts the count again', async () => {
	const name = `reset_${M}`;
	cliAddUser(name, 'reset-password-4');
	for (let i = 0; i < 4; i++) expectProblem(await tryLogin(name, `wrong-${i}`), 401, 'invalid_credentials');
	expectStatus(await tryLogin(name, 'reset-password-4'), 200);
	for (let i = 0; i < 4; i++) expectProblem(await tryLogin(name, `wrong-${i}`), 401, 'invalid_credentials');
	expectStatus(await tryLogin(name, 'reset-password-4'), 200);
});

test('per address, and for a short window on a node configured so: locks end by themselves', async () => {
	const node = await startServer(['--login-ip-failures', '2', '--login-failures', '2', '--login-window', '2'], `throttle-${env.db}`);
	try {
		// This node counts the last 2 s only: let the failures of the tests above leave it.
		await sleep(2100);
		const name = `win_${M}`;
		cliAddUser(name, 'window-password-5');
		// Two failures of this account lock it on this node, for at most the 2 s window.
		for (let i = 0; i < 2; i++) expectProblem(await tryLogin(name, `wrong-${i}`, node.base), 401, 'invalid_credentials');
		expectLocked(await tryLogin(name, 'window-password-5', node.base), 2);
		// The address has failed twice within the window as well: any name from it is refused here.
		const other = `other_${M}`;
		cliAddUser(other, 'other-password-6');
		expectLocked(await tryLogin(other, 'other-password-6', node.base), 2);
		// The main node, with its own limits (5 per account in 15 minutes), still lets the other in.
		expectStatus(await tryLogin(other, 'other-password-6'), 200);
		// Past the window both locks have ended.
		await sleep(2300);
		expectStatus(await tryLogin(name, 'window-password-5', node.base), 200);
	} finally {
		const { code } = await node.stop();
		assert.equal(code, 0);
		assert.deepEqual(sanitizerErrors(node.log()), []);
	}
});

test('login checks and counts failures in the database: a lock made on one node holds on another', async () => {
	const node = await startServer([], `throttle2-${env.db}`);
	try {
		const name = `shared_${M}`;
		cliAddUser(name, 'shared-password-7');
		for (let i = 0; i < 5; i++) expectProblem(await tryLogin(name, `wrong-${i}`, node.base), 401, 'invalid_credentials');
		expectLocked(await tryLogin(name, 'shared-password-7'), 900);
	} finally {
		await node.stop();
	}
});
