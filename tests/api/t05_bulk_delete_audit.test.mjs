// Bulk updates (all or nothing), soft delete and restore, and the audit trail of every write.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { loginAdmin, loginAlice, expectProblem, expectStatus, marker, uscc } from './lib.mjs';

let admin;
let alice;
const M = marker('t05');

before(async () => {
	admin = await loginAdmin();
	alice = await loginAlice();
});

async function lastAuditId() {
	const body = await admin.getJson('/api/v1/audit?limit=1');
	return body.data.length ? body.data[0].id : 0;
}

test('bulk update sets one field on every record, each with its own version and audit row', async () => {
	const recs = [];
	for (const level of ['a', 'c', null]) recs.push(await admin.create('customers', { name: `批量 ${M}`, level, superior_authority: M }));
	const res = await admin.post('/api/v1/customers/bulk-update', { ids: recs.map((r) => r.id), field: 'level', value: 'b' });
	expectStatus(res, 200);
	assert.deepEqual(res.json, { updated: 3 });
	for (const r of recs) {
		const now = await admin.getJson(`/api/v1/customers/${r.id}`);
		assert.equal(now.level, 'b');
		assert.equal(now.version, 2);
		assert.equal(now.updated_by, admin.user.id);
		const trail = await admin.audit('customers', r.id);
		assert.equal(trail[0].action, 'update');
		assert.deepEqual(trail[0].changes, { level: [r.level, 'b'] });
	}
	// Bulk updates obey the same value rules as one update.
	const money = await admin.post('/api/v1/customers/bulk-update', { ids: recs.map((r) => r.id), field: 'capital', value: { amount: 500, currency: 'USD' } });
	expectStatus(money, 200);
	assert.deepEqual((await admin.getJson(`/api/v1/customers/${recs[0].id}`)).capital, { amount: 500, currency: 'USD' });
	// A user may bulk update too (not an administrator-only route).
	const byAlice = await alice.post('/api/v1/customers/bulk-update', { ids: [recs[0].id], field: 'city', value: '杭州' });
	expectStatus(byAlice, 200);
	assert.equal((await admin.getJson(`/api/v1/customers/${recs[0].id}`)).updated_by, alice.user.id);
	assert.equal((await admin.total('customers', { superior_authority: M, level: 'b' })), 3);
});

test('bulk update is all or nothing: one missing id and nothing changes', async () => {
	const a = await admin.create('customers', { name: `全有全无 ${M}`, level: 'a' });
	const b = await admin.create('customers', { name: `全有全无 ${M}`, level: 'a' });
	const gone = await admin.create('customers', { name: `全有全无已删 ${M}`, level: 'a' });
	expectStatus(await admin.del(`/api/v1/customers/${gone.id}`), 204);
	const audit = await lastAuditId();
	for (const missing of [987654321, gone.id]) {
		const res = await admin.post('/api/v1/customers/bulk-update', { ids: [a.id, missing, b.id], field: 'level', value: 'd' });
		const p = expectProblem(res, 422, 'validation_failed', [['ids', 'id_not_found']]);
		assert.match(p.errors.find((e) => e.code === 'id_not_found').message, new RegExp(String(missing)));
	}
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${a.id}`), a);
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${b.id}`), b);
	assert.equal(await lastAuditId(), audit, 'no audit row for a refused bulk update');
	// A value some record cannot take also stops the whole batch.
	const t1 = uscc();
	const c = await admin.create('customers', { name: `全有全无税 ${M}`, tax_id: t1 });
	const audit2 = await lastAuditId();
	const res = await admin.post('/api/v1/customers/bulk-update', { ids: [a.id, b.id], field: 'tax_id', value: uscc() });
	expectProblem(res, 409, 'duplicate', [['tax_id', 'duplicate']]);
	assert.equal((await admin.getJson(`/api/v1/customers/${a.id}`)).tax_id, null);
	assert.equal(await lastAuditId(), audit2);
	assert.equal((await admin.getJson(`/api/v1/customers/${c.id}`)).tax_id, t1);
});

test('bulk update checks its request', async () => {
	const a = await admin.create('customers', { name: `批量校验 ${M}` });
	const audit = await lastAuditId();
	const cases = [
		[{ ids: [a.id], field: 'level', value: 'z' }, [['value', 'invalid_option']]],
		[{ ids: [a.id], field: 'bogus', value: 'x' }, [['field', 'unknown_field']]],
		[{ ids: [a.id], field: 'search_tokens', value: 'x' }, [['field', 'unknown_field']]],
		[{ ids: [a.id], field: 'version', value: 3 }, [['field', 'read_only']]],
		[{ ids: [a.id], field: 'id', value: 3 }, [['field', 'read_only']]],
		[{ ids: [a.id], field: 'level' }, [['value', 'required']]],
		[{ ids: [a.id], value: 'a' }, [['field', 'required']]],
		[{ ids: [], field: 'level', value: 'a' }, [['ids', 'required']]],
		[{ field: 'level', value: 'a' }, [['ids', 'required']]],
		[{ ids: 'all', field: 'level', value: 'a' }, [['ids', 'required']]],
		[{ ids: [a.id, 'x'], field: 'level', value: 'a' }, [['ids', 'invalid_id']]],
		[{ ids: [0], field: 'level', value: 'a' }, [['ids', 'invalid_id']]],
		[{ ids: Array.from({ length: 1001 }, (_, i) => i + 1), field: 'level', value: 'a' }, [['ids', 'too_many']]],
		[{ ids: [a.id], field: 'level', value: 'a', where: 'all' }, [['where', 'unknown_field']]],
		[{ ids: [a.id], field: 'name', value: null }, [['name', 'required']]],
		[{ ids: [a.id], field: 'staff_total', value: -5 }, [['value', 'out_of_range']]],
	];
	for (const [body, fields] of cases) {
		const res = await admin.post('/api/v1/customers/bulk-update', body);
		expectProblem(res, 422, 'validation_failed', fields);
	}
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${a.id}`), a);
	assert.equal(await lastAuditId(), audit);
	// Exactly 1000 ids is allowed (and all must exist).
	const res = await admin.post('/api/v1/customers/bulk-update', {
		ids: [a.id, ...Array.from({ length: 999 }, (_, i) => 900000000 + i)],
		field: 'level',
		value: 'a',
	});
	expectProblem(res, 422, 'validation_failed', [['ids', 'id_not_found']]);
	expectProblem(await admin.post('/api/v1/widgets/bulk-update', { ids: [1], field: 'x', value: 1 }), 404, 'not_found');
});

test('delete is soft: 204, then 404, out of lists and totals; an administrator sees it with deleted=true', async () => {
	// A staff member deletes records of their own (the shipped role 'user').
	const rec = await alice.create('customers', { name: `删除 ${M}`, superior_authority: `${M}-del` });
	const total = await admin.total('customers');
	const res = await alice.del(`/api/v1/customers/${rec.id}`);
	expectStatus(res, 204);
	assert.equal(res.text, '');
	expectProblem(await admin.get(`/api/v1/customers/${rec.id}`), 404, 'not_found');
	expectProblem(await admin.patch(`/api/v1/customers/${rec.id}`, { city: 'x' }), 404, 'not_found');
	expectProblem(await admin.del(`/api/v1/customers/${rec.id}`), 404, 'not_found');
	assert.equal(await admin.total('customers'), total - 1);
	assert.equal(await admin.total('customers', { superior_authority: `${M}-del` }), 0);
	assert.equal(await admin.total('customers', { id__gte: '1' }), total - 1, 'the counted total agrees');
	const seen = await admin.getJson(`/api/v1/customers/${rec.id}?deleted=true`);
	assert.equal(seen.id, rec.id);
	assert.equal(seen.version, 2);
	assert.equal(seen.updated_by, alice.user.id);
	assert.match(seen.deleted_at, /^\d{4}-\d\d-\d\dT/);
	const list = await admin.getJson(`/api/v1/customers?deleted=true&superior_authority=${M}-del`);
	assert.deepEqual(list.data.map((r) => r.id), [rec.id]);
	assert.equal(list.total, 1);
	expectProblem(await alice.get(`/api/v1/customers?deleted=true&superior_authority=${M}-del`), 403, 'forbidden');
	expectProblem(await alice.get(`/api/v1/customers/${rec.id}?deleted=true`), 403, 'forbidden');
	// deleted=false is the default.
	assert.equal((await alice.getJson(`/api/v1/customers?deleted=false&superior_authority=${M}-del`)).total, 0);
	expectProblem(await admin.get(`/api/v1/customers/${(await admin.create('customers', { name: `活 ${M}` })).id}?deleted=true`), 404, 'not_found');
});

test('delete with a stale If-Match is 409 and keeps the record', async () => {
	const rec = await admin.create('customers', { name: `删除条件 ${M}` });
	expectStatus(await admin.patch(`/api/v1/customers/${rec.id}`, { city: '温州' }), 200);
	expectProblem(await admin.del(`/api/v1/customers/${rec.id}`, { headers: { 'If-Match': '"1"' } }), 409, 'conflict');
	expectStatus(await admin.get(`/api/v1/customers/${rec.id}`), 200);
	expectProblem(await admin.del(`/api/v1/customers/${rec.id}`, { headers: { 'If-Match': 'nope' } }), 400, 'bad_request', ['If-Match']);
	expectStatus(await admin.del(`/api/v1/customers/${rec.id}`, { headers: { 'If-Match': '"2"' } }), 204);
});

test('restore: administrators only; the record comes back with a new version', async () => {
	const rec = await admin.create('customers', { name: `恢复 ${M}`, city: '嘉兴' });
	const contact = await admin.create('contacts', { name: `恢复联系人 ${M}`, customer_id: rec.id });
	expectStatus(await admin.del(`/api/v1/customers/${rec.id}`), 204);
	const total = await admin.total('customers');
	expectProblem(await alice.post(`/api/v1/customers/${rec.id}/restore`), 403, 'forbidden');
	expectProblem(await admin.get(`/api/v1/customers/${rec.id}`), 404, 'not_found');
	const res = await admin.post(`/api/v1/customers/${rec.id}/restore`);
	expectStatus(res, 200);
	assert.equal(res.json.id, rec.id);
	assert.equal(res.json.deleted_at, null);
	assert.equal(res.json.version, 3);
	assert.equal(res.json.city, '嘉兴');
	assert.equal(res.headers.get('etag'), '"3"');
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${rec.id}`), res.json);
	assert.equal(await admin.total('customers'), total + 1);
	assert.equal(await admin.total('customers', { id__gte: '1' }), total + 1);
	// The contacts were never deleted and are there again under their customer.
	const related = await admin.getJson(`/api/v1/customers/${rec.id}/contacts`);
	assert.deepEqual(related.data.map((r) => r.id), [contact.id]);
	// Restoring a live or missing record is 404.
	expectProblem(await admin.post(`/api/v1/customers/${rec.id}/restore`), 404, 'not_found');
	expectProblem(await admin.post('/api/v1/customers/987654321/restore'), 404, 'not_found');
	// Contacts restore the same way.
	expectStatus(await admin.del(`/api/v1/contacts/${contact.id}`), 204);
	expectStatus(await admin.post(`/api/v1/contacts/${contact.id}/restore`), 200);
});

test('restore cannot bring back a duplicate of a unique value (409 duplicate on tax_id)', async () => {
	const tax = uscc();
	const old = await admin.create('customers', { name: `旧税号 ${M}`, tax_id: tax });
	expectStatus(await admin.del(`/api/v1/customers/${old.id}`), 204);
	const now = await admin.create('customers', { name: `新税号 ${M}`, tax_id: tax });
	const audit = await lastAuditId();
	expectProblem(await admin.post(`/api/v1/customers/${old.id}/restore`), 409, 'duplicate', [['tax_id', 'duplicate']]);
	expectProblem(await admin.get(`/api/v1/customers/${old.id}`), 404, 'not_found');
	assert.equal(await lastAuditId(), audit);
	assert.equal((await admin.getJson(`/api/v1/customers/${now.id}`)).tax_id, tax);
});

test('the audit trail: create, update, delete and restore with who, when and before/after values', async () => {
	const t0 = Date.now() - 60000;
	const rec = await admin.create('customers', {
		name: `审计 ${M}`,
		city: '宁波',
		level: 'a',
		registered_capital: { amount: 1000, currency: 'CNY' },
		founded_on: '2019-09-09',
	});
	expectStatus(await admin.patch(`/api/v1/customers/${rec.id}`, { city: '绍兴', level: null, registered_capital: 2000 }), 200);
	expectStatus(await alice.patch(`/api/v1/customers/${rec.id}`, { staff_total: 12 }), 200);
	expectProblem(await alice.del(`/api/v1/customers/${rec.id}`), 403, 'forbidden');
	expectStatus(await admin.del(`/api/v1/customers/${rec.id}`), 204);
	expectStatus(await admin.post(`/api/v1/customers/${rec.id}/restore`), 200);
	const trail = await admin.audit('customers', rec.id);
	assert.deepEqual(
		trail.map((a) => a.action),
		['restore', 'delete', 'update', 'update', 'create'],
		'newest first',
	);
	for (let i = 1; i < trail.length; i++) {
		assert.ok(trail[i - 1].id > trail[i].id, 'ids descend');
		assert.ok(trail[i - 1].at >= trail[i].at, 'times descend');
	}
	for (const a of trail) {
		assert.equal(a.entity, 'customers');
		assert.equal(a.record_id, rec.id);
		assert.match(a.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
		assert.ok(Date.parse(a.at) >= t0 && Date.parse(a.at) <= Date.now() + 60000);
	}
	const [restore, del, upd2, upd1, create] = trail;
	assert.equal(create.user_id, admin.user.id);
	assert.deepEqual(create.changes.name, [null, rec.name]);
	assert.deepEqual(create.changes.city, [null, '宁波']);
	assert.deepEqual(create.changes.level, [null, 'a']);
	assert.deepEqual(create.changes.registered_capital, [null, { amount: 1000, currency: 'CNY' }]);
	assert.deepEqual(create.changes.founded_on, [null, '2019-09-09']);
	assert.deepEqual(create.changes.customer_type, [null, 'end_user'], 'defaults are part of what was created');
	assert.ok(!('province' in create.changes), 'fields left empty are not listed');
	assert.ok(!('id' in create.changes) && !('version' in create.changes), 'system columns are not listed');
	assert.equal(upd1.user_id, admin.user.id);
	assert.deepEqual(upd1.changes, {
		city: ['宁波', '绍兴'],
		level: ['a', null],
		registered_capital: [
			{ amount: 1000, currency: 'CNY' },
			{ amount: 2000, currency: 'CNY' },
		],
	});
	assert.equal(upd2.user_id, alice.user.id);
	assert.deepEqual(upd2.changes, { staff_total: [null, 12] });
	assert.equal(del.user_id, admin.user.id);
	assert.equal(restore.user_id, admin.user.id);
	assert.ok(del.changes === null || Object.keys(del.changes).length === 0);
});

test('the audit list: filters, paging, and errors', async () => {
	const rec = await admin.create('customers', { name: `审计分页 ${M}` });
	for (const city of ['一', '二', '三', '四']) expectStatus(await admin.patch(`/api/v1/customers/${rec.id}`, { city }), 200);
	const all = await admin.audit('customers', rec.id);
	assert.equal(all.length, 5);
	const seen = [];
	let cursor = null;
	do {
		const body = await admin.getJson(`/api/v1/audit?entity=customers&record_id=${rec.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
		assert.ok(body.data.length <= 2);
		seen.push(...body.data);
		cursor = body.next_cursor;
	} while (cursor);
	assert.deepEqual(seen, all);
	const creates = await admin.getJson(`/api/v1/audit?entity=customers&record_id=${rec.id}&action=create`);
	assert.deepEqual(creates.data.map((a) => a.action), ['create']);
	const byAlice = await admin.getJson(`/api/v1/audit?user_id=${alice.user.id}&limit=200`);
	assert.ok(byAlice.data.length > 0);
	assert.ok(byAlice.data.every((a) => a.user_id === alice.user.id));
	const contacts = await admin.getJson('/api/v1/audit?entity=contacts&limit=5');
	assert.ok(contacts.data.every((a) => a.entity === 'contacts'));
	for (const [q, field, code] of [
		['foo=1', 'foo', 'unknown_parameter'],
		['record_id=abc', 'record_id', 'invalid_id'],
		['user_id=0', 'user_id', 'invalid_id'],
		['limit=0', 'limit', 'out_of_range'],
		['limit=201', 'limit', 'out_of_range'],
		['cursor=x', 'cursor', 'invalid_cursor'],
	])
		expectProblem(await admin.get(`/api/v1/audit?${q}`), 400, 'bad_request', [[field, code]]);
	expectProblem(await alice.get(`/api/v1/audit?entity=customers&record_id=${rec.id}`), 403, 'forbidden');
});

test('refused writes leave no audit row', async () => {
	const rec = await admin.create('customers', { name: `无审计 ${M}` });
	const audit = await lastAuditId();
	expectProblem(await admin.patch(`/api/v1/customers/${rec.id}`, { level: 'zz' }), 422, 'validation_failed');
	expectProblem(await admin.patch(`/api/v1/customers/${rec.id}`, { city: 'x' }, { headers: { 'If-Match': '"5"' } }), 409, 'conflict', [[null, 'stale_version']]);
	expectProblem(await admin.post('/api/v1/customers', { name: '' }), 422, 'validation_failed');
	expectProblem(await admin.post('/api/v1/contacts', { name: 'x', customer_id: 987654321 }), 422, 'validation_failed');
	expectProblem(await admin.del(`/api/v1/customers/${rec.id}`, { headers: { 'If-Match': '"7"' } }), 409, 'conflict');
	expectProblem(await admin.post(`/api/v1/customers/${rec.id}/restore`), 404, 'not_found');
	expectProblem(await admin.post('/api/v1/customers/bulk-update', { ids: [rec.id, 987654321], field: 'city', value: 'y' }), 422, 'validation_failed');
	assert.equal(await lastAuditId(), audit);
	const trail = await admin.audit('customers', rec.id);
	assert.deepEqual(trail.map((a) => a.action), ['create']);
});

test('bulk delete removes every record or none, each audited as a delete', async () => {
	const recs = [];
	for (let i = 0; i < 3; i++) recs.push(await admin.create('customers', { name: `批量删除 ${M} ${i}`, superior_authority: `del-${M}` }));
	const res = await admin.post('/api/v1/customers/bulk-delete', { ids: recs.map((r) => r.id) });
	expectStatus(res, 200);
	assert.deepEqual(res.json, { deleted: 3 });
	assert.equal(await admin.total('customers', { superior_authority: `del-${M}` }), 0);
	for (const r of recs) {
		expectProblem(await admin.get(`/api/v1/customers/${r.id}`), 404, 'not_found');
		assert.equal((await admin.audit('customers', r.id))[0].action, 'delete');
	}
	// Deleted already, missing, or not the caller's to delete: nothing goes.
	const mine = await alice.create('customers', { name: `爱丽丝的 ${M}` });
	const theirs = await admin.create('customers', { name: `管理员的 ${M}` });
	const audit = await lastAuditId();
	expectProblem(await alice.post('/api/v1/customers/bulk-delete', { ids: [mine.id, recs[0].id] }), 422, 'validation_failed', [['ids', 'id_not_found']]);
	expectProblem(await alice.post('/api/v1/customers/bulk-delete', { ids: [mine.id, theirs.id] }), 403, 'forbidden');
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${mine.id}`), mine);
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${theirs.id}`), theirs);
	assert.equal(await lastAuditId(), audit, 'no audit row for a refused bulk delete');
	expectStatus(await alice.post('/api/v1/customers/bulk-delete', { ids: [mine.id] }), 200);
});

test('bulk delete checks its request', async () => {
	for (const [body, errors] of [
		[{}, [['ids', 'required']]],
		[{ ids: [] }, [['ids', 'required']]],
		[{ ids: ['7'] }, [['ids', 'invalid_id']]],
		[{ ids: Array.from({ length: 1001 }, (_, i) => i + 1) }, [['ids', 'too_many']]],
		[{ ids: [1], field: 'level' }, [['field', 'unknown_field']]],
	])
		expectProblem(await admin.post('/api/v1/customers/bulk-delete', body), 422, 'validation_failed', errors);
});
