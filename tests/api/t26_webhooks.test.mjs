// Webhooks: administrators subscribe a URL to an entity's events; a record change queues the
// call in its own transaction; a generic receiver gets the event signed with HMAC-SHA256 (and
// checks it), a WeCom and a DingTalk robot get their own markdown messages (DingTalk's URL
// signed); a failing receiver is retried, a deleted subscription's calls are given up, and
// only allowed hosts can be subscribed (SSRF).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { loginAdmin, login, marker, expectStatus, expectProblem, startReceiver, until, sleep } from './lib.mjs';

const M = marker('t26');
let admin, receiver;

before(async () => {
	admin = await loginAdmin();
	receiver = await startReceiver((req) => (req.url.startsWith('/robot') ? { status: 200, json: { errcode: 0, errmsg: 'ok' } } : { status: 204 }));
});

after(async () => {
	await receiver?.stop();
});

const hook = async (body) => {
	const res = await admin.post('/api/v1/webhooks', body);
	expectStatus(res, 201);
	return res.json;
};
const callsTo = (prefix) => receiver.requests.filter((r) => r.url.startsWith(prefix));

test('subscriptions are checked; only allowed hosts; only administrators', async () => {
	let res = await admin.post('/api/v1/webhooks', {});
	expectProblem(res, 422, 'validation_failed', ['name', 'url', 'entity', 'events']);
	res = await admin.post('/api/v1/webhooks', { name: 'x', url: 'http://192.168.1.10/hook', entity: 'customers', events: ['created'] });
	expectProblem(res, 422, 'validation_failed', [['url', 'host_not_allowed']]);
	res = await admin.post('/api/v1/webhooks', { name: 'x', kind: 'slack', url: `${receiver.url}/x`, entity: 'spaceships', events: ['exploded'] });
	expectProblem(res, 422, 'validation_failed', [['kind', 'invalid_option'], ['entity', 'unknown_entity'], ['events[0]', 'invalid_option']]);
	res = await admin.post('/api/v1/webhooks', { name: 'x', url: `${receiver.url}/x`, entity: 'customers', events: [] });
	expectProblem(res, 422, 'validation_failed', ['events']);
	const alice = await login('alice', process.env.SEXTANT_TEST_ALICE_PASSWORD);
	expectStatus(await alice.get('/api/v1/webhooks'), 403);
	expectStatus(await alice.post('/api/v1/webhooks', { name: 'x', url: `${receiver.url}/x`, entity: 'customers', events: ['created'] }), 403);
});

test('a generic receiver gets each change once, signed with the secret shown once', async () => {
	const h = await hook({ name: `ERP ${M}`, url: `${receiver.url}/erp/${M}`, entity: 'customers', events: ['created', 'updated', 'deleted'] });
	assert.equal(h.kind, 'generic');
	assert.ok(h.secret && h.secret.length >= 30, 'a secret made and shown');
	assert.equal(h.secret_set, true);
	const listed = (await admin.getJson('/api/v1/webhooks')).data.find((w) => w.id === h.id);
	assert.equal(listed.secret, undefined, 'never shown again');
	assert.deepEqual(listed.events, ['created', 'updated', 'deleted']);

	const c = await admin.create('customers', { name: `海韵游艇俱乐部 ${M}` });
	const upd = await admin.patch(`/api/v1/customers/${c.id}`, { name: `海韵游艇会 ${M}` }, { headers: { 'If-Match': String(c.version) } });
	expectStatus(upd, 200);
	expectStatus(await admin.del(`/api/v1/customers/${c.id}`), 204);
	const calls = await until(() => (callsTo(`/erp/${M}`).length >= 3 ? callsTo(`/erp/${M}`) : null), 20000, 'three calls');
	const events = calls.map((r) => JSON.parse(r.body));
	assert.deepEqual(events.map((e) => e.event).sort(), ['customers.created', 'customers.deleted', 'customers.updated']);
	for (const r of calls) {
		const ts = r.headers['x-sextant-timestamp'];
		const want = 'sha256=' + createHmac('sha256', h.secret).update(`${ts}.${r.body}`).digest('hex');
		assert.equal(r.headers['x-sextant-signature'], want, 'the signature checks out');
		assert.ok(Math.abs(Date.now() / 1000 - Number(ts)) < 120);
		assert.match(r.headers['x-sextant-delivery'], /^outbox-\d+$/);
		assert.equal(r.headers['x-sextant-event'], JSON.parse(r.body).event);
	}
	const updated = events.find((e) => e.event === 'customers.updated');
	assert.equal(updated.id, c.id);
	assert.deepEqual(updated.changes.name, [`海韵游艇俱乐部 ${M}`, `海韵游艇会 ${M}`]);
	assert.equal(updated.actor_id, admin.user.id);
	await sleep(1000);
	assert.equal(callsTo(`/erp/${M}`).length, 3, 'no more than one call each');

	// A change the subscription does not name, or of another entity: no call.
	await admin.create('tasks', { subject: `回访 ${M}`, status: 'open' });
	await sleep(800);
	assert.equal(callsTo(`/erp/${M}`).length, 3);
});

test('WeCom and DingTalk robots get markdown; DingTalk\'s URL is signed', async () => {
	const wecom = await hook({ name: '企业微信群', kind: 'wecom', url: `${receiver.url}/robot/wecom/${M}`, entity: 'tasks', events: ['created'] });
	assert.equal(wecom.secret, undefined, 'a robot needs no secret of ours');
	const secret = `SEC${M}`;
	await hook({ name: '钉钉群', kind: 'dingtalk', url: `${receiver.url}/robot/dingtalk/${M}?access_token=abc`, entity: 'tasks', events: ['created'], secret });
	const t = await admin.create('tasks', { subject: `试航安排 ${M}`, status: 'open' });
	const w = await until(() => callsTo(`/robot/wecom/${M}`)[0], 20000, 'the WeCom call');
	const wb = JSON.parse(w.body);
	assert.equal(wb.msgtype, 'markdown');
	assert.match(wb.markdown.content, new RegExp(`任务 #${t.id} 新建`));
	const d = await until(() => callsTo(`/robot/dingtalk/${M}`)[0], 20000, 'the DingTalk call');
	const url = new URL(d.url, receiver.url);
	assert.equal(url.searchParams.get('access_token'), 'abc');
	const ts = url.searchParams.get('timestamp');
	const want = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
	assert.equal(url.searchParams.get('sign'), want);
	const db = JSON.parse(d.body);
	assert.equal(db.msgtype, 'markdown');
	assert.ok(db.markdown.title && db.markdown.text.includes(`#${t.id}`));
});

test('a failing receiver is retried; a robot error is refused; a test call; delete stops calls', async () => {
	let n = 0;
	receiver.setAnswer((req) => {
		if (req.url.startsWith(`/flaky/${M}`)) return ++n === 1 ? { status: 500 } : { status: 200 };
		if (req.url.startsWith(`/robot/bad/${M}`)) return { status: 200, json: { errcode: 93000, errmsg: 'invalid webhook url' } };
		return { status: 204 };
	});
	const flaky = await hook({ name: 'flaky', url: `${receiver.url}/flaky/${M}`, entity: 'tasks', events: ['updated'] });
	const bad = await hook({ name: 'bad robot', kind: 'wecom', url: `${receiver.url}/robot/bad/${M}`, entity: 'tasks', events: ['updated'] });
	const t = await admin.create('tasks', { subject: `retry ${M}`, status: 'open' });
	expectStatus(await admin.patch(`/api/v1/tasks/${t.id}`, { status: 'done' }, { headers: { 'If-Match': String(t.version) } }), 200);
	const sentTwice = await until(() => (callsTo(`/flaky/${M}`).length >= 2 ? true : null), 20000, 'the retry');
	assert.ok(sentTwice);
	const outbox = await admin.getJson('/api/v1/outbox?channel=webhook&limit=50');
	const flakyMsg = outbox.data.find((m) => m.recipient === `${receiver.url}/flaky/${M}`);
	const detail = await until(async () => {
		const m = await admin.getJson(`/api/v1/outbox/${flakyMsg.id}`);
		return m.state === 'sent' ? m : null;
	}, 10000, 'the flaky call sent');
	assert.deepEqual(detail.attempts_log.map((a) => a.result), ['retry', 'sent']);
	const badMsg = outbox.data.find((m) => m.recipient === `${receiver.url}/robot/bad/${M}`);
	const parked = await until(async () => {
		const m = await admin.getJson(`/api/v1/outbox/${badMsg.id}`);
		return m.state === 'parked' ? m : null;
	}, 10000, 'the robot error parked');
	assert.match(parked.last_error, /93000/);

	// The test call.
	const ping = await admin.post(`/api/v1/webhooks/${flaky.id}/test`);
	expectStatus(ping, 202);
	const pinged = await until(() => callsTo(`/flaky/${M}`).find((r) => JSON.parse(r.body).event === 'ping'), 10000, 'the ping');
	assert.equal(JSON.parse(pinged.body).webhook_id, flaky.id);

	// Deleted: calls queued before are given up, none queued after.
	expectStatus(await admin.del(`/api/v1/webhooks/${flaky.id}`), 204);
	expectStatus(await admin.del(`/api/v1/webhooks/${bad.id}`), 204);
	expectStatus(await admin.del(`/api/v1/webhooks/${flaky.id}`), 404);
	const before = callsTo(`/flaky/${M}`).length;
	const t2 = await admin.create('tasks', { subject: `after ${M}`, status: 'open' });
	expectStatus(await admin.patch(`/api/v1/tasks/${t2.id}`, { status: 'done' }, { headers: { 'If-Match': String(t2.version) } }), 200);
	await sleep(1000);
	assert.equal(callsTo(`/flaky/${M}`).length, before);
	assert.ok(!(await admin.getJson('/api/v1/webhooks')).data.some((w) => w.id === flaky.id));
});

test('a subscription can be changed: events, active, secret', async () => {
	const h = await hook({ name: 'pausable', url: `${receiver.url}/pause/${M}`, entity: 'tasks', events: ['created'] });
	let res = await admin.patch(`/api/v1/webhooks/${h.id}`, { active: false, events: ['created', 'restored'], secret: null });
	expectStatus(res, 200);
	assert.equal(res.json.active, false);
	assert.equal(res.json.secret_set, false);
	assert.deepEqual(res.json.events, ['created', 'restored']);
	await admin.create('tasks', { subject: `paused ${M}`, status: 'open' });
	await sleep(800);
	assert.equal(callsTo(`/pause/${M}`).length, 0, 'an inactive subscription is not called');
	res = await admin.patch(`/api/v1/webhooks/${h.id}`, { url: 'http://10.1.1.1/x' });
	expectProblem(res, 422, 'validation_failed', [['url', 'host_not_allowed']]);
	expectStatus(await admin.patch('/api/v1/webhooks/999999', { active: true }), 404);
});
