// Custom fields end to end (metadata, OpenAPI, create, update, filters, sort, export, import,
// search, removal) and editing option lists of any enum.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loginAdmin, loginAlice, expectProblem, expectStatus, marker, parseCsv } from './lib.mjs';

let admin;
let alice;
const M = marker('t07');
const label = (zh, en) => ({ 'zh-CN': zh, en });
const FIELDS = '/api/v1/meta/entities/customers/fields';

before(async () => {
	admin = await loginAdmin();
	alice = await loginAlice();
});

async function customerMeta() {
	return admin.getJson('/api/v1/meta/entities/customers');
}

test('an administrator adds a decimal field: 201 with its definition, at once in the metadata and OpenAPI', async () => {
	const res = await admin.post(FIELDS, { name: 'c_budget', type: 'decimal', scale: 2, indexed: true, label: label('预算', 'Budget'), help: label('年度预算', 'Yearly budget') });
	expectStatus(res, 201);
	const f = res.json;
	assert.equal(f.name, 'c_budget');
	assert.equal(f.type, 'decimal');
	assert.equal(f.scale, 2);
	assert.equal(f.custom, true);
	assert.equal(f.system, false);
	assert.equal(f.indexed, true);
	assert.equal(f.sortable, true);
	assert.equal(f.read_only, false);
	assert.deepEqual(f.label, label('预算', 'Budget'));
	assert.equal(f.section, 'custom');
	assert.ok(f.operators.includes('gte') && f.operators.includes('in'));
	const m = await customerMeta();
	assert.deepEqual(m.fields.find((x) => x.name === 'c_budget'), f);
	const all = await admin.getJson('/api/v1/meta');
	assert.ok(all.entities.find((e) => e.name === 'customers').fields.some((x) => x.name === 'c_budget'));
	// Users see the model too.
	assert.ok((await alice.getJson('/api/v1/meta/entities/customers')).fields.some((x) => x.name === 'c_budget'));
	const oa = await admin.getJson('/api/v1/openapi.json');
	assert.ok(JSON.stringify(oa).includes('"c_budget"'), 'the OpenAPI document knows the field');
	// A record without it has it as null.
	const rec = await admin.create('customers', { name: `自定义前 ${M}` });
	assert.equal(rec.c_budget, null);
});

test('a custom field works in create, update, filters, sort, export, import and the audit', async () => {
	const a = await admin.create('customers', { name: `预算甲 ${M}`, superior_authority: M, c_budget: '1234.5' });
	assert.equal(a.c_budget, 1234.5);
	const b = await admin.create('customers', { name: `预算乙 ${M}`, superior_authority: M, c_budget: 99.99 });
	const c = await admin.create('customers', { name: `预算丙 ${M}`, superior_authority: M });
	expectProblem(await admin.post('/api/v1/customers', { name: 'x', c_budget: '1.234' }), 422, 'validation_failed', [['c_budget', 'invalid_decimal']]);
	const upd = await admin.patch(`/api/v1/customers/${b.id}`, { c_budget: '100' });
	expectStatus(upd, 200);
	assert.equal(upd.json.c_budget, 100);
	const trail = await admin.audit('customers', b.id);
	assert.deepEqual(trail[0].changes, { c_budget: [99.99, 100] });
	const ids = async (q) => (await admin.listAll('customers', { superior_authority: M, ...q })).map((r) => r.id);
	assert.deepEqual(await ids({ c_budget__gte: '1000' }), [a.id]);
	assert.deepEqual(await ids({ c_budget: '100.00' }), [b.id]);
	assert.deepEqual(await ids({ c_budget__null: 'true', name__like: '预算*' }), [c.id]);
	assert.deepEqual(await ids({ c_budget__in: '100,1234.5', sort: 'id' }), [a.id, b.id]);
	assert.deepEqual(await ids({ sort: 'c_budget', name__like: '预算*' }), [c.id, b.id, a.id], 'NULL first ascending');
	assert.deepEqual(await ids({ sort: '-c_budget', name__like: '预算*' }), [a.id, b.id, c.id]);
	// Paging on the custom sort column.
	const paged = await admin.listAll('customers', { superior_authority: M, sort: '-c_budget', name__like: '预算*' }, { limit: 1 });
	assert.deepEqual(paged.map((r) => r.id), [a.id, b.id, c.id]);
	const ex = await admin.get(`/api/v1/customers/export?header=names&fields=name,c_budget&superior_authority=${M}&sort=id&name__like=${encodeURIComponent('预算*')}`);
	expectStatus(ex, 200);
	assert.deepEqual(parseCsv(ex.bytes.subarray(3).toString('utf8')), [
		['id', 'name', 'c_budget'],
		[String(a.id), a.name, '1234.50'],
		[String(b.id), b.name, '100.00'],
		[String(c.id), c.name, ''],
	]);
	const labelsEx = await admin.get(`/api/v1/customers/export?fields=c_budget&superior_authority=${M}&sort=id`, { headers: { 'Accept-Language': 'en' } });
	assert.equal(parseCsv(labelsEx.bytes.subarray(3).toString('utf8'))[0][1], 'Budget');
	const imp = await admin.req('POST', '/api/v1/customers/import', {
		body: `name,预算,superior_authority\n预算丁 ${M},5000.25,${M}\n`,
		headers: { 'Content-Type': 'text/csv' },
	});
	expectStatus(imp, 200);
	assert.deepEqual(imp.json.mapping, { name: 'name', 预算: 'c_budget', superior_authority: 'superior_authority' });
	assert.deepEqual(await ids({ c_budget__gt: '5000' }), [(await admin.listAll('customers', { superior_authority: M, name: `预算丁 ${M}` }))[0].id]);
	// Bulk update reaches custom fields too.
	const bulk = await admin.post('/api/v1/customers/bulk-update', { ids: [a.id, b.id], field: 'c_budget', value: '1' });
	expectStatus(bulk, 200);
	assert.equal((await admin.getJson(`/api/v1/customers/${a.id}`)).c_budget, 1);
});

test('custom fields of other types: enum, searchable text, required', async () => {
	let res = await admin.post(FIELDS, {
		name: 'c_tier',
		type: 'enum',
		label: label('会员等级', 'Membership tier'),
		options: [
			{ key: 'gold', label: label('金卡', 'Gold') },
			{ key: 'silver', label: label('银卡', 'Silver') },
		],
	});
	expectStatus(res, 201);
	assert.deepEqual(res.json.options.map((o) => o.key), ['gold', 'silver']);
	assert.equal(res.json.sortable, false, 'not indexed, not sortable');
	res = await admin.post(FIELDS, { name: 'c_nick', type: 'text', searchable: true, max_length: 20, label: label('别名', 'Nickname') });
	expectStatus(res, 201);
	const r = await admin.create('customers', { name: `等级 ${M}`, c_tier: 'gold', c_nick: '星辰号', superior_authority: M });
	assert.equal(r.c_tier, 'gold');
	expectProblem(await admin.post('/api/v1/customers', { name: 'x', c_tier: 'bronze' }), 422, 'validation_failed', [['c_tier', 'invalid_option']]);
	expectProblem(await admin.post('/api/v1/customers', { name: 'x', c_nick: '长'.repeat(21) }), 422, 'validation_failed', [['c_nick', 'too_long']]);
	const unsortable = await admin.get('/api/v1/customers?sort=c_tier');
	assert.equal(unsortable.status, 400);
	assert.deepEqual(unsortable.json.errors.map((e) => [e.field, e.code]), [['sort', 'unsortable_field']]);
	const found = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ q: '星辰号', superior_authority: M })}`);
	assert.deepEqual(found.data.map((x) => x.id), [r.id], 'a searchable custom field feeds search');
	const ex = await admin.get(`/api/v1/customers/export?fields=c_tier&superior_authority=${M}&c_tier=gold`);
	assert.equal(parseCsv(ex.bytes.subarray(3).toString('utf8'))[1][1], '金卡', 'custom enums export by label');
	// Import takes the label of a custom enum.
	const imp = await admin.req('POST', '/api/v1/customers/import?dry_run=true', { body: `name,会员等级\n甲,银卡\n乙,Gold\n丙,铜卡\n`, headers: { 'Content-Type': 'text/csv' } });
	expectStatus(imp, 200);
	assert.deepEqual(imp.json.errors.map((e) => [e.row, e.field, e.code]), [[4, 'c_tier', 'invalid_option']]);
	// Making a field required applies to new records, not to updates of others.
	res = await admin.patch(`${FIELDS}/c_nick`, { required: true });
	expectStatus(res, 200);
	assert.equal(res.json.required, true);
	expectProblem(await admin.post('/api/v1/customers', { name: `无别名 ${M}` }), 422, 'validation_failed', [['c_nick', 'required']]);
	const old = (await admin.listAll('customers', { superior_authority: M, c_nick__null: 'true' }))[0];
	expectStatus(await admin.patch(`/api/v1/customers/${old.id}`, { city: '台州' }), 200);
	res = await admin.patch(`${FIELDS}/c_nick`, { required: false });
	expectStatus(res, 200);
	expectStatus(await admin.post('/api/v1/customers', { name: `无别名 ${M}` }), 201);
});

test('an indexed custom datetime field filters by instant and pages in order', async () => {
	expectStatus(await admin.post(FIELDS, { name: 'c_visit_at', type: 'datetime', indexed: true, label: label('拜访时间', 'Visit at') }), 201);
	const times = ['2024-03-01T09:00:00+08:00', '2024-03-01T01:00:00Z', '2024-03-02T00:00:00Z', null, '2024-02-28T23:59:59.999Z', '2024-03-01T01:00:00Z'];
	const recs = [];
	for (const t of times) recs.push(await admin.create('customers', { name: `拜访 ${M}`, c_visit_at: t, superior_authority: `${M}-dt` }));
	assert.equal(recs[0].c_visit_at, '2024-03-01T01:00:00.000Z');
	const iso = (r) => r.c_visit_at;
	const order = [...recs].sort((a, b) => {
		if (iso(a) === null || iso(b) === null) return iso(a) === null ? (iso(b) === null ? a.id - b.id : -1) : 1;
		return (iso(a) < iso(b) ? -1 : iso(a) > iso(b) ? 1 : 0) || a.id - b.id;
	});
	for (const limit of [1, 2, 4]) {
		const asc = await admin.listAll('customers', { superior_authority: `${M}-dt`, sort: 'c_visit_at' }, { limit });
		assert.deepEqual(asc.map((r) => r.id), order.map((r) => r.id), `ascending, limit ${limit}`);
		const desc = await admin.listAll('customers', { superior_authority: `${M}-dt`, sort: '-c_visit_at' }, { limit });
		const nonNull = order.filter((r) => iso(r) !== null).reverse();
		const nulls = order.filter((r) => iso(r) === null).reverse();
		assert.deepEqual(desc.map((r) => r.id), [...nonNull, ...nulls].map((r) => r.id), `descending, limit ${limit}`);
	}
	const at = async (q) => (await admin.listAll('customers', { superior_authority: `${M}-dt`, sort: 'id', ...q })).map((r) => r.id);
	assert.deepEqual(await at({ c_visit_at: '2024-03-01T09:00:00+08:00' }), [recs[0].id, recs[1].id, recs[5].id]);
	assert.deepEqual(await at({ c_visit_at__gte: '2024-03-01T08:00:00+08:00' }), [recs[0].id, recs[1].id, recs[2].id, recs[5].id]);
	assert.deepEqual(await at({ c_visit_at__lt: '2024-03-01T00:00:00Z' }), [recs[4].id]);
	const ex = await admin.get(`/api/v1/customers/export?header=names&fields=c_visit_at&superior_authority=${M}-dt&sort=id`);
	assert.deepEqual(parseCsv(ex.bytes.subarray(3).toString('utf8')).slice(1).map((r) => r[1]), recs.map((r) => r.c_visit_at ?? ''));
});

test('changing a field: labels and indexing may change; name, type and reference may not', async () => {
	let res = await admin.patch(`${FIELDS}/c_tier`, { label: label('会员级别', 'Member level'), indexed: true });
	expectStatus(res, 200);
	assert.deepEqual(res.json.label, label('会员级别', 'Member level'));
	assert.equal(res.json.sortable, true);
	const m = await customerMeta();
	assert.deepEqual(m.fields.find((f) => f.name === 'c_tier').label, label('会员级别', 'Member level'));
	expectStatus(await admin.get('/api/v1/customers?sort=c_tier'), 200);
	res = await admin.patch(`${FIELDS}/c_tier`, { type: 'text', name: 'c_other' });
	expectProblem(res, 422, 'validation_failed', [
		['type', 'read_only'],
		['name', 'read_only'],
	]);
	expectProblem(await admin.patch(`${FIELDS}/c_tier`, { max_length: 0 }), 422, 'validation_failed');
	expectProblem(await admin.patch(`${FIELDS}/c_nosuch`, { label: label('x', 'x') }), 404, 'not_found');
	expectProblem(await admin.patch(`${FIELDS}/name`, { label: label('x', 'x') }), 404, 'not_found', []);
	expectProblem(await alice.patch(`${FIELDS}/c_tier`, { label: label('x', 'x') }), 403, 'forbidden');
	assert.equal((await customerMeta()).fields.find((f) => f.name === 'name').label['zh-CN'], '客户名称');
});

test('field definitions are checked: c_ prefix, unique names, known types, enum options', async () => {
	const before = (await customerMeta()).fields.length;
	const cases = [
		[{ name: 'budget2', type: 'text', label: label('甲', 'A') }, 422, 'validation_failed', [['name', 'invalid_name']]],
		[{ name: 'c_', type: 'text', label: label('甲', 'A') }, 422, 'validation_failed', []],
		[{ name: 'c_Bad', type: 'text', label: label('甲', 'A') }, 422, 'validation_failed', []],
		[{ name: 'c_a__b', type: 'text', label: label('甲', 'A') }, 422, 'validation_failed', []],
		[{ name: 'c_x1', type: 'blob', label: label('甲', 'A') }, 422, 'validation_failed', []],
		[{ name: 'c_x2', type: 'enum', label: label('甲', 'A') }, 422, 'validation_failed', []],
		[{ name: 'c_x3', type: 'enum', options: [{ key: 'a' }, { key: 'a' }], label: label('甲', 'A') }, 422, 'validation_failed', []],
		[{ name: 'c_x4', type: 'text', label: { 'zh-CN': '只有中文' } }, 422, 'validation_failed', []],
		[{ name: 'c_x5', type: 'text', label: label('甲', 'A'), color: 'red' }, 422, 'validation_failed', []],
		[{ name: 'c_x6', type: 'longtext', indexed: true, label: label('甲', 'A') }, 422, 'validation_failed', []],
		[{ name: 'c_x7', type: 'reference', ref: 'nowhere', label: label('甲', 'A') }, 422, 'validation_failed', []],
		[{ name: 'c_budget', type: 'text', label: label('甲', 'A') }, 409, 'duplicate', [['name', 'duplicate']]],
	];
	for (const [def, status, code, fields] of cases) expectProblem(await admin.post(FIELDS, def), status, code, fields);
	expectProblem(await admin.post('/api/v1/meta/entities/widgets/fields', { name: 'c_w', type: 'text', label: label('甲', 'A') }), 404, 'not_found');
	assert.equal((await customerMeta()).fields.length, before, 'no field was added');
	// The new field's column is usable right away on another entity, too.
	const res = await admin.post('/api/v1/meta/entities/contacts/fields', { name: 'c_wechat', type: 'text', indexed: true, label: label('微信号', 'WeChat') });
	expectStatus(res, 201);
	const cust = await admin.create('customers', { name: `微信客户 ${M}` });
	const ct = await admin.create('contacts', { name: '赵六', customer_id: cust.id, c_wechat: 'zhaoliu_88' });
	assert.equal(ct.c_wechat, 'zhaoliu_88');
	const rel = await admin.getJson(`/api/v1/customers/${cust.id}/contacts?c_wechat=zhaoliu_88&sort=c_wechat`);
	assert.deepEqual(rel.data.map((x) => x.id), [ct.id]);
});

test('removing a field hides it everywhere; its name stays taken', async () => {
	expectStatus(await admin.post(FIELDS, { name: 'c_temp', type: 'int', indexed: true, label: label('临时', 'Temporary') }), 201);
	const rec = await admin.create('customers', { name: `临时 ${M}`, c_temp: 42 });
	assert.equal(rec.c_temp, 42);
	expectProblem(await alice.del(`${FIELDS}/c_temp`), 403, 'forbidden');
	const res = await admin.del(`${FIELDS}/c_temp`);
	expectStatus(res, 204);
	const m = await customerMeta();
	assert.ok(!m.fields.some((f) => f.name === 'c_temp'));
	const got = await admin.getJson(`/api/v1/customers/${rec.id}`);
	assert.ok(!('c_temp' in got), 'the record no longer shows it');
	expectProblem(await admin.get('/api/v1/customers?c_temp=42'), 400, 'bad_request', [['c_temp', 'unknown_parameter']]);
	expectProblem(await admin.get('/api/v1/customers?sort=c_temp'), 400, 'bad_request', [['sort', 'unknown_field']]);
	expectProblem(await admin.get('/api/v1/customers?fields=c_temp'), 400, 'bad_request', [['fields', 'unknown_field']]);
	expectProblem(await admin.post('/api/v1/customers', { name: 'x', c_temp: 1 }), 422, 'validation_failed', [['c_temp', 'unknown_field']]);
	expectProblem(await admin.patch(`/api/v1/customers/${rec.id}`, { c_temp: 1 }), 422, 'validation_failed', [['c_temp', 'unknown_field']]);
	const ex = await admin.get(`/api/v1/customers/export?header=names&superior_authority=${M}`);
	assert.ok(!parseCsv(ex.bytes.subarray(3).toString('utf8'))[0].includes('c_temp'));
	assert.ok(!JSON.stringify(await admin.getJson('/api/v1/openapi.json')).includes('c_temp'));
	const imp = await admin.req('POST', '/api/v1/customers/import?dry_run=true', { body: 'name,c_temp\n甲,1\n', headers: { 'Content-Type': 'text/csv' } });
	expectStatus(imp, 200);
	assert.deepEqual(imp.json.unmapped_columns, ['c_temp']);
	expectProblem(await admin.del(`${FIELDS}/c_temp`), 404, 'not_found');
	expectProblem(await admin.del(`${FIELDS}/name`), 404, 'not_found');
	expectProblem(await admin.patch(`${FIELDS}/c_temp`, { label: label('x', 'x') }), 404, 'not_found');
	expectProblem(await admin.post(FIELDS, { name: 'c_temp', type: 'int', label: label('再来', 'Again') }), 409, 'duplicate', [['name', 'duplicate']]);
	// Other records and fields are untouched.
	expectStatus(await admin.patch(`/api/v1/customers/${rec.id}`, { city: '丽水' }), 200);
});

test('a removed searchable field no longer makes records match a search', async () => {
	expectStatus(await admin.post(FIELDS, { name: 'c_alias', type: 'text', searchable: true, label: label('代号', 'Code name') }), 201);
	const rec = await admin.create('customers', { name: `代号客户 ${M}`, c_alias: '隐秘行动', superior_authority: `${M}-alias` });
	const search = async (q) => (await admin.getJson(`/api/v1/customers?${new URLSearchParams({ q, superior_authority: `${M}-alias` })}`)).data.map((r) => r.id);
	assert.deepEqual(await search('隐秘'), [rec.id]);
	expectStatus(await admin.del(`${FIELDS}/c_alias`), 204);
	assert.deepEqual(await search('代号客户'), [rec.id], 'the name still matches');
	assert.deepEqual(await search('隐秘'), [], 'a hidden field is not searched');
});

test('a custom reference field: a new related list, and the existing one keeps its URL', async () => {
	const parent = await admin.create('customers', { name: `推荐人 ${M}` });
	const other = await admin.create('customers', { name: `被推荐 ${M}` });
	const ct = await admin.create('contacts', { name: '孙七', customer_id: other.id });
	const res = await admin.post('/api/v1/meta/entities/contacts/fields', { name: 'c_referrer', type: 'reference', ref: 'customers', label: label('推荐客户', 'Referred by') });
	expectStatus(res, 201);
	try {
		expectStatus(await admin.patch(`/api/v1/contacts/${ct.id}`, { c_referrer: parent.id }), 200);
		expectProblem(await admin.patch(`/api/v1/contacts/${ct.id}`, { c_referrer: 987654321 }), 422, 'validation_failed', [['c_referrer', 'reference_not_found']]);
		const rels = (await customerMeta()).relations;
		assert.ok(rels.some((r) => r.field === 'c_referrer'), 'the new reference is a related list');
		const viaNew = rels.find((r) => r.field === 'c_referrer');
		const listed = await admin.getJson(`/api/v1/customers/${parent.id}/${viaNew.name}`);
		assert.deepEqual(listed.data.map((x) => x.id), [ct.id]);
		// Integrations that use /customers/{id}/contacts must not break because a field was added.
		const old = await admin.get(`/api/v1/customers/${other.id}/contacts`);
		expectStatus(old, 200);
		assert.deepEqual(old.json.data.map((x) => x.id), [ct.id]);
		assert.ok(rels.some((r) => r.name === 'contacts' && r.field === 'customer_id'));
	} finally {
		expectStatus(await admin.del('/api/v1/meta/entities/contacts/fields/c_referrer'), 204);
	}
	expectStatus(await admin.get(`/api/v1/customers/${other.id}/contacts`), 200);
});

test('option lists: add, disable, and a key still in use cannot be removed (409)', async () => {
	const OPT = `${FIELDS}/c_tier/options`;
	const user = await admin.create('customers', { name: `选项 ${M}`, c_tier: 'gold' });
	const current = (await customerMeta()).fields.find((f) => f.name === 'c_tier').options;
	let res = await admin.put(OPT, { options: [{ key: 'silver', label: label('银卡', 'Silver') }, { key: 'bronze', label: label('铜卡', 'Bronze') }] });
	const p = expectProblem(res, 409, 'conflict', [['options', 'option_in_use']]);
	assert.match(p.errors[0].message, /gold/);
	assert.deepEqual((await customerMeta()).fields.find((f) => f.name === 'c_tier').options, current, 'nothing changed');
	res = await admin.put(OPT, {
		options: [
			{ key: 'gold', label: label('金卡', 'Gold'), disabled: true },
			{ key: 'silver', label: label('银卡', 'Silver') },
			{ key: 'bronze', label: label('铜卡', 'Bronze') },
		],
	});
	expectStatus(res, 200);
	assert.deepEqual(res.json.options.map((o) => [o.key, !!o.disabled]), [
		['gold', true],
		['silver', false],
		['bronze', false],
	]);
	expectStatus(await admin.post('/api/v1/customers', { name: `铜卡 ${M}`, c_tier: 'bronze' }), 201);
	expectProblem(await admin.post('/api/v1/customers', { name: `金卡 ${M}`, c_tier: 'gold' }), 422, 'validation_failed', [['c_tier', 'invalid_option']]);
	assert.equal((await admin.getJson(`/api/v1/customers/${user.id}`)).c_tier, 'gold', 'old records keep a disabled key');
	expectStatus(await admin.patch(`/api/v1/customers/${user.id}`, { city: '衢州' }), 200);
	// A key nobody uses can go.
	const lone = await admin.create('customers', { name: `银卡 ${M}`, c_tier: 'silver' });
	expectStatus(await admin.patch(`/api/v1/customers/${lone.id}`, { c_tier: 'bronze' }), 200);
	res = await admin.put(OPT, { options: [{ key: 'gold', label: label('金卡', 'Gold'), disabled: true }, { key: 'bronze', label: label('铜卡', 'Bronze') }] });
	expectStatus(res, 200);
	expectProblem(await admin.post('/api/v1/customers', { name: `银卡二 ${M}`, c_tier: 'silver' }), 422, 'validation_failed', [['c_tier', 'invalid_option']]);
});

test('option lists of built-in enums can be edited too', async () => {
	const OPT = `${FIELDS}/level/options`;
	const original = (await customerMeta()).fields.find((f) => f.name === 'level').options;
	try {
		let res = await admin.put(OPT, { options: [...original, { key: 'e', label: label('E级（潜在客户）', 'E – prospect') }] });
		expectStatus(res, 200);
		assert.deepEqual(res.json.options.map((o) => o.key), ['a', 'b', 'c', 'd', 'e']);
		const rec = await admin.create('customers', { name: `E级 ${M}`, level: 'e' });
		assert.equal(rec.level, 'e');
		const ex = await admin.get(`/api/v1/customers/export?fields=level&id=${rec.id}`);
		expectStatus(ex, 200);
		assert.equal(parseCsv(ex.bytes.subarray(3).toString('utf8'))[1][1], 'E级（潜在客户）');
		const oa = JSON.stringify(await admin.getJson('/api/v1/openapi.json'));
		assert.ok(oa.includes('"e"'));
		res = await admin.put(OPT, { options: original });
		expectProblem(res, 409, 'conflict', [['options', 'option_in_use']]);
		// A deleted record may be restored: its key is still in use.
		expectStatus(await admin.del(`/api/v1/customers/${rec.id}`), 204);
		res = await admin.put(OPT, { options: original });
		expectProblem(res, 409, 'conflict', [['options', 'option_in_use']]);
		assert.deepEqual((await customerMeta()).fields.find((f) => f.name === 'level').options.map((o) => o.key), ['a', 'b', 'c', 'd', 'e']);
	} finally {
		const res = await admin.put(OPT, { options: [...original, { key: 'e', label: label('E级（潜在客户）', 'E – prospect'), disabled: true }] });
		expectStatus(res, 200);
	}
});

test('option lists change only through PUT …/options, never through PATCH of the field', async () => {
	expectStatus(
		await admin.post(FIELDS, {
			name: 'c_kind',
			type: 'enum',
			label: label('类型', 'Kind'),
			options: [
				{ key: 'p', label: label('甲', 'P') },
				{ key: 'q', label: label('乙', 'Q') },
			],
		}),
		201,
	);
	const rec = await admin.create('customers', { name: `种类 ${M}`, c_kind: 'p' });
	// PATCH may not touch options (it would bypass the in-use check): refused, nothing changes.
	const res = await admin.patch(`${FIELDS}/c_kind`, { options: [{ key: 'q', label: label('乙', 'Q') }] });
	expectProblem(res, 422, 'validation_failed', [['options', 'read_only']]);
	let f = (await customerMeta()).fields.find((x) => x.name === 'c_kind');
	assert.deepEqual(f.options.map((o) => o.key), ['p', 'q']);
	assert.equal((await admin.getJson(`/api/v1/customers/${rec.id}`)).c_kind, 'p');
	// Through PUT …/options the key in use cannot go, and a new one shows at once.
	expectProblem(
		await admin.put(`${FIELDS}/c_kind/options`, { options: [{ key: 'q', label: label('乙', 'Q') }] }),
		409,
		'conflict',
		[['options', 'option_in_use']],
	);
	const add = await admin.put(`${FIELDS}/c_kind/options`, {
		options: [
			{ key: 'p', label: label('甲', 'P') },
			{ key: 'q', label: label('乙', 'Q') },
			{ key: 'r', label: label('丙', 'R') },
		],
	});
	expectStatus(add, 200);
	assert.deepEqual(add.json.options.map((o) => o.key), ['p', 'q', 'r']);
	f = (await customerMeta()).fields.find((x) => x.name === 'c_kind');
	assert.deepEqual(f.options.map((o) => o.key), ['p', 'q', 'r']);
	expectStatus(await admin.post('/api/v1/customers', { name: `种类丙 ${M}`, c_kind: 'r' }), 201);
});

test('option list requests are checked', async () => {
	const cases = [
		[`${FIELDS}/name/options`, { options: [{ key: 'a' }] }, 422, 'validation_failed', [['field', 'invalid_type']]],
		[`${FIELDS}/c_nosuch/options`, { options: [{ key: 'a' }] }, 404, 'not_found', []],
		[`${FIELDS}/level/options`, {}, 422, 'validation_failed', [['options', 'required']]],
		[`${FIELDS}/level/options`, { options: 'a,b' }, 422, 'validation_failed', [['options', 'required']]],
		[`${FIELDS}/level/options`, { options: [{ key: 'a' }], extra: 1 }, 422, 'validation_failed', [['options', 'required']]],
		[`${FIELDS}/level/options`, { options: [] }, 422, 'validation_failed', []],
		[`${FIELDS}/level/options`, { options: [{ key: 'a' }, { key: 'a' }] }, 422, 'validation_failed', []],
		[`${FIELDS}/level/options`, { options: [{ key: 'Bad Key' }] }, 422, 'validation_failed', []],
		[`${FIELDS}/level/options`, { options: [{ label: label('无键', 'No key') }] }, 422, 'validation_failed', []],
	];
	const before = (await customerMeta()).fields.find((f) => f.name === 'level').options;
	for (const [path, body, status, code, fields] of cases) expectProblem(await admin.put(path, body), status, code, fields);
	expectProblem(await alice.put(`${FIELDS}/level/options`, { options: before }), 403, 'forbidden');
	assert.deepEqual((await customerMeta()).fields.find((f) => f.name === 'level').options, before);
});

after(async () => {
	// Later files start without a required custom field.
	const m = await customerMeta();
	assert.equal(m.fields.find((f) => f.name === 'c_nick').required, false);
});
