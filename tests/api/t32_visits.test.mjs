// The visit process (S-VISIT), proven end to end on a test entity that mirrors the visits to
// come: a salesperson plans a visit and requests it; their superior approves — a deputy acting
// for them while they are away — and, over a ¥20,000 budget, the sales director too; the
// request can be withdrawn; approved, the salesperson gets a task to prepare; the visit records
// needs, objections, gifts and the next appointment and makes a task to report; the report is
// reviewed by the superior (sent back once with a comment, then approved); the expense claim is
// approved by finance from the SMS link, which works once. On a cluster of its own started with
// --schema-dir tests/api/schema.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, marker, expectStatus, expectProblem, startCluster, startReceiver, request, until, newUser } from './lib.mjs';

const M = marker('t32');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let cluster, admin, gateway;
const u = {};
const L = (zh, en) => ({ 'zh-CN': zh, en });
const finance_mobile = '13900001111';

const visitFlow = {
	entity: 't_visits',
	label: L('拜访流程', 'Visit'),
	state_field: 'stage',
	initial: 'plan',
	transitions: [
		{ key: 'request', label: L('提交拜访申请', 'Request'), from: ['plan'], to: 'requested', who: [{ owner: true }], require: ['planned_at', 'purpose', 'budget'], approval: 'visit_request' },
		{ key: 'approve', label: L('批准拜访', 'Approve'), from: ['requested'], to: 'approved', tasks: [{ subject: '拜访准备：{{record}}', assignee: 'owner', due_in: '2d', priority: 'high', description: '确认行程、资料与礼品' }] },
		{ key: 'send_back', label: L('退回申请', 'Send back'), from: ['requested'], to: 'plan' },
		{ key: 'recall', label: L('撤回申请', 'Withdraw'), from: ['requested'], to: 'plan' },
		{ key: 'prepare', label: L('准备完成', 'Prepared'), from: ['approved'], to: 'prepared', who: [{ owner: true }], require: ['preparation'] },
		{ key: 'visit', label: L('完成拜访', 'Visited'), from: ['prepared'], to: 'visited', who: [{ owner: true }], require: ['needs', 'next_appointment'], tasks: [{ subject: '提交拜访报告：{{record}}', assignee: 'owner', due_in: '1d', remind_before: '4h' }] },
		{ key: 'submit_report', label: L('提交报告', 'Submit report'), from: ['visited'], to: 'reported', who: [{ owner: true }], require: ['report'], approval: 'report_review' },
		{ key: 'report_ok', label: L('报告通过', 'Report approved'), from: ['reported'], to: 'report_approved' },
		{ key: 'report_back', label: L('报告退回', 'Report sent back'), from: ['reported'], to: 'visited' },
		{ key: 'claim', label: L('申请报销', 'Claim expenses'), from: ['report_approved'], to: 'claimed', who: [{ owner: true }], require: ['expense'], approval: 'expense_claim' },
		{ key: 'reimburse', label: L('已报销', 'Reimbursed'), from: ['claimed'], to: 'reimbursed', notify: ['owner', 'superior'] },
		{ key: 'claim_back', label: L('报销退回', 'Claim sent back'), from: ['claimed'], to: 'report_approved' },
		{ key: 'cancel', label: L('取消拜访', 'Cancel'), from: ['plan', 'approved', 'prepared'], to: 'cancelled', who: [{ owner: true }, { superior: true }] },
	],
	approvals: [
		{
			key: 'visit_request',
			label: L('拜访申请审批', 'Visit request'),
			on_approve: 'approve',
			on_reject: 'send_back',
			on_withdraw: 'recall',
			steps: [
				{ key: 'superior', label: L('上级审批', 'Superior'), approvers: [{ superior: true }] },
				// Within authority: over ¥20,000 the sales director as well.
				{ key: 'director', label: L('销售总监审批', 'Sales director'), approvers: [{ role: 'sales_director' }], when: [{ field: 'budget', op: 'gt', value: 2000000 }] },
			],
		},
		{ key: 'report_review', label: L('拜访报告审核', 'Report review'), on_approve: 'report_ok', on_reject: 'report_back', steps: [{ key: 'superior', label: L('上级审核', 'Superior'), approvers: [{ superior: true }] }] },
		{ key: 'expense_claim', label: L('费用报销', 'Expense claim'), on_approve: 'reimburse', on_reject: 'claim_back', steps: [{ key: 'finance', label: L('财务审核', 'Finance'), approvers: [{ role: 'finance' }] }] },
	],
};

const user = async (name, roles, extra = {}) => (u[name] = await newUser(admin, { name, mark: M, password, roles, base: cluster.nodes[0].base, ...extra }));

before(async () => {
	const schema = path.join(process.env.SEXTANT_TEST_ROOT, 'tests/api/schema');
	cluster = await startCluster(1, ['--schema-dir', schema, '--worker-poll', '100', '--outbox-backoff', '1', '--outbound-hosts', '127.0.0.1'], 't32-visits');
	admin = new Client(cluster.nodes[0].base);
	await admin.login('admin', cluster.adminPassword);
	// The salesperson and their superior in one department: the superior may act on its visits.
	const units = (await admin.getJson('/api/v1/org-units')).data;
	const root = units.find((x) => x.kind === 'company')?.id ?? (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	const dept = await admin.post('/api/v1/org-units', { name: `华南销售部 ${M}`, kind: 'department', parent_id: root });
	expectStatus(dept, 201);
	await user('manager', ['regional_manager'], { org_unit_id: dept.json.id });
	await user('deputy', ['regional_manager']);
	await user('seller', ['salesperson'], { superior_id: u.manager.id, org_unit_id: dept.json.id });
	await user('director', ['sales_director']);
	await user('finance', ['finance'], { mobile: finance_mobile });
	// Finance is told of approvals by SMS too, through a gateway that records what it is sent.
	gateway = await startReceiver(() => ({ status: 200, json: { code: 0 } }));
	expectStatus(
		await admin.put('/api/v1/settings/sms', { adapter: 'http', url: `${gateway.url}/send`, method: 'POST', content_type: 'application/json', body_template: '{"phone":"{{mobile}}","content":"{{text}}"}', success_field: 'code', success_value: '0' }),
		200,
	);
	expectStatus(await u.finance.client.put('/api/v1/notifications/preferences', { data: [{ event: 'approval.request', in_app: true, mail: false, sms: true }] }), 200);
	expectStatus(await admin.put('/api/v1/processes/visits', visitFlow), 201);
});

after(async () => {
	await cluster?.stopAll();
	await gateway?.stop();
});

const fire = (who, id, key, body = {}) => u[who].client.post(`/api/v1/t_visits/${id}/transitions/${key}`, body);
const taskOf = async (who, id) => (await u[who].client.getJson('/api/v1/approval-tasks')).data.find((t) => t.record_id === id);
const decide = (who, task, verdict, comment) => u[who].client.post(`/api/v1/approval-tasks/${task.id}/${verdict}`, comment ? { comment } : {});
const stage = async (id) => (await admin.getJson(`/api/v1/t_visits/${id}`)).stage;
const told = async (who, event, id) => (await u[who].client.getJson('/api/v1/notifications')).data.filter((n) => n.event === event && n.record_id === id);
const tasksAbout = async (who, id) => (await u[who].client.getJson(`/api/v1/tasks?about_entity=t_visits&about_id=${id}&sort=created_at`)).data;
const money = (yuan) => ({ amount: yuan * 100, currency: 'CNY' });

test('a visit from plan to reimbursed expense', async () => {
	const customer = await admin.create('customers', { name: `三亚半山半岛帆船港 ${M}`, owner_id: u.seller.id });
	const visit = await u.seller.client.create('t_visits', { title: `拜访三亚帆船港 ${M}`, customer_id: customer.id });
	assert.equal(visit.stage, 'plan');

	// The request needs the plan: when, why, how much.
	expectProblem(await fire('seller', visit.id, 'request', { fields: { purpose: '介绍 52 尺新船型' } }), 422, 'validation_failed', [['planned_at', 'required'], ['budget', 'required']]);
	const plan = { planned_at: new Date(Date.now() + 7 * 86400e3).toISOString(), purpose: '介绍 52 尺新船型，邀请海试', budget: money(30000) };
	let res = await fire('seller', visit.id, 'request', { fields: plan, comment: '请批准' });
	expectStatus(res, 200);
	assert.equal(res.json.stage, 'requested');

	// Withdrawn by the salesperson: back to the plan, the superior's task closed.
	const first = await taskOf('manager', visit.id);
	assert.ok(first, 'the superior has the request');
	const approval = (await u.seller.client.getJson(`/api/v1/t_visits/${visit.id}/approvals`)).data[0];
	expectStatus(await u.manager.client.post(`/api/v1/approvals/${approval.id}/withdraw`, {}), 404); // the submitter's alone to withdraw
	expectStatus(await u.seller.client.post(`/api/v1/approvals/${approval.id}/withdraw`, { comment: '改期' }), 200);
	assert.equal(await stage(visit.id), 'plan');
	assert.equal(await taskOf('manager', visit.id), undefined);
	expectProblem(await decide('manager', first, 'approve'), 409, 'conflict');

	// The superior is away: the deputy acts for them; over ¥20,000 the director approves too.
	expectStatus(await u.manager.client.put('/api/v1/auth/me/delegation', { delegate_id: u.deputy.id, ends_at: new Date(Date.now() + 86400e3).toISOString(), note: '休假' }), 200);
	expectStatus(await fire('seller', visit.id, 'request', { comment: '改到下周' }), 200);
	assert.equal(await taskOf('manager', visit.id), undefined, 'away: not the superior\'s');
	expectStatus(await decide('deputy', await taskOf('deputy', visit.id), 'approve', '代为批准'), 200);
	assert.equal(await stage(visit.id), 'requested', 'the director\'s step is still to come');
	expectStatus(await decide('director', await taskOf('director', visit.id), 'approve'), 200);
	assert.equal(await stage(visit.id), 'approved');
	expectStatus(await u.manager.client.del('/api/v1/auth/me/delegation'), 204);
	let trail = (await u.seller.client.getJson(`/api/v1/t_visits/${visit.id}/approvals`)).data;
	assert.deepEqual(trail.map((a) => a.state), ['withdrawn', 'approved']);
	assert.deepEqual(trail[1].tasks.map((t) => [t.step_key, t.approver_id, t.acting_for ?? null, t.decision]), [
		['superior', u.deputy.id, u.manager.id, 'approved'],
		['director', u.director.id, null, 'approved'],
	]);

	// Approved: the salesperson has a task to prepare, about the visit and its customer.
	let tasks = await tasksAbout('seller', visit.id);
	assert.deepEqual(tasks.map((t) => [t.subject, t.owner_id, t.priority, t.customer_id]), [[`拜访准备：拜访三亚帆船港 ${M}`, u.seller.id, 'high', customer.id]]);
	assert.equal((await told('seller', 'task.assigned', tasks[0].id)).length, 1);
	expectStatus(await u.seller.client.patch(`/api/v1/tasks/${tasks[0].id}`, { status: 'done' }), 200);

	expectStatus(await fire('seller', visit.id, 'prepare', { fields: { preparation: '船型资料、海试日程、茶叶两盒' } }), 200);
	// The visit: needs, objections, gifts, the next appointment.
	expectProblem(await fire('seller', visit.id, 'visit', { fields: { needs: '全家出海，需 3 间客舱' } }), 422, 'validation_failed', [['next_appointment', 'required']]);
	const after = { needs: '全家出海，需 3 间客舱', objections: '担心维护成本', gifts: '茶叶两盒', next_appointment: new Date(Date.now() + 14 * 86400e3).toISOString() };
	res = await fire('seller', visit.id, 'visit', { fields: after });
	expectStatus(res, 200);
	assert.equal(res.json.objections, '担心维护成本');
	tasks = await tasksAbout('seller', visit.id);
	assert.equal(tasks.length, 2);
	assert.equal(tasks[1].subject, `提交拜访报告：拜访三亚帆船港 ${M}`);
	assert.equal(Date.parse(tasks[1].due_at) - Date.parse(tasks[1].remind_at), 4 * 3600e3);

	// The report, reviewed by the superior: sent back once with a comment, then approved.
	res = await fire('seller', visit.id, 'submit_report', { fields: { report: '客户有意向，待海试' } });
	expectStatus(res, 200);
	assert.equal(res.json.stage, 'reported');
	expectProblem(await decide('manager', await taskOf('manager', visit.id), 'reject'), 422, 'validation_failed', ['comment']);
	expectStatus(await decide('manager', await taskOf('manager', visit.id), 'reject', '请补充客户对维护成本的具体顾虑'), 200);
	assert.equal(await stage(visit.id), 'visited');
	const back = await told('seller', 'approval.rejected', visit.id);
	assert.equal(back.length, 1);
	assert.match(back[0].body, /维护成本的具体顾虑/);
	expectStatus(await fire('seller', visit.id, 'submit_report', { fields: { report: '客户有意向，顾虑年维护费约 8 万，已提供托管方案；约定两周后海试' } }), 200);
	expectStatus(await decide('manager', await taskOf('manager', visit.id), 'approve', '好'), 200);
	assert.equal(await stage(visit.id), 'report_approved');

	// The expense claim: finance approves from the SMS link, without logging in; once.
	const before = gateway.requests.length;
	expectStatus(await fire('seller', visit.id, 'claim', { fields: { expense: money(2380) } }), 200);
	assert.equal(await stage(visit.id), 'claimed');
	const sms = await until(() => gateway.requests.slice(before).find((r) => r.body.includes(`拜访三亚帆船港 ${M}`)), 20000, 'the SMS to finance');
	const sent = JSON.parse(sms.body);
	assert.equal(sent.phone, `+86${finance_mobile}`);
	const link = new URL(/(http:\/\/\S+?\/act\/[A-Za-z0-9_-]+)/.exec(sent.content)[1]);
	const base = cluster.nodes[0].base;
	const form = (body) => request('POST', link.pathname, { base, body: new URLSearchParams(body).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
	res = await request('GET', link.pathname, { base });
	expectStatus(res, 200);
	assert.match(res.text, /费用报销/);
	assert.equal(await stage(visit.id), 'claimed', 'opening the link decides nothing');
	res = await form({ decision: 'approve', comment: '票据齐全' });
	expectStatus(res, 200);
	assert.equal(await stage(visit.id), 'reimbursed');
	// Used twice: refused, and nothing changes.
	expectStatus(await form({ decision: 'reject', comment: '再点一次' }), 409);
	expectStatus(await request('GET', link.pathname, { base }), 409);
	assert.equal(await stage(visit.id), 'reimbursed');

	// The salesperson and their superior are told it is paid.
	assert.equal((await told('seller', 'process.transition', visit.id)).filter((n) => /已报销/.test(n.body)).length, 1);
	assert.equal((await told('manager', 'process.transition', visit.id)).filter((n) => /已报销/.test(n.body)).length, 1);

	// The whole way, as the record's history shows it.
	const s = await u.seller.client.getJson(`/api/v1/t_visits/${visit.id}/process`);
	assert.equal(s.state, 'reimbursed');
	assert.deepEqual(s.transitions, []);
	assert.deepEqual(s.history.map((h) => `${h.from}→${h.to}`), [
		'plan→requested',
		'requested→plan',
		'plan→requested',
		'requested→approved',
		'approved→prepared',
		'prepared→visited',
		'visited→reported',
		'reported→visited',
		'visited→reported',
		'reported→report_approved',
		'report_approved→claimed',
		'claimed→reimbursed',
	]);
	trail = (await u.seller.client.getJson(`/api/v1/t_visits/${visit.id}/approvals`)).data;
	assert.deepEqual(trail.map((a) => [a.flow, a.state]), [
		['visit_request', 'withdrawn'],
		['visit_request', 'approved'],
		['report_review', 'rejected'],
		['report_review', 'approved'],
		['expense_claim', 'approved'],
	]);
	assert.equal(trail[4].tasks[0].comment, '票据齐全');
	assert.equal(trail[4].tasks[0].approver_id, u.finance.id);
});

test('a small visit needs only the superior; a rejected request goes back to the plan; cancelled', async () => {
	const visit = await u.seller.client.create('t_visits', { title: `拜访深圳湾游艇会 ${M}` });
	const plan = { planned_at: new Date(Date.now() + 3 * 86400e3).toISOString(), purpose: '回访', budget: money(800) };
	expectStatus(await fire('seller', visit.id, 'request', { fields: plan }), 200);
	expectStatus(await decide('manager', await taskOf('manager', visit.id), 'reject', '本周客户不在'), 200);
	assert.equal(await stage(visit.id), 'plan');
	assert.equal(await taskOf('director', visit.id), undefined, 'never reached the director');
	expectStatus(await fire('seller', visit.id, 'request', {}), 200);
	expectStatus(await decide('manager', await taskOf('manager', visit.id), 'approve'), 200);
	assert.equal(await stage(visit.id), 'approved', '¥800: the superior alone');
	// Only the owner or their superior cancels.
	expectStatus(await fire('director', visit.id, 'cancel'), 403);
	expectStatus(await fire('manager', visit.id, 'cancel', { comment: '客户改期到下月' }), 200);
	assert.equal(await stage(visit.id), 'cancelled');
	// Nothing moves a cancelled visit.
	const p = expectProblem(await fire('seller', visit.id, 'prepare', { fields: { preparation: 'x' } }), 409, 'conflict', [['stage', 'illegal_transition']]);
	assert.deepEqual(p.allowed, []);
});
