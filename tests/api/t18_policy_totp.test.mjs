// The security policy in one place (passwords, login limits, sessions, second factor by role,
// networks by role), a user's own password change with history, forced changes, and the
// TOTP second factor: enrolment by QR code, codes refused the second time, recovery codes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { loginAdmin, loginAlice, login, Client, marker, expectStatus, expectProblem, untilRefused, request } from './lib.mjs';

const M = marker('t18');
let admin;

const strong = () => `Aa1-${randomBytes(12).toString('base64url')}`;

async function newUser(name, roles, opts = {}) {
	const password = opts.password || strong();
	const res = await admin.post('/api/v1/users', { must_change_password: opts.mustChange ?? false, username: `${name}_${M}`, password, roles });
	expectStatus(res, 201);
	return { id: res.json.id, username: `${name}_${M}`, password };
}

const loginRaw = (username, password, totp) => request('POST', '/api/v1/auth/login', { json: { username, password, ...(totp ? { totp } : {}) } });

// RFC 6238 as an authenticator app computes it, from the base32 secret the server gave.
function base32Decode(s) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0, value = 0;
	const out = [];
	for (const c of s) {
		value = (value << 5) | alphabet.indexOf(c);
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 255);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}
function totp(secret, at = Date.now()) {
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
	const mac = createHmac('sha1', base32Decode(secret)).update(msg).digest();
	const o = mac[mac.length - 1] & 15;
	return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

before(async () => {
	admin = await loginAdmin();
});

after(async () => {
	// Back to the defaults for the files that follow.
	expectStatus(await admin.put('/api/v1/security-policy', {}), 200);
});

test('the policy: defaults, checked changes naming the member, audit, administrators only', async () => {
	const p = await admin.getJson('/api/v1/security-policy');
	assert.deepEqual(p.password, { min_length: 12, min_classes: 0, history: 5, max_age_days: 0, block_common: true });
	assert.deepEqual(p.session, { idle_minutes: 30, absolute_hours: 12 });
	assert.equal(p.login.account_failures, 5);
	assert.deepEqual(p.totp_roles, []);
	assert.deepEqual(p.ip_allowlist, {});
	assert.ok(p.exporters.includes('sales_director') && p.exporters.includes('admin') && !p.exporters.includes('salesperson'), 'who may export, from the roles');
	const bad = await admin.put('/api/v1/security-policy', {
		password: { min_length: 4, colour: 'red' },
		session: { idle_minutes: 0 },
		totp_roles: ['emperor'],
		ip_allowlist: { admin: ['10.0.0.0/33'], nobody: ['10.0.0.0/8'] },
		extra: 1,
	});
	expectProblem(bad, 422, 'validation_failed', [
		['password.min_length', 'out_of_range'],
		['password.colour', 'unknown_field'],
		['session.idle_minutes', 'out_of_range'],
		['totp_roles[0]', 'reference_not_found'],
		['ip_allowlist.admin[0]', 'invalid_network'],
		['ip_allowlist.nobody', 'reference_not_found'],
		['extra', 'unknown_field'],
	]);
	expectProblem(await admin.put('/api/v1/security-policy', { ip_allowlist: { admin: ['10.0.0.0/8'] } }), 422, 'validation_failed', [['ip_allowlist', 'locks_you_out']]);
	const ok = await admin.put('/api/v1/security-policy', { password: { min_length: 14, history: 2 }, session: { absolute_hours: 2 } });
	expectStatus(ok, 200);
	assert.equal(ok.json.password.min_length, 14);
	assert.equal(ok.json.session.idle_minutes, 30, 'what is left out takes its default');
	const trail = await admin.getJson('/api/v1/audit?entity=security_policy&action=policy');
	assert.equal(trail.data[0].changes.policy[1].password.min_length, 14);
	assert.equal(trail.data[0].changes.policy[0].password.min_length, 12);
	// Sessions made from now on end by the new absolute limit.
	const fresh = await loginAdmin();
	const mine = (await fresh.getJson('/api/v1/auth/sessions')).data.find((s) => s.current);
	const left = Date.parse(mine.expires_at) - Date.now();
	assert.ok(left > 1.9 * 3600e3 && left <= 2 * 3600e3 + 5000, `ends in two hours (${left} ms)`);
	const alice = await loginAlice();
	expectProblem(await alice.get('/api/v1/security-policy'), 403, 'forbidden');
	expectProblem(await alice.put('/api/v1/security-policy', {}), 403, 'forbidden');
	expectStatus(await admin.put('/api/v1/security-policy', {}), 200);
});

test('passwords: length, classes, common ones and the username refused, each naming the field', async () => {
	expectStatus(await admin.put('/api/v1/security-policy', { password: { min_classes: 3 } }), 200);
	const post = (password) => admin.post('/api/v1/users', { username: `pw_${M}`, password, roles: ['user'] });
	expectProblem(await post('Short1-'), 422, 'validation_failed', [['password', 'too_short']]);
	expectProblem(await post('onlylowercaseletters'), 422, 'validation_failed', [['password', 'too_few_classes']]);
	expectProblem(await post('Password1234'), 422, 'validation_failed', [['password', 'password_common']]);
	expectProblem(await post(`X9-pw_${M}`), 422, 'validation_failed', [['password', 'password_common']]);
	// A common word dressed up with digits and signs is still common.
	for (const dressed of ['password123456', 'P@ssw0rd-2026!', '2026Qwerty!!'])
		expectProblem(await post(dressed), 422, 'validation_failed', [['password', 'password_common']]);
	expectStatus(await post(strong()), 201);
	expectStatus(await admin.put('/api/v1/security-policy', {}), 200);
});

test('a user changes their own password: the current one again first, no reuse, other sessions end', async () => {
	expectStatus(await admin.put('/api/v1/security-policy', { password: { history: 2 } }), 200);
	const u = await newUser('self', ['user']);
	const a = await login(u.username, u.password);
	const b = await login(u.username, u.password);
	const change = (c, current, next) => c.post('/api/v1/auth/password', { current_password: current, new_password: next });
	expectProblem(await change(a, 'wrong-password-1', strong()), 422, 'validation_failed', [['current_password', 'wrong_password']]);
	expectProblem(await change(a, u.password, u.password), 422, 'validation_failed', [['new_password', 'password_reused']]);
	expectProblem(await change(a, u.password, 'short'), 422, 'validation_failed', [['new_password', 'too_short']]);
	const p2 = strong();
	const res = await change(a, u.password, p2);
	expectStatus(res, 200);
	// This browser gets a new session (a new id after a change of credentials); the others end.
	const cookie = /sextant_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1];
	assert.ok(res.json.csrf_token);
	await untilRefused(b);
	expectProblem(await a.get('/api/v1/auth/me'), 401, 'unauthorized');
	const a2 = new Client();
	a2.cookie = `sextant_session=${cookie}`;
	a2.csrf = res.json.csrf_token;
	expectStatus(await a2.get('/api/v1/auth/me'), 200);
	const p3 = strong();
	expectStatus(await change(a2, p2, p3), 200);
	const a3 = await login(u.username, p3);
	// History of two: neither of the last two may come back; the third may.
	expectProblem(await change(a3, p3, p2), 422, 'validation_failed', [['new_password', 'password_reused']]);
	expectProblem(await change(a3, p3, u.password), 422, 'validation_failed', [['new_password', 'password_reused']]);
	const trail = (await admin.getJson(`/api/v1/audit?entity=users&record_id=${u.id}&action=password_change`)).data;
	assert.equal(trail.length, 2);
	expectStatus(await admin.put('/api/v1/security-policy', {}), 200);
	// An API token cannot change the password.
	const tok = await a3.post('/api/v1/auth/tokens', { name: 't18' });
	const viaToken = await request('POST', '/api/v1/auth/password', { json: { current_password: p3, new_password: strong() }, headers: { Authorization: `Bearer ${tok.json.token}` } });
	expectProblem(viaToken, 403, 'forbidden');
});

test('a password an administrator set must be changed at the first login before anything else', async () => {
	const u = await newUser('forced', ['user'], { mustChange: true });
	const c = await login(u.username, u.password);
	assert.equal(c.user.restriction, 'password_change_required');
	expectProblem(await c.get('/api/v1/customers'), 403, 'password_change_required');
	expectProblem(await c.post('/api/v1/customers', { name: 'x' }), 403, 'password_change_required');
	expectStatus(await c.get('/api/v1/auth/me'), 200);
	const res = await c.post('/api/v1/auth/password', { current_password: u.password, new_password: strong() });
	expectStatus(res, 200);
	const again = new Client();
	again.cookie = `sextant_session=${/sextant_session=([^;]+)/.exec(res.headers.get('set-cookie'))[1]}`;
	again.csrf = res.json.csrf_token;
	expectStatus(await again.get('/api/v1/customers?limit=1'), 200);
	assert.equal((await again.getJson('/api/v1/auth/me')).user.restriction, null);
	// An administrator's reset makes it so again.
	const p = strong();
	expectStatus(await admin.post(`/api/v1/users/${u.id}/password`, { password: p }), 204);
	const c2 = await login(u.username, p);
	assert.equal(c2.user.restriction, 'password_change_required');
});

test('networks by role: refused at login and on every request, audited; allowed when listed', async () => {
	const u = await newUser('net', ['salesperson']);
	const c = await login(u.username, u.password);
	expectStatus(await admin.put('/api/v1/security-policy', { ip_allowlist: { salesperson: ['10.0.0.0/8', '2001:db8::/32'] } }), 200);
	expectProblem(await c.get('/api/v1/customers?limit=1'), 403, 'ip_not_allowed');
	// Answered as a wrong password: someone on a refused network learns nothing of it.
	expectProblem(await loginRaw(u.username, u.password), 401, 'invalid_credentials');
	const refused = (await admin.getJson(`/api/v1/audit?entity=users&record_id=${u.id}&action=login_refused`)).data;
	assert.equal(refused[0].changes.reason, 'ip_not_allowed');
	assert.equal(refused[0].ip, '127.0.0.1');
	// Other roles are not restricted by a rule that is not theirs.
	expectStatus(await (await loginAlice()).get('/api/v1/customers?limit=1'), 200);
	expectStatus(await admin.put('/api/v1/security-policy', { ip_allowlist: { salesperson: ['127.0.0.0/8'] } }), 200);
	expectStatus(await c.get('/api/v1/customers?limit=1'), 200);
	expectStatus(await loginRaw(u.username, u.password), 200);
	expectStatus(await admin.put('/api/v1/security-policy', {}), 200);
});

test('TOTP: enrol with a QR code, log in with a code, refuse it the second time, use a recovery code once', async () => {
	const u = await newUser('totp', ['user']);
	const c = await login(u.username, u.password);
	// The password first: a stolen session must not enrol a thief's phone.
	expectProblem(await c.post('/api/v1/auth/totp/setup', {}), 422, 'validation_failed', [['password', 'required']]);
	expectProblem(await c.post('/api/v1/auth/totp/setup', { password: 'wrong-password-9' }), 422, 'validation_failed', [['password', 'wrong_password']]);
	const setup = await c.post('/api/v1/auth/totp/setup', { password: u.password });
	expectStatus(setup, 200);
	assert.equal(setup.headers.get('cache-control'), 'no-store');
	const { secret, uri, qr_svg: svg } = setup.json;
	assert.match(secret, /^[A-Z2-7]{32}$/, '160 bits in base32');
	assert.equal(uri, `otpauth://totp/Sextant%3A${encodeURIComponent(u.username)}?secret=${secret}&issuer=Sextant&algorithm=SHA1&digits=6&period=30`.replace('%3A', ':'));
	assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>.*<\/svg>$/s);
	expectProblem(await c.post('/api/v1/auth/totp/confirm', { code: '000000' === totp(secret) ? '111111' : '000000' }), 422, 'validation_failed', [['code', 'invalid_totp']]);
	// The code of the step before is accepted too (clock drift); it leaves this step's code
	// unused for the login below.
	const confirmed = await c.post('/api/v1/auth/totp/confirm', { code: totp(secret, Date.now() - 30000) });
	expectStatus(confirmed, 200);
	const codes = confirmed.json.recovery_codes;
	assert.equal(codes.length, 10);
	for (const rc of codes) assert.match(rc, /^[a-z2-7]{5}-[a-z2-7]{5}$/);
	assert.equal(new Set(codes).size, 10);
	expectProblem(await c.post('/api/v1/auth/totp/setup', { password: u.password }), 409, 'conflict');
	expectProblem(await loginRaw(u.username, u.password), 401, 'totp_required');
	expectProblem(await loginRaw(u.username, u.password, '12345'), 401, 'invalid_totp');
	const code = totp(secret);
	const ok = await loginRaw(u.username, u.password, code);
	expectStatus(ok, 200);
	assert.equal(ok.json.user.totp_enabled, true);
	expectProblem(await loginRaw(u.username, u.password, code), 401, 'invalid_totp', []);
	// A recovery code, in capitals and without its dash, works once.
	const rc = codes[3];
	expectStatus(await loginRaw(u.username, u.password, rc.replace('-', '').toUpperCase()), 200);
	expectProblem(await loginRaw(u.username, u.password, rc), 401, 'invalid_totp');
	const trail = (await admin.getJson(`/api/v1/audit?entity=users&record_id=${u.id}`)).data.map((a) => a.action);
	for (const a of ['totp_enable', 'recovery_code_used', 'login_refused']) assert.ok(trail.includes(a), `${a} is audited`);
	// Turning it off takes the password; an administrator may reset it for a lost phone.
	const s = await login(u.username, u.password).catch(() => null);
	assert.equal(s, null, 'a login without the code is refused');
	const withCode = new Client();
	const lr = await loginRaw(u.username, u.password, codes[5]);
	withCode.cookie = `sextant_session=${/sextant_session=([^;]+)/.exec(lr.headers.get('set-cookie'))[1]}`;
	withCode.csrf = lr.json.csrf_token;
	expectProblem(await withCode.req('DELETE', '/api/v1/auth/totp', { json: { password: 'nope-nope-nope' } }), 422, 'validation_failed', [['password', 'wrong_password']]);
	expectStatus(await withCode.req('DELETE', '/api/v1/auth/totp', { json: { password: u.password } }), 204);
	expectStatus(await loginRaw(u.username, u.password), 200);
	const again = (await c.post('/api/v1/auth/totp/setup', { password: u.password })).json.secret;
	expectStatus(await c.post('/api/v1/auth/totp/confirm', { code: totp(again) }), 200);
	expectProblem(await loginRaw(u.username, u.password), 401, 'totp_required');
	expectStatus(await admin.del(`/api/v1/users/${u.id}/totp`), 204);
	expectStatus(await loginRaw(u.username, u.password), 200);
	expectProblem(await (await loginAlice()).del(`/api/v1/users/${u.id}/totp`), 403, 'forbidden');
});

test('wrong codes count as failed logins: guessing the second factor locks the account', async () => {
	const u = await newUser('guess', ['user']);
	const c = await login(u.username, u.password);
	const secret = (await c.post('/api/v1/auth/totp/setup', { password: u.password })).json.secret;
	expectStatus(await c.post('/api/v1/auth/totp/confirm', { code: totp(secret) }), 200);
	const wrong = (n) => String((Number(totp(secret)) + n) % 1000000).padStart(6, '0');
	// Asking for the code in between (no code sent) does not wipe the count.
	for (let i = 1; i <= 4; i++) {
		expectProblem(await loginRaw(u.username, u.password, wrong(i * 7919)), 401, 'invalid_totp');
		expectProblem(await loginRaw(u.username, u.password), 401, 'totp_required');
	}
	expectProblem(await loginRaw(u.username, u.password, wrong(5 * 7919)), 401, 'invalid_totp');
	expectProblem(await loginRaw(u.username, u.password, totp(secret)), 429, 'too_many_attempts');
	expectStatus(await admin.post(`/api/v1/users/${u.id}/unlock`), 204);
});

test('a role the policy names must set up a second factor before anything else, and cannot turn it off', async () => {
	const u = await newUser('fin', ['finance']);
	expectStatus(await admin.put('/api/v1/security-policy', { totp_roles: ['finance'] }), 200);
	const c = await login(u.username, u.password);
	assert.equal(c.user.restriction, 'totp_enrolment_required');
	expectProblem(await c.get('/api/v1/customers?limit=1'), 403, 'totp_enrolment_required');
	const secret = (await c.post('/api/v1/auth/totp/setup', { password: u.password })).json.secret;
	expectStatus(await c.post('/api/v1/auth/totp/confirm', { code: totp(secret) }), 200);
	expectStatus(await c.get('/api/v1/customers?limit=1'), 200);
	expectProblem(await c.req('DELETE', '/api/v1/auth/totp', { json: { password: u.password } }), 422, 'validation_failed', [[null, 'totp_required_by_policy']]);
	expectStatus(await admin.put('/api/v1/security-policy', {}), 200);
});
