// The process engine, proven on a test entity that mirrors the leads to come (LEAD-3/4): a
// definition checked member by member and stored as part of the model; a record starts in
// the initial state and moves only by transitions; who may fire each (role, owner, superior,
// a user field), guards on the amount, required fields, fields set, everyone related told;
// an illegal transition is a 409 listing the allowed ones; the state, the open transitions and
// the history of a record. On a node of its own started with --schema-dir tests/api/schema.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, marker, expectStatus, expectProblem, startCluster, newUser } from './lib.mjs';

const M = marker('t30');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let cluster, admin;
const u = {}; // name → {id, client}

const L = (zh, en) => ({ 'zh-CN': zh, en });
const triage = {
	entity: 't_leads',
	label: L('需求分级与分配', 'Lead triage'),
	state_field: 'stage',
	initial: 'new',
	transitions: [
		{ key: 'grade', label: L('分级', 'Grade'), from: ['new'], to: 'graded', who: [{ role: 'info_specialist' }, { owner: true }], require: ['grade', 'amount'], notify: ['superior'] },
		// ¥100,000 and above goes to the sales director's review; below, straight to assignment.
		{ key: 'review', label: L('审核', 'Review'), from: ['graded'], to: 'reviewed', who: [{ role: 'sales_director' }], guard: [{ field: 'amount', op: 'gte', value: 10000000 }] },
		{ key: 'fast_assign', label: L('直接分配', 'Assign directly'), from: ['graded'], to: 'assigned', who: [{ role: 'sales_director' }], guard: [{ field: 'amount', op: 'lt', value: 10000000 }], require: ['project_manager_id'], share: [{ field: 'project_manager_id', access: 'edit' }] },
		// The project manager it is assigned to gets the lead shared to work on it.
		// … and a task to follow it up, due in three days, with a reminder the day before.
		{ key: 'assign', label: L('分配', 'Assign'), from: ['reviewed'], to: 'assigned', who: [{ role: 'sales_director' }], require: ['project_manager_id'], notify: ['owner', { field: 'project_manager_id' }, { role: 'info_specialist' }], share: [{ field: 'project_manager_id', access: 'edit' }],
			tasks: [{ subject: '跟进需求：{{record}}', assignee: { field: 'project_manager_id' }, due_in: '3d', remind_before: '1d', priority: 'high', description: '三日内联系客户并定性' }] },
		{ key: 'qualify', label: L('定性', 'Qualify'), from: ['assigned'], to: 'qualified', who: [{ field: 'project_manager_id' }], require: ['qualification'], notify: ['owner', 'superior'] },
		{ key: 'reject', label: L('退回', 'Reject'), from: ['graded', 'reviewed'], to: 'rejected', who: [{ role: 'sales_director' }], set: { grade: 'c' }, notify: ['owner'] },
	],
};

const user = async (name, roles, extra = {}) => (u[name] = await newUser(admin, { name, mark: M, password, roles, base: cluster.nodes[0].base, ...extra }));

before(async () => {
	const schema = path.join(process.env.SEXTANT_TEST_ROOT, 'tests/api/schema');
	cluster = await startCluster(1, ['--schema-dir', schema, '--worker-poll', '100'], 't30-process');
	admin = new Client(cluster.nodes[0].base);
	await admin.login('admin', cluster.adminPassword);
	await user('manager', ['regional_manager']);
	await user('info', ['info_specialist'], { superior_id: u.manager.id });
	await user('director', ['sales_director']);
	await user('pm', ['project_manager']);
	await user('info2', ['info_specialist']);
});

after(async () => {
	await cluster?.stopAll();
});

const fire = (who, id, key, body = {}) => u[who].client.post(`/api/v1/t_leads/${id}/transitions/${key}`, body);
const state = async (who, id) => u[who].client.getJson(`/api/v1/t_leads/${id}/process`);

test('a definition is checked member by member, only by administrators', async () => {
	const bad = async (def, field) => {
		const res = await admin.put('/api/v1/processes/lead_triage', def);
		const p = expectProblem(res, 422, 'validation_failed', [[field, 'invalid_process']]);
		return p;
	};
	await bad({ ...triage, state_field: 'title' }, 'state_field');
	await bad({ ...triage, initial: 'open' }, 'initial');
	await bad({ ...triage, transitions: [{ ...triage.transitions[0], to: 'won' }] }, 'transitions[0].to');
	await bad({ ...triage, transitions: [{ ...triage.transitions[0], who: [{ field: 'title' }] }] }, 'transitions[0].who[0].field');
	await bad({ ...triage, transitions: [{ ...triage.transitions[1], guard: [{ field: 'amount', op: 'about', value: 1 }] }] }, 'transitions[0].guard[0].op');
	await bad({ ...triage, transitions: [triage.transitions[0], triage.transitions[0]] }, 'transitions[1].key');
	await bad({ ...triage, transitions: [{ ...triage.transitions[5], set: { stage: 'new' } }] }, 'transitions[0].set.stage');
	await bad({ ...triage, transitions: [{ ...triage.transitions[3], share: [{ field: 'project_manager_id', access: 'own' }] }] }, 'transitions[0].share[0].access');
	const task = triage.transitions[3].tasks[0];
	const badTask = (t) => ({ ...triage, transitions: [{ ...triage.transitions[3], tasks: [task, t] }] });
	await bad(badTask({ ...task, assignee: { role: 'project_manager' } }), 'transitions[0].tasks[1].assignee');
	await bad(badTask({ ...task, assignee: { field: 'title' } }), 'transitions[0].tasks[1].assignee.field');
	await bad(badTask({ ...task, due_in: '3w' }), 'transitions[0].tasks[1].due_in');
	await bad(badTask({ ...task, due_in: undefined }), 'transitions[0].tasks[1].remind_before');
	await bad(badTask({ ...task, subject: '' }), 'transitions[0].tasks[1].subject');
	await bad(badTask({ ...task, priority: 'urgent' }), 'transitions[0].tasks[1].priority');
	await bad(badTask({ ...task, owner: 1 }), 'transitions[0].tasks[1].owner');
	expectProblem(await admin.put('/api/v1/processes/lead_triage', { ...triage, entity: 'ships' }), 422, 'validation_failed', [['entity', 'unknown_entity']]);
	// A role that does not exist (a typo) is named, not taken silently.
	const typo = await admin.put('/api/v1/processes/lead_triage', { ...triage, transitions: [triage.transitions[0], { ...triage.transitions[1], who: [{ role: 'sales_directer' }] }] });
	expectProblem(typo, 422, 'validation_failed', [['transitions[1].who[0].role', 'invalid_process']]);
	assert.match(typo.json.errors[0].message, /sales_directer/);
	expectStatus(await u.director.client.put('/api/v1/processes/lead_triage', triage), 403);

	const res = await admin.put('/api/v1/processes/lead_triage', triage);
	expectStatus(res, 201);
	assert.equal(res.json.version, 1);
	assert.equal(res.json.definition.state_field, 'stage');
	const again = await admin.put('/api/v1/processes/lead_triage', triage);
	expectStatus(again, 200);
	assert.equal(again.json.version, 2);
	// One process an entity.
	expectProblem(await admin.put('/api/v1/processes/other', triage), 409, 'conflict', [['entity', 'process_exists']]);
	const list = await admin.getJson('/api/v1/processes');
	assert.deepEqual(list.data.map((p) => p.key), ['appraisal_flow', 'bid_flow', 'lead_flow', 'lead_triage', 'opportunity_stages', 'return_visit_flow', 'service_plan_flow', 'visit_flow', 'work_plan_flow', 'work_report_flow'], 'beside the ones Sextant ships');
	// Forms learn from the model which field only transitions move.
	assert.deepEqual((await u.info.client.getJson('/api/v1/meta/entities/t_leads')).process, { key: 'lead_triage', state_field: 'stage' });
	assert.equal((await u.info.client.getJson('/api/v1/meta/entities/tasks')).process, null);
});

test('a lead from new to qualified: who, guards, required fields, notices, history', async () => {
	// A new record starts in the initial state; the state moves only by transitions.
	expectProblem(await u.info.client.post('/api/v1/t_leads', { title: `x ${M}`, stage: 'graded' }), 422, 'validation_failed', [['stage', 'state_by_transition']]);
	const lead = await u.info.client.create('t_leads', { title: `三亚游艇会 60 尺采购 ${M}` });
	assert.equal(lead.stage, 'new');
	const patched = await u.info.client.patch(`/api/v1/t_leads/${lead.id}`, { stage: 'assigned' });
	expectProblem(patched, 409, 'conflict', [['stage', 'state_by_transition']]);

	// grade: the owner (an info specialist); amount and grade required.
	let res = await fire('info', lead.id, 'grade', { fields: { grade: 'a' } });
	expectProblem(res, 422, 'validation_failed', [['amount', 'required']]);
	res = await fire('info', lead.id, 'grade', { fields: { grade: 'a', amount: { amount: 50000000, currency: 'CNY' } }, comment: '预算约 50 万' });
	expectStatus(res, 200);
	assert.equal(res.json.stage, 'graded');
	assert.equal(res.json.amount.amount, 50000000);

	// Not from this state: 409 with what is open; not this user's: 403.
	res = await fire('director', lead.id, 'assign', { fields: { project_manager_id: u.pm.id } });
	const p = expectProblem(res, 409, 'conflict', [['stage', 'illegal_transition']]);
	assert.deepEqual(p.allowed.sort(), ['fast_assign', 'reject', 'review']);
	res = await fire('info', lead.id, 'review');
	expectProblem(res, 403, 'forbidden');
	assert.deepEqual(res.json.allowed, []);
	// ¥500,000: not a direct assignment.
	res = await fire('director', lead.id, 'fast_assign', { fields: { project_manager_id: u.pm.id } });
	expectProblem(res, 409, 'conflict', [['amount', 'guard_failed']]);

	res = await fire('director', lead.id, 'review', { comment: '同意跟进' });
	expectStatus(res, 200);
	res = await fire('director', lead.id, 'assign');
	expectProblem(res, 422, 'validation_failed', [['project_manager_id', 'required']]);
	res = await fire('director', lead.id, 'assign', { fields: { project_manager_id: u.pm.id } });
	expectStatus(res, 200);
	assert.equal(res.json.stage, 'assigned');

	// The project manager has a task about the lead, made by the director's step.
	const tasks = (await u.pm.client.getJson(`/api/v1/tasks?about_entity=t_leads&about_id=${lead.id}`)).data;
	assert.equal(tasks.length, 1);
	const [task] = tasks;
	assert.equal(task.subject, `跟进需求：三亚游艇会 60 尺采购 ${M}`);
	assert.equal(task.owner_id, u.pm.id);
	assert.equal(task.created_by, u.director.id);
	assert.equal(task.priority, 'high');
	assert.equal(task.status, 'open');
	assert.equal(task.description, '三日内联系客户并定性');
	const due = Date.parse(task.due_at) - Date.now();
	assert.ok(due > 3 * 86400e3 - 120e3 && due <= 3 * 86400e3, `due in three days (${due} ms)`);
	assert.equal(Date.parse(task.due_at) - Date.parse(task.remind_at), 86400e3);
	// Nobody but the engine writes the link to the record.
	expectProblem(await u.pm.client.patch(`/api/v1/tasks/${task.id}`, { about_id: 1 }), 422, 'validation_failed', [['about_id', 'read_only']]);
	expectProblem(await u.pm.client.post('/api/v1/tasks', { subject: 'x', about_entity: 't_leads' }), 422, 'validation_failed', [['about_entity', 'read_only']]);
	const told = (await u.pm.client.getJson('/api/v1/notifications')).data.filter((x) => x.event === 'task.assigned' && x.record_id === task.id);
	assert.equal(told.length, 1, 'the project manager is told of the new task');
	assert.match(told[0].title, /新任务：跟进需求/);
	assert.match(told[0].body, new RegExp(`director ${M}`));

	// Everyone related was told: the owner, the project manager, every info specialist.
	for (const who of ['info', 'pm', 'info2']) {
		const n = (await u[who].client.getJson('/api/v1/notifications')).data.filter((x) => x.event === 'process.transition' && x.record_id === lead.id);
		assert.ok(n.length >= 1, `${who} was told of the assignment`);
		assert.match(n[0].title, /需求分级与分配/);
	}
	// The grade step told the owner's superior.
	const sup = (await u.manager.client.getJson('/api/v1/notifications')).data.filter((x) => x.event === 'process.transition' && x.record_id === lead.id);
	assert.equal(sup.length, 1);
	assert.match(sup[0].body, /新建 → 已分级/);

	// The project manager can now read and work on it (shared by the transition).
	expectStatus(await u.pm.client.get(`/api/v1/t_leads/${lead.id}`), 200);
	// qualify: only the lead's project manager.
	expectStatus(await fire('director', lead.id, 'qualify', { fields: { qualification: '真实需求' } }), 403);
	res = await fire('pm', lead.id, 'qualify', { fields: { qualification: '真实需求，预计 Q2 签约' } });
	expectStatus(res, 200);
	assert.equal(res.json.stage, 'qualified');

	const s = await state('info', lead.id);
	assert.equal(s.state, 'qualified');
	assert.equal(s.process.key, 'lead_triage');
	assert.deepEqual(s.transitions, []);
	assert.deepEqual(s.history.map((h) => [h.transition, h.from, h.to]), [
		['grade', 'new', 'graded'],
		['review', 'graded', 'reviewed'],
		['assign', 'reviewed', 'assigned'],
		['qualify', 'assigned', 'qualified'],
	]);
	assert.equal(s.history[0].comment, '预算约 50 万');
	assert.equal(s.state_field, 'stage');
	assert.equal(s.history[0].label, '分级', 'each step named as the process names it');
	assert.equal(s.history[3].user_id, u.pm.id);
	// Each step is in the record's audit trail as an update.
	const hist = (await admin.getJson(`/api/v1/t_leads/${lead.id}/history`)).data;
	assert.ok(hist.filter((h) => h.action === 'update').length >= 4);
});

test('a small lead is assigned directly; a rejection sets what the transition says', async () => {
	const small = await u.info.client.create('t_leads', { title: `小艇询价 ${M}` });
	expectStatus(await fire('info', small.id, 'grade', { fields: { grade: 'b', amount: { amount: 800000, currency: 'CNY' } } }), 200);
	let s = await state('director', small.id);
	assert.deepEqual(s.transitions.map((t) => [t.key, t.allowed]).sort(), [['fast_assign', true], ['reject', true], ['review', true]]);
	const res = await fire('director', small.id, 'fast_assign', { fields: { project_manager_id: u.pm.id } });
	expectStatus(res, 200);
	assert.equal(res.json.stage, 'assigned');

	const other = await u.info.client.create('t_leads', { title: `无效线索 ${M}` });
	expectStatus(await fire('info', other.id, 'grade', { fields: { grade: 'a', amount: { amount: 1000, currency: 'CNY' } } }), 200);
	const rej = await fire('director', other.id, 'reject', { comment: '联系不上' });
	expectStatus(rej, 200);
	assert.equal(rej.json.stage, 'rejected');
	assert.equal(rej.json.grade, 'c');
	s = await state('info', other.id);
	assert.deepEqual(s.transitions, []);

	// Unknown transitions and records; a record of an entity without a process.
	expectStatus(await fire('director', other.id, 'launch'), 404);
	expectStatus(await fire('director', 999999, 'review'), 404);
	expectStatus(await u.info.client.get('/api/v1/tasks/1/process'), 404);
	// Bad bodies.
	expectProblem(await fire('director', small.id, 'reject', { fields: 'x', colour: 1 }), 422, 'validation_failed', ['fields', 'colour']);
});

test('a task for nobody refuses the step: nothing changes', async () => {
	// grade now also makes a task for the owner's superior; info2 has none.
	const graded = { ...triage, transitions: [{ ...triage.transitions[0], tasks: [{ subject: '复核分级：{{record}}', assignee: 'superior', due_in: '1d' }] }, ...triage.transitions.slice(1)] };
	expectStatus(await admin.put('/api/v1/processes/lead_triage', graded), 200);
	const lead = await u.info2.client.create('t_leads', { title: `无上级 ${M}` });
	const res = await fire('info2', lead.id, 'grade', { fields: { grade: 'b', amount: { amount: 100, currency: 'CNY' } } });
	const p = expectProblem(res, 409, 'conflict');
	const why = p.errors.find((e) => e.code === 'no_assignee');
	assert.match(why?.message ?? '', /复核分级/);
	const s = await state('info2', lead.id);
	assert.equal(s.state, 'new');
	assert.deepEqual(s.history, []);
	assert.equal((await admin.getJson(`/api/v1/t_leads/${lead.id}`)).amount, null, 'the fields sent were not kept');
	// With a superior, the task is made and the superior told.
	const mine = await u.info.client.create('t_leads', { title: `有上级 ${M}` });
	expectStatus(await fire('info', mine.id, 'grade', { fields: { grade: 'b', amount: { amount: 100, currency: 'CNY' } } }), 200);
	const made = (await u.manager.client.getJson(`/api/v1/tasks?about_entity=t_leads&about_id=${mine.id}`)).data;
	assert.deepEqual(made.map((t) => [t.subject, t.owner_id, t.about_entity, t.about_id]), [[`复核分级：有上级 ${M}`, u.manager.id, 't_leads', mine.id]]);
	expectStatus(await admin.put('/api/v1/processes/lead_triage', triage), 200);
});

test('the process goes with the model: removed, the state is a field like any other', async () => {
	expectStatus(await admin.del('/api/v1/processes/lead_triage'), 204);
	const lead = await u.info.client.create('t_leads', { title: `after ${M}`, stage: 'graded' });
	assert.equal(lead.stage, 'graded');
	expectStatus(await admin.del('/api/v1/processes/lead_triage'), 404);
	expectStatus(await admin.put('/api/v1/processes/lead_triage', triage), 201);
});
