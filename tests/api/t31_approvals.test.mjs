// Approval flows, proven on a test entity that mirrors contracts (O-APPROVE): submitted by the
// owner, approved by their superior, then — over ¥1,000,000 only — the sales director, then
// finance and legal together (all must approve). A rejection goes back to the submitter with
// the comment; the submitter may withdraw; a task decided (or closed) cannot be decided again;
// nobody fires the outcome transitions by hand; a step nobody can approve refuses the submit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, marker, expectStatus, expectProblem, startCluster, login, newUser } from './lib.mjs';

const M = marker('t31');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let cluster, admin;
const u = {};
const L = (zh, en) => ({ 'zh-CN': zh, en });

const user = async (name, roles, extra = {}) => (u[name] = await newUser(admin, { name, mark: M, password, roles, base: cluster.nodes[0].base, ...extra }));

before(async () => {
	const schema = path.join(process.env.SEXTANT_TEST_ROOT, 'tests/api/schema');
	cluster = await startCluster(1, ['--schema-dir', schema, '--worker-poll', '100'], 't31-approvals');
	admin = new Client(cluster.nodes[0].base);
	await admin.login('admin', cluster.adminPassword);
	await user('manager', ['regional_manager']);
	await user('seller', ['salesperson'], { superior_id: u.manager.id });
	await user('loner', ['salesperson']);
	await user('director', ['sales_director']);
	await user('finance', ['finance']);
	await user('legal', ['user']);
	const def = {
		entity: 't_contracts',
		label: L('合同审批', 'Contract approval'),
		state_field: 'stage',
		initial: 'draft',
		transitions: [
			{ key: 'submit', label: L('提交审批', 'Submit'), from: ['draft'], to: 'pending', who: [{ owner: true }], require: ['amount'], approval: 'contract_flow' },
			{ key: 'approve', label: L('批准', 'Approve'), from: ['pending'], to: 'approved' },
			{ key: 'send_back', label: L('退回', 'Send back'), from: ['pending'], to: 'draft' },
			{ key: 'recall', label: L('撤回', 'Recall'), from: ['pending'], to: 'draft' },
			{ key: 'sign', label: L('签署', 'Sign'), from: ['approved'], to: 'signed', who: [{ owner: true }] },
		],
		approvals: [
			{
				key: 'contract_flow',
				label: L('合同审批', 'Contract approval'),
				on_approve: 'approve',
				on_reject: 'send_back',
				on_withdraw: 'recall',
				steps: [
					{ key: 'manager', label: L('上级审批', 'Superior'), approvers: [{ superior: true }] },
					// Over ¥1,000,000 the sales director too.
					{ key: 'director', label: L('销售总监', 'Sales director'), approvers: [{ role: 'sales_director' }], when: [{ field: 'amount', op: 'gt', value: 100000000 }] },
					{ key: 'finance_legal', label: L('财务与法务会签', 'Finance and legal'), approvers: [{ role: 'finance' }, { user: u.legal.id }], mode: 'all' },
				],
			},
		],
	};
	expectProblem(await admin.put('/api/v1/processes/contracts', { ...def, approvals: [{ ...def.approvals[0], on_approve: 'celebrate' }] }), 422, 'validation_failed', [['approvals[0].on_approve', 'invalid_process']]);
	expectProblem(await admin.put('/api/v1/processes/contracts', { ...def, approvals: [{ ...def.approvals[0], steps: [{ ...def.approvals[0].steps[2], mode: 'most' }] }] }), 422, 'validation_failed', [['approvals[0].steps[0].mode', 'invalid_process']]);
	expectProblem(await admin.put('/api/v1/processes/contracts', { ...def, approvals: [{ ...def.approvals[0], steps: [{ ...def.approvals[0].steps[1], approvers: [{ role: 'cfo' }] }] }] }), 422, 'validation_failed', [['approvals[0].steps[0].approvers[0].role', 'invalid_process']]);
	expectStatus(await admin.put('/api/v1/processes/contracts', def), 201);
});

after(async () => {
	await cluster?.stopAll();
});

const contract = (who, title, fen) => u[who].client.create('t_contracts', { title: `${title} ${M}`, amount: { amount: fen, currency: 'CNY' } });
const fire = (who, id, key, body = {}) => u[who].client.post(`/api/v1/t_contracts/${id}/transitions/${key}`, body);
const pending = async (who) => (await u[who].client.getJson('/api/v1/approval-tasks')).data;
const taskOf = async (who, id) => (await pending(who)).find((t) => t.record_id === id);
const decide = (who, task, verdict, comment) => u[who].client.post(`/api/v1/approval-tasks/${task.id}/${verdict}`, comment ? { comment } : {});
const stage = async (id) => (await admin.getJson(`/api/v1/t_contracts/${id}`)).stage;
const told = async (who, event, id) => (await u[who].client.getJson('/api/v1/notifications')).data.filter((n) => n.event === event && n.record_id === id);

test('¥500,000: superior, then finance and legal together; the director is skipped', async () => {
	const c = await contract('seller', '海口游艇会 45 尺', 50000000);
	let res = await fire('seller', c.id, 'submit', { comment: '请审批' });
	expectStatus(res, 200);
	assert.equal(res.json.stage, 'pending');
	assert.equal((await told('manager', 'approval.request', c.id)).length, 1);
	// Nobody fires the outcome by hand.
	expectProblem(await fire('seller', c.id, 'approve'), 403, 'forbidden');
	expectProblem(await u.director.client.post(`/api/v1/t_contracts/${c.id}/transitions/approve`, {}), 403, 'forbidden');

	expectStatus(await decide('manager', await taskOf('manager', c.id), 'approve', '同意'), 200);
	assert.equal(await taskOf('director', c.id), undefined, 'the director step does not apply');
	const fin = await taskOf('finance', c.id);
	const leg = await taskOf('legal', c.id);
	assert.ok(fin && leg, 'finance and legal both have a task');
	res = await decide('finance', fin, 'approve');
	expectStatus(res, 200);
	assert.equal(res.json.state, 'pending', 'all must approve');
	assert.equal(await stage(c.id), 'pending');
	res = await decide('legal', leg, 'approve', '条款无误');
	expectStatus(res, 200);
	assert.equal(res.json.state, 'approved');
	assert.equal(await stage(c.id), 'approved');
	assert.equal((await told('seller', 'approval.approved', c.id)).length, 1);
	// A decided task is decided: the same decision again is refused.
	const again = await decide('legal', leg, 'approve');
	assert.equal(again.status, 409);
	assert.equal(again.json.errors[0].code, 'already_decided');

	// The whole trail on the record.
	const trail = (await u.seller.client.getJson(`/api/v1/t_contracts/${c.id}/approvals`)).data;
	assert.equal(trail.length, 1);
	assert.equal(trail[0].state, 'approved');
	assert.deepEqual(trail[0].tasks.map((t) => [t.step_key, t.decision]), [['manager', 'approved'], ['finance_legal', 'approved'], ['finance_legal', 'approved']]);
	assert.equal(trail[0].tasks[0].comment, '同意');
	assert.equal(trail[0].label, '合同审批');
	expectStatus(await fire('seller', c.id, 'sign'), 200);
});

test('¥2,000,000: the director rejects with a comment; back to the submitter; resubmitted and approved', async () => {
	const c = await contract('seller', '三亚 80 尺旗舰', 200000000);
	expectStatus(await fire('seller', c.id, 'submit'), 200);
	expectStatus(await decide('manager', await taskOf('manager', c.id), 'approve'), 200);
	const dir = await taskOf('director', c.id);
	assert.ok(dir, 'over ¥1,000,000 the director approves');
	expectProblem(await decide('director', dir, 'reject'), 422, 'validation_failed', [['comment', 'required']]);
	const res = await decide('director', dir, 'reject', '折扣过大，请重新报价');
	expectStatus(res, 200);
	assert.equal(res.json.state, 'rejected');
	assert.equal(await stage(c.id), 'draft');
	const n = await told('seller', 'approval.rejected', c.id);
	assert.equal(n.length, 1);
	assert.match(n[0].body, /折扣过大/);
	// Resubmitted: a new approval, from the first step.
	expectStatus(await fire('seller', c.id, 'submit'), 200);
	expectStatus(await decide('manager', await taskOf('manager', c.id), 'approve'), 200);
	expectStatus(await decide('director', await taskOf('director', c.id), 'approve'), 200);
	expectStatus(await decide('finance', await taskOf('finance', c.id), 'approve'), 200);
	expectStatus(await decide('legal', await taskOf('legal', c.id), 'approve'), 200);
	assert.equal(await stage(c.id), 'approved');
	const trail = (await admin.getJson(`/api/v1/t_contracts/${c.id}/approvals`)).data;
	assert.deepEqual(trail.map((a) => a.state), ['rejected', 'approved']);
});

test('withdrawn by the submitter; the approvers\' tasks close; only the submitter may', async () => {
	const c = await contract('seller', '游艇维修包', 1000000);
	expectStatus(await fire('seller', c.id, 'submit'), 200);
	const task = await taskOf('manager', c.id);
	const approval = (await admin.getJson(`/api/v1/t_contracts/${c.id}/approvals`)).data[0];
	expectStatus(await u.manager.client.post(`/api/v1/approvals/${approval.id}/withdraw`, {}), 404);
	const res = await u.seller.client.post(`/api/v1/approvals/${approval.id}/withdraw`, { comment: '金额有误' });
	expectStatus(res, 200);
	assert.equal(res.json.state, 'withdrawn');
	assert.equal(await stage(c.id), 'draft');
	const late = await decide('manager', task, 'approve');
	assert.equal(late.status, 409);
	assert.equal(late.json.errors[0].code, 'already_decided');
	expectStatus(await u.seller.client.post(`/api/v1/approvals/${approval.id}/withdraw`, {}), 409);
});

test('a task is only its approver\'s; a step nobody can approve refuses the submit', async () => {
	const c = await contract('seller', '配件订单', 300000);
	expectStatus(await fire('seller', c.id, 'submit'), 200);
	const task = await taskOf('manager', c.id);
	expectStatus(await decide('director', task, 'approve'), 404);
	expectStatus(await decide('manager', { id: 99999999 }, 'approve'), 404);
	// The loner has no superior: the first step has nobody, so the submit does not happen.
	const solo = await contract('loner', '无上级', 300000);
	const res = await fire('loner', solo.id, 'submit');
	expectProblem(res, 409, 'conflict');
	assert.equal(res.json.errors[0].code, 'no_approver');
	assert.equal(await stage(solo.id), 'draft');
	assert.deepEqual((await admin.getJson(`/api/v1/t_contracts/${solo.id}/approvals`)).data, []);
	expectStatus(await u.manager.client.get('/api/v1/approval-tasks?state=decided'), 200);
	expectProblem(await u.manager.client.get('/api/v1/approval-tasks?state=maybe'), 400, 'bad_request', ['state']);
});

test('delegation while away: the delegate gets the task, acting for the approver', async () => {
	await user('stand_in', ['user']);
	const me = u.finance.client;
	expectProblem(await me.put('/api/v1/auth/me/delegation', { delegate_id: u.finance.id, ends_at: new Date(Date.now() + 86400000).toISOString() }), 422, 'validation_failed', ['delegate_id']);
	expectProblem(await me.put('/api/v1/auth/me/delegation', { delegate_id: u.stand_in.id, starts_at: new Date().toISOString(), ends_at: new Date(Date.now() - 1000).toISOString() }), 422, 'validation_failed', ['ends_at']);
	expectProblem(await me.put('/api/v1/auth/me/delegation', { delegate_id: u.stand_in.id }), 422, 'validation_failed', ['ends_at']);
	const set = await me.put('/api/v1/auth/me/delegation', { delegate_id: u.stand_in.id, ends_at: new Date(Date.now() + 86400000).toISOString(), note: '出差' });
	expectStatus(set, 200);
	assert.equal(set.json.delegation.delegate_id, u.stand_in.id);

	const c = await contract('seller', '代理审批', 400000);
	expectStatus(await fire('seller', c.id, 'submit'), 200);
	expectStatus(await decide('manager', await taskOf('manager', c.id), 'approve'), 200);
	assert.equal(await taskOf('finance', c.id), undefined, 'away: not the approver\'s');
	const stand = await taskOf('stand_in', c.id);
	assert.ok(stand, 'the delegate has it');
	expectStatus(await decide('stand_in', stand, 'approve', '代为批准'), 200);
	expectStatus(await decide('legal', await taskOf('legal', c.id), 'approve'), 200);
	assert.equal(await stage(c.id), 'approved');
	const trail = (await admin.getJson(`/api/v1/t_contracts/${c.id}/approvals`)).data[0];
	const acted = trail.tasks.find((t) => t.approver_id === u.stand_in.id);
	assert.equal(acted.acting_for, u.finance.id);

	// Back: the approver's own again.
	expectStatus(await me.del('/api/v1/auth/me/delegation'), 204);
	assert.equal((await me.getJson('/api/v1/auth/me/delegation')).delegation, null);
	const c2 = await contract('seller', '回来之后', 400000);
	expectStatus(await fire('seller', c2.id, 'submit'), 200);
	expectStatus(await decide('manager', await taskOf('manager', c2.id), 'approve'), 200);
	assert.ok(await taskOf('finance', c2.id));
});

test('deciding from the mail\'s link without logging in: a form, once, until it expires', async () => {
	const { startSmtp, request, until } = await import('./lib.mjs');
	const smtp = await startSmtp();
	try {
		expectStatus(await admin.put('/api/v1/settings/mail', { url: `smtp://127.0.0.1:${smtp.port}`, tls: 'none', from_address: 'crm@sextant.example' }), 200);
		expectStatus(await admin.patch(`/api/v1/users/${u.manager.id}`, { email: `manager-${M}@example.com` }), 200);
		const c = await contract('seller', '链接审批', 600000);
		expectStatus(await fire('seller', c.id, 'submit'), 200);
		const mail = await until(() => smtp.messages().find((m) => m.envelope_to.includes(`manager-${M}@`) && m.text.includes('链接审批')), 20000, 'the approval mail');
		const link = new URL(/(http:\/\/\S+\/act\/[A-Za-z0-9_-]+)/.exec(mail.text)[1]);
		const base = cluster.nodes[0].base;
		// GET shows a form and decides nothing (mail scanners open links).
		let res = await request('GET', link.pathname, { base });
		expectStatus(res, 200);
		assert.match(res.headers.get('content-type'), /text\/html/);
		assert.match(res.text, new RegExp(`链接审批 ${M}`));
		assert.match(res.text, /<form method="post">/);
		assert.equal(res.headers.get('cache-control'), 'no-store');
		assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
		assert.ok(await taskOf('manager', c.id), 'still waiting after the GET');
		const form = (body) => request('POST', link.pathname, { base, body: new URLSearchParams(body).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
		res = await form({ decision: 'reject' });
		expectStatus(res, 422);
		assert.match(res.text, /驳回时请填写意见/);
		res = await form({ decision: 'approve', comment: '手机上批准' });
		expectStatus(res, 200);
		assert.match(res.text, /已批准/);
		const trail = (await admin.getJson(`/api/v1/t_contracts/${c.id}/approvals`)).data[0];
		assert.deepEqual([trail.tasks[0].decision, trail.tasks[0].comment, trail.tasks[0].approver_id], ['approved', '手机上批准', u.manager.id]);
		// Used once: refused after, whether opened or posted.
		expectStatus(await request('GET', link.pathname, { base }), 409);
		expectStatus(await form({ decision: 'approve' }), 409);
		expectStatus(await request('GET', '/act/not-a-real-token', { base }), 404);

		// A link past its time: a node whose links last 0 hours makes the tasks.
		const quick = await cluster.add(['--schema-dir', path.join(process.env.SEXTANT_TEST_ROOT, 'tests/api/schema'), '--approval-link-hours', '0', '--worker-poll', '100'], 'quick');
		const seller = new Client(quick.base);
		await seller.login(`seller_${M}`, password);
		const c2 = await contract('seller', '过期链接', 600000);
		expectStatus(await seller.post(`/api/v1/t_contracts/${c2.id}/transitions/submit`, {}), 200);
		const mail2 = await until(() => smtp.messages().find((m) => m.envelope_to.includes(`manager-${M}@`) && m.text.includes('过期链接')), 20000, 'the second mail');
		const link2 = new URL(/(http:\/\/\S+\/act\/[A-Za-z0-9_-]+)/.exec(mail2.text)[1]);
		res = await request('GET', link2.pathname, { base });
		expectStatus(res, 410);
		assert.match(res.text, /链接已过期/);
		assert.ok(await taskOf('manager', c2.id), 'still the approver\'s to decide, logged in');
	} finally {
		await smtp.stop();
	}
});
