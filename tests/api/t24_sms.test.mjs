// SMS through the outbox: the gateway settings and their checks (the SSRF host list included),
// mobile numbers normalised to +86, the log adapter, an HTTP gateway described by administrators
// (a local receiver here) with its body template, authentication header and success field,
// a gateway error retried, a refusal parked, the gateway down for a while, and a notification
// sent by SMS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loginAdmin, login, marker, expectStatus, expectProblem, startReceiver, until, sleep } from './lib.mjs';

const M = marker('t24');
let admin, gateway;

const message = async (id) => admin.getJson(`/api/v1/outbox/${id}`);
const stateOf = (id, state) => until(async () => ((await message(id)).state === state ? message(id) : null), 20000, `message ${id} ${state}`);

async function testSms(mobile) {
	const res = await admin.post('/api/v1/settings/sms/test', { mobile });
	expectStatus(res, 202);
	return res.json.outbox_id;
}

function httpSettings(url) {
	return {
		adapter: 'http',
		url: `${url}/sms/send?ref={{id}}`,
		method: 'POST',
		content_type: 'application/json',
		body_template: '{"phone":"{{mobile}}","content":"{{text}}","sign":"星盘游艇"}',
		auth_header: 'Authorization: Bearer t0ken-' + M,
		success_field: 'result.code',
		success_value: '0',
	};
}

before(async () => {
	admin = await loginAdmin();
	gateway = await startReceiver(() => ({ status: 200, json: { result: { code: 0 }, msg: 'ok' } }));
});

after(async () => {
	await gateway?.stop();
	// Back to the development adapter for the files after this one.
	await admin?.put('/api/v1/settings/sms', { adapter: 'log' });
});

test('gateway settings are checked, the authentication header never shown', async () => {
	let res = await admin.put('/api/v1/settings/sms', { adapter: 'pigeon' });
	expectProblem(res, 422, 'validation_failed', [['adapter', 'invalid_option']]);
	res = await admin.put('/api/v1/settings/sms', { adapter: 'http' });
	expectProblem(res, 422, 'validation_failed', [['url', 'required']]);
	res = await admin.put('/api/v1/settings/sms', { adapter: 'http', url: 'ftp://127.0.0.1/x' });
	expectProblem(res, 422, 'validation_failed', [['url', 'invalid_url']]);
	// Only hosts the operator listed (--outbound-hosts 127.0.0.1 here): no reaching inside.
	for (const url of ['http://10.0.0.1/sms', 'http://localhost/sms', 'http://169.254.169.254/latest', 'http://user@127.0.0.1/x'])
		expectProblem(await admin.put('/api/v1/settings/sms', { adapter: 'http', url }), 422, 'validation_failed', [['url', 'host_not_allowed']]);
	res = await admin.put('/api/v1/settings/sms', { adapter: 'http', url: gateway.url, auth_header: 'no colon here' });
	expectProblem(res, 422, 'validation_failed', [['auth_header', 'invalid_header']]);
	res = await admin.put('/api/v1/settings/sms', { adapter: 'http', url: gateway.url, method: 'DELETE' });
	expectProblem(res, 422, 'validation_failed', [['method', 'invalid_option']]);

	res = await admin.put('/api/v1/settings/sms', httpSettings(gateway.url));
	expectStatus(res, 200);
	assert.equal(res.json.auth_header_set, true);
	assert.ok(!JSON.stringify(res.json).includes('t0ken'));
	const shown = await admin.getJson('/api/v1/settings/sms');
	assert.equal(shown.auth_header, undefined);
	assert.equal(shown.body_template, httpSettings(gateway.url).body_template);
});

test('the log adapter sends at once; numbers are normalised and bad ones refused', async () => {
	expectStatus(await admin.put('/api/v1/settings/sms', { adapter: 'log' }), 200);
	const id = await testSms('+86 138-0013-8000');
	const sent = await stateOf(id, 'sent');
	assert.equal(sent.recipient, '+8613800138000');
	assert.equal(sent.channel, 'sms');
	for (const mobile of ['12345', '010-12345678', 'abc', '+86 138 0013 800'])
		expectProblem(await admin.post('/api/v1/settings/sms/test', { mobile }), 422, 'validation_failed', [['mobile', 'invalid_phone']]);
});

test('an HTTP gateway gets the template filled, the header, and its success field read', async () => {
	expectStatus(await admin.put('/api/v1/settings/sms', httpSettings(gateway.url)), 200);
	const before = gateway.requests.length;
	const id = await testSms('0086 139 1234 5678');
	const sent = await stateOf(id, 'sent');
	assert.equal(sent.attempts, 1);
	const req = gateway.requests[before];
	assert.equal(req.method, 'POST');
	assert.equal(req.url, `/sms/send?ref=outbox-${id}`);
	assert.equal(req.headers.authorization, `Bearer t0ken-${M}`);
	assert.match(req.headers['content-type'], /application\/json/);
	const body = JSON.parse(req.body);
	assert.equal(body.phone, '+8613912345678');
	assert.equal(body.sign, '星盘游艇');
	assert.match(body.content, /测试消息|test message/);
});

test('a gateway error is retried; a refusal in its answer is parked', async () => {
	let calls = 0;
	gateway.setAnswer(() => (++calls === 1 ? { status: 503, json: { result: { code: 500 } } } : { status: 200, json: { result: { code: 0 } } }));
	const id = await testSms('13800138001');
	const sent = await stateOf(id, 'sent');
	assert.equal(sent.attempts, 2);
	assert.deepEqual(sent.attempts_log.map((a) => a.result), ['retry', 'sent']);
	assert.match(sent.attempts_log[0].error, /503/);

	// 200 that says no (out of credit): as the gateway answers it, not worth repeating.
	gateway.setAnswer(() => ({ status: 200, json: { result: { code: 40001 }, msg: '余额不足' } }));
	const refused = await testSms('13800138002');
	const parked = await stateOf(refused, 'parked');
	assert.equal(parked.attempts, 1);
	assert.match(parked.last_error, /余额不足/);
	gateway.setAnswer(() => ({ status: 200, json: { result: { code: 0 } } }));
});

test('the gateway down for a while: the message waits and goes once it is back', async () => {
	const port = gateway.port;
	await gateway.stop();
	const id = await testSms('13800138003');
	await until(async () => {
		const m = await message(id);
		// A failed attempt recorded, not one still on its way (which could reach the gateway
		// once it is back and make this test's retry never happen).
		return m.state === 'pending' && m.last_error && (m.attempts_log || []).some((x) => x.result === 'retry') ? m : null;
	}, 15000, 'a failed attempt');
	gateway = await startReceiver(() => ({ status: 200, json: { result: { code: 0 } } }), port);
	const sent = await stateOf(id, 'sent');
	assert.ok(sent.attempts >= 2);
	await sleep(1500);
	const mine = gateway.requests.filter((r) => r.url === `/sms/send?ref=outbox-${id}`);
	assert.equal(mine.length, 1, 'delivered once');
});

test('a notification goes by SMS to the user\'s mobile when they chose it', async () => {
	const alice = await login('alice', process.env.SEXTANT_TEST_ALICE_PASSWORD);
	expectStatus(await alice.patch('/api/v1/auth/me', { mobile: '139 0000 1111' }), 200);
	expectStatus(await alice.put('/api/v1/notifications/preferences', { data: [{ event: 'reminder', in_app: true, mail: false, sms: true }] }), 200);
	const note = `确认游艇交付时间 ${M}`;
	expectStatus(await alice.post('/api/v1/reminders', { note, remind_at: new Date().toISOString() }), 201);
	const req = await until(() => gateway.requests.find((r) => r.body.includes(M)), 20000, 'the reminder SMS');
	const body = JSON.parse(req.body);
	assert.equal(body.phone, '+8613900001111');
	assert.ok(body.content.includes(note));
	expectStatus(await alice.put('/api/v1/notifications/preferences', { data: [{ event: 'reminder', in_app: true, mail: false, sms: false }] }), 200);
});
