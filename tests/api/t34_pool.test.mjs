// The shared customer pool (公海, C-POOL) and handovers (CT-7): follow-ups move a customer's
// clock; owners release customers to the pool; others see the pool and claim from it, within a
// cap and not what they gave up lately; managers hand customers over with their open work, both
// people told; the job warns, then returns customers nobody followed up; every move is listed.
// On a cluster of its own: the job's rules are set to seconds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Client, marker, expectStatus, expectProblem, startCluster, newUser, runJob, sleep } from './lib.mjs';

const M = marker('t34');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let cluster, base, admin, seller, seller2, seller3, director;

before(async () => {
	cluster = await startCluster(1, [], 't34-pool');
	base = cluster.nodes[0].base;
	admin = new Client(base);
	await admin.login('admin', cluster.adminPassword);
	const mk = (name, roles) => newUser(admin, { name, mark: M, password, roles, base });
	seller = await mk('seller', ['salesperson']);
	seller2 = await mk('seller2', ['salesperson']);
	seller3 = await mk('seller3', ['salesperson']);
	director = await mk('director', ['sales_director']);
	// No customer returns by itself unless a test says so.
	expectStatus(await admin.put('/api/v1/settings/pool', { default_days: 0, levels: { a: 0, b: 0, c: 0, d: 0 }, claim_cap: 0, reclaim_days: 30 }), 200);
});

after(async () => {
	await cluster?.stopAll();
});

const ago = (ms) => new Date(Date.now() - ms).toISOString();
const moves = async (who, id) => (await (who.client || who).getJson(`/api/v1/customers/${id}/moves`)).data;
const notices = async (who, event, id) => (await who.client.getJson('/api/v1/notifications?limit=200')).data.filter((n) => n.event === event && n.record_id === id);

test('the rules are administrators\' settings, checked member by member', async () => {
	const got = await admin.getJson('/api/v1/settings/pool');
	assert.equal(got.enabled, true);
	assert.equal(got.reclaim_days, 30);
	assert.deepEqual(Object.keys(got.levels).sort(), ['a', 'b', 'c', 'd']);
	const bad = await admin.put('/api/v1/settings/pool', { default_days: -1, levels: { z: 3, a: 'x' }, claim_cap: 1.5, enabled: 'yes', colour: 1 });
	expectProblem(bad, 422, 'validation_failed', [['default_days', 'out_of_range'], ['levels.z', 'invalid_option'], ['levels.a', 'out_of_range'], ['claim_cap', 'out_of_range'], ['enabled', 'invalid_bool'], ['colour', 'unknown_field']]);
	assert.deepEqual(await admin.getJson('/api/v1/settings/pool'), got, 'a refused document changes nothing');
	expectStatus(await seller.client.get('/api/v1/settings/pool'), 403);
	const partial = await admin.put('/api/v1/settings/pool', { levels: { b: 45 } });
	expectStatus(partial, 200);
	assert.equal(partial.json.levels.b, 45);
	assert.equal(partial.json.levels.a, 0, 'a partial document keeps the other members');
	expectStatus(await admin.put('/api/v1/settings/pool', { levels: { b: 0 } }), 200);
});

test('follow-ups that happened move the customer\'s and the contact\'s clocks forward only', async () => {
	const c = await seller.client.create('customers', { name: `跟进客户 ${M}` });
	assert.equal(c.lifecycle_stage, 'potential', 'a new customer is a potential one');
	assert.equal(c.last_followup_at, null);
	const p = await seller.client.create('contacts', { name: `跟进联系人 ${M}`, customer_id: c.id });
	const when = ago(3600000);
	await seller.client.create('activities', { subject: '电话沟通', kind: 'call', occurred_at: when, customer_id: c.id, contact_id: p.id });
	const after1 = await seller.client.getJson(`/api/v1/customers/${c.id}`);
	assert.equal(Date.parse(after1.last_followup_at), Date.parse(when));
	assert.equal(after1.version, c.version, 'a follow-up is not an edit of the customer');
	assert.equal(Date.parse((await seller.client.getJson(`/api/v1/contacts/${p.id}`)).last_contacted_at), Date.parse(when));
	// An older one entered late, and a planned one, change nothing.
	await seller.client.create('activities', { subject: '补录', kind: 'visit', occurred_at: ago(86400000 * 3), customer_id: c.id });
	await seller.client.create('activities', { subject: '计划试航', kind: 'sea_trial', occurred_at: new Date(Date.now() + 86400000).toISOString(), customer_id: c.id });
	assert.equal(Date.parse((await seller.client.getJson(`/api/v1/customers/${c.id}`)).last_followup_at), Date.parse(when));
	// The clocks are the system's.
	const r = await seller.client.patch(`/api/v1/customers/${c.id}`, { last_followup_at: ago(0) });
	expectProblem(r, 422, 'validation_failed', [['last_followup_at', 'read_only']]);
	const bad = await seller.client.post('/api/v1/activities', { subject: '', kind: 'telepathy', customer_id: c.id });
	expectProblem(bad, 422, 'validation_failed', [['subject', 'required'], ['kind', 'invalid_option'], ['occurred_at', 'required']]);
});

test('release to the pool, look, claim: the contacts come along; every move is listed', async () => {
	const c = await seller.client.create('customers', { name: `公海客户 ${M}`, level: 'c' });
	const p = await seller.client.create('contacts', { name: `公海联系人 ${M}`, customer_id: c.id });
	// Someone else's customer is none of seller2's business yet.
	expectStatus(await seller2.client.get(`/api/v1/customers/${c.id}`), 404);
	expectStatus(await seller2.client.post(`/api/v1/customers/${c.id}/release`, { reason: 'x' }), 404);
	expectProblem(await seller.client.post(`/api/v1/customers/${c.id}/release`, {}), 422, 'validation_failed', [['reason', 'required']]);
	expectProblem(await seller.client.post(`/api/v1/customers/${c.id}/release`, { reason: 'x'.repeat(501) }), 422, 'validation_failed', [['reason', 'too_long']]);
	expectProblem(await seller.client.post(`/api/v1/customers/${c.id}/release`, { reason: 'ok', why: 1 }), 422, 'validation_failed', [['why', 'unknown_field']]);
	const rel = await seller.client.post(`/api/v1/customers/${c.id}/release`, { reason: '客户暂无购艇计划' });
	expectStatus(rel, 200);
	assert.equal(rel.json.owner_id, null);
	assert.ok(rel.json.pool_entered_at, 'the time it entered the pool');
	assert.equal(rel.json.owned_since, null);
	expectProblem(await seller.client.post(`/api/v1/customers/${c.id}/release`, { reason: 'again' }), 409, 'conflict', [[null, 'in_pool']]);

	// The pool is everyone's to see; an ordinary list stays one's own.
	const pool = await seller2.client.getJson(`/api/v1/customers/pool?q=${encodeURIComponent(`公海客户 ${M}`)}`);
	assert.deepEqual(pool.data.map((r) => r.id), [c.id]);
	assert.equal((await seller2.client.getJson(`/api/v1/customers/pool?owner_id=${seller.id}`)).data.length, 0, 'the pool holds no owned customer');
	expectStatus(await seller2.client.get(`/api/v1/customers/${c.id}`), 200);
	assert.equal((await seller2.client.getJson(`/api/v1/customers?name=${encodeURIComponent(`公海客户 ${M}`)}`)).data.length, 0);
	expectStatus(await seller2.client.patch(`/api/v1/customers/${c.id}`, { remarks: 'mine?' }), 403);
	expectStatus(await seller2.client.get('/api/v1/contacts/pool'), 404);

	const claim = await seller2.client.post(`/api/v1/customers/${c.id}/claim`);
	expectStatus(claim, 200);
	assert.equal(claim.json.owner_id, seller2.id);
	assert.ok(claim.json.owned_since);
	assert.equal(claim.json.pool_entered_at, null);
	assert.deepEqual(claim.json.moved, { contacts: 1 });
	assert.equal((await seller2.client.getJson(`/api/v1/contacts/${p.id}`)).owner_id, seller2.id);
	expectProblem(await seller3.client.post(`/api/v1/customers/${c.id}/claim`), 409, 'conflict', [[null, 'not_in_pool']]);
	expectStatus(await seller3.client.post('/api/v1/customers/99999999/claim'), 404);

	// What one gave up one may not claim back soon; someone else may.
	expectStatus(await seller2.client.post(`/api/v1/customers/${c.id}/release`, { reason: '转给同事' }), 200);
	const soon = await seller2.client.post(`/api/v1/customers/${c.id}/claim`);
	expectProblem(soon, 409, 'conflict', [[null, 'reclaim_too_soon']]);
	expectStatus(await seller3.client.post(`/api/v1/customers/${c.id}/claim`), 200);

	const m = await moves(seller3, c.id);
	assert.deepEqual(m.map((x) => x.action), ['claimed', 'released', 'claimed', 'released']);
	assert.equal(m[0].to_user_id, seller3.id);
	assert.equal(m[1].from_user_id, seller2.id);
	assert.equal(m[1].reason, '转给同事');
	assert.equal(m[3].from_user_name, `seller ${M}`);
	assert.equal(m[3].by_user_id, seller.id);
	assert.equal((await seller3.client.getJson(`/api/v1/customers/${c.id}/moves?action=claimed`)).data.length, 2);
	expectStatus(await seller3.client.get(`/api/v1/customers/${c.id}/moves?action=stolen`), 400);
	expectStatus(await seller.client.get(`/api/v1/customers/${c.id}/moves`), 404);
});

test('a claim stops at the cap on customers one owns', async () => {
	const newcomer = await newUser(admin, { name: 'newcomer', mark: M, password, roles: ['salesperson'], base });
	const mine = await newcomer.client.create('customers', { name: `已有客户 ${M}` });
	const pooled = await admin.create('customers', { name: `待领客户 ${M}` });
	expectStatus(await admin.post(`/api/v1/customers/${pooled.id}/release`, { reason: '入公海' }), 200);
	expectStatus(await admin.put('/api/v1/settings/pool', { claim_cap: 1 }), 200);
	try {
		const res = await newcomer.client.post(`/api/v1/customers/${pooled.id}/claim`);
		expectProblem(res, 409, 'conflict', [[null, 'pool_cap_reached']]);
		assert.equal((await admin.getJson(`/api/v1/customers/${pooled.id}`)).owner_id, null, 'nothing changed');
		expectStatus(await newcomer.client.post(`/api/v1/customers/${mine.id}/release`, { reason: '腾出名额' }), 200);
		expectStatus(await newcomer.client.post(`/api/v1/customers/${pooled.id}/claim`), 200);
	} finally {
		expectStatus(await admin.put('/api/v1/settings/pool', { claim_cap: 0 }), 200);
	}
});

test('a handover moves the customer with its open work and tells both people', async () => {
	const c = await seller.client.create('customers', { name: `移交客户 ${M}` });
	const contact = await seller.client.create('contacts', { name: `移交联系人 ${M}`, customer_id: c.id });
	const open = await seller.client.create('tasks', { subject: `待回访 ${M}`, status: 'open', customer_id: c.id, due_at: new Date(Date.now() + 86400000).toISOString() });
	const done = await seller.client.create('tasks', { subject: `已完成 ${M}`, status: 'done', customer_id: c.id, due_at: ago(86400000) });
	const act = await seller.client.create('activities', { subject: `拜访 ${M}`, kind: 'visit', occurred_at: ago(60000), customer_id: c.id });
	const url = `/api/v1/customers/${c.id}/handover`;
	expectStatus(await seller.client.post(url, { to: seller2.id }), 403);
	expectProblem(await director.client.post(url, {}), 422, 'validation_failed', [['to', 'required']]);
	expectProblem(await director.client.post(url, { to: 'seller2', with_open_work: 'yes' }), 422, 'validation_failed', [['to', 'invalid_id'], ['with_open_work', 'invalid_bool']]);
	expectProblem(await director.client.post(url, { to: 99999999 }), 422, 'validation_failed', [['to', 'reference_not_found']]);
	expectProblem(await director.client.post(url, { to: seller.id }), 409, 'conflict', [['to', 'same_owner']]);
	expectStatus(await director.client.post('/api/v1/customers/99999999/handover', { to: seller2.id }), 404);

	const res = await director.client.post(url, { to: seller2.id, reason: '区域调整' });
	expectStatus(res, 200);
	assert.equal(res.json.owner_id, seller2.id);
	assert.deepEqual(res.json.moved, { contacts: 1, tasks: 1 });
	assert.equal((await admin.getJson(`/api/v1/contacts/${contact.id}`)).owner_id, seller2.id);
	assert.equal((await admin.getJson(`/api/v1/tasks/${open.id}`)).owner_id, seller2.id, 'the open task moves');
	assert.equal((await admin.getJson(`/api/v1/tasks/${done.id}`)).owner_id, seller.id, 'a done task stays with who did it');
	assert.equal((await admin.getJson(`/api/v1/activities/${act.id}`)).owner_id, seller.id, 'history stays with who made it');
	expectStatus(await seller.client.get(`/api/v1/customers/${c.id}`), 404);

	const toNew = await notices(seller2, 'customer.handover_in', c.id);
	assert.equal(toNew.length, 1);
	assert.match(toNew[0].title, new RegExp(`移交客户 ${M}`));
	assert.match(toNew[0].body, new RegExp(`director ${M}`));
	assert.equal((await notices(seller, 'customer.handover_out', c.id)).length, 1);
	const m = await moves(seller2, c.id);
	assert.equal(m[0].action, 'handover');
	assert.equal(m[0].from_user_id, seller.id);
	assert.equal(m[0].by_user_id, director.id);
	assert.equal(m[0].reason, '区域调整');

	// Without the open work: only the customer moves.
	const back = await director.client.post(url, { to: seller.id, with_open_work: false });
	expectStatus(back, 200);
	assert.deepEqual(back.json.moved, {});
	assert.equal((await admin.getJson(`/api/v1/contacts/${contact.id}`)).owner_id, seller2.id);
	// An assignment through an ordinary edit is a move too.
	const cur = await admin.getJson(`/api/v1/customers/${c.id}`);
	expectStatus(await director.client.patch(`/api/v1/customers/${c.id}`, { owner_id: seller3.id }, { headers: { 'If-Match': String(cur.version) } }), 200);
	assert.equal((await moves(director, c.id))[0].action, 'assigned');
});

test('the job warns the owner, then returns the customer nobody followed up', async () => {
	const run = async () => (await runJob(admin, 'customers.pool')).message;
	// Level d: back to the pool after 8.64 s without a follow-up, warned 6.05 s before.
	expectStatus(await admin.put('/api/v1/settings/pool', { levels: { d: 0.0001 }, warn_days: 0.00007 }), 200);
	try {
		const t0 = Date.now();
		const idle = await seller.client.create('customers', { name: `无人跟进 ${M}`, level: 'd' });
		const busy = await seller.client.create('customers', { name: `持续跟进 ${M}`, level: 'd' });
		const other = await seller.client.create('customers', { name: `A级客户 ${M}`, level: 'a' });
		await run();
		assert.equal((await notices(seller, 'customer.pool_warning', idle.id)).length, 0, 'not yet');

		await sleep(Math.max(0, t0 + 3000 - Date.now()));
		await seller.client.create('activities', { subject: '微信沟通', kind: 'wechat', occurred_at: new Date().toISOString(), customer_id: busy.id });
		await run();
		const warned = await notices(seller, 'customer.pool_warning', idle.id);
		assert.equal(warned.length, 1, 'the owner is warned');
		assert.match(warned[0].title, new RegExp(`无人跟进 ${M}`));
		assert.ok((await seller.client.getJson(`/api/v1/customers/${idle.id}`)).pool_warned_at);
		assert.equal((await notices(seller, 'customer.pool_warning', busy.id)).length, 0, 'a customer followed up is not');
		await run();
		assert.equal((await notices(seller, 'customer.pool_warning', idle.id)).length, 1, 'warned once');

		await sleep(Math.max(0, t0 + 9500 - Date.now()));
		const msg = await run();
		assert.match(msg, /1 returned/);
		const gone = await admin.getJson(`/api/v1/customers/${idle.id}`);
		assert.equal(gone.owner_id, null, 'returned to the pool');
		assert.ok(gone.pool_entered_at);
		assert.equal((await notices(seller, 'customer.returned', idle.id)).length, 1);
		const m = await moves(admin, idle.id);
		assert.deepEqual(m.map((x) => x.action), ['returned', 'warned']);
		assert.equal(m[0].from_user_id, seller.id);
		assert.equal(m[0].by_user_id, null, 'the system did it');
		assert.match(m[0].reason, /未跟进/);
		assert.equal((await admin.getJson(`/api/v1/customers/${busy.id}`)).owner_id, seller.id, 'followed up: kept');
		assert.equal((await admin.getJson(`/api/v1/customers/${other.id}`)).owner_id, seller.id, 'level a: never');
		// Rules off: nothing happens.
		expectStatus(await admin.put('/api/v1/settings/pool', { enabled: false }), 200);
		assert.match(await run(), /off/);
	} finally {
		expectStatus(await admin.put('/api/v1/settings/pool', { enabled: true, levels: { d: 0 }, warn_days: 7 }), 200);
	}
});

test('the 360° view: a summary and one timeline, which the next owner sees whole', async () => {
	const c = await seller.client.create('customers', { name: `全景客户 ${M}`, level: 'b' });
	const p = await seller.client.create('contacts', { name: `王总 ${M}`, customer_id: c.id });
	await seller.client.create('contacts', { name: `李秘书 ${M}`, customer_id: c.id });
	await seller.client.create('tasks', { subject: `寄送画册 ${M}`, status: 'open', customer_id: c.id, due_at: new Date(Date.now() + 3 * 86400000).toISOString(), description: '中英文画册各一本' });
	await seller.client.create('activities', { subject: `首次电话 ${M}`, kind: 'call', occurred_at: ago(100 * 86400000), customer_id: c.id, contact_id: p.id, content: '了解到客户计划明年购入 60 尺游艇' });
	const trial = await seller.client.create('activities', { subject: `试航 ${M}`, kind: 'sea_trial', occurred_at: ago(2 * 86400000), customer_id: c.id, contact_id: p.id, content: '客户满意' });
	expectStatus(await admin.put('/api/v1/settings/pool', { levels: { b: 45 } }), 200);
	try {
		const s = await seller.client.getJson(`/api/v1/customers/${c.id}/summary`);
		assert.equal(s.name, `全景客户 ${M}`);
		assert.deepEqual(s.owner, { id: seller.id, name: `seller ${M}` });
		assert.equal(s.in_pool, false);
		assert.equal(s.lifecycle_stage, 'potential');
		assert.equal(Date.parse(s.last_followup_at), Date.parse(trial.occurred_at));
		assert.equal(s.days_since_followup, 2);
		// The clock starts at the latest of the last follow-up, the owner taking it and its
		// creation: entered today with older history, it has its whole 45 days.
		assert.equal(Date.parse(s.pool_due_at), Date.parse(c.created_at) + 45 * 86400000);
		const count = (rel) => s.related.find((r) => r.relation === rel)?.count;
		assert.equal(count('contacts'), 2);
		assert.equal(count('activities'), 2);
		assert.equal(count('tasks'), 1);
		assert.equal(s.open_tasks, 1);
		assert.equal(s.followups_90d, 1, 'the call 100 days ago is older');
	} finally {
		expectStatus(await admin.put('/api/v1/settings/pool', { levels: { b: 0 } }), 200);
	}

	expectStatus(await director.client.post(`/api/v1/customers/${c.id}/handover`, { to: seller2.id, reason: '交接' }), 200);
	// The new owner sees the whole history, whoever entered it.
	const t = await seller2.client.getJson(`/api/v1/customers/${c.id}/timeline`);
	assert.deepEqual(t.data.map((x) => x.source), ['tasks', 'moves', 'activities', 'activities']);
	const [task, move, sea, call] = t.data;
	assert.equal(task.title, `寄送画册 ${M}`);
	assert.equal(task.kind_label, '未完成');
	assert.equal(task.detail, '中英文画册各一本');
	assert.equal(move.kind, 'handover');
	assert.equal(move.title, '客户移交');
	assert.equal(move.detail, '交接');
	assert.deepEqual(move.who, { id: director.id, name: `director ${M}` });
	assert.equal(sea.title, `试航 ${M}`);
	assert.equal(sea.kind_label, '试航');
	assert.deepEqual(sea.who, { id: seller.id, name: `seller ${M}` });
	assert.deepEqual(sea.contact, { id: p.id, name: `王总 ${M}` });
	assert.equal(call.detail, '了解到客户计划明年购入 60 尺游艇');
	assert.equal(t.next_cursor, null);
	// The task moved with the customer and may be opened; the former owner's follow-ups stay
	// theirs (opening one is 404), and the page says so rather than link to nothing.
	assert.deepEqual(t.data.map((x) => x.openable), [true, false, false, false]);
	expectStatus(await seller2.client.get(`/api/v1/activities/${sea.id}`), 404);
	expectStatus(await seller2.client.get(`/api/v1/tasks/${task.id}`), 200);
	// Shared with the new owner, a follow-up opens.
	expectStatus(await seller.client.post(`/api/v1/activities/${sea.id}/shares`, { user_id: seller2.id, access: 'read' }), 201);
	const again = await seller2.client.getJson(`/api/v1/customers/${c.id}/timeline`);
	assert.deepEqual(again.data.map((x) => x.openable), [true, false, true, false]);
	// English labels; pages that neither skip nor repeat.
	const en = await seller2.client.getJson(`/api/v1/customers/${c.id}/timeline?limit=3`, { headers: { 'Accept-Language': 'en' } });
	assert.equal(en.data[2].kind_label, 'Sea trial');
	assert.ok(en.next_cursor);
	const rest = await seller2.client.getJson(`/api/v1/customers/${c.id}/timeline?limit=3&cursor=${encodeURIComponent(en.next_cursor)}`);
	assert.deepEqual(rest.data.map((x) => x.id), [call.id]);
	expectProblem(await seller2.client.get(`/api/v1/customers/${c.id}/timeline?cursor=nonsense`), 400, 'bad_request', [['cursor', 'invalid_cursor']]);
	expectProblem(await seller2.client.get(`/api/v1/customers/${c.id}/timeline?limit=0`), 400, 'bad_request', [['limit', 'out_of_range']]);
	expectProblem(await seller2.client.get(`/api/v1/customers/${c.id}/timeline?colour=red`), 400, 'bad_request', [['colour', 'unknown_parameter']]);
	// Who may not read the customer sees neither.
	expectStatus(await seller3.client.get(`/api/v1/customers/${c.id}/timeline`), 404);
	expectStatus(await seller3.client.get(`/api/v1/customers/${c.id}/summary`), 404);
	expectStatus(await seller2.client.get(`/api/v1/contacts/${p.id}/summary`), 404);
});
