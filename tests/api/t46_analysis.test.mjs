// Customer analysis and salespeople's performance (S-CHART, S-PERF; docs/internals/SALES.md
// "Performance and customer analysis"): the customers grouped by industry, size, region,
// province, source and purchase amount, with what they bought, against what the test made;
// new customers against the period before, activities, won, lost and open opportunities per
// person and team, beside the whole's growth; a person's part of each customer's won total,
// as owner and as collaborator; each caller's scope; bad parameters named.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t46');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
const yuan = (y) => ({ amount: y * 100, currency: 'CNY' });
const month = new Date().toISOString().slice(0, 7);
const nextMonth = (() => {
	const [y, m] = month.split('-').map(Number);
	return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
})();
let admin, u, dept, team;
const cust = {};

const move = (id, t, fields = {}) => admin.post(`/api/v1/opportunities/${id}/transitions/${t}`, { fields });
/* An opportunity of owner's on customer c, closing this month, taken to its end (won, lost) or left open. */
async function opportunity(owner, c, amount, end, currency = 'CNY') {
	const o = await admin.create('opportunities', { name: `游艇 ${M}`, customer_id: c.id, owner_id: owner.id, amount: { amount: amount * 100, currency }, expected_close: `${month}-15` });
	if (end === 'won' || end === 'lost') expectStatus(await move(o.id, 'to_negotiation'), 200);
	if (end === 'won') expectStatus(await move(o.id, 'win', { won_reason: '试航满意' }), 200);
	if (end === 'lost') expectStatus(await move(o.id, 'lose', { lost_reason: 'price' }), 200);
	return o;
}

before(async () => {
	admin = await loginAdmin();
	const units = (await admin.getJson('/api/v1/org-units')).data;
	const root = units.find((x) => x.kind === 'company')?.id ?? (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	dept = (await admin.post('/api/v1/org-units', { name: `华南销售部 ${M}`, kind: 'department', parent_id: root })).json.id;
	team = (await admin.post('/api/v1/org-units', { name: `华南一组 ${M}`, kind: 'department', parent_id: dept })).json.id;
	const user = async (name, roles, extra) => newUser(admin, { name, mark: M, password, roles, ...extra });
	u = {};
	u.manager = await user('manager', ['regional_manager'], { org_unit_id: dept });
	u.seller = await user('seller', ['salesperson'], { org_unit_id: team, superior_id: u.manager.id });
	u.seller2 = await user('seller2', ['salesperson'], { org_unit_id: dept, superior_id: u.manager.id });
	const mk = (who, name, fields) => u[who].client.create('customers', { name: `${name} ${M}`, ...fields });
	cust.a = await mk('seller', '深圳游艇会', { industry: 'accommodation_catering', staff_total: 120, region: 'south', province: '广东省', source: 'boat_show' });
	cust.b = await mk('seller', '厦门船舶', { industry: 'manufacturing', staff_total: 1500, region: 'east', province: '福建省', source: 'boat_show' });
	cust.c = await mk('seller', '三亚租赁', { industry: 'accommodation_catering', staff_total: 8, region: 'south', province: '海南省', source: 'referral' });
	cust.d = await mk('seller', '无名客户', {});
	cust.e = await mk('seller2', '珠海游艇', { industry: 'manufacturing', staff_total: 400, region: 'south', province: '广东省', source: 'website' });
	// What they bought: a's 3 M and 1 M (one by seller2, who works on it), b's 25 M, and
	// 100,000 dollars; lost and open ones are no purchase.
	await opportunity(u.seller, cust.a, 3_000_000, 'won');
	const shared = await opportunity(u.seller2, cust.a, 1_000_000, 'won');
	expectStatus(await admin.post(`/api/v1/opportunities/${shared.id}/shares`, { user_id: u.seller.id, access: 'edit' }), 201);
	await opportunity(u.seller, cust.b, 25_000_000, 'won');
	await opportunity(u.seller, cust.b, 100_000, 'won', 'USD');
	await opportunity(u.seller, cust.c, 2_000_000, 'lost');
	await opportunity(u.seller, cust.c, 4_000_000, 'open');
	await opportunity(u.seller2, cust.e, 6_000_000, 'open');
	for (const [who, c, n] of [['seller', cust.a, 2], ['seller', cust.b, 1], ['seller2', cust.e, 1]])
		for (let i = 0; i < n; i++) await u[who].client.create('activities', { subject: `拜访 ${M}`, customer_id: c.id, kind: 'visit', occurred_at: new Date().toISOString() });
});

const analysis = async (client, q) => {
	const res = await client.get(`/api/v1/customers/analysis${q}`);
	expectStatus(res, 200);
	return res.json;
};
const brief = (a) => a.groups.map((g) => [g.key, g.count, g.won, g.amount]);

test('the customers grouped each way, with what they bought', async () => {
	const q = `&owner=${u.seller.id}`;
	let a = await analysis(admin, `?by=industry${q}`);
	assert.equal(a.currency, 'CNY');
	// Option order, the unset last; a bought 4 M in two wins (one by a colleague: a customer's purchase).
	assert.deepEqual(brief(a), [['manufacturing', 1, 2, 2_500_000_000], ['accommodation_catering', 2, 2, 400_000_000], [null, 1, 0, 0]]);
	assert.deepEqual(a.groups[0].other_currencies, [{ currency: 'USD', won: 1, amount: 10_000_000 }]);
	assert.deepEqual(a.total, { count: 4, won: 4, amount: 2_900_000_000 });
	assert.equal(a.groups[0].label, '制造业');
	assert.deepEqual(a.groups[0].list, { industry: 'manufacturing' });
	assert.deepEqual(a.groups[2].list, { industry__null: 'true' });
	a = await analysis(admin, `?by=size${q}`);
	assert.deepEqual(brief(a), [['micro', 1, 0, 0], ['small', 1, 2, 400_000_000], ['large', 1, 2, 2_500_000_000], [null, 1, 0, 0]]);
	assert.deepEqual(a.groups[1].list, { staff_total__gte: '20', staff_total__lt: '300' });
	a = await analysis(admin, `?by=region${q}`);
	assert.deepEqual(brief(a).map((g) => g.slice(0, 2)), [['east', 1], ['south', 2], [null, 1]]);
	a = await analysis(admin, `?by=province${q}`);
	assert.deepEqual(brief(a).map((g) => g.slice(0, 2)), [['广东省', 1], ['海南省', 1], ['福建省', 1], [null, 1]], 'by count, then by name');
	a = await analysis(admin, `?by=source${q}`);
	assert.deepEqual(brief(a).map((g) => g.slice(0, 2)), [['boat_show', 2], ['referral', 1], [null, 1]]);
	// Bands of the CNY won total: a 4 M, b 25 M, c and d nothing.
	a = await analysis(admin, `?by=purchase${q}`);
	assert.deepEqual(brief(a).map((g) => g.slice(0, 2)), [['none', 2], ['1m_5m', 1], ['20m_100m', 1]]);
	assert.equal(a.groups[0].list, null, 'a band is no list filter');
	// In English, and for a team.
	const en = await admin.get(`/api/v1/customers/analysis?by=province&team=${team}`, { headers: { 'Accept-Language': 'en' } });
	assert.ok(en.json.groups.some((g) => g.key === '广东省' && g.label === 'Guangdong'), 'provinces in English');
	assert.equal(en.json.total.count, 4, 'the team has the seller\'s four');
	a = await analysis(admin, `?by=industry&team=${dept}`);
	assert.equal(a.total.count, 5, 'the department and the team below it');
});

test('each sees the customers of their scope', async () => {
	// Their own: not the shared pool's, which their lists show for claiming.
	const pooled = await admin.create('customers', { name: `公海客户 ${M}`, industry: 'manufacturing' });
	expectStatus(await admin.patch(`/api/v1/customers/${pooled.id}`, { owner_id: null }), 200);
	let a = await analysis(u.seller.client, '?by=industry');
	assert.equal(a.total.count, 4, 'a salesperson sees their own');
	a = await analysis(u.seller2.client, '?by=purchase');
	assert.deepEqual(brief(a).map((g) => g.slice(0, 2)), [['none', 1]], 'and nothing of their colleague\'s customers');
	expectStatus(await admin.del(`/api/v1/customers/${pooled.id}`), 204);
	a = await analysis(u.manager.client, `?by=industry&team=${dept}`);
	assert.equal(a.total.count, 5, 'the manager sees the department');
});

const perf = async (client, q = '') => {
	const res = await client.get(`/api/v1/sales/performance${q}`);
	expectStatus(res, 200);
	return res.json;
};
const person = (p, who) => p.people.find((x) => x.user_id === who.id);

test('performance per person and team, against the period before and the whole', async () => {
	let p = await perf(admin, `?team=${dept}`);
	assert.deepEqual([p.from, p.to], [month, month], 'this month unless told');
	assert.deepEqual(p.whole, { team_id: dept, new_customers: 5, previous: 0, growth: null });
	const s = person(p, u.seller);
	assert.equal(s.name, `seller ${M}`);
	assert.deepEqual([s.new_customers, s.previous, s.growth, s.activities], [4, 0, null, 3]);
	// Won and lost as the funnel has them (expected to close this month); a's shared one is seller2's.
	assert.deepEqual([s.won, s.lost, s.win_rate], [{ count: 3, amount: 2_800_000_000 }, 1, 0.75]);
	assert.deepEqual(s.pipeline, { count: 1, amount: 400_000_000, weighted: 40_000_000 });
	const s2 = person(p, u.seller2);
	assert.deepEqual([s2.new_customers, s2.activities, s2.won, s2.pipeline.amount], [1, 1, { count: 1, amount: 100_000_000 }, 600_000_000]);
	assert.equal(p.people.length, 2);
	assert.deepEqual(p.total.won, { count: 4, amount: 2_900_000_000 });
	// Teams by the unit the records carry: the team's seller, the department's seller2.
	assert.deepEqual(p.teams.map((t) => [t.org_unit_id, t.new_customers]).sort(), [[dept, 1], [team, 4]].sort());
	assert.equal(p.teams.find((t) => t.org_unit_id === team).name, `华南一组 ${M}`);
	// Next month against this one: all four gone, as the whole (−100 % each: level with it).
	p = await perf(admin, `?team=${dept}&from=${nextMonth}`);
	assert.deepEqual(p.previous, { from: month, to: month });
	assert.deepEqual([p.whole.new_customers, p.whole.previous, p.whole.growth], [0, 5, -1]);
	assert.deepEqual([person(p, u.seller).growth, person(p, u.seller).vs_whole], [-1, 0]);
	// The same as the funnel of the person and month.
	const f = await admin.getJson(`/api/v1/opportunities/funnel?owner=${u.seller.id}&from=${month}&to=${month}`);
	assert.deepEqual([f.won.count, f.won.amount, f.lost.count, f.open.weighted], [s.won.count, s.won.amount, s.lost, s.pipeline.weighted]);
});

test('each sees the performance of their scope', async () => {
	let p = await perf(u.seller.client);
	assert.deepEqual(p.people.map((x) => x.user_id), [u.seller.id], 'a salesperson sees themselves');
	assert.equal(p.total.new_customers, 4);
	p = await perf(u.manager.client, `?team=${dept}`);
	assert.deepEqual(p.people.map((x) => x.user_id).sort(), [u.seller.id, u.seller2.id].sort(), 'the manager sees the department');
	p = await perf(u.manager.client, `?team=${team}`);
	assert.deepEqual(p.people.map((x) => x.user_id), [u.seller.id], 'and a team of it');
	assert.equal(p.whole.new_customers, 4, 'whose whole is the team');
});

test('a person\'s part of each customer\'s won total, as owner and collaborator', async () => {
	const res = await admin.get(`/api/v1/sales/performance/customers?user=${u.seller.id}`);
	expectStatus(res, 200);
	const rows = res.json.data.map((r) => [r.customer_id, r.won, r.owned, r.collaborated, r.customer_total, r.share, r.owned_share]);
	assert.deepEqual(rows, [[cust.b.id, 1, 2_500_000_000, 0, 2_500_000_000, 1, 1], [cust.a.id, 2, 300_000_000, 100_000_000, 400_000_000, 1, 0.75]]);
	// seller2 owns a quarter of a's total; the seller reads their own by default.
	const two = await admin.getJson(`/api/v1/sales/performance/customers?user=${u.seller2.id}`);
	assert.deepEqual(two.data.map((r) => [r.customer_id, r.owned, r.share]), [[cust.a.id, 100_000_000, 0.25]]);
	const own = await u.seller.client.getJson('/api/v1/sales/performance/customers');
	assert.equal(own.user_id, u.seller.id);
	// seller2 reads only the opportunities they may: their own, not the seller's.
	const other = await u.seller2.client.getJson(`/api/v1/sales/performance/customers?user=${u.seller.id}`);
	assert.deepEqual(other.data.map((r) => [r.customer_id, r.owned, r.collaborated]), [[cust.a.id, 0, 100_000_000]]);
});

test('bad parameters are named', async () => {
	expectProblem(await admin.get('/api/v1/customers/analysis?by=colour&owner=x&team=0&limit=3'), 400, 'bad_request', [['by', 'invalid_option'], ['owner', 'invalid_integer'], ['team', 'invalid_integer'], ['limit', 'unknown_parameter']]);
	expectProblem(await admin.get('/api/v1/sales/performance?from=2026-13&team=abc&owner=1'), 400, 'bad_request', [['from', 'invalid_month'], ['team', 'invalid_integer'], ['owner', 'unknown_parameter']]);
	expectProblem(await admin.get('/api/v1/sales/performance?from=2026-05&to=2026-01'), 400, 'bad_request', [['to', 'before_from']]);
	expectProblem(await admin.get('/api/v1/sales/performance/customers?user=-1&x=1'), 400, 'bad_request', [['user', 'invalid_integer'], ['x', 'unknown_parameter']]);
});
