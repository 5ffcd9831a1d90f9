// Return visits (回访, LEAD-6; docs/internals/SALES.md): scheduled by time for return-visit staff,
// who get a task at that time with a reminder; the task moves with the visit's time and owner,
// is done when the visit is recorded and cancelled with it; changes the staff propose go to the
// information specialist (told, a task), who applies them and says how.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t42');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin, u, cust, lead;

before(async () => {
	admin = await loginAdmin();
	u = {};
	u.lead = await newUser(admin, { name: 'rvlead', mark: M, password, roles: ['sales_director'] });
	u.staff = await newUser(admin, { name: 'staff', mark: M, password, roles: ['return_visit'], superior_id: u.lead.id });
	u.staff2 = await newUser(admin, { name: 'staff2', mark: M, password, roles: ['return_visit'] });
	u.info = await newUser(admin, { name: 'info', mark: M, password, roles: ['info_specialist'] });
	cust = await admin.create('customers', { name: `回访客户 ${M}` });
	lead = await admin.create('leads', { title: `回访需求 ${M}`, customer_id: cust.id, amount: { amount: 50_000_000, currency: 'CNY' } });
});

const tasks = async (id) => (await admin.getJson(`/api/v1/tasks?about_entity=return_visits&about_id=${id}&sort=due_at`)).data;
const move = (who, id, t, fields = {}) => who.client.post(`/api/v1/return_visits/${id}/transitions/${t}`, { fields });

test('a visit scheduled for the staff is their task at that time, which follows the visit', async () => {
	const v = await u.staff.client.create('return_visits', { subject: `季度回访 ${M}`, kind: 'phone', scheduled_at: '2027-03-02T02:00:00Z', lead_id: lead.id, customer_id: cust.id });
	assert.equal(v.state, 'planned');
	let t = await tasks(v.id);
	assert.equal(t.length, 1);
	assert.deepEqual([t[0].subject, t[0].owner_id, t[0].customer_id, t[0].status], [`回访：季度回访 ${M}`, u.staff.id, cust.id, 'open']);
	assert.equal(Date.parse(t[0].due_at), Date.parse('2027-03-02T02:00:00Z'));
	assert.equal(Date.parse(t[0].due_at) - Date.parse(t[0].remind_at), 30 * 60000, 'reminded half an hour before');

	expectStatus(await u.staff.client.patch(`/api/v1/return_visits/${v.id}`, { scheduled_at: '2027-03-05T06:30:00Z' }), 200);
	t = await tasks(v.id);
	assert.equal(Date.parse(t[0].due_at), Date.parse('2027-03-05T06:30:00Z'), 'moved with the visit');
	expectStatus(await admin.patch(`/api/v1/return_visits/${v.id}`, { owner_id: u.staff2.id }), 200);
	assert.equal((await tasks(v.id))[0].owner_id, u.staff2.id, 'given with the visit');
	expectStatus(await admin.patch(`/api/v1/return_visits/${v.id}`, { owner_id: u.staff.id }), 200);

	// Recorded: the tracking record and the result are needed; the task is done.
	expectProblem(await move(u.staff, v.id, 'record'), 422, 'validation_failed', [['result', 'required'], ['tracking', 'required']]);
	expectStatus(await move(u.staff2, v.id, 'record', { result: 'reached', tracking: '不是他的' }), 403);
	expectStatus(await move(u.staff, v.id, 'record', { result: 'reached', tracking: '客户确认预算增加，交期提前到四月' }), 200);
	assert.equal((await tasks(v.id))[0].status, 'done');
	// On the customer's timeline, as a follow-up.
	const tl = await admin.getJson(`/api/v1/customers/${cust.id}/timeline?limit=50`);
	assert.ok(tl.data.some((x) => x.source === 'return_visits' && x.id === v.id));

	// The changes the staff propose go to the information specialist, who applies them.
	expectProblem(await move(u.staff, v.id, 'propose', { proposed_changes: '预算 80 万' }), 422, 'validation_failed', [['info_specialist_id', 'required']]);
	expectStatus(await move(u.staff, v.id, 'propose', { proposed_changes: '预算由 50 万增至 80 万；交期提前到四月', info_specialist_id: u.info.id }), 200);
	const forInfo = (await u.info.client.getJson(`/api/v1/tasks?about_entity=return_visits&about_id=${v.id}&owner_id=${u.info.id}`)).data;
	assert.equal(forInfo.length, 1, 'a task for the information specialist');
	assert.match(forInfo[0].subject, /处理回访变更/);
	const told = (await u.info.client.getJson('/api/v1/notifications?limit=50')).data;
	assert.ok(told.some((n) => n.entity === 'return_visits' && n.record_id === v.id), 'and told');
	expectStatus(await move(u.staff, v.id, 'apply', { applied_note: '自己改' }), 403);
	// The specialist applies them to the lead, then says so.
	expectStatus(await u.info.client.patch(`/api/v1/leads/${lead.id}`, { amount: { amount: 80_000_000, currency: 'CNY' } }), 200);
	expectStatus(await move(u.info, v.id, 'apply', { applied_note: '已更新需求金额与交期' }), 200);
	assert.equal((await admin.getJson(`/api/v1/return_visits/${v.id}`)).state, 'applied');
});

test('a cancelled visit cancels its task; a visit without a time is refused', async () => {
	const v = await u.staff.client.create('return_visits', { subject: `临时回访 ${M}`, scheduled_at: '2027-04-01T01:00:00Z', customer_id: cust.id });
	expectStatus(await move(u.lead, v.id, 'cancel'), 200);
	assert.equal((await tasks(v.id))[0].status, 'cancelled');
	expectProblem(await u.staff.client.post('/api/v1/return_visits', { subject: `没有时间 ${M}` }), 422, 'validation_failed', [['scheduled_at', 'required']]);
});
