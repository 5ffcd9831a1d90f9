// Bids (投标, S-BID; docs/internals/SALES.md): a bid on an opportunity of its own buyer, its
// documents attached, submitted with our price, opened, won or lost (naming the winner), or
// withdrawn; the superior told; on the buyer's timeline.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t43');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin, u, buyer, opp;

before(async () => {
	admin = await loginAdmin();
	u = {};
	u.boss = await newUser(admin, { name: 'boss', mark: M, password, roles: ['sales_director'] });
	u.seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'], superior_id: u.boss.id });
	u.other = await newUser(admin, { name: 'other', mark: M, password, roles: ['salesperson'] });
	buyer = await u.seller.client.create('customers', { name: `海事局采购中心 ${M}` });
	opp = await u.seller.client.create('opportunities', { name: `执法艇采购 ${M}`, customer_id: buyer.id });
});

const move = (who, id, t, fields = {}) => who.client.post(`/api/v1/bids/${id}/transitions/${t}`, { fields });

test('a bid from preparation to won, with its documents, the superior told', async () => {
	const elsewhere = await u.seller.client.create('customers', { name: `别的客户 ${M}` });
	expectProblem(await u.seller.client.post('/api/v1/bids', { title: `错配 ${M}`, customer_id: elsewhere.id, opportunity_id: opp.id, deadline: '2027-03-01T02:00:00Z' }), 422, 'validation_failed', [['opportunity_id', 'reference_not_same']]);
	expectProblem(await u.seller.client.post('/api/v1/bids', { title: `没有截止 ${M}`, customer_id: buyer.id }), 422, 'validation_failed', [['deadline', 'required']]);
	const b = await u.seller.client.create('bids', { title: `12 米执法艇公开招标 ${M}`, tender_no: 'HSJ-2027-006', customer_id: buyer.id, opportunity_id: opp.id, deadline: '2027-03-01T02:00:00Z', bond: { amount: 20_000_000, currency: 'CNY' } });
	assert.equal(b.stage, 'preparation');
	const file = await u.seller.client.req('POST', `/api/v1/bids/${b.id}/files?name=${encodeURIComponent('技术标书.pdf')}`, { body: Buffer.from('%PDF-1.4\n%tech\n'), headers: { 'Content-Type': 'application/pdf' } });
	expectStatus(file, 201);

	expectProblem(await move(u.seller, b.id, 'submit'), 422, 'validation_failed', [['bid_amount', 'required']]);
	expectStatus(await move(u.other, b.id, 'submit', { bid_amount: { amount: 1, currency: 'CNY' } }), 404);
	expectStatus(await move(u.seller, b.id, 'submit', { bid_amount: { amount: 385_000_000, currency: 'CNY' } }), 200);
	const told = (await u.boss.client.getJson('/api/v1/notifications?limit=50')).data;
	assert.ok(told.some((n) => n.entity === 'bids' && n.record_id === b.id), 'the superior is told of the submission');
	expectProblem(await move(u.seller, b.id, 'win', { result_note: '还没开标' }), 409, 'conflict', [['stage', 'illegal_transition']]);
	expectStatus(await move(u.seller, b.id, 'open', { opening_at: '2027-03-01T03:00:00Z' }), 200);
	expectStatus(await move(u.seller, b.id, 'win', { result_note: '综合评分第一', rank: 1 }), 200);
	const done = await admin.getJson(`/api/v1/bids/${b.id}`);
	assert.deepEqual([done.stage, done.rank, done.bid_amount.amount], ['won', 1, 385_000_000]);
	const files = (await admin.getJson(`/api/v1/bids/${b.id}/files`)).data;
	assert.equal(files[0].name, '技术标书.pdf');
	const tl = await admin.getJson(`/api/v1/customers/${buyer.id}/timeline?limit=50`);
	assert.ok(tl.data.some((x) => x.source === 'bids' && x.id === b.id), 'on the buyer\'s timeline');
	assert.equal((await admin.getJson(`/api/v1/opportunities/${opp.id}/bids`)).data.length, 1, 'in the opportunity\'s bids');
});

test('a lost bid names the winner; a bid may be withdrawn before its opening', async () => {
	const b = await u.seller.client.create('bids', { title: `交通艇招标 ${M}`, customer_id: buyer.id, deadline: '2027-05-01T02:00:00Z' });
	expectStatus(await move(u.seller, b.id, 'submit', { bid_amount: { amount: 90_000_000, currency: 'CNY' } }), 200);
	expectStatus(await move(u.boss, b.id, 'open', { opening_at: '2027-05-01T03:00:00Z' }), 200);
	expectProblem(await move(u.seller, b.id, 'lose', { result_note: '价格偏高' }), 422, 'validation_failed', [['winner', 'required']]);
	expectStatus(await move(u.seller, b.id, 'lose', { result_note: '价格偏高', winner: '某船厂', rank: 3 }), 200);
	const w = await u.seller.client.create('bids', { title: `放弃的招标 ${M}`, customer_id: buyer.id, deadline: '2027-06-01T02:00:00Z' });
	expectStatus(await move(u.seller, w.id, 'withdraw', { result_note: '资质要求不符' }), 200);
	expectProblem(await move(u.seller, w.id, 'submit', { bid_amount: { amount: 1, currency: 'CNY' } }), 409, 'conflict', [['stage', 'illegal_transition']]);
});
