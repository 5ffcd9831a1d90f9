// Appraisals (业绩考评, S-PERF: qualitative and quantitative appraisal; docs/internals/SALES.md
// "Appraisals"): a superior appraises one of their people for a quarter — the period made
// whole, the title made from the person, the person's figures of the quarter filled in — grades
// it and writes why; published, the person may read it (not change it) and is told, and answers
// in its comments; a draft is the superior's alone.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t51');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin;
const u = {};
const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const quarter = (d) => {
	const m = Number(d.slice(5, 7));
	const first = Math.floor((m - 1) / 3) * 3 + 1;
	const last = new Date(Date.UTC(Number(d.slice(0, 4)), first + 2, 0)).toISOString().slice(0, 10);
	return [`${d.slice(0, 4)}-${String(first).padStart(2, '0')}-01`, last, Math.floor((m - 1) / 3) + 1];
};

before(async () => {
	admin = await loginAdmin();
	const units = (await admin.getJson('/api/v1/org-units')).data;
	const root = units.find((x) => x.kind === 'company')?.id ?? (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	const dept = (await admin.post('/api/v1/org-units', { name: `东北销售部 ${M}`, kind: 'department', parent_id: root })).json;
	u.manager = await newUser(admin, { name: 'manager', mark: M, password, roles: ['regional_manager'], org_unit_id: dept.id });
	u.seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'], superior_id: u.manager.id, org_unit_id: dept.id, display_name: `吴销售 ${M}` });
	// The seller's quarter: a new customer, two activities, an opportunity won.
	const c = await u.seller.client.create('customers', { name: `大连星海湾游艇会 ${M}` });
	for (const kind of ['call', 'sea_trial'])
		await u.seller.client.create('activities', { subject: `${kind} ${M}`, kind, occurred_at: new Date().toISOString(), customer_id: c.id });
	const o = await u.seller.client.create('opportunities', { name: `48 尺飞桥 ${M}`, customer_id: c.id });
	expectStatus(await u.seller.client.post(`/api/v1/opportunities/${o.id}/transitions/to_signing`, { fields: { amount: { amount: 260_000_000, currency: 'CNY' }, expected_close: today } }), 200);
	expectStatus(await u.seller.client.post(`/api/v1/opportunities/${o.id}/transitions/win`, { fields: { won_reason: '试航满意' } }), 200);
});

test('a quarter\'s appraisal: figures filled in, graded, published to the person, answered in its comments', async () => {
	const [first, last, q] = quarter(today);
	const a = await u.manager.client.create('appraisals', { employee_id: u.seller.id, period: 'quarter', starts_on: today });
	let got = await admin.getJson(`/api/v1/appraisals/${a.id}`);
	assert.deepEqual([got.title, got.starts_on, got.ends_on, got.owner_id], [`吴销售 ${M} · 季度考评 ${today.slice(0, 4)}年第${q}季度`, first, last, u.manager.id]);
	assert.deepEqual([got.new_customers, got.activities, got.stage_moves, got.won_count, got.won_amount.amount], [1, 2, 2, 1, 260_000_000]);
	// A draft is the superior's: the person does not see it.
	expectStatus(await u.seller.client.get(`/api/v1/appraisals/${a.id}`), 404);
	expectProblem(await u.manager.client.post(`/api/v1/appraisals/${a.id}/transitions/publish`, { fields: { grade: 'good' } }), 422, 'validation_failed', [['strengths', 'required'], ['improvements', 'required']]);
	expectProblem(await u.manager.client.patch(`/api/v1/appraisals/${a.id}`, { won_count: 5 }), 422, 'validation_failed', [['won_count', 'read_only']]);
	expectStatus(await u.manager.client.post(`/api/v1/appraisals/${a.id}/transitions/publish`, { fields: { grade: 'good', strengths: '试航转化率高', improvements: '新客户开发偏少', goals: '下季度新增 5 家' } }), 200);
	// Published: the person is told and may read it, not change it.
	const n = (await u.seller.client.getJson('/api/v1/notifications?limit=50')).data;
	assert.ok(n.some((x) => x.entity === 'appraisals' && x.record_id === a.id), 'the person is told');
	got = await u.seller.client.getJson(`/api/v1/appraisals/${a.id}`);
	assert.deepEqual([got.grade, got.stage], ['good', 'published']);
	const denied = await u.seller.client.patch(`/api/v1/appraisals/${a.id}`, { grade: 'excellent' });
	assert.ok([403, 404].includes(denied.status), `the person may not change it (${denied.status})`);
	// They answer in its comments; the superior is told.
	expectStatus(await u.seller.client.post(`/api/v1/appraisals/${a.id}/comments`, { body: '同意，下季度加强新客户开发' }), 201);
	const told = (await u.manager.client.getJson('/api/v1/notifications?limit=50')).data;
	assert.ok(told.some((x) => x.event === 'record.comment' && x.record_id === a.id), 'the superior is told of the answer');
	// Another period, another person: the figures follow.
	expectStatus(await u.manager.client.patch(`/api/v1/appraisals/${a.id}`, { period: 'year', starts_on: '2025-06-01' }), 200);
	got = await admin.getJson(`/api/v1/appraisals/${a.id}`);
	assert.deepEqual([got.starts_on, got.ends_on, got.title, got.activities, got.won_count], ['2025-01-01', '2025-12-31', `吴销售 ${M} · 年度考评 2025年`, 0, 0]);
	expectProblem(await u.manager.client.post('/api/v1/appraisals', { period: 'week', starts_on: today, employee_id: u.seller.id }), 422, 'validation_failed', [['period', 'invalid_option']]);
	// Only one's own people: a salesperson may not read the manager's figures by appraising them.
	expectProblem(await u.seller.client.post('/api/v1/appraisals', { period: 'quarter', starts_on: today, employee_id: u.manager.id }), 403, 'forbidden', [['employee_id', 'forbidden_field']]);
	expectProblem(await u.seller.client.patch(`/api/v1/appraisals/${(await u.seller.client.create('appraisals', { period: 'quarter', starts_on: today, employee_id: u.seller.id })).id}`, { employee_id: u.manager.id }), 403, 'forbidden', [['employee_id', 'forbidden_field']]);
});
