// Opportunities and the funnel (OP-1, OP-STAGE, OP-FUN; docs/internals/SALES.md): the shipped
// stage process and its rules; the funnel's counts, expected and weighted revenue per stage, kept
// as totals by the database through every path that writes an opportunity, agreeing with the
// same funnel summed from the records; conversion, days in stage and the cycle from the moves;
// the caller's scope, with records shared beyond it; filters checked.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t40');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
const yuan = (y) => ({ amount: y * 100, currency: 'CNY' });
let admin, u, dept, team;

before(async () => {
	admin = await loginAdmin();
	const units = (await admin.getJson('/api/v1/org-units')).data;
	const root = units.find((x) => x.kind === 'company')?.id ?? (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	dept = (await admin.post('/api/v1/org-units', { name: `华东销售部 ${M}`, kind: 'department', parent_id: root })).json.id;
	team = (await admin.post('/api/v1/org-units', { name: `华东一组 ${M}`, kind: 'department', parent_id: dept })).json.id;
	const otherDept = (await admin.post('/api/v1/org-units', { name: `华北销售部 ${M}`, kind: 'department', parent_id: root })).json.id;
	const user = async (name, roles, extra) => newUser(admin, { name, mark: M, password, roles, ...extra });
	u = {};
	u.manager = await user('manager', ['regional_manager'], { org_unit_id: dept });
	u.seller = await user('seller', ['salesperson'], { org_unit_id: team, superior_id: u.manager.id });
	u.seller2 = await user('seller2', ['salesperson'], { org_unit_id: dept, superior_id: u.manager.id });
	u.north = await user('north', ['salesperson'], { org_unit_id: otherDept });
	u.closer = await user('closer', ['salesperson'], { org_unit_id: otherDept });
	// A salesperson reads their own customers only: each has one of their own.
	for (const k of ['seller', 'seller2', 'north', 'closer']) u[k].cust = await u[k].client.create('customers', { name: `${k} 的客户 ${M}` });
});

const funnel = async (client, q = '') => {
	const res = await client.get(`/api/v1/opportunities/funnel${q}`);
	expectStatus(res, 200);
	return res.json;
};
const stage = (f, key) => f.stages.find((s) => s.key === key);
const move = (client, id, t, fields = {}) => client.post(`/api/v1/opportunities/${id}/transitions/${t}`, { fields });

test('the shipped stage process: nine stages, the probability each sets, what each needs', async () => {
	const meta = await admin.getJson('/api/v1/meta/entities/opportunities');
	assert.deepEqual(meta.process, { key: 'opportunity_stages', state_field: 'stage' });
	const stages = meta.fields.find((f) => f.name === 'stage').options.map((o) => o.key);
	assert.deepEqual(stages, ['needs', 'planning', 'first_visit', 'preliminary', 'demo', 'proposal', 'evaluation', 'negotiation', 'signing', 'won', 'lost']);

	expectProblem(await u.seller.client.post('/api/v1/opportunities', { name: `直接赢单 ${M}`, customer_id: u.seller.cust.id, stage: 'won' }), 422, 'validation_failed', [['stage', 'state_by_transition']]);
	const o = await u.seller.client.create('opportunities', { name: `45尺运动艇 ${M}`, customer_id: u.seller.cust.id, product_line: 'sport' });
	assert.deepEqual([o.stage, o.probability, o.source, o.owner_id], ['needs', 10, 'self_found', u.seller.id]);
	expectProblem(await u.seller.client.patch(`/api/v1/opportunities/${o.id}`, { stage: 'demo' }), 409, 'conflict', [['stage', 'state_by_transition']]);

	let res = await move(u.seller.client, o.id, 'to_demo');
	expectStatus(res, 200);
	assert.deepEqual([res.json.stage, res.json.probability], ['demo', 40]);
	// From the formal proposal on, the amount and the expected close date must be known.
	expectProblem(await move(u.seller.client, o.id, 'to_proposal'), 422, 'validation_failed', [['amount', 'required'], ['expected_close', 'required']]);
	res = await move(u.seller.client, o.id, 'to_proposal', { amount: yuan(3_800_000), expected_close: '2027-05-20' });
	assert.deepEqual([res.json.stage, res.json.probability], ['proposal', 50]);
	// Winning starts from the negotiation or the signing only, and needs why.
	expectProblem(await move(u.seller.client, o.id, 'win', { won_reason: '试航满意' }), 409, 'conflict', [['stage', 'illegal_transition']]);
	expectStatus(await move(u.seller.client, o.id, 'to_negotiation'), 200);
	expectProblem(await move(u.seller.client, o.id, 'win'), 422, 'validation_failed', [['won_reason', 'required']]);
	// Losing needs the reason; reopening is for the superior, the supervisor or the sales director.
	expectProblem(await move(u.seller.client, o.id, 'lose'), 422, 'validation_failed', [['lost_reason', 'required']]);
	res = await move(u.seller.client, o.id, 'lose', { lost_reason: 'price', lost_detail: '对手报价低 12%' });
	assert.deepEqual([res.json.stage, res.json.probability], ['lost', 0]);
	expectStatus(await move(u.seller.client, o.id, 'reopen'), 403);
	res = await move(u.manager.client, o.id, 'reopen');
	assert.deepEqual([res.json.stage, res.json.probability], ['needs', 10]);
	const p = await u.seller.client.getJson(`/api/v1/opportunities/${o.id}/process`);
	assert.deepEqual(p.history.map((h) => h.to).sort(), ['demo', 'lost', 'needs', 'negotiation', 'proposal'], 'each move in the history');
	// The opportunity is on its customer's timeline.
	const t = await admin.getJson(`/api/v1/customers/${u.seller.cust.id}/timeline?limit=200`);
	assert.ok(t.data.some((x) => x.source === 'opportunities' && x.id === o.id), 'on the timeline');
	expectStatus(await admin.del(`/api/v1/opportunities/${o.id}`), 204);
});

test('the funnel per stage adds up, per team, owner, period and product, from totals and from the records alike', async () => {
	const made = [];
	const add = async (who, name, product, amount, close, to, fields = {}) => {
		const o = await who.client.create('opportunities', { name: `${name} ${M}`, customer_id: who.cust.id, product_line: product, amount: yuan(amount), expected_close: close, ...fields });
		if (to) expectStatus(await move(who.client, o.id, `to_${to}`), 200);
		made.push({ id: o.id, owner: who.id, product, amount: amount * 100, close, stage: to || 'needs' });
		return o;
	};
	await add(u.seller, '飞桥艇A', 'flybridge', 5_000_000, '2027-03-10', 'demo');
	await add(u.seller, '飞桥艇B', 'flybridge', 7_000_000, '2027-04-02', 'negotiation');
	await add(u.seller, '帆船A', 'sailing', 1_200_000, '2027-03-28', null);
	await add(u.seller2, '双体船A', 'catamaran', 2_600_000, '2027-06-15', 'demo');
	await add(u.seller2, '超艇A', 'superyacht', 88_000_000, '2028-01-31', 'evaluation');
	await add(u.north, '北方帆船', 'sailing', 900_000, '2027-03-01', 'demo');
	const prob = { needs: 10, demo: 40, evaluation: 60, negotiation: 75 };
	const expect = (rows) => {
		const by = {};
		for (const r of rows) {
			const s = (by[r.stage] ||= { count: 0, amount: 0, weighted: 0 });
			s.count++;
			s.amount += r.amount;
			s.weighted += r.amount * prob[r.stage] / 100;
		}
		return by;
	};
	const check = (f, rows, what) => {
		const want = expect(rows);
		for (const s of f.stages) {
			const w = want[s.key] || { count: 0, amount: 0, weighted: 0 };
			assert.deepEqual([s.count, s.amount, s.weighted], [w.count, w.amount, w.weighted], `${what}: stage ${s.key}`);
		}
		const open = rows.reduce((a, r) => a + r.amount, 0);
		assert.equal(f.open.amount, open, `${what}: open amount`);
		assert.equal(f.open.count, rows.length, `${what}: open count`);
	};
	const deptRows = made.filter((r) => r.owner !== u.north.id);
	let f = await funnel(admin, `?team=${dept}`);
	assert.equal(f.source, 'totals');
	assert.equal(f.currency, 'CNY');
	check(f, deptRows, 'the department and its team');
	check(await funnel(admin, `?team=${team}`), made.filter((r) => r.owner === u.seller.id), 'the team alone');
	check(await funnel(admin, `?owner=${u.seller2.id}`), made.filter((r) => r.owner === u.seller2.id), 'one owner');
	check(await funnel(admin, `?team=${dept}&from=2027-03&to=2027-04`), deptRows.filter((r) => r.close >= '2027-03' && r.close < '2027-05'), 'a period');
	// The forecast by expected close month, open opportunities only.
	f = await funnel(admin, `?team=${dept}`);
	assert.deepEqual(f.forecast.map((m) => [m.month, m.count, m.amount]), [['2027-03', 2, 620_000_000], ['2027-04', 1, 700_000_000], ['2027-06', 1, 260_000_000], ['2028-01', 1, 8_800_000_000]]);
	// A product is summed from the records: the products together make the totals' funnel.
	const products = ['flybridge', 'sailing', 'catamaran', 'superyacht'];
	const parts = await Promise.all(products.map((p) => funnel(admin, `?team=${dept}&product=${p}`)));
	for (const [i, p] of products.entries()) {
		assert.equal(parts[i].source, 'records');
		check(parts[i], deptRows.filter((r) => r.product === p), `product ${p}`);
	}
	for (const s of f.stages)
		assert.equal(parts.reduce((a, x) => a + stage(x, s.key).amount, 0), s.amount, `stage ${s.key}: records and totals agree`);
	// The customer's 360° summary counts its open opportunities, expected and weighted.
	const sum = await admin.getJson(`/api/v1/customers/${u.seller.cust.id}/summary`);
	assert.deepEqual(sum.opportunities, { open: { count: 3, amount: 1_320_000_000, weighted: 737_000_000 }, won: { count: 0, amount: 0, weighted: 0 } });
});

test('every path that writes an opportunity keeps the totals: edit, delete, restore, owner change, bulk edit, import, merge', async () => {
	const sum = async () => {
		const f = await funnel(admin, `?owner=${u.seller2.id}&from=2030-01&to=2030-12`);
		return Object.fromEntries(f.stages.filter((s) => s.count).map((s) => [s.key, [s.count, s.amount, s.weighted]]));
	};
	const a = await u.seller2.client.create('opportunities', { name: `路径A ${M}`, customer_id: u.seller2.cust.id, amount: yuan(1000), expected_close: '2030-05-01' });
	const b = await u.seller2.client.create('opportunities', { name: `路径B ${M}`, customer_id: u.seller2.cust.id, amount: yuan(500), expected_close: '2030-06-01' });
	assert.deepEqual(await sum(), { needs: [2, 150_000, 15_000] });
	expectStatus(await u.seller2.client.patch(`/api/v1/opportunities/${a.id}`, { amount: yuan(2000), probability: 25 }), 200);
	assert.deepEqual(await sum(), { needs: [2, 250_000, 55_000] }, 'an edit of the amount and the probability');
	expectStatus(await u.seller2.client.patch(`/api/v1/opportunities/${a.id}`, { expected_close: '2031-01-01' }), 200);
	assert.deepEqual(await sum(), { needs: [1, 50_000, 5_000] }, 'moved out of the period');
	expectStatus(await u.seller2.client.patch(`/api/v1/opportunities/${a.id}`, { expected_close: '2030-05-01' }), 200);
	expectStatus(await u.seller2.client.del(`/api/v1/opportunities/${b.id}`), 204);
	assert.deepEqual(await sum(), { needs: [1, 200_000, 50_000] }, 'deleted');
	expectStatus(await admin.post(`/api/v1/opportunities/${b.id}/restore`), 200);
	assert.deepEqual(await sum(), { needs: [2, 250_000, 55_000] }, 'restored');
	expectStatus(await admin.patch(`/api/v1/opportunities/${b.id}`, { owner_id: u.seller.id }), 200);
	assert.deepEqual(await sum(), { needs: [1, 200_000, 50_000] }, 'given to someone else');
	const sellerPart = await funnel(admin, `?owner=${u.seller.id}&from=2030-01&to=2030-12`);
	assert.deepEqual([stage(sellerPart, 'needs').count, stage(sellerPart, 'needs').amount], [1, 50_000], 'and counted for them');
	const bulk = await admin.post('/api/v1/opportunities/bulk-update', { ids: [a.id], field: 'probability', value: 80 });
	expectStatus(bulk, 200);
	assert.deepEqual(await sum(), { needs: [1, 200_000, 160_000] }, 'a bulk edit');
	const csv = `name,customer_id,amount,expected_close,stage,probability,owner_id\n导入机会 ${M},${u.seller2.cust.id},3000,2030-07-01,evaluation,60,${u.seller2.id}\n`;
	const imp = await admin.req('POST', '/api/v1/opportunities/import', { body: csv, headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
	expectStatus(imp, 200);
	assert.deepEqual(await sum(), { needs: [1, 200_000, 160_000], evaluation: [1, 300_000, 180_000] }, 'an import, in the stage it carries');
	const c = await u.seller2.client.create('opportunities', { name: `路径C ${M}`, customer_id: u.seller2.cust.id, amount: yuan(700), expected_close: '2030-08-01' });
	expectStatus(await admin.post(`/api/v1/opportunities/${a.id}/merge`, { from: c.id, take: ['amount'] }), 200);
	assert.deepEqual(await sum(), { needs: [1, 70_000, 56_000], evaluation: [1, 300_000, 180_000] }, 'merged: one left, with the amount taken');
});

test('conversion, days in stage, the win rate and the cycle come from the moves', async () => {
	const q = `?owner=${u.closer.id}`;
	const o1 = await u.closer.client.create('opportunities', { name: `转化一 ${M}`, customer_id: u.closer.cust.id, amount: yuan(100), expected_close: '2029-02-01' });
	const o2 = await u.closer.client.create('opportunities', { name: `转化二 ${M}`, customer_id: u.closer.cust.id, amount: yuan(100), expected_close: '2029-02-01' });
	for (const t of ['to_demo', 'to_negotiation']) expectStatus(await move(u.closer.client, o1.id, t), 200);
	expectStatus(await move(u.closer.client, o1.id, 'win', { won_reason: '配置合适' }), 200);
	expectStatus(await move(u.closer.client, o2.id, 'to_demo'), 200);
	expectStatus(await move(u.closer.client, o2.id, 'lose', { lost_reason: 'budget' }), 200);
	const f = await funnel(admin, q);
	assert.deepEqual([stage(f, 'needs').exits, stage(f, 'needs').conversion], [2, 1]);
	assert.deepEqual([stage(f, 'demo').exits, stage(f, 'demo').conversion], [2, 0.5], 'one went on, one was lost');
	assert.deepEqual([stage(f, 'negotiation').exits, stage(f, 'negotiation').conversion], [1, 1]);
	assert.equal(stage(f, 'proposal').conversion, null, 'no move out of a stage skipped: no rate');
	assert.ok(stage(f, 'demo').avg_days >= 0 && stage(f, 'demo').avg_days < 0.1, 'minutes, not days');
	assert.deepEqual([f.won.count, f.won.amount, f.lost.count], [1, 10_000, 1]);
	assert.equal(f.win_rate, 0.5);
	const sum = await admin.getJson(`/api/v1/customers/${u.closer.cust.id}/summary`);
	assert.deepEqual([sum.opportunities.open.count, sum.opportunities.won.count, sum.opportunities.won.amount], [0, 1, 10_000], 'the lost one is in neither');
	assert.ok(f.cycle_days >= 0 && f.cycle_days < 0.1);
	// The same from the records (a product filter that every one of them meets: none set).
	const all = await funnel(admin, `${q}&region=north`);
	assert.equal(all.stages.reduce((a, s) => a + s.count, 0), 0, 'no region set, none in the north');
});

test('each sees the funnel of their scope, and what is shared with them besides', async () => {
	const mine = await u.seller.client.create('opportunities', { name: `自己的 ${M}`, customer_id: u.seller.cust.id, amount: yuan(10), expected_close: '2032-01-01' });
	const theirs = await u.seller2.client.create('opportunities', { name: `同事的 ${M}`, customer_id: u.seller2.cust.id, amount: yuan(20), expected_close: '2032-01-01' });
	const period = '?from=2032-01&to=2032-01';
	let f = await funnel(u.seller.client, period);
	assert.deepEqual([f.open.count, f.open.amount], [1, 1000], 'a salesperson sees their own');
	f = await funnel(u.manager.client, period);
	assert.deepEqual([f.open.count, f.open.amount], [2, 3000], 'the regional manager sees the subsidiary');
	f = await funnel(u.north.client, period);
	assert.deepEqual([f.open.count], [0], 'another department sees none of it');
	expectStatus(await u.seller2.client.post(`/api/v1/opportunities/${theirs.id}/shares`, { user_id: u.seller.id, access: 'read' }), 201);
	f = await funnel(u.seller.client, period);
	assert.deepEqual([f.open.count, f.open.amount], [2, 3000], 'a shared opportunity counts for whom it is shared with');
	f = await funnel(u.seller.client, `${period}&owner=${u.seller2.id}`);
	assert.deepEqual([f.open.count, f.open.amount], [1, 2000], 'and is filtered like the rest');
	expectStatus(await u.seller.client.del(`/api/v1/opportunities/${mine.id}`), 204);
});

test('a bad filter is named', async () => {
	const res = await admin.get('/api/v1/opportunities/funnel?from=2027-13&to=2026-01&owner=abc&region=atlantis&product=rowboat&colour=red');
	expectProblem(res, 400, 'bad_request', [['from', 'invalid_month'], ['owner', 'invalid_integer'], ['region', 'invalid_option'], ['product', 'invalid_option'], ['colour', 'unknown_parameter']]);
	expectProblem(await admin.get('/api/v1/opportunities/funnel?from=2027-05&to=2027-01'), 400, 'bad_request', [['to', 'before_from']]);
});

test('the conflict check: open opportunities on the customer and on its look-alikes, whoever owns them', async () => {
	// North registers a customer and an opportunity on it; the closer enters the same club
	// again under another name form with the same phone.
	const club = await u.north.client.create('customers', { name: `三亚半山半岛帆船港有限公司 ${M}`, phone: '0898-88201234' });
	const theirs = await u.north.client.create('opportunities', { name: `帆船港接待艇 ${M}`, customer_id: club.id, product_line: 'catamaran' });
	const won = await admin.create('opportunities', { name: `已赢的 ${M}`, customer_id: club.id, owner_id: u.north.id });
	expectStatus(await move(admin, won.id, 'to_negotiation', { amount: yuan(1000), expected_close: '2026-12-31' }), 200);
	expectStatus(await move(admin, won.id, 'win', { won_reason: '价格' }), 200);
	const again = await u.closer.client.create('customers', { name: `半山半岛帆船港 ${M}`, phone: '0898 8820 1234' });
	const res = await u.closer.client.get(`/api/v1/opportunities/conflicts?customer_id=${again.id}`);
	expectStatus(res, 200);
	assert.ok(res.json.look_alikes.some((h) => h.id === club.id && h.reasons.includes('phone')), 'the look-alike found by the customer match');
	assert.ok(!res.json.opportunities.some((o) => o.id === won.id), 'not the won one');
	assert.deepEqual(res.json.opportunities.filter((o) => o.customer.id === club.id).map((o) => [o.id, o.name, o.stage, o.product_line, o.owner.id, o.customer.id, o.same_customer, o.openable]), [
		[theirs.id, `帆船港接待艇 ${M}`, 'needs', 'catamaran', u.north.id, club.id, false, false],
	], 'the open one, not the won one; another\'s, not openable');
	// Its owner sees it as their own, on the same customer; the one edited is left out. (The
	// look-alikes of other files' customers, on a shared server, are not this test's.)
	const ours = async (q) => (await u.north.client.getJson(`/api/v1/opportunities/conflicts?${q}`)).opportunities.filter((o) => [club.id, again.id].includes(o.customer.id));
	assert.deepEqual((await ours(`customer_id=${club.id}`)).map((o) => [o.id, o.same_customer, o.openable]), [[theirs.id, true, true]]);
	assert.deepEqual(await ours(`customer_id=${club.id}&exclude=${theirs.id}`), []);
	expectProblem(await u.north.client.get('/api/v1/opportunities/conflicts'), 400, 'bad_request', [['customer_id', 'required']]);
	expectProblem(await u.north.client.get('/api/v1/opportunities/conflicts?customer_id=x&owner=1'), 400, 'bad_request', [['customer_id', 'invalid_integer'], ['owner', 'unknown_parameter']]);
	expectProblem(await u.north.client.get('/api/v1/opportunities/conflicts?customer_id=999999999'), 422, 'validation_failed', [['customer_id', 'reference_not_found']]);
	// Another's customer, which the caller may not read, is not asked about by its id.
	expectProblem(await u.closer.client.get(`/api/v1/opportunities/conflicts?customer_id=${club.id}`), 422, 'validation_failed', [['customer_id', 'reference_not_found']]);
});
