// Work plans (工作计划, OP-PLAN, S-STD; docs/internals/SALES.md "Work plans"): a month, a week or
// a day made whole from any date in it, titled from its owner and period; its items (planned
// activities with a customer, a contact, an opportunity) counted into its completion whenever
// one is made, done, moved, deleted or restored; the items follow the plan to a new owner;
// submitted to the superior (told), reviewed with a comment (the owner told), reopened.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t47');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin, customer;
const u = {};

before(async () => {
	admin = await loginAdmin();
	// The salesperson and their superior in one department: the superior reads its plans.
	const units = (await admin.getJson('/api/v1/org-units')).data;
	const root = units.find((x) => x.kind === 'company')?.id ?? (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	const dept = (await admin.post('/api/v1/org-units', { name: `华东销售部 ${M}`, kind: 'department', parent_id: root })).json;
	u.manager = await newUser(admin, { name: 'manager', mark: M, password, roles: ['regional_manager'], display_name: `王经理 ${M}`, org_unit_id: dept.id });
	u.seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'], superior_id: u.manager.id, display_name: `李销售 ${M}`, org_unit_id: dept.id });
	u.other = await newUser(admin, { name: 'other', mark: M, password, roles: ['salesperson'], display_name: `赵销售 ${M}` });
	customer = await u.seller.client.create('customers', { name: `厦门五缘湾游艇港 ${M}` });
});

const fire = (who, id, key, fields = {}) => u[who].client.post(`/api/v1/work_plans/${id}/transitions/${key}`, { fields });
const plan = (id) => admin.getJson(`/api/v1/work_plans/${id}`);
const completion = async (id) => {
	const p = await plan(id);
	return [p.items_total, p.items_done, p.completion];
};

test('the period is made whole from any day in it, and the plan titled', async () => {
	const week = await u.seller.client.create('work_plans', { period: 'week', starts_on: '2026-11-26', goals: `三次拜访 ${M}` });
	let p = await plan(week.id);
	assert.deepEqual([p.starts_on, p.ends_on, p.title], ['2026-11-23', '2026-11-29', `李销售 ${M} · 周计划 2026-11-23`]);
	const month = await u.seller.client.create('work_plans', { period: 'month', starts_on: '2028-02-15' });
	p = await plan(month.id);
	assert.deepEqual([p.starts_on, p.ends_on, p.title], ['2028-02-01', '2028-02-29', `李销售 ${M} · 月计划 2028年2月`]);
	// Changing the period makes the title again; a title of one's own is kept.
	expectStatus(await u.seller.client.patch(`/api/v1/work_plans/${month.id}`, { period: 'day', starts_on: '2028-03-05' }), 200);
	p = await plan(month.id);
	assert.deepEqual([p.starts_on, p.ends_on, p.title], ['2028-03-05', '2028-03-05', `李销售 ${M} · 日计划 2028-03-05`]);
	expectStatus(await u.seller.client.patch(`/api/v1/work_plans/${month.id}`, { title: `展会前准备 ${M}` }), 200);
	expectStatus(await u.seller.client.patch(`/api/v1/work_plans/${month.id}`, { starts_on: '2028-03-06' }), 200);
	assert.equal((await plan(month.id)).title, `展会前准备 ${M}`);
	// Counted fields are the system's.
	expectProblem(await u.seller.client.patch(`/api/v1/work_plans/${month.id}`, { completion: 100 }), 422, 'validation_failed', [['completion', 'read_only']]);
	expectProblem(await u.seller.client.post('/api/v1/work_plans', { period: 'year', starts_on: '2028-01-01' }), 422, 'validation_failed', [['period', 'invalid_option']]);
});

test('completion is counted from the items, whatever changes them', async () => {
	const p = await u.seller.client.create('work_plans', { period: 'week', starts_on: '2026-12-01', goals: '推进两个商机' });
	assert.deepEqual(await completion(p.id), [0, 0, 0]);
	const opp = await u.seller.client.create('opportunities', { name: `62 尺飞桥 ${M}`, customer_id: customer.id });
	const items = [];
	for (const [subject, kind] of [['拜访五缘湾', 'visit'], ['电话跟进', 'call'], ['安排试航', 'sea_trial']])
		items.push(await u.seller.client.create('work_plan_items', { plan_id: p.id, subject: `${subject} ${M}`, kind, planned_on: '2026-12-02', customer_id: customer.id, opportunity_id: opp.id }));
	assert.deepEqual(await completion(p.id), [3, 0, 0]);
	expectStatus(await u.seller.client.patch(`/api/v1/work_plan_items/${items[0].id}`, { done: true, outcome: '客户确认试航日期' }), 200);
	assert.deepEqual(await completion(p.id), [3, 1, 33]);
	expectStatus(await u.seller.client.patch(`/api/v1/work_plan_items/${items[1].id}`, { done: true }), 200);
	assert.deepEqual(await completion(p.id), [3, 2, 66]);
	// Deleted and restored.
	expectStatus(await u.seller.client.del(`/api/v1/work_plan_items/${items[2].id}`), 204);
	assert.deepEqual(await completion(p.id), [2, 2, 100]);
	expectStatus(await admin.post(`/api/v1/work_plan_items/${items[2].id}/restore`), 200);
	assert.deepEqual(await completion(p.id), [3, 2, 66]);
	// Moved to another plan: both counted again.
	const next = await u.seller.client.create('work_plans', { period: 'week', starts_on: '2026-12-08' });
	expectStatus(await u.seller.client.patch(`/api/v1/work_plan_items/${items[2].id}`, { plan_id: next.id }), 200);
	assert.deepEqual(await completion(p.id), [2, 2, 100]);
	assert.deepEqual(await completion(next.id), [1, 0, 0]);
	// Bulk edit counts too.
	expectStatus(await admin.post('/api/v1/work_plan_items/bulk-update', { ids: [items[2].id], field: 'done', value: true }), 200);
	assert.deepEqual(await completion(next.id), [1, 1, 100]);
	// The plan's items as its related list.
	const rel = await u.seller.client.getJson(`/api/v1/work_plans/${p.id}/work_plan_items`);
	assert.deepEqual(rel.data.map((i) => i.subject).sort(), [`拜访五缘湾 ${M}`, `电话跟进 ${M}`].sort());
	// A contact of another customer is refused.
	const elsewhere = await admin.create('customers', { name: `别家 ${M}` });
	const theirs = await admin.create('contacts', { name: `别家的人 ${M}`, customer_id: elsewhere.id });
	expectProblem(await admin.post('/api/v1/work_plan_items', { plan_id: p.id, subject: 'x', customer_id: customer.id, contact_id: theirs.id }), 422, 'validation_failed', [['contact_id', 'reference_not_same']]);
});

test('items belong to the plan\'s owner, and follow the plan to another', async () => {
	const p = await u.seller.client.create('work_plans', { period: 'day', starts_on: '2026-12-03' });
	// The superior adds an item to their salesperson's plan: it is the salesperson's.
	const item = await u.manager.client.create('work_plan_items', { plan_id: p.id, subject: `补充：电话回访 ${M}`, kind: 'call' });
	assert.equal((await admin.getJson(`/api/v1/work_plan_items/${item.id}`)).owner_id, u.seller.id);
	assert.ok((await u.seller.client.get(`/api/v1/work_plan_items/${item.id}`)).status === 200, 'the salesperson sees it');
	expectStatus(await admin.patch(`/api/v1/work_plans/${p.id}`, { owner_id: u.other.id }), 200);
	assert.equal((await admin.getJson(`/api/v1/work_plan_items/${item.id}`)).owner_id, u.other.id);
	assert.equal((await plan(p.id)).title, `赵销售 ${M} · 日计划 2026-12-03`, 'the title names the new owner');
	expectStatus(await u.seller.client.get(`/api/v1/work_plan_items/${item.id}`), 404);
	// A user who may read a plan but not change it adds nothing to it, nor moves items into it.
	const reader = await newUser(admin, { name: 'reader', mark: M, password, roles: ['marketing_director'] });
	expectStatus(await reader.client.get(`/api/v1/work_plans/${p.id}`), 200);
	expectProblem(await reader.client.post('/api/v1/work_plan_items', { plan_id: p.id, subject: `插一条 ${M}` }), 403, 'forbidden', [['plan_id', 'forbidden_field']]);
	const own = await reader.client.create('work_plans', { period: 'day', starts_on: '2026-12-05' });
	const mine = await reader.client.create('work_plan_items', { plan_id: own.id, subject: `我的 ${M}` });
	expectProblem(await reader.client.patch(`/api/v1/work_plan_items/${mine.id}`, { plan_id: p.id }), 403, 'forbidden', [['plan_id', 'forbidden_field']]);
	// Items of a deleted plan are still edited.
	expectStatus(await admin.del(`/api/v1/work_plans/${own.id}`), 204);
	expectStatus(await reader.client.patch(`/api/v1/work_plan_items/${mine.id}`, { done: true }), 200);
});

test('submitted to the superior, reviewed with a comment, reopened', async () => {
	const p = await u.seller.client.create('work_plans', { period: 'month', starts_on: '2027-01-01' });
	expectProblem(await fire('seller', p.id, 'submit'), 422, 'validation_failed', [['goals', 'required']]);
	expectStatus(await fire('seller', p.id, 'submit', { goals: '签约两艘 62 尺' }), 200);
	let n = (await u.manager.client.getJson('/api/v1/notifications?limit=50')).data;
	assert.ok(n.some((x) => x.entity === 'work_plans' && x.record_id === p.id), 'the superior is told');
	expectStatus(await fire('other', p.id, 'review', { review_comment: '不是我的人' }), 404);
	expectStatus(await fire('seller', p.id, 'review', { review_comment: '自己点评' }), 403);
	expectProblem(await fire('manager', p.id, 'review'), 422, 'validation_failed', [['review_comment', 'required']]);
	expectStatus(await fire('manager', p.id, 'review', { review_comment: '目标可以更具体：列出客户' }), 200);
	const r = await plan(p.id);
	assert.deepEqual([r.stage, r.review_comment], ['reviewed', '目标可以更具体：列出客户']);
	n = (await u.seller.client.getJson('/api/v1/notifications?limit=50')).data;
	assert.ok(n.some((x) => x.entity === 'work_plans' && x.record_id === p.id && /点评/.test(x.title + x.body)), 'the owner is told');
	expectStatus(await fire('seller', p.id, 'reopen'), 200);
	assert.equal((await plan(p.id)).stage, 'draft');
});

test('an activity belongs to an opportunity of its customer, and an item names the activity that did it', async () => {
	const opp = await u.seller.client.create('opportunities', { name: `52 尺运动艇 ${M}`, customer_id: customer.id });
	const act = await u.seller.client.create('activities', { subject: `试航 ${M}`, kind: 'sea_trial', occurred_at: new Date().toISOString(), customer_id: customer.id, opportunity_id: opp.id, outcome: 'positive', next_action: '发送正式报价' });
	const rel = await u.seller.client.getJson(`/api/v1/opportunities/${opp.id}/activities`);
	assert.deepEqual(rel.data.map((a) => a.id), [act.id], 'in the opportunity\'s activities');
	const other = await admin.create('customers', { name: `别家的 ${M}` });
	const theirs = await admin.create('opportunities', { name: `别家的机会 ${M}`, customer_id: other.id });
	expectProblem(await admin.post('/api/v1/activities', { subject: 'x', kind: 'call', occurred_at: new Date().toISOString(), customer_id: customer.id, opportunity_id: theirs.id }), 422, 'validation_failed', [['opportunity_id', 'reference_not_same']]);
	const p = await u.seller.client.create('work_plans', { period: 'day', starts_on: '2026-12-04' });
	const item = await u.seller.client.create('work_plan_items', { plan_id: p.id, subject: `试航 ${M}`, kind: 'sea_trial', customer_id: customer.id, opportunity_id: opp.id });
	expectStatus(await u.seller.client.patch(`/api/v1/work_plan_items/${item.id}`, { done: true, activity_id: act.id, outcome: '客户满意' }), 200);
	assert.deepEqual(await completion(p.id), [1, 1, 100]);
});
