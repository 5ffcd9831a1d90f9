// Comments on records (批注, S-STD: superiors comment on and guide their people's plans, reports
// and records; docs/internals/SALES.md "Comments"): whoever may read a record may comment on it;
// its owner and the earlier commenters are told; a comment is taken back by its author or an
// administrator only; the trail keeps both; bad input named.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t50');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin, act;
const u = {};

before(async () => {
	admin = await loginAdmin();
	const units = (await admin.getJson('/api/v1/org-units')).data;
	const root = units.find((x) => x.kind === 'company')?.id ?? (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	const dept = (await admin.post('/api/v1/org-units', { name: `西南销售部 ${M}`, kind: 'department', parent_id: root })).json;
	u.manager = await newUser(admin, { name: 'manager', mark: M, password, roles: ['regional_manager'], org_unit_id: dept.id, display_name: `钱经理 ${M}` });
	u.seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'], superior_id: u.manager.id, org_unit_id: dept.id, display_name: `周销售 ${M}` });
	u.other = await newUser(admin, { name: 'other', mark: M, password, roles: ['salesperson'] });
	const c = await u.seller.client.create('customers', { name: `重庆长江游艇俱乐部 ${M}` });
	act = await u.seller.client.create('activities', { subject: `电话沟通交船 ${M}`, kind: 'call', occurred_at: new Date().toISOString(), customer_id: c.id });
});

const path = (id = act.id) => `/api/v1/activities/${id}/comments`;
const told = async (who) => (await u[who].client.getJson('/api/v1/notifications?limit=50')).data.filter((n) => n.event === 'record.comment' && n.record_id === act.id);

test('a superior comments on a salesperson\'s record; the owner replies; each is told', async () => {
	const c1 = await u.manager.client.post(path(), { body: '交船前安排一次试航，我可以陪同' });
	expectStatus(c1, 201);
	const n = await told('seller');
	assert.equal(n.length, 1);
	assert.match(n[0].title, new RegExp(`钱经理 ${M} 批注了「电话沟通交船 ${M}」`));
	assert.match(n[0].body, /试航/);
	expectStatus(await u.seller.client.post(path(), { body: '好的，定在下周三' }), 201);
	assert.equal((await told('manager')).length, 1, 'the earlier commenter is told of the reply');
	assert.equal((await told('seller')).length, 1, 'the author is not told of their own');
	const list = (await u.seller.client.getJson(path())).data;
	assert.deepEqual(list.map((x) => [x.author_name, x.body, x.mine]), [[`钱经理 ${M}`, '交船前安排一次试航，我可以陪同', false], [`周销售 ${M}`, '好的，定在下周三', true]]);
	const trail = (await admin.getJson(`/api/v1/activities/${act.id}/history`)).data.map((h) => h.action);
	assert.equal(trail.filter((a) => a === 'comment').length, 2);
});

test('who may not read the record may not read or write its comments', async () => {
	expectStatus(await u.other.client.get(path()), 404);
	expectStatus(await u.other.client.post(path(), { body: '看不见' }), 404);
	expectStatus(await u.seller.client.get(path(999999999)), 404);
});

test('a comment is taken back by its author or an administrator only', async () => {
	const mine = (await u.manager.client.post(path(), { body: `要撤回的 ${M}` })).json;
	expectStatus(await u.seller.client.del(`${path()}/${mine.id}`), 403);
	expectStatus(await u.manager.client.del(`${path()}/${mine.id}`), 204);
	expectStatus(await u.manager.client.del(`${path()}/${mine.id}`), 404);
	assert.ok(!(await u.seller.client.getJson(path())).data.some((x) => x.id === mine.id));
	const again = (await u.seller.client.post(path(), { body: '管理员可删' })).json;
	expectStatus(await admin.del(`${path()}/${again.id}`), 204);
	const trail = (await admin.getJson(`/api/v1/activities/${act.id}/history`)).data.map((h) => h.action);
	assert.equal(trail.filter((a) => a === 'uncomment').length, 2);
});

test('bad comments are refused, naming the field', async () => {
	expectProblem(await u.seller.client.post(path(), {}), 422, 'validation_failed', [['body', 'required']]);
	expectProblem(await u.seller.client.post(path(), { body: '   ' }), 422, 'validation_failed', [['body', 'required']]);
	expectProblem(await u.seller.client.post(path(), { body: 7 }), 422, 'validation_failed', [['body', 'invalid_type']]);
	expectProblem(await u.seller.client.post(path(), { body: '长'.repeat(2001) }), 422, 'validation_failed', [['body', 'too_long']]);
	expectProblem(await u.seller.client.post(path(), { body: 'x', extra: 1 }), 422, 'validation_failed', [['extra', 'unknown_field']]);
	expectStatus(await u.seller.client.post(path(), { body: '长'.repeat(2000) }), 201);
});
