// Leads (需求, LEAD-1..LEAD-5; docs/internals/SALES.md): raw information checked against the
// customers, the customer made, the requirement recorded; graded by the amount bands of the
// settings, reviewed by the sales director or assigned directly, given to a project manager
// (shared, a task, told), followed up, qualified, converted into an opportunity that is then won:
// a lead from raw information to a won opportunity. The bands are checked member by member.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser, request } from './lib.mjs';

const M = marker('t41');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
const yuan = (y) => ({ amount: y * 100, currency: 'CNY' });
let admin, u;

before(async () => {
	admin = await loginAdmin();
	u = {};
	u.director = await newUser(admin, { name: 'director', mark: M, password, roles: ['sales_director'] });
	u.info = await newUser(admin, { name: 'info', mark: M, password, roles: ['info_specialist'], superior_id: u.director.id });
	u.pm = await newUser(admin, { name: 'pm', mark: M, password, roles: ['project_manager'] });
	u.other = await newUser(admin, { name: 'other', mark: M, password, roles: ['salesperson'] });
});

after(async () => {
	await admin.put('/api/v1/settings/leads', { a_min: 500_000_000, b_min: 100_000_000 });
	await admin.put('/api/v1/settings/lead-form', { enabled: false, owner_id: null });
});

const move = (who, id, t, fields = {}) => who.client.post(`/api/v1/leads/${id}/transitions/${t}`, { fields });
const lead = (id) => admin.getJson(`/api/v1/leads/${id}`);

test('a lead from raw information to a won opportunity', async () => {
	const name = `青岛金沙滩游艇俱乐部 ${M}`;
	// The information specialist asks whether the company is a customer already: it is not.
	const found = await u.info.client.post('/api/v1/customers/match', { name, phone: '0532-86981234' });
	expectStatus(found, 200);
	assert.equal(found.json.data.length, 0, 'a new company');
	const cust = await u.info.client.create('customers', { name, phone: '0532-86981234', source: 'boat_show' });
	const l = await u.info.client.create('leads', {
		title: `俱乐部采购两艘 56 尺飞桥艇 ${M}`, source: 'boat_show', company_name: name, contact_name: '孙经理', phone: '13805321234',
		customer_id: cust.id, requirement: '会员接待与出海活动，明年五月前交付', product_line: 'flybridge', region: 'north', amount: yuan(6_800_000),
	});
	assert.equal(l.stage, 'new');
	assert.equal((await lead(l.id)).grade, 'a', 'graded by the default bands: ¥5,000,000 and more is A');
	expectProblem(await u.info.client.patch(`/api/v1/leads/${l.id}`, { grade: 'c' }), 422, 'validation_failed', [['grade', 'read_only']]);

	expectStatus(await move(u.info, l.id, 'grade'), 200);
	// An A lead is reviewed by the sales director, not assigned directly.
	expectProblem(await move(u.director, l.id, 'fast_assign', { project_manager_id: u.pm.id }), 409, 'conflict', [['grade', 'guard_failed']]);
	expectStatus(await move(u.info, l.id, 'review'), 403);
	expectStatus(await move(u.director, l.id, 'review'), 200);
	expectProblem(await move(u.director, l.id, 'assign'), 422, 'validation_failed', [['project_manager_id', 'required']]);
	expectStatus(await move(u.director, l.id, 'assign', { project_manager_id: u.pm.id, info_specialist_id: u.info.id }), 200);

	// The project manager: the lead shared with them, a task to follow it up, told.
	const seen = await u.pm.client.get(`/api/v1/leads/${l.id}`);
	expectStatus(seen, 200);
	const tasks = (await u.pm.client.getJson(`/api/v1/tasks?about_entity=leads&about_id=${l.id}`)).data;
	assert.equal(tasks.length, 1);
	assert.deepEqual([tasks[0].owner_id, tasks[0].customer_id, tasks[0].status], [u.pm.id, cust.id, 'open']);
	const told = (await u.pm.client.getJson('/api/v1/notifications?limit=50')).data;
	assert.ok(told.some((n) => n.entity === 'leads' && n.record_id === l.id), 'the project manager is told');

	expectStatus(await move(u.other, l.id, 'follow', { followup_note: '不是他的' }), 404);
	expectProblem(await move(u.pm, l.id, 'follow'), 422, 'validation_failed', [['followup_note', 'required']]);
	expectStatus(await move(u.pm, l.id, 'follow', { followup_note: '已约见孙经理，预算已批' }), 200);
	expectStatus(await move(u.pm, l.id, 'qualify', { qualification_note: '预算明确，决策链清楚' }), 200);
	const converted = await move(u.pm, l.id, 'convert');
	expectStatus(converted, 200);
	assert.equal(converted.json.stage, 'converted');

	// The opportunity it made: the lead's title, customer, amount, product and region; the
	// project manager's.
	const opps = (await admin.getJson(`/api/v1/opportunities?lead_id=${l.id}`)).data;
	assert.equal(opps.length, 1, 'one opportunity');
	const o = opps[0];
	assert.deepEqual([o.name, o.customer_id, o.amount.amount, o.product_line, o.region, o.source, o.owner_id, o.stage],
		[l.title, cust.id, 680_000_000, 'flybridge', 'north', 'lead', u.pm.id, 'needs']);
	expectStatus(await move(u.pm, l.id, 'convert'), 409);

	// Then won by the project manager, through the stages.
	expectStatus(await u.pm.client.post(`/api/v1/opportunities/${o.id}/transitions/to_negotiation`, { fields: { expected_close: '2027-04-30' } }), 200);
	expectStatus(await u.pm.client.post(`/api/v1/opportunities/${o.id}/transitions/win`, { fields: { won_reason: '交付期与会员活动方案' } }), 200);
	const f = await admin.getJson(`/api/v1/opportunities/funnel?owner=${u.pm.id}`);
	assert.deepEqual([f.won.count, f.won.amount], [1, 680_000_000]);
	const t = await admin.getJson(`/api/v1/customers/${cust.id}/timeline?limit=50`);
	assert.ok(t.data.some((x) => x.source === 'leads' && x.id === l.id), 'the lead on the customer\'s timeline');
	assert.ok(t.data.some((x) => x.source === 'opportunities' && x.id === o.id), 'and the opportunity');
});

test('the bands grade by amount; a C lead is assigned directly; a lead without a customer is not converted', async () => {
	const bands = await admin.put('/api/v1/settings/leads', { a_min: 1_000_000_000, b_min: 300_000_000 });
	expectStatus(bands, 200);
	assert.deepEqual(bands.json, { a_min: 1_000_000_000, b_min: 300_000_000 });
	const b = await u.info.client.create('leads', { title: `B 级 ${M}`, amount: yuan(6_800_000) });
	const c = await u.info.client.create('leads', { title: `C 级 ${M}`, company_name: '未建档单位', amount: yuan(2_000_000) });
	assert.deepEqual([(await lead(b.id)).grade, (await lead(c.id)).grade], ['b', 'c']);
	// The grade follows the amount.
	expectStatus(await u.info.client.patch(`/api/v1/leads/${b.id}`, { amount: yuan(12_000_000) }), 200);
	assert.equal((await lead(b.id)).grade, 'a');

	expectStatus(await move(u.info, c.id, 'grade'), 200);
	expectProblem(await move(u.director, c.id, 'review'), 409, 'conflict', [['grade', 'guard_failed']]);
	expectStatus(await move(u.director, c.id, 'fast_assign', { project_manager_id: u.pm.id }), 200);
	expectStatus(await move(u.pm, c.id, 'follow', { followup_note: '电话沟通' }), 200);
	expectStatus(await move(u.pm, c.id, 'qualify', { qualification_note: '有效' }), 200);
	expectProblem(await move(u.pm, c.id, 'convert'), 422, 'validation_failed', [['customer_id', 'required']]);
	assert.equal((await admin.getJson(`/api/v1/opportunities?lead_id=${c.id}`)).data.length, 0, 'nothing half-made');

	// Disqualified by the director: no conversion from there.
	expectStatus(await move(u.info, b.id, 'grade'), 200);
	expectStatus(await move(u.director, b.id, 'disqualify', { qualification_note: '重复信息' }), 200);
	expectProblem(await move(u.director, b.id, 'convert'), 409, 'conflict', [['stage', 'illegal_transition']]);
});

test('the bands are checked member by member, by administrators only', async () => {
	expectProblem(await admin.put('/api/v1/settings/leads', { a_min: 100, b_min: 500 }), 422, 'validation_failed', [['a_min', 'not_above']]);
	expectProblem(await admin.put('/api/v1/settings/leads', { a_min: 'many', colour: 1 }), 422, 'validation_failed', [['colour', 'unknown_field']]);
	expectProblem(await admin.put('/api/v1/settings/leads', { a_min: 0.5, b_min: -1 }), 422, 'validation_failed', [['a_min', 'out_of_range'], ['b_min', 'out_of_range']]);
	expectStatus(await u.info.client.put('/api/v1/settings/leads', { a_min: 2, b_min: 1 }), 403);
	expectStatus(await u.info.client.get('/api/v1/settings/leads'), 403);
});

/* The public web form, posted as a browser posts it: form-encoded, without a session. */
/* A marker of the form's own leads. */
const W = marker('t41w');
const post = (fields, lang = 'zh-CN') => request('POST', '/forms/lead', { body: new URLSearchParams(fields).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept-Language': lang } });

test('the public web form: off until turned on for someone; a lead with a task for them; what was typed kept on an error; robots and floods turned away', async () => {
	let page = await request('GET', '/forms/lead');
	assert.equal(page.status, 404, 'closed until an administrator opens it');
	expectStatus(await post({ contact_name: 'x', phone: '13800000000', requirement: 'y' }), 404);
	// The settings: someone to handle the leads, an active user.
	expectProblem(await admin.put('/api/v1/settings/lead-form', { enabled: true }), 422, 'validation_failed', [['owner_id', 'required']]);
	expectProblem(await admin.put('/api/v1/settings/lead-form', { enabled: true, owner_id: 999999 }), 422, 'validation_failed', [['owner_id', 'reference_not_found']]);
	expectProblem(await admin.put('/api/v1/settings/lead-form', { enabled: 'yes', owner_id: u.info.id, extra: 1 }), 422, 'validation_failed', [['enabled', 'invalid_type'], ['extra', 'unknown_field']]);
	expectStatus(await u.info.client.get('/api/v1/settings/lead-form'), 403);
	const set = await admin.put('/api/v1/settings/lead-form', { enabled: true, owner_id: u.info.id });
	expectStatus(set, 200);
	assert.deepEqual(set.json, { enabled: true, owner_id: u.info.id, path: '/forms/lead' });

	page = await request('GET', '/forms/lead');
	expectStatus(page, 200);
	assert.match(page.headers.get('content-type'), /text\/html/);
	assert.match(page.headers.get('content-security-policy'), /default-src 'none'/);
	assert.match(page.text, /<form method="post" action="\/forms\/lead">[\s\S]*name="contact_name"[\s\S]*<option value="flybridge">飞桥艇<\/option>/);
	assert.match((await request('GET', '/forms/lead', { headers: { 'Accept-Language': 'en' } })).text, /Tell us what you are looking for/);

	// Wrong: no way to reach them, no name; what they typed comes back with the errors.
	const need = `想买一艘适合家庭出海的 45 尺帆船 ${W}`;
	page = await post({ company_name: '', requirement: need, email: '' });
	assert.equal(page.status, 422);
	assert.ok(page.text.includes(need), 'the requirement is shown again');
	assert.match(page.text, /请修改标出的内容/);
	assert.equal((await admin.getJson(`/api/v1/leads?q=${encodeURIComponent(W)}`)).data.length, 0, 'nothing made');
	// A bad e-mail, found by the lead's own rules, the same way.
	page = await post({ contact_name: '周先生', email: 'not-an-address', requirement: need });
	assert.equal(page.status, 422);
	assert.ok(page.text.includes('not-an-address'));

	// Right: a lead for the person the settings name, with a task to handle it.
	page = await post({ company_name: `厦门海风帆船俱乐部 ${W}`, contact_name: '周先生', phone: '13912345678', requirement: need, product_line: 'sailing', region: 'east' });
	expectStatus(page, 200);
	assert.match(page.text, /提交成功/);
	const made = (await admin.getJson(`/api/v1/leads?q=${encodeURIComponent(W)}`)).data;
	assert.equal(made.length, 1);
	const l = await lead(made[0].id);
	assert.deepEqual([l.title, l.source, l.owner_id, l.created_by, l.contact_name, l.product_line, l.region, l.stage, l.requirement], [`网站留言：厦门海风帆船俱乐部 ${W}`, 'web_form', u.info.id, null, '周先生', 'sailing', 'east', 'new', need]);
	const tasks = (await u.info.client.getJson(`/api/v1/tasks?about_entity=leads&about_id=${l.id}`)).data;
	assert.deepEqual(tasks.map((t) => [t.subject, t.owner_id, t.priority]), [[`处理：网站留言：厦门海风帆船俱乐部 ${W}`, u.info.id, 'high']]);

	// A robot fills the hidden field: thanked, nothing made.
	page = await post({ contact_name: 'bot', phone: '13900000000', requirement: `spam ${W}`, website: 'http://spam.example' });
	expectStatus(page, 200);
	assert.equal((await admin.getJson(`/api/v1/leads?q=${encodeURIComponent(W)}`)).data.length, 1);
	// Five from one address in ten minutes; the sixth waits.
	expectStatus(await post({ contact_name: '再来', phone: '13900000001', requirement: `第二条 ${W}` }), 200);
	page = await post({ contact_name: '又来', phone: '13900000002', requirement: `第三条 ${W}` });
	assert.equal(page.status, 429);
	assert.equal(page.headers.get('retry-after'), '600');
	assert.ok(page.text.includes(`第三条 ${W}`), 'kept on the page to send later');
	// Its person disabled, the form closes: their leads would wait for no one.
	const keeper = await newUser(admin, { name: 'keeper', mark: M, password, roles: ['info_specialist'] });
	expectStatus(await admin.put('/api/v1/settings/lead-form', { enabled: true, owner_id: keeper.id }), 200);
	expectStatus(await request('GET', '/forms/lead'), 200);
	expectStatus(await admin.patch(`/api/v1/users/${keeper.id}`, { disabled: true }), 200);
	expectStatus(await request('GET', '/forms/lead'), 404);
});
