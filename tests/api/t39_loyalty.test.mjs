// Loyalty from repeat business (CT-1, LC-1; issue 7): a customer's score comes from the records of
// every entity whose schema declares "business" — here the test orders, counted when confirmed or
// delivered —
// in three factors shown with their rules: repeat deals, years with business, and how recent the
// last deal is. Without business the level says so. On a cluster of its own started with
// --schema-dir tests/api/schema (whose t_orders declares the business).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client, marker, expectStatus, startCluster, newUser } from './lib.mjs';

const M = marker('t39');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let cluster, admin, seller, other;

before(async () => {
	const schema = path.join(process.env.SEXTANT_TEST_ROOT, 'tests/api/schema');
	cluster = await startCluster(1, ['--schema-dir', schema], 't39-loyalty');
	admin = new Client(cluster.nodes[0].base);
	await admin.login('admin', cluster.adminPassword);
	const base = cluster.nodes[0].base;
	seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'], base });
	other = await newUser(admin, { name: 'other', mark: M, password, roles: ['salesperson'], base });
});

after(async () => {
	await cluster?.stopAll();
});

const daysAgo = (d) => new Date(Date.now() - d * 86400000).toISOString().slice(0, 10);
const order = (customer, status, ordered_on, title = '游艇订单') =>
	admin.create('t_orders', { title: `${title} ${M}`, status, ordered_on, customer_id: customer.id });
const factors = (got) => Object.fromEntries(got.factors.map((f) => [f.key, [f.value, f.points, f.max]]));

test('no business yet: the level says so, with where business would come from', async () => {
	const c = await seller.client.create('customers', { name: `新客户 ${M}` });
	const got = await seller.client.getJson(`/api/v1/customers/${c.id}/loyalty`);
	assert.deepEqual([got.id, got.score, got.deals, got.level, got.level_label], [c.id, 0, 0, 'none', '暂无交易']);
	assert.deepEqual([got.first_at, got.last_at], [null, null]);
	assert.deepEqual(got.sources, [{ entity: 't_orders', label: '测试订单' }]);
	assert.deepEqual(factors(got), { repeat: [null, 0, 45], years: [null, 0, 30], recency: [null, 0, 25] });
	// Orders not confirmed, deleted, or of another customer do not count.
	const elsewhere = await seller.client.create('customers', { name: `别的客户 ${M}` });
	await order(c, 'draft', daysAgo(10));
	await order(c, 'cancelled', daysAgo(10));
	await order(elsewhere, 'confirmed', daysAgo(10));
	const gone = await order(c, 'delivered', daysAgo(10));
	expectStatus(await admin.del(`/api/v1/t_orders/${gone.id}`), 204);
	assert.equal((await seller.client.getJson(`/api/v1/customers/${c.id}/loyalty`)).deals, 0);
});

test('repeat business raises the score, factor by factor, with how each was made', async () => {
	const c = await seller.client.create('customers', { name: `老客户 ${M}` });
	// A first yacht three years ago, a bigger one last year: two deals in two years.
	await order(c, 'delivered', daysAgo(3 * 365 + 30), '首艘游艇');
	await order(c, 'delivered', daysAgo(400), '换购大船');
	let got = await seller.client.getJson(`/api/v1/customers/${c.id}/loyalty`);
	assert.deepEqual(factors(got), { repeat: [1, 15, 45], years: [2, 20, 30], recency: [400, 15, 25] });
	assert.deepEqual([got.deals, got.score, got.level, got.level_label], [2, 50, 'steady', '稳定']);
	assert.equal(got.first_at.slice(0, 10), daysAgo(3 * 365 + 30));
	assert.equal(got.last_at.slice(0, 10), daysAgo(400));
	// Service this year: a third deal in a third year, and recent.
	await order(c, 'confirmed', daysAgo(20), '年度保养');
	const res = await seller.client.get(`/api/v1/customers/${c.id}/loyalty`, { headers: { 'Accept-Language': 'en' } });
	expectStatus(res, 200);
	got = res.json;
	assert.deepEqual(factors(got), { repeat: [2, 30, 45], years: [3, 30, 30], recency: [20, 25, 25] });
	assert.deepEqual([got.deals, got.score, got.level, got.level_label], [3, 85, 'loyal', 'Loyal']);
	const rules = Object.fromEntries(got.factors.map((f) => [f.key, f.rule]));
	assert.match(rules.repeat, /15 each, at most 45/);
	assert.match(rules.recency, /Within a year 25/);
	assert.equal(got.sources[0].label, 'Test orders');
	// One deal long ago: lapsing.
	const old = await seller.client.create('customers', { name: `沉睡客户 ${M}` });
	await order(old, 'delivered', daysAgo(5 * 365));
	got = await seller.client.getJson(`/api/v1/customers/${old.id}/loyalty`);
	assert.deepEqual([got.score, got.level], [10, 'lapsing']);
});

test('whoever may not read the customer gets nothing; only customers have loyalty', async () => {
	const c = await seller.client.create('customers', { name: `别人的客户 ${M}` });
	expectStatus(await other.client.get(`/api/v1/customers/${c.id}/loyalty`), 404);
	expectStatus(await seller.client.get(`/api/v1/customers/${c.id + 1000000}/loyalty`), 404);
	const p = await seller.client.create('contacts', { name: `联系人 ${M}`, customer_id: c.id });
	expectStatus(await seller.client.get(`/api/v1/contacts/${p.id}/loyalty`), 404);
});
