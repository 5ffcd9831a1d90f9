// Visits (拜访, S-VISIT; docs/internals/SALES.md "Visits") on the flow Sextant ships
// (process/visits.json) and the roles it ships: a salesperson plans a visit to a customer and
// requests it; their superior approves and, over ¥20,000 of budget, the sales director too;
// prepared; visited (the customer's follow-up clock moves, the visit is on its timeline);
// the report reviewed by the superior; the expense claimed and reimbursed by finance. A visit
// without expenses is closed by its owner; one cancelled tells the superior.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t44');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin, customer, contact;
const u = {};
const money = (yuan) => ({ amount: yuan * 100, currency: 'CNY' });

before(async () => {
	admin = await loginAdmin();
	u.manager = await newUser(admin, { name: 'manager', mark: M, password, roles: ['regional_manager'] });
	u.seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'], superior_id: u.manager.id });
	u.director = await newUser(admin, { name: 'director', mark: M, password, roles: ['sales_director'] });
	u.finance = await newUser(admin, { name: 'finance', mark: M, password, roles: ['finance'] });
	customer = await u.seller.client.create('customers', { name: `青岛奥帆中心游艇会 ${M}` });
	contact = await u.seller.client.create('contacts', { name: `周总 ${M}`, customer_id: customer.id });
});

const fire = (who, id, key, fields = {}, comment) => u[who].client.post(`/api/v1/visits/${id}/transitions/${key}`, { fields, ...(comment ? { comment } : {}) });
const stage = async (id) => (await admin.getJson(`/api/v1/visits/${id}`)).stage;
/* The approval task of this visit that `who` has to decide (roles reach every member: ours). */
const taskOf = async (who, id) => (await u[who].client.getJson('/api/v1/approval-tasks')).data.find((t) => t.entity === 'visits' && t.record_id === id);
const decide = async (who, id, verdict, comment) => {
	const t = await taskOf(who, id);
	assert.ok(t, `${who} has a task on visit ${id}`);
	return u[who].client.post(`/api/v1/approval-tasks/${t.id}/${verdict}`, comment ? { comment } : {});
};
const tasksAbout = async (id) => (await u.seller.client.getJson(`/api/v1/tasks?about_entity=visits&about_id=${id}&sort=created_at`)).data;

test('the visit flow is shipped, on the visits entity', async () => {
	const p = await admin.getJson('/api/v1/processes/visit_flow');
	assert.equal(p.definition.entity, 'visits');
	const meta = await admin.getJson('/api/v1/meta/entities/visits');
	assert.deepEqual(meta.fields.find((f) => f.name === 'stage').options.map((o) => o.key), ['plan', 'requested', 'approved', 'prepared', 'visited', 'reported', 'report_approved', 'claimed', 'reimbursed', 'cancelled']);
});

test('a visit from plan to reimbursed expense', async () => {
	const v = await u.seller.client.create('visits', { title: `拜访奥帆中心 ${M}`, customer_id: customer.id, contact_id: contact.id, planned_at: '2027-01-12T02:00:00Z' });
	assert.equal(v.stage, 'plan');
	expectProblem(await fire('seller', v.id, 'request', { purpose: '介绍 62 尺飞桥' }), 422, 'validation_failed', [['budget', 'required']]);
	expectStatus(await fire('seller', v.id, 'request', { purpose: '介绍 62 尺飞桥，邀请试航', budget: money(26000) }, '请批准'), 200);
	assert.equal(await stage(v.id), 'requested');
	// The superior first; over ¥20,000 the director after.
	assert.equal(await taskOf('director', v.id), undefined, 'the director waits for the superior');
	// The inbox names the flow, the step and the record.
	const inbox = await taskOf('manager', v.id);
	assert.deepEqual([inbox.label, inbox.step_label, inbox.title, inbox.submitter_name], ['拜访申请审批', '上级审批', `拜访奥帆中心 ${M}`, `seller ${M}`]);
	expectStatus(await decide('manager', v.id, 'approve'), 200);
	assert.equal(await stage(v.id), 'requested');
	expectStatus(await decide('director', v.id, 'approve'), 200);
	assert.equal(await stage(v.id), 'approved');
	let tasks = await tasksAbout(v.id);
	assert.deepEqual(tasks.map((t) => [t.subject, t.owner_id, t.customer_id]), [[`拜访准备：拜访奥帆中心 ${M}`, u.seller.id, customer.id]]);

	expectProblem(await fire('seller', v.id, 'prepare'), 422, 'validation_failed', [['preparation', 'required']]);
	expectStatus(await fire('seller', v.id, 'prepare', { preparation: '62 尺资料、试航日程' }), 200);
	expectProblem(await fire('seller', v.id, 'visit', { needs: '公司接待用艇' }), 422, 'validation_failed', [['visited_at', 'required']]);
	const visitedAt = new Date(Date.now() - 3600e3).toISOString();
	expectStatus(await fire('seller', v.id, 'visit', { visited_at: visitedAt, needs: '公司接待用艇，需 4 间客舱', objections: '交期', gifts: '船模一件', next_appointment: '2027-02-01T02:00:00Z' }), 200);
	// Visited: the customer's follow-up clock moved, and the visit is on its timeline.
	const c = await admin.getJson(`/api/v1/customers/${customer.id}`);
	assert.equal(Date.parse(c.last_followup_at), Date.parse(visitedAt));
	const tl = await admin.getJson(`/api/v1/customers/${customer.id}/timeline?limit=50`);
	assert.ok(tl.data.some((x) => x.source === 'visits' && x.id === v.id), 'on the customer\'s timeline');
	tasks = await tasksAbout(v.id);
	assert.equal(tasks[1].subject, `提交拜访报告：拜访奥帆中心 ${M}`);

	// The report: sent back once with a comment, then approved by the superior.
	expectStatus(await fire('seller', v.id, 'submit_report', { report: '有意向' }), 200);
	expectStatus(await decide('manager', v.id, 'reject', '请写明交期要求'), 200);
	assert.equal(await stage(v.id), 'visited');
	expectStatus(await fire('seller', v.id, 'submit_report', { report: '有意向，要求 2027 年 6 月前交船' }), 200);
	expectStatus(await decide('manager', v.id, 'approve'), 200);
	assert.equal(await stage(v.id), 'report_approved');

	// The expense claim, with its items, approved by finance; the owner and superior told.
	expectProblem(await fire('seller', v.id, 'claim', { expense: money(1860) }), 422, 'validation_failed', [['expense_detail', 'required']]);
	// "No expenses" is for a visit without any.
	const guarded = await fire('seller', v.id, 'close', { expense: money(10) });
	assert.equal(guarded.status, 409, guarded.text);
	expectStatus(await fire('seller', v.id, 'claim', { expense: money(1860), expense_detail: '高铁 2 人往返 1,240；船模 620' }), 200);
	assert.equal(await stage(v.id), 'claimed');
	expectStatus(await decide('finance', v.id, 'approve', '票据齐全'), 200);
	assert.equal(await stage(v.id), 'reimbursed');
	for (const who of ['seller', 'manager']) {
		const n = (await u[who].client.getJson('/api/v1/notifications?limit=50')).data;
		assert.ok(n.some((x) => x.entity === 'visits' && x.record_id === v.id && x.event === 'process.transition' && /已报销/.test(x.body)), `${who} is told it is paid`);
	}
	const s = await u.seller.client.getJson(`/api/v1/visits/${v.id}/process`);
	assert.deepEqual(s.history.map((h) => h.transition), ['request', 'approve', 'prepare', 'visit', 'submit_report', 'report_back', 'submit_report', 'report_ok', 'claim', 'reimburse']);
	const done = await admin.getJson(`/api/v1/visits/${v.id}`);
	assert.deepEqual([done.expense.amount, done.budget.amount], [186000, 2600000]);
});

test('a visit without expenses is closed by its owner; a cancelled one tells the superior', async () => {
	const v = await u.seller.client.create('visits', { title: `顺路拜访 ${M}`, customer_id: customer.id, planned_at: '2027-01-20T02:00:00Z' });
	// Within ¥20,000 the superior alone approves.
	expectStatus(await fire('seller', v.id, 'request', { purpose: '回访', budget: money(500) }), 200);
	expectStatus(await decide('manager', v.id, 'approve'), 200);
	assert.equal(await stage(v.id), 'approved');
	expectStatus(await fire('seller', v.id, 'prepare', { preparation: '无' }), 200);
	expectStatus(await fire('seller', v.id, 'visit', { visited_at: new Date().toISOString(), needs: '暂无' }), 200);
	expectStatus(await fire('seller', v.id, 'submit_report', { report: '例行回访' }), 200);
	expectStatus(await decide('manager', v.id, 'approve'), 200);
	expectStatus(await fire('seller', v.id, 'close'), 200);
	assert.equal(await stage(v.id), 'reimbursed');

	const w = await u.seller.client.create('visits', { title: `取消的拜访 ${M}`, customer_id: customer.id, planned_at: '2027-01-25T02:00:00Z' });
	expectStatus(await fire('seller', w.id, 'cancel', {}, '客户出差'), 200);
	assert.equal(await stage(w.id), 'cancelled');
	const n = (await u.manager.client.getJson('/api/v1/notifications?limit=50')).data;
	assert.ok(n.some((x) => x.record_id === w.id && x.entity === 'visits'), 'the superior is told');
	// A contact of another customer is refused; a stage cannot be set by hand.
	const other = await admin.create('customers', { name: `别家 ${M}` });
	const theirs = await admin.create('contacts', { name: `别家联系人 ${M}`, customer_id: other.id });
	expectProblem(await admin.post('/api/v1/visits', { title: `错配 ${M}`, customer_id: customer.id, contact_id: theirs.id, planned_at: '2027-01-25T02:00:00Z' }), 422, 'validation_failed', [['contact_id', 'reference_not_same']]);
	expectProblem(await u.seller.client.patch(`/api/v1/visits/${w.id}`, { stage: 'plan' }), 409, 'conflict', [['stage', 'state_by_transition']]);
});
