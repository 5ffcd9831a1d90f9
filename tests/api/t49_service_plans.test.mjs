// Customer service plans (客户服务计划, S-REL; docs/internals/SALES.md "Service plans") on the
// flow Sextant ships: written by the salesperson with the customer's analysis and grade,
// reviewed by the customer director and approved by the sales director, carried out, its
// results recorded (the customer director told), its improvements written down; sent back
// with a comment on the way.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t49');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin, customer;
const u = {};

before(async () => {
	admin = await loginAdmin();
	u.seller = await newUser(admin, { name: 'seller', mark: M, password, roles: ['salesperson'] });
	u.cdir = await newUser(admin, { name: 'cdir', mark: M, password, roles: ['customer_director'] });
	u.sdir = await newUser(admin, { name: 'sdir', mark: M, password, roles: ['sales_director'] });
	customer = await u.seller.client.create('customers', { name: `深圳湾游艇会 ${M}` });
});

const fire = (who, id, key, fields = {}) => u[who].client.post(`/api/v1/service_plans/${id}/transitions/${key}`, { fields });
const stage = async (id) => (await admin.getJson(`/api/v1/service_plans/${id}`)).stage;
const decide = async (who, id, verdict, comment) => {
	const t = (await u[who].client.getJson('/api/v1/approval-tasks')).data.find((x) => x.entity === 'service_plans' && x.record_id === id);
	assert.ok(t, `${who} has the plan to decide`);
	return u[who].client.post(`/api/v1/approval-tasks/${t.id}/${verdict}`, comment ? { comment } : {});
};

test('a service plan from written to improved', async () => {
	const p = await u.seller.client.create('service_plans', { title: `深圳湾游艇会 2027 年服务计划 ${M}`, customer_id: customer.id, customer_grade: 'key', starts_on: '2027-01-01', ends_on: '2027-12-31', analysis: '三艘在保，明年一艘换新' });
	assert.equal(p.stage, 'draft');
	expectProblem(await fire('seller', p.id, 'submit'), 422, 'validation_failed', [['goals', 'required'], ['actions', 'required']]);
	expectStatus(await fire('seller', p.id, 'submit', { goals: '续保三艘，促成换新', actions: '每季度保养巡检；春季试航日；VIP 船长培训' }), 200);
	assert.equal(await stage(p.id), 'review');
	// The customer director sends it back once.
	expectStatus(await decide('cdir', p.id, 'reject', '请写明换新的时间表'), 200);
	assert.equal(await stage(p.id), 'draft');
	expectStatus(await fire('seller', p.id, 'submit', { actions: '每季度保养巡检；春季试航日；6 月前提交换新方案' }), 200);
	expectStatus(await decide('cdir', p.id, 'approve'), 200);
	assert.equal(await stage(p.id), 'review', 'the sales director approves after');
	expectStatus(await decide('sdir', p.id, 'approve'), 200);
	assert.equal(await stage(p.id), 'approved');
	expectStatus(await fire('seller', p.id, 'start'), 200);
	expectProblem(await fire('seller', p.id, 'complete'), 422, 'validation_failed', [['results', 'required']]);
	expectStatus(await fire('seller', p.id, 'complete', { results: '续保三艘；换新签约 1 艘 62 尺' }), 200);
	assert.ok((await u.cdir.client.getJson('/api/v1/notifications?limit=50')).data.some((n) => n.entity === 'service_plans' && n.record_id === p.id && n.event === 'process.transition'), 'the customer director is told of the results');
	expectStatus(await fire('seller', p.id, 'improve', { improvements: '巡检报告改为线上推送' }), 200);
	assert.equal(await stage(p.id), 'improved');
	const tl = await admin.getJson(`/api/v1/customers/${customer.id}/timeline?limit=50`);
	assert.ok(tl.data.some((x) => x.source === 'service_plans' && x.id === p.id), 'on the customer\'s timeline');
	const s = await u.seller.client.getJson(`/api/v1/service_plans/${p.id}/process`);
	assert.deepEqual(s.history.map((h) => h.transition), ['submit', 'send_back', 'submit', 'approve', 'start', 'complete', 'improve']);
});
