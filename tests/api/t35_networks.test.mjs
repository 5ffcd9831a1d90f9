// Contact networks (issue 7 point 4; REQUIREMENTS.md CT-2, CT-5, CT-6, CT-8): the organisation
// chart of a customer's contacts (reports_to_id: only to a contact of the same customer, never in
// a loop — the engine's `same` and `acyclic` rules, through create, update, bulk update, merge and
// import), the people related to a contact (contact_relations: their own records, personal fields
// masked), and GET /api/v1/customers/{id}/network with only what the caller may read.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, newUser, expectStatus, expectProblem, csvLine } from './lib.mjs';

const M = marker('t35');
const password = randomBytes(12).toString('base64url');
let admin, seller, other;

before(async () => {
	admin = await loginAdmin();
	seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'] });
	other = await newUser(admin, { name: 'other', mark: M, password, roles: ['salesperson'] });
});

const customer = (client, name) => client.create('customers', { name: `${name} ${M}` });
const contact = (client, customerId, name, extra = {}) => client.create('contacts', { name, customer_id: customerId, ...extra });
const version = async (id) => (await admin.getJson(`/api/v1/contacts/${id}`)).version;

test('a contact reports only to a contact of its own customer', async () => {
	const c1 = await customer(admin, '海韵游艇');
	const c2 = await customer(admin, '蓝海船务');
	const a = await contact(admin, c1.id, '林董');
	const b = await contact(admin, c1.id, '王总', { reports_to_id: a.id });
	assert.equal(b.reports_to_id, a.id);
	const x = await contact(admin, c2.id, '陈总');
	// On create and on update, the problem names the field; nothing is written.
	const made = await admin.post('/api/v1/contacts', { name: '跨客户', customer_id: c2.id, reports_to_id: a.id });
	const p = expectProblem(made, 422, 'validation_failed', [['reports_to_id', 'reference_not_same']]);
	assert.match(p.errors[0].message, /所属客户/, 'the message names the shared field');
	const en = await admin.post('/api/v1/contacts', { name: 'cross', customer_id: c2.id, reports_to_id: a.id }, { headers: { 'Accept-Language': 'en' } });
	assert.match(expectProblem(en, 422, 'validation_failed', ['reports_to_id']).errors[0].message, /same "Customer"/);
	const before = await version(b.id);
	expectProblem(await admin.patch(`/api/v1/contacts/${b.id}`, { reports_to_id: x.id }), 422, 'validation_failed', [['reports_to_id', 'reference_not_same']]);
	assert.equal(await version(b.id), before, 'a refusal changes nothing');
	// Moving to another customer while still reporting into the old one is refused too …
	expectProblem(await admin.patch(`/api/v1/contacts/${b.id}`, { customer_id: c2.id }), 422, 'validation_failed', [['reports_to_id', 'reference_not_same']]);
	// … and so is moving someone others report to: they would be left across customers.
	expectProblem(await admin.patch(`/api/v1/contacts/${a.id}`, { customer_id: c2.id }), 422, 'validation_failed', [['customer_id', 'same_in_use']]);
	// Moving with the new customer's superior, or with none, is fine.
	const moved = await admin.patch(`/api/v1/contacts/${b.id}`, { customer_id: c2.id, reports_to_id: x.id });
	expectStatus(moved, 200);
	assert.deepEqual([moved.json.customer_id, moved.json.reports_to_id], [c2.id, x.id]);
	expectStatus(await admin.patch(`/api/v1/contacts/${b.id}`, { customer_id: c1.id, reports_to_id: null }), 200);
	// A reference to a contact that does not exist is "not found", not a rule's problem.
	expectProblem(await admin.patch(`/api/v1/contacts/${b.id}`, { reports_to_id: 999999999 }), 422, 'validation_failed', [['reports_to_id', 'reference_not_found']]);
});

test('the chain of superiors never closes into a loop', async () => {
	const c = await customer(admin, '环形集团');
	const a = await contact(admin, c.id, '甲');
	const b = await contact(admin, c.id, '乙', { reports_to_id: a.id });
	const d = await contact(admin, c.id, '丙', { reports_to_id: b.id });
	// Oneself, one's report, and one's report's report.
	for (const target of [a.id, b.id, d.id]) {
		const before = await version(a.id);
		expectProblem(await admin.patch(`/api/v1/contacts/${a.id}`, { reports_to_id: target }), 422, 'validation_failed', [['reports_to_id', 'reference_cycle']]);
		assert.equal(await version(a.id), before);
	}
	expectProblem(await admin.patch(`/api/v1/contacts/${b.id}`, { reports_to_id: b.id }), 422, 'validation_failed', [['reports_to_id', 'reference_cycle']]);
	// Re-parenting within the tree without a loop is fine: 丙 to 甲, then 乙 under 丙.
	expectStatus(await admin.patch(`/api/v1/contacts/${d.id}`, { reports_to_id: a.id }), 200);
	expectStatus(await admin.patch(`/api/v1/contacts/${b.id}`, { reports_to_id: d.id }), 200);
	expectProblem(await admin.patch(`/api/v1/contacts/${d.id}`, { reports_to_id: b.id }), 422, 'validation_failed', [['reports_to_id', 'reference_cycle']]);
	// A bulk update goes through the same checks, all or nothing.
	const e = await contact(admin, c.id, '丁');
	const bulk = await admin.post('/api/v1/contacts/bulk-update', { ids: [e.id, a.id], field: 'reports_to_id', value: b.id });
	expectProblem(bulk, 422, 'validation_failed', [['reports_to_id', 'reference_cycle']]);
	assert.equal((await admin.getJson(`/api/v1/contacts/${e.id}`)).reports_to_id, null, 'the first record was rolled back');
	expectStatus(await admin.post('/api/v1/contacts/bulk-update', { ids: [e.id], field: 'reports_to_id', value: b.id }), 200);
	const other = await contact(admin, (await customer(admin, '别家')).id, '外人');
	expectProblem(await admin.post('/api/v1/contacts/bulk-update', { ids: [e.id], field: 'reports_to_id', value: other.id }), 422, 'validation_failed', [['reports_to_id', 'reference_not_same']]);
});

test('merging contacts cannot close a loop or leave reports across customers', async () => {
	const c = await customer(admin, '合并集团');
	const boss = await contact(admin, c.id, '老板');
	const deputy = await contact(admin, c.id, '副手', { reports_to_id: boss.id });
	// Merging the boss into the deputy would make the deputy report to itself.
	const loop = await admin.post(`/api/v1/contacts/${deputy.id}/merge`, { from: boss.id });
	expectProblem(loop, 422, 'validation_failed', [['reports_to_id', 'reference_cycle']]);
	expectStatus(await admin.get(`/api/v1/contacts/${boss.id}`), 200);
	assert.equal((await admin.getJson(`/api/v1/contacts/${deputy.id}`)).reports_to_id, boss.id, 'rolled back');
	// Merging a contact others report to into one of another customer would leave them across.
	const far = await contact(admin, (await customer(admin, '远方')).id, '远方的人');
	const across = await admin.post(`/api/v1/contacts/${far.id}/merge`, { from: boss.id });
	expectProblem(across, 422, 'validation_failed', [['reports_to_id', 'reference_not_same']]);
	// Two records of the same person in one customer merge, the reports moving along.
	const twin = await contact(admin, c.id, '老板（重复）');
	const report = await contact(admin, c.id, '秘书', { reports_to_id: twin.id });
	const merged = await admin.post(`/api/v1/contacts/${boss.id}/merge`, { from: twin.id });
	expectStatus(merged, 200);
	assert.equal((await admin.getJson(`/api/v1/contacts/${report.id}`)).reports_to_id, boss.id);
});

test('an import keeps reports within the customer', async () => {
	const c1 = await customer(admin, '导入甲');
	const c2 = await customer(admin, '导入乙');
	const head = await contact(admin, c1.id, '导入负责人');
	const csv = ['name,customer_id,reports_to_id', csvLine(['同客户', String(c1.id), String(head.id)]), csvLine(['跨客户', String(c2.id), String(head.id)])].join('\n');
	const res = await admin.req('POST', '/api/v1/contacts/import?dry_run=true', { body: csv, headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
	expectStatus(res, 200);
	assert.equal(res.json.valid, 1);
	assert.deepEqual(res.json.errors.map((e) => [e.row, e.field, e.code]), [[3, 'reports_to_id', 'reference_not_same']], 'the row by its line in the file');
});

test('people related to a contact are records of their own, with personal fields masked', async () => {
	const c = await customer(admin, '关系客户');
	const boss = await contact(admin, c.id, '周董');
	const cfo = await contact(admin, c.id, '财务总监');
	const base = { contact_id: boss.id, relation: 'spouse', name: '周太太' };
	// The relation is required and must be one of the kinds; the name too (the form fills it
	// from a chosen contact).
	expectProblem(await admin.post('/api/v1/contact_relations', { ...base, relation: 'wife' }), 422, 'validation_failed', [['relation', 'invalid_option']]);
	expectProblem(await admin.post('/api/v1/contact_relations', { contact_id: boss.id, name: 'x' }), 422, 'validation_failed', [['relation', 'required']]);
	expectProblem(await admin.post('/api/v1/contact_relations', { contact_id: boss.id, relation: 'child' }), 422, 'validation_failed', [['name', 'required']]);
	expectProblem(await admin.post('/api/v1/contact_relations', { relation: 'child', name: 'x' }), 422, 'validation_failed', [['contact_id', 'required']]);
	expectProblem(await admin.post('/api/v1/contact_relations', { ...base, related_contact_id: 999999999 }), 422, 'validation_failed', [['related_contact_id', 'reference_not_found']]);
	const secret = { phone: '13912345678', home_address: '厦门市湖里区 8 号', birthday: '1975-03-04', health: '高血压', school: '双十中学', ethnicity: 'han', birthplace: '泉州', native_place: '晋江' };
	const masked = { phone: '139****5678', home_address: '******', birthday: null, health: '******', school: '******', ethnicity: null, birthplace: '******', native_place: '******' };
	const wife = await admin.create('contact_relations', { ...base, hobbies: '茶道', influence_reason: '家中大事由她拍板', ...secret });
	for (const [k, v] of Object.entries(masked)) assert.deepEqual(wife[k], v, `the answer to a create masks ${k}`);
	assert.equal(wife.influence_reason, '家中大事由她拍板');
	const got = await admin.getJson(`/api/v1/contact_relations/${wife.id}`);
	const list = (await admin.getJson(`/api/v1/contacts/${boss.id}/contact_relations`)).data;
	for (const [k, v] of Object.entries(masked)) {
		assert.deepEqual(got[k], v, `get masks ${k}`);
		assert.deepEqual(list[0][k], v, `the related list masks ${k}`);
	}
	const shown = await admin.getJson(`/api/v1/contact_relations/${wife.id}?reveal=true`);
	assert.equal(shown.phone, '13912345678', 'a reveal shows them');
	// A related person who is a contact too: any customer's (a parent company's head).
	const parentCo = await contact(admin, (await customer(admin, '母公司')).id, '集团董事长');
	const head = await admin.create('contact_relations', { contact_id: boss.id, relation: 'parent_company_head', related_contact_id: parentCo.id, name: parentCo.name });
	assert.equal(head.related_contact_id, parentCo.id);
	await admin.create('contact_relations', { contact_id: cfo.id, relation: 'superior', related_contact_id: boss.id, name: boss.name, influence_reason: '直接领导' });
	// Both sides list them: the contact's own, and those naming it as the related contact.
	const about = await admin.getJson(`/api/v1/contacts/${boss.id}/contact_relations__related_contact_id`);
	assert.deepEqual(about.data.map((r) => r.contact_id), [cfo.id]);
	const meta = await admin.getJson('/api/v1/meta/entities/contacts');
	const rel = meta.relations.find((r) => r.name === 'contact_relations__related_contact_id');
	assert.equal(rel.label['zh-CN'], '关系人（关联联系人）', 'a second list of the same kind says by which field');
	const up = meta.fields.find((f) => f.name === 'reports_to_id');
	assert.deepEqual([up.ref, up.same, up.acyclic, up.section], ['contacts', 'customer_id', true, 'work']);
});

test('GET /customers/{id}/network: the contacts and relations, nothing sensitive', async () => {
	const c = await customer(admin, '网络客户');
	const chair = await contact(admin, c.id, '董事长', { position: '董事长', department: '董事会', decision_role: 'decision_maker', influence_level: 'high', attitude: 'supportive', contact_role: 'person_in_charge', mobile: '13800000001', birthday: '1960-01-01' });
	const gm = await contact(admin, c.id, '总经理', { position: '总经理', decision_role: 'influencer', influence_level: 'medium', attitude: 'neutral', reports_to_id: chair.id });
	const buyer = await contact(admin, c.id, '采购经理', { decision_role: 'gatekeeper', attitude: 'opposed', reports_to_id: gm.id });
	const wife = await admin.create('contact_relations', { contact_id: chair.id, relation: 'spouse', name: '董事长夫人', phone: '13700000000', influence_reason: '参与重大决策' });
	const link = await admin.create('contact_relations', { contact_id: buyer.id, relation: 'influencer', related_contact_id: gm.id, name: gm.name, influence_reason: '老同学' });
	const elsewhere = await contact(admin, (await customer(admin, '无关客户')).id, '无关的人');
	await admin.create('contact_relations', { contact_id: elsewhere.id, relation: 'relative', related_contact_id: chair.id, name: chair.name });
	const net = await admin.getJson(`/api/v1/customers/${c.id}/network`);
	assert.deepEqual(Object.keys(net).sort(), ['contacts', 'relations', 'truncated']);
	assert.equal(net.truncated, false);
	assert.deepEqual(net.contacts.map((x) => x.id), [chair.id, gm.id, buyer.id], 'the customer\'s contacts, by id');
	assert.deepEqual(net.contacts[0], { id: chair.id, name: '董事长', position: '董事长', department: '董事会', decision_role: 'decision_maker', attitude: 'supportive', influence_level: 'high', reports_to_id: null, contact_role: 'person_in_charge' });
	assert.deepEqual(net.contacts.map((x) => x.reports_to_id), [null, chair.id, gm.id]);
	assert.deepEqual(net.relations, [
		{ id: wife.id, contact_id: chair.id, related_contact_id: null, relation: 'spouse', name: '董事长夫人', influence_reason: '参与重大决策' },
		{ id: link.id, contact_id: buyer.id, related_contact_id: gm.id, relation: 'influencer', name: '总经理', influence_reason: '老同学' },
	], 'the relations of its contacts, not those of others naming them');
	const text = JSON.stringify(net);
	for (const secret of ['13800000001', '1960', '13700000000', 'mobile', 'birthday', 'phone']) assert.ok(!text.includes(secret), `no ${secret} in the answer`);
	// A customer with nobody yet, and one that is not there.
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${(await customer(admin, '空客户')).id}/network`), { contacts: [], relations: [], truncated: false });
	expectProblem(await admin.get('/api/v1/customers/999999999/network'), 404, 'not_found');
	expectProblem(await admin.get('/api/v1/customers/abc/network'), 404, 'not_found');
});

test('the network holds only what the caller may read; a customer they may not read is 404', async () => {
	// A salesperson reads their own records only.
	const mine = await customer(seller.client, '我的客户');
	const boss = await contact(seller.client, mine.id, '我的联系人');
	const theirs = await contact(admin, mine.id, '管理员录入的联系人', { reports_to_id: boss.id });
	const note = await seller.client.create('contact_relations', { contact_id: boss.id, relation: 'assistant', name: '秘书小李', phone: '13600000000' });
	await admin.create('contact_relations', { contact_id: boss.id, relation: 'child', name: '管理员录入的子女' });
	const net = await seller.client.getJson(`/api/v1/customers/${mine.id}/network`);
	assert.deepEqual(net.contacts.map((x) => x.id), [boss.id], 'not the contact they may not read');
	assert.deepEqual(net.relations.map((x) => x.id), [note.id], 'nor the relation');
	const all = await admin.getJson(`/api/v1/customers/${mine.id}/network`);
	assert.deepEqual(all.contacts.map((x) => x.id), [boss.id, theirs.id]);
	assert.equal(all.relations.length, 2);
	// Their own relation's personal fields are masked as everywhere, and revealed on request.
	assert.equal((await seller.client.getJson(`/api/v1/contact_relations/${note.id}`)).phone, '136****0000');
	assert.equal((await seller.client.getJson(`/api/v1/contact_relations/${note.id}?reveal=true`)).phone, '13600000000');
	// Another salesperson may not read the customer at all.
	expectProblem(await other.client.get(`/api/v1/customers/${mine.id}/network`), 404, 'not_found');
	// Nor report a contact of theirs to one they may not read: it is not there for them.
	const own = await customer(other.client, '他的客户');
	const his = await contact(other.client, own.id, '他的联系人');
	expectProblem(await other.client.patch(`/api/v1/contacts/${his.id}`, { reports_to_id: boss.id }), 422, 'validation_failed', [['reports_to_id', 'reference_not_found']]);
});
