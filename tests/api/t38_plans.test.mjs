// Contact plans (接触计划) and contacts' news (动态), CT-1: a plan's touches become its owner's
// tasks on the right dates; its progress; giving it to someone gives them the open touches;
// finishing or cancelling it cancels them; a plan or a piece of news names a contact of its own
// customer; news is on the customer's timeline.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t38');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin, seller, seller2, director, cust, contact, stranger;

before(async () => {
	admin = await loginAdmin();
	seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'] });
	seller2 = await newUser(admin, { name: 'seller2', mark: M, password, roles: ['salesperson'] });
	director = await newUser(admin, { name: 'director', mark: M, password, roles: ['sales_director'] });
	cust = await seller.client.create('customers', { name: `计划客户 ${M}` });
	contact = await seller.client.create('contacts', { name: `赵总 ${M}`, customer_id: cust.id });
	const other = await seller.client.create('customers', { name: `别家客户 ${M}` });
	stranger = await seller.client.create('contacts', { name: `别家联系人 ${M}`, customer_id: other.id });
});

const touches = async (plan) => (await admin.getJson(`/api/v1/tasks?about_id=${plan.id}&about_entity=contact_plans&sort=due_at`)).data;

test('a plan\'s touches become tasks on their dates, the last day of a shorter month kept', async () => {
	const plan = await seller.client.create('contact_plans', { subject: `季度回访 ${M}`, customer_id: cust.id, contact_id: contact.id, kind: 'visit', starts_on: '2027-01-31', every: 'monthly', touches: 3, goal: '了解换艇计划' });
	const t = await touches(plan);
	assert.deepEqual(t.map((x) => Date.parse(x.due_at)), ['2027-01-31T01:00:00Z', '2027-02-28T01:00:00Z', '2027-03-31T01:00:00Z'].map((d) => Date.parse(d)));
	assert.equal(t[1].subject, `季度回访 ${M}（拜访 2/3）`);
	for (const x of t) {
		assert.deepEqual([x.status, x.owner_id, x.customer_id, x.contact_id, x.about_entity], ['open', seller.id, cust.id, contact.id, 'contact_plans']);
		assert.equal(Date.parse(x.due_at) - Date.parse(x.remind_at), 30 * 60000, 'reminded half an hour before');
	}
	const weekly = await seller.client.create('contact_plans', { subject: `每周电话 ${M}`, customer_id: cust.id, contact_id: contact.id, kind: 'call', starts_on: '2027-12-30', every: 'weekly', touches: 2 });
	assert.deepEqual((await touches(weekly)).map((x) => x.due_at.slice(0, 10)), ['2027-12-30', '2028-01-06']);
	const quarterly = await seller.client.create('contact_plans', { subject: `季度拜访 ${M}`, customer_id: cust.id, contact_id: contact.id, kind: 'visit', starts_on: '2027-11-30', every: 'quarterly', touches: 2 });
	assert.deepEqual((await touches(quarterly)).map((x) => x.due_at.slice(0, 10)), ['2027-11-30', '2028-02-29']);
	const paused = await seller.client.create('contact_plans', { subject: `暂缓 ${M}`, customer_id: cust.id, contact_id: contact.id, starts_on: '2027-01-01', status: 'cancelled' });
	assert.equal((await touches(paused)).length, 0, 'a plan made cancelled has no touches');
});

test('a plan names a contact of its customer, and its schedule within bounds', async () => {
	const bad = await seller.client.post('/api/v1/contact_plans', { subject: `错配 ${M}`, customer_id: cust.id, contact_id: stranger.id, starts_on: '2027-01-01', every: 'daily', touches: 0 });
	expectProblem(bad, 422, 'validation_failed', [['every', 'invalid_option'], ['touches', 'out_of_range']]);
	const wrong = await seller.client.post('/api/v1/contact_plans', { subject: `错配 ${M}`, customer_id: cust.id, contact_id: stranger.id, starts_on: '2027-01-01' });
	expectProblem(wrong, 422, 'validation_failed', [['contact_id', 'reference_not_same']]);
	assert.equal((await seller.client.getJson(`/api/v1/contact_plans?subject=${encodeURIComponent(`错配 ${M}`)}`)).data.length, 0, 'nothing half-made');
});

test('progress; handing the plan over hands over its open touches; cancelling cancels them', async () => {
	const plan = await seller.client.create('contact_plans', { subject: `跟进计划 ${M}`, customer_id: cust.id, contact_id: contact.id, kind: 'call', starts_on: '2027-03-01', every: 'biweekly', touches: 3 });
	const [first, second, third] = await touches(plan);
	assert.equal(third.due_at.slice(0, 10), '2027-03-29');
	let p = await seller.client.getJson(`/api/v1/contact_plans/${plan.id}/progress`);
	assert.deepEqual([p.touches, p.done, p.open, p.cancelled], [3, 0, 3, 0]);
	assert.equal(Date.parse(p.next_due_at), Date.parse(first.due_at));
	expectStatus(await seller.client.patch(`/api/v1/tasks/${first.id}`, { status: 'done' }), 200);
	p = await seller.client.getJson(`/api/v1/contact_plans/${plan.id}/progress`);
	assert.deepEqual([p.done, p.open], [1, 2]);
	assert.equal(Date.parse(p.next_due_at), Date.parse(second.due_at));
	expectStatus(await seller2.client.get(`/api/v1/contact_plans/${plan.id}/progress`), 404);

	expectStatus(await director.client.patch(`/api/v1/contact_plans/${plan.id}`, { owner_id: seller2.id }), 200);
	const after = await touches(plan);
	assert.deepEqual(after.map((x) => x.owner_id), [seller.id, seller2.id, seller2.id], 'the done touch stays with who did it');

	expectStatus(await director.client.patch(`/api/v1/contact_plans/${plan.id}`, { status: 'cancelled' }), 200);
	assert.deepEqual((await touches(plan)).map((x) => x.status), ['done', 'cancelled', 'cancelled']);
	p = await seller2.client.getJson(`/api/v1/contact_plans/${plan.id}/progress`);
	assert.deepEqual([p.done, p.open, p.cancelled, p.next_due_at], [1, 0, 2, null]);
});

test('a contact\'s news is on the customer\'s timeline', async () => {
	const wrong = await seller.client.post('/api/v1/contact_updates', { subject: '错配', customer_id: cust.id, contact_id: stranger.id, happened_on: '2026-10-01' });
	expectProblem(wrong, 422, 'validation_failed', [['contact_id', 'reference_not_same']]);
	const news = await seller.client.create('contact_updates', { subject: `升任集团副总裁 ${M}`, customer_id: cust.id, contact_id: contact.id, kind: 'promotion', happened_on: '2026-10-01', content: '分管游艇采购', source: '公司官网' });
	const t = await seller.client.getJson(`/api/v1/customers/${cust.id}/timeline?limit=200`);
	const item = t.data.find((x) => x.source === 'contact_updates' && x.id === news.id);
	assert.ok(item, 'on the timeline');
	assert.equal(item.kind_label, '升迁');
	assert.equal(Date.parse(item.at), Date.parse('2026-10-01T00:00:00Z'), 'a date is its midnight');
	assert.deepEqual(item.contact, { id: contact.id, name: `赵总 ${M}` });
	assert.equal(item.detail, '分管游艇采购');
});

test('contacts: the same mobile, office phone or e-mail is a duplicate, in the form and in an import\'s dry run', async () => {
	const mobile = `139${String(Date.now()).slice(-8)}`;
	const email = `li.${M}@example.cn`;
	const known = await seller.client.create('contacts', { name: `李经理 ${M}`, customer_id: cust.id, mobile, email });
	const spaced = `+86 ${mobile.slice(0, 3)} ${mobile.slice(3, 7)} ${mobile.slice(7)}`;
	const m = await seller.client.post('/api/v1/contacts/match', { name: '另一个名字', mobile: spaced });
	expectStatus(m, 200);
	assert.deepEqual(m.json.data.map((x) => x.id), [known.id]);
	assert.deepEqual(m.json.data[0].reasons, ['mobile']);
	assert.equal((await seller.client.post('/api/v1/contacts/match', { name: `李经理 ${M}` })).json.data.length, 0, 'a name alone is no evidence');
	const meta = await seller.client.getJson('/api/v1/meta/entities/contacts');
	assert.equal(meta.duplicate_check, true);

	const csv = ['name,customer_id,mobile,email',
		`王五 ${M},${cust.id},,${email.toUpperCase()}`, //   line 2: the known contact's e-mail
		`赵六 ${M},${cust.id},13700001111,`, //             line 3: new
		`赵六（重复） ${M},${cust.id},137 0000 1111,`, //   line 4: line 3's mobile
	].join('\n');
	const res = await admin.req('POST', '/api/v1/contacts/import?dry_run=true', { body: csv, headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
	expectStatus(res, 200);
	const r = res.json;
	assert.equal(r.valid, 3, JSON.stringify(r.errors));
	assert.deepEqual(r.duplicates.map((d) => d.row), [2, 4]);
	assert.equal(r.duplicates[0].matches[0].id, known.id);
	assert.deepEqual(r.duplicates[0].matches[0].reasons, ['email']);
	assert.deepEqual(r.duplicates[1].rows, [{ row: 3, reasons: ['phone'] }]);
});
