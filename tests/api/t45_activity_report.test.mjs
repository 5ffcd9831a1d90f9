// The activity report (T7, G-5, S-STD; docs/internals/SALES.md "Activity report (T7)"): the
// activities by kind and UTC month, counted from totals the database keeps, agreeing with sums
// this test makes of the activities it creates; every path that writes an activity keeps them
// (create, edit of the kind, the time or the owner, delete, restore, bulk edit, import); the
// caller's scope, with records shared beyond it; the default year; bad parameters named.
// The test's activities are in years nothing else writes (2041–2043) and of its own people.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, marker, expectStatus, expectProblem, newUser } from './lib.mjs';

const M = marker('t45');
const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let admin, u, dept, team, kinds;

before(async () => {
	admin = await loginAdmin();
	const units = (await admin.getJson('/api/v1/org-units')).data;
	const root = units.find((x) => x.kind === 'company')?.id ?? (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	dept = (await admin.post('/api/v1/org-units', { name: `华南销售部 ${M}`, kind: 'department', parent_id: root })).json.id;
	team = (await admin.post('/api/v1/org-units', { name: `华南一组 ${M}`, kind: 'department', parent_id: dept })).json.id;
	const otherDept = (await admin.post('/api/v1/org-units', { name: `西南销售部 ${M}`, kind: 'department', parent_id: root })).json.id;
	const user = async (name, roles, extra) => newUser(admin, { name, mark: M, password, roles, ...extra });
	u = {};
	u.manager = await user('manager', ['regional_manager'], { org_unit_id: dept });
	u.seller = await user('seller', ['salesperson'], { org_unit_id: team, superior_id: u.manager.id });
	u.seller2 = await user('seller2', ['salesperson'], { org_unit_id: dept, superior_id: u.manager.id });
	u.west = await user('west', ['salesperson'], { org_unit_id: otherDept });
	for (const k of ['seller', 'seller2', 'west']) u[k].cust = await u[k].client.create('customers', { name: `${k} 的客户 ${M}` });
	const meta = await admin.getJson('/api/v1/meta/entities/activities');
	kinds = meta.fields.find((f) => f.name === 'kind').options.map((o) => o.key);
});

const report = async (client, q = '') => {
	const res = await client.get(`/api/v1/activities/report${q}`);
	expectStatus(res, 200);
	return res.json;
};
const act = (who, kind, at, extra = {}) => who.client.create('activities', { subject: `${kind} ${at} ${M}`, kind, occurred_at: at, customer_id: who.cust.id, ...extra });

// Every cell, month and kind the report should hold for rows of {kind, month}.
function expected(rows, months) {
	const cells = {}, byKind = {}, byMonth = Object.fromEntries(months.map((m) => [m, 0]));
	for (const r of rows) {
		if (!months.includes(r.month)) continue;
		const k = `${r.month} ${r.kind}`;
		cells[k] = (cells[k] || 0) + 1;
		byKind[r.kind] = (byKind[r.kind] || 0) + 1;
		byMonth[r.month]++;
	}
	return { cells, byKind, byMonth, total: Object.values(byMonth).reduce((a, b) => a + b, 0) };
}

function check(rep, rows, what) {
	const want = expected(rows, rep.months);
	const cells = Object.fromEntries(rep.data.map((c) => [`${c.month} ${c.kind}`, c.count]));
	assert.deepEqual(cells, want.cells, `${what}: the cells`);
	for (const k of rep.kinds) assert.equal(rep.by_kind[k.key], want.byKind[k.key] || 0, `${what}: kind ${k.key}`);
	assert.deepEqual(rep.by_month, want.byMonth, `${what}: by month`);
	assert.equal(rep.total, want.total, `${what}: total`);
}

const months = (from, n) => Array.from({ length: n }, (_, i) => {
	const [y, m] = from.split('-').map(Number);
	const k = y * 12 + m - 1 + i;
	return `${String(Math.floor(k / 12)).padStart(4, '0')}-${String((k % 12) + 1).padStart(2, '0')}`;
});

test('the report counts by kind and UTC month, per team, owner, kind and period', async () => {
	const made = [];
	const add = async (who, kind, at, month) => {
		await act(who, kind, at);
		made.push({ owner: who.id, kind, month });
	};
	await add(u.seller, 'call', '2041-01-05T03:00:00Z', '2041-01');
	await add(u.seller, 'call', '2041-01-20T10:00:00Z', '2041-01');
	await add(u.seller, 'visit', '2041-03-02T09:00:00Z', '2041-03');
	// 08:00 in Shanghai on the first of June is still May in UTC.
	await add(u.seller, 'sea_trial', '2041-06-01T07:59:00+08:00', '2041-05');
	await add(u.seller2, 'wechat', '2041-01-31T23:59:59Z', '2041-01');
	await add(u.seller2, 'quotation', '2041-12-31T12:00:00Z', '2041-12');
	await add(u.seller2, 'visit', '2042-01-01T00:00:00Z', '2042-01');
	await add(u.west, 'boat_show', '2041-03-15T08:00:00Z', '2041-03');

	let rep = await report(admin, `?team=${dept}&from=2041-01&to=2041-12`);
	assert.deepEqual(rep.months, months('2041-01', 12));
	assert.deepEqual([rep.from, rep.to], ['2041-01', '2041-12']);
	assert.deepEqual(rep.kinds.map((k) => k.key), kinds, 'every kind, in the option order');
	assert.equal(rep.kinds.find((k) => k.key === 'sea_trial').label, '试航', 'labels in the caller\'s language');
	const deptRows = made.filter((r) => r.owner !== u.west.id);
	check(rep, deptRows, 'the department and its team');
	check(await report(admin, `?team=${team}&from=2041-01&to=2041-12`), made.filter((r) => r.owner === u.seller.id), 'the team alone');
	check(await report(admin, `?owner=${u.seller2.id}&from=2041-01&to=2042-12`), made.filter((r) => r.owner === u.seller2.id), 'one owner over two years');
	rep = await report(admin, `?team=${dept}&from=2041-01&to=2041-12&kind=call`);
	assert.deepEqual(rep.kinds.map((k) => k.key), ['call'], 'only the kind asked for');
	check(rep, deptRows.filter((r) => r.kind === 'call'), 'one kind');
	check(await report(admin, `?team=${dept}&from=2041-03&to=2041-05`), deptRows, 'a quarter');
	// The whole organisation in a year nobody else writes.
	check(await report(admin, '?from=2041-01&to=2041-12'), made, 'the organisation');
	// A missing end makes a year.
	rep = await report(admin, `?team=${dept}&from=2041-06`);
	assert.deepEqual([rep.from, rep.to, rep.months.length], ['2041-06', '2042-05', 12]);
	check(rep, deptRows, 'a year from June');
	rep = await report(admin, `?team=${dept}&to=2041-03`);
	assert.deepEqual([rep.from, rep.to], ['2040-04', '2041-03']);
	// In English.
	const en = await admin.getJson('/api/v1/activities/report?from=2041-01&to=2041-01', { headers: { 'Accept-Language': 'en' } });
	assert.equal(en.kinds.find((k) => k.key === 'sea_trial').label, 'Sea trial');
});

test('without a period, the twelve months to this one (UTC)', async () => {
	const rep = await report(u.seller.client);
	const now = new Date();
	const to = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
	assert.equal(rep.to, to);
	assert.deepEqual(rep.months, months(rep.from, 12));
	assert.equal(rep.months[11], to);
});

test('every path that writes an activity keeps the totals: edit, delete, restore, owner change, bulk edit, import', async () => {
	const q = `?owner=${u.seller2.id}&from=2043-01&to=2043-12`;
	const counts = async (query = q) => Object.fromEntries((await report(admin, query)).data.map((c) => [`${c.month} ${c.kind}`, c.count]));
	const a = await act(u.seller2, 'call', '2043-02-10T08:00:00Z');
	const b = await act(u.seller2, 'call', '2043-02-11T08:00:00Z');
	assert.deepEqual(await counts(), { '2043-02 call': 2 });
	expectStatus(await u.seller2.client.patch(`/api/v1/activities/${a.id}`, { kind: 'visit' }), 200);
	assert.deepEqual(await counts(), { '2043-02 call': 1, '2043-02 visit': 1 }, 'the kind edited');
	expectStatus(await u.seller2.client.patch(`/api/v1/activities/${a.id}`, { occurred_at: '2043-04-01T01:00:00Z' }), 200);
	assert.deepEqual(await counts(), { '2043-02 call': 1, '2043-04 visit': 1 }, 'the time edited');
	expectStatus(await u.seller2.client.patch(`/api/v1/activities/${a.id}`, { content: '只改内容' }), 200);
	assert.deepEqual(await counts(), { '2043-02 call': 1, '2043-04 visit': 1 }, 'other edits change nothing');
	expectStatus(await u.seller2.client.del(`/api/v1/activities/${b.id}`), 204);
	assert.deepEqual(await counts(), { '2043-04 visit': 1 }, 'deleted');
	expectStatus(await admin.post(`/api/v1/activities/${b.id}/restore`), 200);
	assert.deepEqual(await counts(), { '2043-02 call': 1, '2043-04 visit': 1 }, 'restored');
	expectStatus(await admin.patch(`/api/v1/activities/${b.id}`, { owner_id: u.seller.id }), 200);
	assert.deepEqual(await counts(), { '2043-04 visit': 1 }, 'given to someone else');
	assert.deepEqual(await counts(`?owner=${u.seller.id}&from=2043-01&to=2043-12`), { '2043-02 call': 1 }, 'and counted for them');
	assert.deepEqual(await counts(`?team=${team}&from=2043-01&to=2043-12`), { '2043-02 call': 1 }, 'in their unit');
	expectStatus(await admin.post('/api/v1/activities/bulk-update', { ids: [a.id], field: 'kind', value: 'meeting' }), 200);
	assert.deepEqual(await counts(), { '2043-04 meeting': 1 }, 'a bulk edit');
	// A spreadsheet's time is Shanghai's: 07:30 on 1 August is still July in UTC.
	const csv = `subject,kind,occurred_at,customer_id,owner_id\n导入跟进 ${M},email,2043-08-01 07:30,${u.seller2.cust.id},${u.seller2.id}\n导入跟进二 ${M},email,2043-08-01 08:30,${u.seller2.cust.id},${u.seller2.id}\n`;
	const imp = await admin.req('POST', '/api/v1/activities/import', { body: csv, headers: { 'Content-Type': 'text/csv; charset=utf-8' } });
	expectStatus(imp, 200);
	assert.deepEqual(await counts(), { '2043-04 meeting': 1, '2043-07 email': 1, '2043-08 email': 1 }, 'an import');
	const del = await admin.post('/api/v1/activities/bulk-delete', { ids: [a.id] });
	expectStatus(del, 200);
	assert.deepEqual(await counts(), { '2043-07 email': 1, '2043-08 email': 1 }, 'a bulk delete');
});

test('each sees the report of their scope, and what is shared with them besides', async () => {
	const mine = await act(u.seller, 'visit', '2044-05-05T05:00:00Z');
	const theirs = await act(u.seller2, 'meeting', '2044-05-06T05:00:00Z');
	await act(u.west, 'call', '2044-05-07T05:00:00Z');
	const period = '?from=2044-05&to=2044-05';
	let rep = await report(u.seller.client, period);
	assert.deepEqual(rep.by_month, { '2044-05': 1 }, 'a salesperson sees their own');
	assert.equal(rep.by_kind.visit, 1);
	const listed = async (who) => who.client.total('activities', { occurred_at__gte: '2044-05-01T00:00:00Z', occurred_at__lt: '2044-06-01T00:00:00Z' });
	rep = await report(u.manager.client, period);
	assert.deepEqual([rep.by_kind.visit, rep.by_kind.meeting], [1, 1], 'the regional manager sees the department');
	assert.equal(rep.total, await listed(u.manager), 'what their list shows (the subsidiary: here the company)');
	assert.equal((await report(u.seller2.client, period)).total, await listed(u.seller2), 'a salesperson: what their list shows');
	rep = await report(u.west.client, period);
	assert.deepEqual([rep.total, rep.by_kind.call], [1, 1], 'another department sees its own only');
	expectStatus(await u.seller2.client.post(`/api/v1/activities/${theirs.id}/shares`, { user_id: u.seller.id, access: 'read' }), 201);
	rep = await report(u.seller.client, period);
	assert.deepEqual([rep.total, rep.by_kind.visit, rep.by_kind.meeting], [2, 1, 1], 'a shared activity counts for whom it is shared with');
	rep = await report(u.seller.client, `${period}&owner=${u.seller2.id}`);
	assert.deepEqual(rep.data, [{ month: '2044-05', kind: 'meeting', count: 1 }], 'and is filtered like the rest');
	rep = await report(u.seller.client, `${period}&kind=visit`);
	assert.equal(rep.total, 1, 'by kind too');
	expectStatus(await u.seller2.client.del(`/api/v1/activities/${theirs.id}`), 204);
	rep = await report(u.seller.client, period);
	assert.equal(rep.total, 1, 'a shared one deleted counts no more');
	expectStatus(await u.seller.client.del(`/api/v1/activities/${mine.id}`), 204);
});

test('bad parameters are named', async () => {
	expectProblem(await admin.get('/api/v1/activities/report?from=2041-13&owner=abc&team=0&kind=telepathy&colour=red'), 400, 'bad_request', [['from', 'invalid_month'], ['owner', 'invalid_integer'], ['team', 'invalid_integer'], ['kind', 'invalid_option'], ['colour', 'unknown_parameter']]);
	expectProblem(await admin.get('/api/v1/activities/report?from=2041-05&to=2041-01'), 400, 'bad_request', [['to', 'before_from']]);
	expectProblem(await admin.get('/api/v1/activities/report?from=2000-01&to=2041-01'), 400, 'bad_request', [['to', 'too_many_months']]);
	expectProblem(await admin.get('/api/v1/activities/report?to=2041'), 400, 'bad_request', [['to', 'invalid_month']]);
	// Ten years are allowed; the edges of what a month can say too.
	expectStatus(await admin.get('/api/v1/activities/report?from=2032-02&to=2042-01'), 200);
	expectStatus(await admin.get('/api/v1/activities/report?to=0000-03'), 200);
	expectStatus(await admin.get('/api/v1/activities/report?from=9999-06'), 200);
});
