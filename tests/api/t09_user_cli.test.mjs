// `sextant user` against the database a running server uses: a new password and a disabled
// account end the user's sessions on the server too, each change leaves an audit row, and the
// command refuses what it cannot do with a clear message and exit status.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { env, request, Client, loginAdmin, expectProblem, expectStatus, marker, untilRefused, cli as sextant, cliAddUser as addUser } from './lib.mjs';

let admin;
const M = marker('t09');

before(async () => {
	admin = await loginAdmin();
});

async function loginStatus(username, password) {
	const res = await request('POST', '/api/v1/auth/login', { json: { username, password } });
	return res;
}

test('user passwd: the new password works, the old one does not, and every session of the user has ended', async () => {
	const name = `pw_${M}`;
	const id = addUser(name, 'first-password-1');
	const a = new Client();
	await a.login(name, 'first-password-1');
	const b = new Client();
	await b.login(name, 'first-password-1');

	const r = sextant(['user', 'passwd', name, '--password-stdin'], 'second-password-2\n');
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /password of '.*' changed/);

	expectProblem(await untilRefused(a), 401, 'unauthorized');
	expectProblem(await untilRefused(b), 401, 'unauthorized');
	expectProblem(await loginStatus(name, 'first-password-1'), 401, 'invalid_credentials');
	expectStatus(await loginStatus(name, 'second-password-2'), 200);

	const trail = await admin.audit('users', id);
	const row = trail.find((x) => x.action === 'password');
	assert.ok(row, `no password audit row in ${JSON.stringify(trail)}`);
	assert.equal(row.user_id, null, 'the command line is nobody logged in');
	assert.equal(row.changes, null, 'a password change records no value, not even a hash');
});

test('user disable ends the sessions and refuses logins; user enable lets the user in again', async () => {
	const name = `dis_${M}`;
	const id = addUser(name, 'a-good-password-3');
	const c = new Client();
	await c.login(name, 'a-good-password-3');

	let r = sextant(['user', 'disable', name]);
	assert.equal(r.status, 0, r.stderr);
	expectProblem(await untilRefused(c), 401, 'unauthorized');
	// The same answer as a wrong password: a disabled account is not revealed.
	expectProblem(await loginStatus(name, 'a-good-password-3'), 401, 'invalid_credentials');

	// Disabling again changes nothing and writes no second audit row.
	r = sextant(['user', 'disable', name]);
	assert.equal(r.status, 0, r.stderr);
	assert.match(r.stdout, /already/);

	r = sextant(['user', 'enable', name]);
	assert.equal(r.status, 0, r.stderr);
	expectStatus(await loginStatus(name, 'a-good-password-3'), 200);

	const trail = await admin.audit('users', id);
	const actions = trail.map((x) => x.action);
	assert.ok(actions.includes('disable') && actions.includes('enable'), JSON.stringify(actions));
	const dis = trail.find((x) => x.action === 'disable');
	assert.deepEqual(dis.changes, { disabled: [false, true] });
	assert.equal(actions.filter((a) => a === 'disable').length, 1, JSON.stringify(actions));
});

test('user: an unknown user, a missing password and unknown subcommands or options are refused, changing nothing', () => {
	let r = sextant(['user', 'disable', `nobody_${M}`]);
	assert.equal(r.status, 1);
	assert.match(r.stderr, /there is no user 'nobody_/);

	r = sextant(['user', 'passwd', `nobody_${M}`, '--password-stdin'], 'whatever-password\n');
	assert.equal(r.status, 1);
	assert.match(r.stderr, /there is no user/);

	r = sextant(['user', 'passwd', 'admin']);
	assert.equal(r.status, 2);
	assert.match(r.stderr, /--password-stdin/);

	r = sextant(['user', 'passwd', 'admin', '--password-stdin'], '\n');
	assert.equal(r.status, 2);
	assert.match(r.stderr, /no password on standard input/);

	r = sextant(['user', 'disable', 'admin', '--force']);
	assert.equal(r.status, 2);
	assert.match(r.stderr, /unknown option '--force'/);

	r = sextant(['user', 'rename', 'admin']);
	assert.equal(r.status, 2);
	assert.match(r.stderr, /usage: sextant user add/);

	r = sextant(['user', 'add', `dup_${M}`, '--password-stdin'], 'some-password-4\n');
	assert.equal(r.status, 0, r.stderr);
	r = sextant(['user', 'add', `dup_${M}`, '--password-stdin'], 'some-password-4\n');
	assert.equal(r.status, 1);
	assert.match(r.stderr, /exists already/);
});

test('the administrator still logs in after the refused commands above', async () => {
	const res = await loginStatus('admin', env.adminPassword);
	expectStatus(res, 200);
});
