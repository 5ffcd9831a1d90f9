// Sensitive fields (masked in lists, details, search and export unless revealed by a role that
// may, every reveal audited), sharing records with colleagues and units, imports under the
// importer's permissions, and the audit of exports.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loginAdmin, login, marker, expectStatus, expectProblem, parseCsv } from './lib.mjs';

const M = marker('t16');
const password = randomBytes(12).toString('base64url');
let admin;
const u = {}; // name → {id, client}
const units = {};

async function user(name, roles, unitId) {
	const res = await admin.post('/api/v1/users', { must_change_password: false, username: `${name}_${M}`, password, roles, org_unit_id: unitId });
	expectStatus(res, 201);
	u[name] = { id: res.json.id, client: await login(`${name}_${M}`, password) };
}

before(async () => {
	admin = await loginAdmin();
	const all = (await admin.getJson('/api/v1/org-units')).data;
	let root = all.find((x) => x.parent_id === null)?.id;
	if (!root) root = (await admin.post('/api/v1/org-units', { name: '测试集团', kind: 'company' })).json.id;
	units.sub = (await admin.post('/api/v1/org-units', { name: `分公司 ${M}`, kind: 'subsidiary', parent_id: root })).json.id;
	units.d1 = (await admin.post('/api/v1/org-units', { name: `一部 ${M}`, kind: 'department', parent_id: units.sub })).json.id;
	units.d2 = (await admin.post('/api/v1/org-units', { name: `二部 ${M}`, kind: 'department', parent_id: units.sub })).json.id;
	units.team = (await admin.post('/api/v1/org-units', { name: `攻坚组 ${M}`, kind: 'team', parent_id: root })).json.id;
	await user('seller', ['salesperson'], units.d1);
	await user('peer', ['salesperson'], units.d1);
	await user('teamed', ['salesperson'], units.team);
	await user('manager', ['regional_manager'], units.d1);
	await user('visitor', ['return_visit'], units.d1);
	await user('director', ['sales_director'], units.d1);
});

const SECRET = { legal_rep_phone: '13812345678', legal_rep_email: 'boss@haiyun.example', legal_rep_home_address: '厦门市思明区秘密路 1 号', legal_rep_birthday: '1970-05-06' };
const MASKED = { legal_rep_phone: '138****5678', legal_rep_email: 'b***@haiyun.example', legal_rep_home_address: '******', legal_rep_birthday: null };

test('sensitive fields are masked in lists, details, related lists and exports, for every role until revealed', async () => {
	const rec = await u.seller.client.create('customers', { name: `敏感 ${M}`, superior_authority: M, ...SECRET });
	for (const [k, v] of Object.entries(MASKED)) assert.deepEqual(rec[k], v, `the answer to a create is masked too (${k})`);
	for (const who of ['seller', 'visitor', 'director']) {
		const c = u[who].client;
		const one = await c.getJson(`/api/v1/customers/${rec.id}`);
		const list = (await c.getJson(`/api/v1/customers?superior_authority=${M}`)).data.find((r) => r.id === rec.id);
		for (const [k, v] of Object.entries(MASKED)) {
			assert.deepEqual(one[k], v, `${who}: get masks ${k}`);
			assert.deepEqual(list[k], v, `${who}: list masks ${k}`);
		}
	}
	const adm = await admin.getJson(`/api/v1/customers/${rec.id}`);
	assert.equal(adm.legal_rep_phone, '138****5678', 'administrators see masks too until they reveal');
	// Export: masked cells.
	const ex = await u.director.client.get(`/api/v1/customers/export?format=csv&header=names&superior_authority=${M}`);
	expectStatus(ex, 200);
	const rows = parseCsv(Buffer.from(ex.bytes).toString('utf8').replace(/^\uFEFF/, ''));
	const row = rows.find((r) => r[rows[0].indexOf('id')] === String(rec.id));
	assert.equal(row[rows[0].indexOf('legal_rep_phone')], '138****5678');
	assert.equal(row[rows[0].indexOf('legal_rep_home_address')], '******');
	assert.ok(!ex.text.includes('13812345678') && !ex.text.includes('秘密路'), 'no sensitive value in the file');
	// The audit trail says that they changed, not what they hold (search and export alike).
	const created = (await admin.audit('customers', rec.id)).find((a) => a.action === 'create');
	assert.deepEqual(created.changes.legal_rep_phone, [null, '138****5678']);
	assert.deepEqual(created.changes.legal_rep_birthday, [null, null]);
	assert.deepEqual(created.changes.name, [null, `敏感 ${M}`], 'other fields as they were');
	const csv = await admin.get(`/api/v1/audit/export?entity=customers&record_id=${rec.id}`);
	expectStatus(csv, 200);
	assert.ok(!csv.text.includes('13812345678') && !csv.text.includes('秘密路'), 'no sensitive value in the exported trail');
	// A related list masks the child's sensitive fields.
	await u.seller.client.create('contacts', { name: `敏感联系人 ${M}`, customer_id: rec.id, home_address: '鼓浪屿 9 号' });
	const rel = await u.seller.client.getJson(`/api/v1/customers/${rec.id}/contacts`);
	assert.equal(rel.data[0].home_address, '******');
});

test('search never finds a record by a sensitive value, and filters and sorts on one need the permission', async () => {
	const rec = await u.seller.client.create('customers', { name: `搜索敏感 ${M}`, legal_rep_home_address: `独一无二地址${M}` });
	for (const c of [u.seller.client, u.director.client, admin]) {
		const page = await c.getJson(`/api/v1/customers?q=${encodeURIComponent(`独一无二地址${M}`)}`);
		assert.equal(page.data.length, 0, 'sensitive fields are not searchable');
	}
	const byName = await u.director.client.getJson(`/api/v1/customers?q=${encodeURIComponent(`搜索敏感 ${M}`)}`);
	assert.deepEqual(byName.data.map((r) => r.id), [rec.id]);
	assert.equal(byName.data[0].legal_rep_home_address, '******', 'a search result is masked like any list');
	expectProblem(await u.visitor.client.get(`/api/v1/customers?legal_rep_phone=13812345678`), 400, 'bad_request', [['legal_rep_phone', 'forbidden_field']]);
	expectProblem(await u.visitor.client.get(`/api/v1/customers?legal_rep_phone__like=138`), 400, 'bad_request', [['legal_rep_phone__like', 'forbidden_field']]);
	const ok = await u.director.client.getJson(`/api/v1/customers?legal_rep_home_address=${encodeURIComponent(`独一无二地址${M}`)}`);
	assert.deepEqual(ok.data.map((r) => r.id), [rec.id], 'a role that may see the field may filter on it');
});

test('reveal: within the sensitive scope only, refused for roles without it, and every reveal is audited', async () => {
	const own = await u.seller.client.create('customers', { name: `揭示 ${M}`, superior_authority: `${M}-r`, ...SECRET });
	const peers = await u.peer.client.create('customers', { name: `同事的 ${M}`, superior_authority: `${M}-r`, ...SECRET });
	const shown = await u.seller.client.getJson(`/api/v1/customers/${own.id}?reveal=true`);
	for (const [k, v] of Object.entries(SECRET)) assert.equal(shown[k], v, `revealed ${k}`);
	const trail = await admin.audit('customers', own.id);
	const reveal = trail.find((a) => a.action === 'reveal');
	assert.ok(reveal, 'the reveal is in the audit trail');
	assert.equal(reveal.user_id, u.seller.id);
	assert.deepEqual(reveal.changes.fields.sort(), Object.keys(SECRET).sort());
	assert.equal(reveal.ip, '127.0.0.1');
	expectProblem(await u.visitor.client.get(`/api/v1/customers/${own.id}?reveal=true`), 403, 'forbidden');
	expectProblem(await u.visitor.client.get(`/api/v1/customers?superior_authority=${M}-r&reveal=true`), 403, 'forbidden');
	// The manager reads the subsidiary but sees sensitive fields of their department and below:
	// in one list, some rows revealed and some not.
	const mgr = u.manager.client;
	const inDept = await admin.create('customers', { name: `部门内 ${M}`, superior_authority: `${M}-r`, owner_id: u.peer.id, ...SECRET });
	const d2owner = (await admin.post('/api/v1/users', { must_change_password: false, username: `d2_${M}`, password, roles: ['salesperson'], org_unit_id: units.d2 })).json.id;
	const inD2 = await admin.create('customers', { name: `二部的 ${M}`, superior_authority: `${M}-r`, owner_id: d2owner, ...SECRET });
	const list = await mgr.getJson(`/api/v1/customers?superior_authority=${M}-r&reveal=true&limit=200`);
	const byId = new Map(list.data.map((r) => [r.id, r]));
	assert.equal(byId.get(inDept.id).legal_rep_phone, '13812345678');
	assert.equal(byId.get(peers.id).legal_rep_phone, '13812345678');
	assert.equal(byId.get(inD2.id).legal_rep_phone, '138****5678', 'outside the sensitive scope the row stays masked');
	expectProblem(await mgr.get(`/api/v1/customers/${inD2.id}?reveal=true`), 403, 'forbidden');
	expectStatus(await mgr.get(`/api/v1/customers/${inD2.id}`), 200);
	const audit = await admin.getJson(`/api/v1/audit?entity=customers&action=reveal&user_id=${u.manager.id}`);
	assert.ok(audit.data.some((a) => a.record_id === null && a.changes.query.reveal === 'true'), 'a revealing list is audited with its query');
});

test('writing a sensitive field needs the permission for that record', async () => {
	const visitorRec = await admin.create('customers', { name: `回访 ${M}`, owner_id: u.visitor.id });
	// return_visit may not update at all; a marketing director may update own records but has
	// no sensitive permission.
	const mkt = (await admin.post('/api/v1/users', { must_change_password: false, username: `mkt_${M}`, password, roles: ['marketing_director'], org_unit_id: units.d1 })).json.id;
	const m = await login(`mkt_${M}`, password);
	const rec = await m.create('customers', { name: `市场 ${M}` });
	assert.equal(rec.owner_id, mkt, 'their own record');
	expectProblem(await m.patch(`/api/v1/customers/${rec.id}`, { legal_rep_phone: '13900000000' }), 403, 'forbidden', [['legal_rep_phone', 'forbidden_field']]);
	expectProblem(await m.post('/api/v1/customers', { name: `市场2 ${M}`, legal_rep_home_address: 'x' }), 403, 'forbidden', ['legal_rep_home_address']);
	expectProblem(await m.post('/api/v1/customers/bulk-update', { ids: [rec.id], field: 'legal_rep_phone', value: '13900000000' }), 403, 'forbidden', [['field', 'forbidden_field']]);
	// Sending the value it has is refused too: otherwise 200 or 403 would tell a guess apart.
	expectProblem(await m.patch(`/api/v1/customers/${rec.id}`, { legal_rep_phone: null }), 403, 'forbidden', ['legal_rep_phone']);
	// A manager sees sensitive fields of the department and below only: filtering on one
	// across the wider reads would tell the others' values.
	expectProblem(await u.manager.client.get('/api/v1/customers?legal_rep_phone=13812345678'), 400, 'bad_request', [['legal_rep_phone', 'forbidden_field']]);
	expectProblem(await u.visitor.client.patch(`/api/v1/customers/${visitorRec.id}`, { legal_rep_phone: '13900000000' }), 403, 'forbidden');
	assert.equal((await admin.getJson(`/api/v1/customers/${visitorRec.id}?reveal=true`)).legal_rep_phone, null, 'nothing was written');
	// The salesperson may on their own records.
	const own = await u.seller.client.create('customers', { name: `自有 ${M}` });
	expectStatus(await u.seller.client.patch(`/api/v1/customers/${own.id}`, { legal_rep_phone: '13900000000' }), 200);
});

test('sharing: read or edit, with a user or a unit; unsharing takes it back; all audited', async () => {
	const s = u.seller.client;
	const rec = await s.create('customers', { name: `共享 ${M}`, superior_authority: `${M}-s` });
	expectProblem(await u.teamed.client.get(`/api/v1/customers/${rec.id}`), 404, 'not_found');
	// Shared with a user, to read.
	const sh = await s.post(`/api/v1/customers/${rec.id}/shares`, { user_id: u.teamed.id, access: 'read' });
	expectStatus(sh, 201);
	expectStatus(await u.teamed.client.get(`/api/v1/customers/${rec.id}`), 200);
	assert.equal(await u.teamed.client.total('customers', { superior_authority: `${M}-s` }), 1, 'a shared record counts in lists and totals');
	expectProblem(await u.teamed.client.patch(`/api/v1/customers/${rec.id}`, { city: '泉州' }), 403, 'forbidden');
	expectProblem(await u.teamed.client.post(`/api/v1/customers/${rec.id}/shares`, { user_id: u.peer.id, access: 'read' }), 403, 'forbidden', []);
	// Shared with the team (a unit), to edit: its members may change it.
	const tsh = await s.post(`/api/v1/customers/${rec.id}/shares`, { org_unit_id: units.team, access: 'edit' });
	expectStatus(tsh, 201);
	expectStatus(await u.teamed.client.patch(`/api/v1/customers/${rec.id}`, { city: '泉州' }), 200);
	expectProblem(await u.teamed.client.del(`/api/v1/customers/${rec.id}`), 403, 'forbidden');
	const shares = await s.getJson(`/api/v1/customers/${rec.id}/shares`);
	assert.deepEqual(shares.data.map((x) => [x.user_id, x.org_unit_id, x.access]), [[u.teamed.id, null, 'read'], [null, units.team, 'edit']]);
	// Bad requests name the field.
	expectProblem(await s.post(`/api/v1/customers/${rec.id}/shares`, { user_id: u.peer.id, access: 'own' }), 422, 'validation_failed', [['access', 'invalid_option']]);
	expectProblem(await s.post(`/api/v1/customers/${rec.id}/shares`, { access: 'read' }), 422, 'validation_failed', ['user_id']);
	expectProblem(await s.post(`/api/v1/customers/${rec.id}/shares`, { user_id: 999999, access: 'read' }), 422, 'reference_not_found', ['user_id']);
	// A record that is not there has no shares, even for those who read everything.
	expectProblem(await u.director.client.post('/api/v1/customers/999999999/shares', { user_id: u.peer.id, access: 'read' }), 404, 'not_found');
	// Someone who cannot read it cannot see or make its shares.
	expectProblem(await u.peer.client.get(`/api/v1/customers/${rec.id}/shares`), 404, 'not_found');
	// Unshare both: back to nothing.
	expectStatus(await s.del(`/api/v1/customers/${rec.id}/shares/${sh.json.id}`), 204);
	expectStatus(await s.del(`/api/v1/customers/${rec.id}/shares/${tsh.json.id}`), 204);
	expectProblem(await s.del(`/api/v1/customers/${rec.id}/shares/${tsh.json.id}`), 404, 'not_found');
	expectProblem(await u.teamed.client.get(`/api/v1/customers/${rec.id}`), 404, 'not_found');
	const trail = (await admin.audit('customers', rec.id)).map((a) => a.action);
	assert.deepEqual(trail.filter((a) => a === 'share' || a === 'unshare'), ['unshare', 'unshare', 'share', 'share']);
});

test('import obeys the importer\'s permissions: import, owners in the file, sensitive columns', async () => {
	const csv = (head, ...rows) => [head, ...rows].join('\r\n') + '\r\n';
	const post = (c, body) => c.req('POST', '/api/v1/customers/import', { headers: { 'Content-Type': 'text/csv' }, body });
	expectProblem(await post(u.seller.client, csv('name', `导入 ${M}`)), 403, 'forbidden');
	expectProblem(await post(u.visitor.client, csv('name', `导入 ${M}`)), 403, 'forbidden');
	// A regional manager may import, but not name owners (assign is not over everyone) …
	const withOwner = await post(u.manager.client, csv('name,owner_id', `导入甲 ${M},${u.peer.id}`));
	expectProblem(withOwner, 403, 'forbidden', [['owner_id', 'forbidden_field']]);
	// … and what they import is theirs, in their unit.
	const res = await post(u.manager.client, csv('name,superior_authority', `导入乙 ${M},${M}-imp`));
	expectStatus(res, 200);
	const rows = await admin.listAll('customers', { superior_authority: `${M}-imp` });
	assert.equal(rows.length, 1);
	assert.equal(rows[0].owner_id, u.manager.id);
	assert.equal(rows[0].org_unit_id, units.d1);
	// A sales director may name owners; the unit follows each owner.
	const res2 = await post(u.director.client, csv('name,owner_id,superior_authority', `导入丙 ${M},${u.teamed.id},${M}-imp2`));
	expectStatus(res2, 200);
	const r2 = await admin.listAll('customers', { superior_authority: `${M}-imp2` });
	assert.equal(r2[0].owner_id, u.teamed.id);
	assert.equal(r2[0].org_unit_id, units.team);
});

test('every export is in the audit trail with its query', async () => {
	const before = await admin.getJson(`/api/v1/audit?action=export&user_id=${u.director.id}`);
	expectStatus(await u.director.client.get(`/api/v1/customers/export?format=xlsx&superior_authority=${M}`), 200);
	const after = await admin.getJson(`/api/v1/audit?action=export&user_id=${u.director.id}`);
	assert.equal(after.data.length, before.data.length + 1);
	const row = after.data[0];
	assert.equal(row.entity, 'customers');
	assert.equal(row.record_id, null);
	assert.deepEqual(row.changes.query, { format: 'xlsx', superior_authority: M });
	assert.equal(row.ip, '127.0.0.1');
});
