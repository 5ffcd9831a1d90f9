// Company announcements (P-NEWS): addressed to everyone or to org units (and the units below),
// published and expiring on time, with read receipts; written by administrators only.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, login, marker, expectStatus, expectProblem } from './lib.mjs';

const M = marker('t20');
let admin, root;
const units = {};
const users = {};

before(async () => {
	admin = await loginAdmin();
	root = (await admin.getJson('/api/v1/org-units')).data.find((u) => u.parent_id === null)?.id ?? (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	const unit = async (name, kind, parent) => (await admin.post('/api/v1/org-units', { name: `${name} ${M}`, kind, parent_id: parent })).json.id;
	units.a = await unit('华南', 'subsidiary', root);
	units.a1 = await unit('华南销售', 'department', units.a);
	units.b = await unit('华东', 'subsidiary', root);
	const password = `Aa1-${randomBytes(12).toString('base64url')}`;
	for (const [name, unitId] of [['south', units.a1], ['east', units.b]]) {
		const res = await admin.post('/api/v1/users', { username: `${name}_${M}`, password, roles: ['salesperson'], org_unit_id: unitId, must_change_password: false });
		expectStatus(res, 201);
		users[name] = { id: res.json.id, client: await login(`${name}_${M}`, password) };
	}
});

const post = (body) => admin.post('/api/v1/announcements', body);
const mine = (list) => list.data.filter((a) => a.title.endsWith(M));

test('each user sees what is addressed to them, pinned first, with an unread count and receipts', async () => {
	const everyone = await post({ title: `全员通知 ${M}`, body: '年会时间：1 月 20 日。\n<script>alert(1)</script>', kind: 'notice' });
	expectStatus(everyone, 201);
	assert.equal(everyone.json.everyone, true);
	assert.deepEqual(everyone.json.org_unit_ids, []);
	assert.equal(everyone.json.body, '年会时间：1 月 20 日。\n<script>alert(1)</script>', 'kept as text, shown as text');
	const south = await post({ title: `华南公告 ${M}`, body: '新游艇到港。', org_unit_ids: [units.a], pinned: true });
	expectStatus(south, 201);
	assert.equal(south.json.everyone, false);
	assert.deepEqual(south.json.org_unit_ids, [units.a]);
	const future = await post({ title: `未来 ${M}`, body: '尚未发布', published_at: new Date(Date.now() + 86400e3).toISOString() });
	const past = await post({ title: `过期 ${M}`, body: '已过期', published_at: new Date(Date.now() - 2 * 86400e3).toISOString(), expires_at: new Date(Date.now() - 86400e3).toISOString() });
	expectStatus(future, 201);
	expectStatus(past, 201);

	const s = await users.south.client.getJson('/api/v1/announcements?limit=100');
	assert.deepEqual(mine(s).map((a) => a.title), [`华南公告 ${M}`, `全员通知 ${M}`], 'a unit reaches the units below it; pinned first');
	const e = await users.east.client.getJson('/api/v1/announcements?limit=100');
	assert.deepEqual(mine(e).map((a) => a.title), [`全员通知 ${M}`]);
	const unreadBefore = s.unread;
	expectProblem(await users.east.client.get(`/api/v1/announcements/${south.json.id}`), 404, 'not_found');
	expectProblem(await users.east.client.post(`/api/v1/announcements/${south.json.id}/read`), 404, 'not_found');
	expectProblem(await users.south.client.get(`/api/v1/announcements/${future.json.id}`), 404, 'not_found');

	// Reading: a receipt, the first one kept.
	expectStatus(await users.south.client.post(`/api/v1/announcements/${south.json.id}/read`), 204);
	const first = (await users.south.client.getJson(`/api/v1/announcements/${south.json.id}`)).read_at;
	assert.ok(first);
	await new Promise((r) => setTimeout(r, 20));
	expectStatus(await users.south.client.post(`/api/v1/announcements/${south.json.id}/read`), 204);
	assert.equal((await users.south.client.getJson(`/api/v1/announcements/${south.json.id}`)).read_at, first);
	const after = await users.south.client.getJson('/api/v1/announcements?unread=true&limit=100');
	assert.equal(after.unread, unreadBefore - 1);
	assert.ok(!mine(after).some((a) => a.id === south.json.id), 'unread=true leaves read ones out');

	const receipts = await admin.getJson(`/api/v1/announcements/${south.json.id}/receipts`);
	assert.equal(receipts.read, 1);
	assert.ok(receipts.audience >= 1);
	assert.ok(receipts.data.some((x) => x.user_id === users.south.id && x.read_at === first));
	assert.ok(!receipts.data.some((x) => x.user_id === users.east.id), 'the east is not in the audience');
	const all = await admin.getJson(`/api/v1/announcements/${everyone.json.id}/receipts`);
	assert.ok(all.data.some((x) => x.user_id === users.east.id && x.read_at === null));

	// Administrators list everything, the unpublished and the expired too.
	const every = await admin.getJson('/api/v1/announcements?all=true&limit=100');
	for (const t of [`未来 ${M}`, `过期 ${M}`]) assert.ok(mine(every).some((a) => a.title === t));
	expectProblem(await users.south.client.get('/api/v1/announcements?all=true'), 403, 'forbidden');
});

test('changing the audience, deleting, checks naming the field, administrators only, audited', async () => {
	const a = await post({ title: `调整 ${M}`, body: '内容', org_unit_ids: [units.b] });
	expectProblem(await users.south.client.get(`/api/v1/announcements/${a.json.id}`), 404, 'not_found');
	const moved = await admin.put(`/api/v1/announcements/${a.json.id}`, { title: `调整后 ${M}`, body: '新内容', org_unit_ids: [units.a1] });
	expectStatus(moved, 200);
	assert.deepEqual(moved.json.org_unit_ids, [units.a1]);
	expectStatus(await users.south.client.get(`/api/v1/announcements/${a.json.id}`), 200);
	expectProblem(await users.east.client.get(`/api/v1/announcements/${a.json.id}`), 404, 'not_found');
	expectStatus(await admin.del(`/api/v1/announcements/${a.json.id}`), 204);
	expectProblem(await users.south.client.get(`/api/v1/announcements/${a.json.id}`), 404, 'not_found');
	expectProblem(await admin.del(`/api/v1/announcements/${a.json.id}`), 404, 'not_found');
	expectProblem(await post({ body: 'x', kind: 'gossip', colour: 1 }), 422, 'validation_failed', [['title', 'required'], ['kind', 'invalid_option'], ['colour', 'unknown_field']]);
	expectProblem(await post({ title: 't', body: 'x', org_unit_ids: [999999] }), 422, 'reference_not_found', ['org_unit_ids']);
	expectProblem(await post({ title: 't', body: 'x', expires_at: new Date(Date.now() - 1000).toISOString() }), 422, 'validation_failed', [['expires_at', 'out_of_range']]);
	expectProblem(await post({ title: 't', body: 'x', published_at: 'tomorrow' }), 422, 'validation_failed', [['published_at', 'invalid_datetime']]);
	expectProblem(await users.south.client.post('/api/v1/announcements', { title: 't', body: 'x' }), 403, 'forbidden');
	expectProblem(await users.south.client.get(`/api/v1/announcements/${a.json.id}/receipts`), 403, 'forbidden');
	const trail = (await admin.getJson(`/api/v1/audit?entity=announcements&record_id=${a.json.id}`)).data.map((x) => x.action);
	assert.deepEqual(trail, ['delete', 'update', 'create']);
});
