// Work reports (工作报告, S-REPORT, S-STD; docs/internals/SALES.md "Work reports"): made for a
// day, a week or a month of its owner, pre-filled from that period — the customers they made,
// their activities and visits, the stage moves and the business won on their opportunities — as
// figures and as a first draft; recounted when the period changes; submitted to the superior,
// who comments.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t48');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin;
const u = {};
/* Today in the company's time zone (UTC+8), the day a daily report covers. */
const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

before(async () => {
	admin = await loginAdmin();
	const units = (await admin.getJson('/api/v1/org-units')).data;
	const root = units.find((x) => x.kind === 'company')?.id ?? (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	const dept = (await admin.post('/api/v1/org-units', { name: `华北销售部 ${M}`, kind: 'department', parent_id: root })).json;
	u.manager = await newUser(admin, { name: 'manager', mark: M, password, roles: ['regional_manager'], org_unit_id: dept.id });
	u.seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'], superior_id: u.manager.id, org_unit_id: dept.id, display_name: `孙销售 ${M}` });
	u.other = await newUser(admin, { name: 'other', mark: M, password, roles: ['salesperson'] });
});

const fire = (who, id, key, fields = {}) => u[who].client.post(`/api/v1/work_reports/${id}/transitions/${key}`, { fields });
const report = (id) => admin.getJson(`/api/v1/work_reports/${id}`);
const figures = (r) => [r.new_customers, r.activities, r.visits, r.stage_moves, r.won_count, r.won_amount?.amount];

test('a daily report is pre-filled from its owner\'s day', async () => {
	const s = u.seller.client;
	// The seller's day: two customers, three activities, one visit, an opportunity won.
	const a = await s.create('customers', { name: `天津东疆游艇会 ${M}` });
	await s.create('customers', { name: `秦皇岛阿那亚帆船俱乐部 ${M}` });
	const now = new Date().toISOString();
	for (const [subject, kind] of [['电话约访', 'call'], ['电话确认', 'call'], ['现场介绍 52 尺', 'product_intro']])
		await s.create('activities', { subject: `${subject} ${M}`, kind, occurred_at: now, customer_id: a.id });
	// Someone else's day and another day do not count.
	const theirs = await u.other.client.create('customers', { name: `别人的客户 ${M}` });
	await u.other.client.create('activities', { subject: `别人的电话 ${M}`, kind: 'call', occurred_at: now, customer_id: theirs.id });
	await s.create('activities', { subject: `上个月的电话 ${M}`, kind: 'call', occurred_at: '2026-01-05T03:00:00Z', customer_id: a.id });
	const v = await s.create('visits', { title: `拜访东疆 ${M}`, customer_id: a.id, planned_at: now });
	// A visit counts once it has happened (the admin walks it there without approvals).
	for (const [t, f] of [['request', { purpose: '介绍', budget: { amount: 0, currency: 'CNY' } }]]) expectStatus(await s.post(`/api/v1/visits/${v.id}/transitions/${t}`, { fields: f }), 200);
	const opp = await s.create('opportunities', { name: `52 尺运动艇 ${M}`, customer_id: a.id });
	const move = (t, fields) => s.post(`/api/v1/opportunities/${opp.id}/transitions/${t}`, { fields });
	expectStatus(await move('to_negotiation', { amount: { amount: 320_000_000, currency: 'CNY' }, expected_close: today }), 200);
	expectStatus(await move('win', { won_reason: '试航满意' }), 200);

	const r = await s.create('work_reports', { period: 'day', starts_on: today });
	const got = await report(r.id);
	// The visit is not yet visited (its request waits for the superior): no visit counted.
	assert.deepEqual(figures(got), [2, 3, 0, 2, 1, 320_000_000]);
	assert.equal(got.title, `孙销售 ${M} · 日报 ${today}`);
	assert.deepEqual([got.starts_on, got.ends_on], [today, today]);
	assert.match(got.summary, new RegExp(`新增客户 2 家：天津东疆游艇会 ${M}、秦皇岛阿那亚帆船俱乐部 ${M}`));
	assert.match(got.summary, /跟进记录 3 条：电话 2、产品介绍 1/);
	assert.match(got.summary, new RegExp(`商机推进 2 次：\\n- 52 尺运动艇 ${M}：初步接触与需求 → 商务谈判\\n- 52 尺运动艇 ${M}：商务谈判 → 赢单`));
	assert.match(got.summary, /赢单 1 个，金额 ¥3200000\.00/);
	// Visited now: a report made after counts it.
	expectStatus(await u.manager.client.post(`/api/v1/approval-tasks/${(await u.manager.client.getJson('/api/v1/approval-tasks')).data.find((t) => t.record_id === v.id && t.entity === 'visits').id}/approve`, {}), 200);
	expectStatus(await s.post(`/api/v1/visits/${v.id}/transitions/prepare`, { fields: { preparation: '资料' } }), 200);
	expectStatus(await s.post(`/api/v1/visits/${v.id}/transitions/visit`, { fields: { visited_at: now, needs: '接待用艇' } }), 200);
	const again = await report((await s.create('work_reports', { period: 'day', starts_on: today, summary: '我自己写的' })).id);
	assert.equal(again.visits, 1);
	assert.equal(again.summary, '我自己写的', 'a summary of one\'s own is kept');
});

test('a weekly report covers its week; changing the period counts again', async () => {
	const r = await u.seller.client.create('work_reports', { period: 'week', starts_on: '2026-01-07' });
	let got = await report(r.id);
	assert.deepEqual([got.starts_on, got.ends_on], ['2026-01-05', '2026-01-11']);
	assert.deepEqual(figures(got), [0, 1, 0, 0, 0, 0], 'the call of 5 January');
	expectStatus(await u.seller.client.patch(`/api/v1/work_reports/${r.id}`, { period: 'month', starts_on: today }), 200);
	got = await report(r.id);
	assert.equal(got.starts_on, `${today.slice(0, 8)}01`);
	assert.equal(got.activities, 3);
	expectProblem(await u.seller.client.patch(`/api/v1/work_reports/${r.id}`, { activities: 99 }), 422, 'validation_failed', [['activities', 'read_only']]);
});

test('submitted to the superior, who comments', async () => {
	const r = await u.seller.client.create('work_reports', { period: 'day', starts_on: '2026-02-02' });
	expectStatus(await u.seller.client.patch(`/api/v1/work_reports/${r.id}`, { summary: '' }), 200);
	expectProblem(await fire('seller', r.id, 'submit'), 422, 'validation_failed', [['summary', 'required']]);
	expectStatus(await fire('seller', r.id, 'submit', { summary: '走访两家客户', problems: '报价审批慢', next_plan: '跟进试航' }), 200);
	assert.ok((await u.manager.client.getJson('/api/v1/notifications?limit=50')).data.some((n) => n.entity === 'work_reports' && n.record_id === r.id), 'the superior is told');
	expectStatus(await fire('manager', r.id, 'review', { review_comment: '报价审批我来协调' }), 200);
	const got = await report(r.id);
	assert.deepEqual([got.stage, got.review_comment], ['reviewed', '报价审批我来协调']);
	assert.ok((await u.seller.client.getJson('/api/v1/notifications?limit=50')).data.some((n) => n.entity === 'work_reports' && n.record_id === r.id && n.event === 'process.transition'), 'the owner is told');
});
