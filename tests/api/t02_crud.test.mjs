// Create, read, update: the record round trip, money, validation, optimistic locking,
// idempotent creates, references, uniqueness, and every way a request body can be wrong.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { loginAdmin, loginAlice, request, rawRequest, expectProblem, expectStatus, marker, uscc } from './lib.mjs';

let admin;
let alice;
let customerFields; // visible field names, from the metadata
let contactFields;
const mk = marker('t02');

/* The newest audit row's id: unchanged means no write happened. */
async function lastAuditId() {
	const body = await admin.getJson('/api/v1/audit?limit=1');
	return body.data.length ? body.data[0].id : 0;
}

/* Nothing was written since `state` was taken: same totals, no new audit row. */
async function snapshot() {
	return {
		customers: await admin.total('customers'),
		contacts: await admin.total('contacts'),
		audit: await lastAuditId(),
	};
}

before(async () => {
	admin = await loginAdmin();
	alice = await loginAlice();
	const meta = await admin.getJson('/api/v1/meta');
	customerFields = meta.entities.find((e) => e.name === 'customers').fields.map((f) => f.name);
	contactFields = meta.entities.find((e) => e.name === 'contacts').fields.map((f) => f.name);
});

test('create answers 201 with Location, ETag "1" and the whole record, normalised', async () => {
	const tax = uscc();
	const res = await admin.post('/api/v1/customers', {
		name: `  海韵游艇俱乐部 ${mk}  `,
		province: '福建',
		city: '厦门',
		phone: '+86 138 1234 5678',
		website: 'www.haiyun-yacht.cn',
		email: 'Sales@HaiYun-Yacht.CN',
		level: 'a',
		founded_on: '2020-02-29',
		registered_capital: { amount: 123456789, currency: 'CNY' },
		capital: 500000,
		staff_total: 35,
		tax_id: tax.toLowerCase(),
		remarks: '第一行\n第二行',
	});
	expectStatus(res, 201);
	const r = res.json;
	assert.ok(Number.isInteger(r.id) && r.id > 0);
	assert.equal(res.headers.get('location'), `/api/v1/customers/${r.id}`);
	assert.equal(res.headers.get('etag'), '"1"');
	assert.deepEqual(new Set(Object.keys(r)), new Set(customerFields), 'the record has every visible field, and only those');
	assert.equal(r.name, `海韵游艇俱乐部 ${mk}`, 'text is trimmed');
	assert.equal(r.phone, '13812345678', 'a +86 mobile is normalised');
	assert.equal(r.website, 'https://www.haiyun-yacht.cn', 'a bare host gets https://');
	assert.equal(r.email, 'Sales@haiyun-yacht.cn', 'the domain of an email is lower-cased');
	assert.equal(r.tax_id, tax, 'a credit code is upper-cased');
	assert.deepEqual(r.registered_capital, { amount: 123456789, currency: 'CNY' });
	assert.deepEqual(r.capital, { amount: 500000, currency: 'CNY' }, 'a bare integer is an amount in fen');
	assert.equal(r.founded_on, '2020-02-29');
	assert.equal(r.staff_total, 35);
	assert.equal(r.remarks, '第一行\n第二行', 'long text keeps its line breaks');
	assert.equal(r.customer_type, 'end_user', 'the schema default applies');
	assert.equal(r.version, 1);
	assert.equal(r.owner_id, admin.user.id);
	assert.equal(r.created_by, admin.user.id);
	assert.equal(r.updated_by, admin.user.id);
	assert.equal(r.deleted_at, null);
	assert.equal(r.district, null, 'fields not given are null');
	assert.match(r.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
	assert.equal(r.updated_at, r.created_at);
	assert.ok(Math.abs(Date.parse(r.created_at) - Date.now()) < 5 * 60000, 'created_at is now');

	const got = await admin.get(`/api/v1/customers/${r.id}`);
	expectStatus(got, 200);
	assert.equal(got.headers.get('etag'), '"1"');
	assert.deepEqual(got.json, r, 'GET returns what create returned');
	assert.equal(got.headers.get('cache-control'), 'no-store');
});

test('PATCH updates only what it names, bumps the version and the ETag', async () => {
	const c = await admin.create('customers', { name: `改名前 ${mk}`, city: '福州', level: 'b' });
	const res = await admin.patch(`/api/v1/customers/${c.id}`, { city: '泉州', capital: { amount: 100 } }, { headers: { 'If-Match': '"1"' } });
	expectStatus(res, 200);
	assert.equal(res.headers.get('etag'), '"2"');
	assert.equal(res.json.version, 2);
	assert.equal(res.json.city, '泉州');
	assert.deepEqual(res.json.capital, { amount: 100, currency: 'CNY' });
	assert.equal(res.json.level, 'b', 'untouched fields keep their values');
	assert.equal(res.json.name, c.name);
	assert.equal(res.json.created_at, c.created_at);
	assert.ok(Date.parse(res.json.updated_at) >= Date.parse(c.updated_at));
	// Without If-Match the update is unconditional.
	const r2 = await admin.patch(`/api/v1/customers/${c.id}`, { level: 'c' });
	expectStatus(r2, 200);
	assert.equal(r2.json.version, 3);
	// A weak validator names the same version.
	const r3 = await admin.patch(`/api/v1/customers/${c.id}`, { level: 'd' }, { headers: { 'If-Match': 'W/"3"' } });
	expectStatus(r3, 200);
	assert.equal(r3.json.version, 4);
	// Setting a field to null clears it.
	const r4 = await admin.patch(`/api/v1/customers/${c.id}`, { city: null, capital: null });
	expectStatus(r4, 200);
	assert.equal(r4.json.city, null);
	assert.equal(r4.json.capital, null);
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${c.id}`), r4.json);
});

test('a PATCH that changes nothing keeps the version and writes no audit row', async () => {
	const c = await admin.create('customers', { name: `不变 ${mk}`, city: '漳州' });
	const audit = await lastAuditId();
	const res = await admin.patch(`/api/v1/customers/${c.id}`, { city: '漳州', name: c.name });
	expectStatus(res, 200);
	assert.equal(res.json.version, 1);
	assert.equal(res.headers.get('etag'), '"1"');
	assert.equal(await lastAuditId(), audit);
});

test('a stale If-Match is 409 conflict carrying the current record, and changes nothing', async () => {
	const c = await admin.create('customers', { name: `并发 ${mk}`, city: '宁德' });
	expectStatus(await admin.patch(`/api/v1/customers/${c.id}`, { city: '南平' }, { headers: { 'If-Match': '"1"' } }), 200);
	const state = await snapshot();
	const res = await alice.patch(`/api/v1/customers/${c.id}`, { city: '三明' }, { headers: { 'If-Match': '"1"' } });
	const p = expectProblem(res, 409, 'conflict');
	assert.ok(p.current, 'the problem carries the current record');
	assert.equal(p.current.id, c.id);
	assert.equal(p.current.version, 2);
	assert.equal(p.current.city, '南平');
	assert.deepEqual(new Set(Object.keys(p.current)), new Set(customerFields));
	assert.deepEqual(await snapshot(), state);
	const now = await admin.getJson(`/api/v1/customers/${c.id}`);
	assert.equal(now.city, '南平');
	assert.equal(now.version, 2);
	// A future version is just as stale.
	expectProblem(await admin.patch(`/api/v1/customers/${c.id}`, { city: '三明' }, { headers: { 'If-Match': '"99"' } }), 409, 'conflict');
	// Malformed If-Match is a 400 naming the header.
	for (const bad of ['abc', '"x1"', '""', '"0"', '*']) {
		const r = await admin.patch(`/api/v1/customers/${c.id}`, { city: '三明' }, { headers: { 'If-Match': bad } });
		expectProblem(r, 400, 'bad_request', [['If-Match', 'precondition_failed']]);
	}
	assert.equal((await admin.getJson(`/api/v1/customers/${c.id}`)).version, 2);
});

test('validation names every bad field at once (422) and writes nothing', async () => {
	const state = await snapshot();
	const res = await admin.post('/api/v1/customers', {
		name: '   ',
		phone: '12345',
		email: 'not-an-email',
		website: 'javascript:alert(1)',
		level: 'z',
		staff_total: -1,
		founded_on: '2021-02-29',
		postcode: '12345',
		tax_id: '91350100M000100Y44',
		registered_capital: { amount: 1.5 },
		customer_type: 'Dealer',
		province: '省'.repeat(51),
	});
	const p = expectProblem(res, 422, 'validation_failed', [
		['name', 'required'],
		['phone', 'invalid_phone'],
		['email', 'invalid_email'],
		['website', 'invalid_url'],
		['level', 'invalid_option'],
		['staff_total', 'out_of_range'],
		['founded_on', 'invalid_date'],
		['postcode', 'invalid_postcode'],
		['tax_id', 'invalid_tax_id'],
		['registered_capital', 'invalid_money'],
		['customer_type', 'invalid_option'],
		['province', 'too_long'],
	]);
	assert.equal(p.errors.length, 12, 'one error per bad field');
	assert.equal(p.detail, `${p.errors[0].field}: ${p.errors[0].message}`, 'the detail names the first bad field');
	assert.deepEqual(await snapshot(), state);
});

test('validation messages are in the caller\'s language', async () => {
	const body = { name: `语言 ${mk}`, phone: '12345', staff_total: -3 };
	const zh = expectProblem(await admin.post('/api/v1/customers', body), 422, 'validation_failed', ['phone']);
	assert.equal(zh.title, '提交的数据有误');
	assert.match(zh.errors.find((e) => e.field === 'phone').message, /电话号码/);
	const en = expectProblem(
		await admin.post('/api/v1/customers', body, { headers: { 'Accept-Language': 'en' } }),
		422,
		'validation_failed',
		['phone'],
	);
	assert.equal(en.title, 'Some values are not valid');
	assert.match(en.errors.find((e) => e.field === 'phone').message, /phone number/);
	assert.equal(en.errors.find((e) => e.field === 'staff_total').message, 'Out of range (0 to 9007199254740991)');
});

test('PATCH validation: every bad field named, the record unchanged', async () => {
	const c = await admin.create('customers', { name: `校验 ${mk}`, city: '莆田' });
	const state = await snapshot();
	const res = await admin.patch(`/api/v1/customers/${c.id}`, { name: null, email: 'x@', city: '龙岩', level: 'q' });
	expectProblem(res, 422, 'validation_failed', [
		['email', 'invalid_email'],
		['level', 'invalid_option'],
	]);
	const res2 = await admin.patch(`/api/v1/customers/${c.id}`, { name: '', city: '龙岩' });
	expectProblem(res2, 422, 'validation_failed', [['name', 'required']]);
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${c.id}`), c);
	assert.deepEqual(await snapshot(), state);
});

test('unknown fields are 422 unknown_field; system fields are 422 read_only', async () => {
	const state = await snapshot();
	let res = await admin.post('/api/v1/customers', { name: `未知 ${mk}`, nickname: 'x', search_tokens: 'x' });
	expectProblem(res, 422, 'validation_failed', [
		['nickname', 'unknown_field'],
		['search_tokens', 'unknown_field'],
	]);
	const ro = ['id', 'version', 'created_at', 'created_by', 'updated_at', 'updated_by', 'deleted_at'];
	const body = { name: `只读 ${mk}` };
	for (const f of ro) body[f] = f.endsWith('_at') ? '2024-01-01T00:00:00Z' : 1;
	res = await admin.post('/api/v1/customers', body);
	const p = expectProblem(
		res,
		422,
		'validation_failed',
		ro.map((f) => [f, 'read_only']),
	);
	assert.equal(p.errors.length, ro.length);
	assert.deepEqual(await snapshot(), state);
	const c = await admin.create('customers', { name: `只读改 ${mk}` });
	const state2 = await snapshot();
	res = await admin.patch(`/api/v1/customers/${c.id}`, { id: c.id + 1, version: 7, city: '三亚' });
	expectProblem(res, 422, 'validation_failed', [
		['id', 'read_only'],
		['version', 'read_only'],
	]);
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${c.id}`), c);
	assert.deepEqual(await snapshot(), state2);
});

test('owner_id is data: it may be given, and must name a user', async () => {
	const c = await admin.create('customers', { name: `归属 ${mk}`, owner_id: alice.user.id });
	assert.equal(c.owner_id, alice.user.id);
	assert.equal(c.created_by, admin.user.id);
	const res = await admin.post('/api/v1/customers', { name: `归属错 ${mk}`, owner_id: 987654321 });
	expectProblem(res, 422, 'validation_failed', [['owner_id', 'reference_not_found']]);
});

test('money: {amount, currency} in fen, a bare integer, and everything else refused', async () => {
	const usd = await admin.create('customers', { name: `美元 ${mk}`, capital: { amount: 99, currency: 'USD' }, registered_capital: 0 });
	assert.deepEqual(usd.capital, { amount: 99, currency: 'USD' });
	assert.deepEqual(usd.registered_capital, { amount: 0, currency: 'CNY' });
	const noCur = await admin.create('customers', { name: `无币种 ${mk}`, capital: { amount: 7 } });
	assert.deepEqual(noCur.capital, { amount: 7, currency: 'CNY' });
	const nullAmount = await admin.create('customers', { name: `空金额 ${mk}`, capital: { amount: null } });
	assert.equal(nullAmount.capital, null);
	const big = await admin.create('customers', { name: `大额 ${mk}`, capital: 9007199254740991 });
	assert.deepEqual(big.capital, { amount: 9007199254740991, currency: 'CNY' });
	const bad = [
		{ amount: 1.5 },
		'100',
		100.25,
		{ amount: '100' },
		{ amount: 100, currency: 'usd' },
		{ amount: 100, currency: 'RMB1' },
		{ amount: 100, currency: 5 },
		{ amount: 100, extra: true },
		[100],
		true,
	];
	for (const v of bad) {
		const res = await admin.post('/api/v1/customers', { name: `坏金额 ${mk}`, capital: v });
		expectProblem(res, 422, 'validation_failed', [['capital', 'invalid_money']]);
	}
	const neg = await admin.post('/api/v1/customers', { name: `负金额 ${mk}`, capital: { amount: -1 } });
	expectProblem(neg, 422, 'validation_failed', [['capital', 'out_of_range']]);
	const huge = await admin.post('/api/v1/customers', { name: `超大 ${mk}`, capital: 9007199254740992 });
	expectProblem(huge, 422, 'validation_failed', [['capital', 'out_of_range']]);
	// Changing only the currency is a change.
	const ch = await admin.patch(`/api/v1/customers/${usd.id}`, { capital: { amount: 99, currency: 'HKD' } });
	expectStatus(ch, 200);
	assert.deepEqual(ch.json.capital, { amount: 99, currency: 'HKD' });
	assert.equal(ch.json.version, 2);
});

test('types are checked: integers, text, enums', async () => {
	const cases = [
		['staff_total', '10', 'invalid_integer'],
		['staff_total', 1.5, 'invalid_integer'],
		['staff_total', true, 'invalid_integer'],
		['staff_total', 9007199254740992, 'out_of_range'],
		['city', 42, 'invalid_type'],
		['city', ['厦门'], 'invalid_type'],
		['city', 'a\u0001b', 'invalid_value'],
		['level', 'A', 'invalid_option'],
		['level', 1, 'invalid_type'],
		['founded_on', 20200101, 'invalid_type'],
	];
	for (const [field, value, code] of cases) {
		const res = await admin.post('/api/v1/customers', { name: `类型 ${mk}`, [field]: value });
		expectProblem(res, 422, 'validation_failed', [[field, code]]);
	}
	// An integer literal too big for any integer type is refused with a 4xx, never a 500.
	const huge = await admin.req('POST', '/api/v1/customers', {
		body: `{"name":"类型 ${mk}","staff_total":100000000000000000000000}`,
		headers: { 'Content-Type': 'application/json' },
	});
	assert.ok(huge.status === 400 || huge.status === 422, `a huge integer: ${huge}`);
	const ok = await admin.create('customers', { name: `类型好 ${mk}`, staff_total: 0, staff_male: 9007199254740991 });
	assert.equal(ok.staff_total, 0);
	assert.equal(ok.staff_male, 9007199254740991);
});

test('text lengths count characters, not bytes', async () => {
	const ok = await admin.create('customers', { name: '海'.repeat(200), province: '省'.repeat(50) });
	assert.equal(ok.name, '海'.repeat(200));
	assert.equal(ok.province.length, 50);
	const res = await admin.post('/api/v1/customers', { name: '海'.repeat(201), province: 'p'.repeat(51) });
	const p = expectProblem(res, 422, 'validation_failed', [
		['name', 'too_long'],
		['province', 'too_long'],
	]);
	assert.match(p.errors.find((e) => e.field === 'name').message, /200/);
	// Emoji and other 4-byte characters are one character each.
	const emoji = await admin.create('customers', { name: `${'⛵'.repeat(10)}${'🛥'.repeat(10)}` });
	assert.equal(emoji.name, `${'⛵'.repeat(10)}${'🛥'.repeat(10)}`);
});

test('a duplicate tax_id is 409 duplicate on field tax_id and creates nothing', async () => {
	const tax = uscc();
	const first = await admin.create('customers', { name: `税号一 ${mk}`, tax_id: tax });
	const state = await snapshot();
	let res = await admin.post('/api/v1/customers', { name: `税号二 ${mk}`, tax_id: tax });
	expectProblem(res, 409, 'duplicate', [['tax_id', 'duplicate']]);
	res = await admin.post('/api/v1/customers', { name: `税号三 ${mk}`, tax_id: tax.toLowerCase() });
	expectProblem(res, 409, 'duplicate', [['tax_id', 'duplicate']]);
	assert.deepEqual(await snapshot(), state);
	const other = await admin.create('customers', { name: `税号四 ${mk}`, tax_id: uscc() });
	const state2 = await snapshot();
	res = await admin.patch(`/api/v1/customers/${other.id}`, { tax_id: tax, city: '海口' });
	expectProblem(res, 409, 'duplicate', [['tax_id', 'duplicate']]);
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${other.id}`), other);
	assert.deepEqual(await snapshot(), state2);
	// Many records may have no tax_id.
	await admin.create('customers', { name: `无税号一 ${mk}` });
	await admin.create('customers', { name: `无税号二 ${mk}` });
	assert.equal((await admin.getJson(`/api/v1/customers/${first.id}`)).tax_id, tax);
});

test('contacts reference a live customer: missing, deleted or malformed references are refused', async () => {
	const cust = await admin.create('customers', { name: `联系人客户 ${mk}` });
	const contact = await admin.create('contacts', { name: '张三', customer_id: cust.id, mobile: '139 0000 1111' });
	assert.deepEqual(new Set(Object.keys(contact)), new Set(contactFields));
	assert.equal(contact.customer_id, cust.id);
	assert.equal(contact.mobile, '13900001111');
	assert.equal(contact.contact_role, 'other', 'the schema default applies');
	const state = await snapshot();
	let res = await admin.post('/api/v1/contacts', { name: '李四', customer_id: 987654321 });
	expectProblem(res, 422, 'validation_failed', [['customer_id', 'reference_not_found']]);
	res = await admin.post('/api/v1/contacts', { name: '李四' });
	expectProblem(res, 422, 'validation_failed', [['customer_id', 'required']]);
	for (const bad of ['abc', 0, -1, 1.5, String(cust.id)]) {
		res = await admin.post('/api/v1/contacts', { name: '李四', customer_id: bad });
		expectProblem(res, 422, 'validation_failed', [['customer_id', 'invalid_id']]);
	}
	res = await admin.patch(`/api/v1/contacts/${contact.id}`, { customer_id: 987654321 });
	expectProblem(res, 422, 'validation_failed', [['customer_id', 'reference_not_found']]);
	const gone = await admin.create('customers', { name: `已删客户 ${mk}` });
	expectStatus(await admin.del(`/api/v1/customers/${gone.id}`), 204);
	const state2 = await snapshot();
	res = await admin.post('/api/v1/contacts', { name: '王五', customer_id: gone.id });
	expectProblem(res, 422, 'validation_failed', [['customer_id', 'reference_not_found']]);
	assert.deepEqual(await snapshot(), state2);
	assert.equal(state.contacts, state2.contacts);
	assert.deepEqual(await admin.getJson(`/api/v1/contacts/${contact.id}`), contact);
});

test('Idempotency-Key: a retried create returns the first record and creates nothing new', async () => {
	const key = `idem-${mk}-1`;
	const body = { name: `幂等 ${mk}`, city: '珠海' };
	const first = await admin.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': key } });
	expectStatus(first, 201);
	assert.equal(first.headers.get('idempotent-replayed'), null, 'the first answer is no replay');
	const state = await snapshot();
	const again = await admin.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': key } });
	expectStatus(again, 201);
	assert.equal(again.headers.get('idempotent-replayed'), 'true');
	assert.equal(again.headers.get('location'), first.headers.get('location'));
	assert.deepEqual(again.json, first.json);
	assert.deepEqual(await snapshot(), state, 'a replay writes nothing');
	const n = await admin.total('customers', { name: body.name });
	assert.equal(n, 1);
	// The same key with another body is a client bug.
	const other = await admin.post('/api/v1/customers', { ...body, city: '中山' }, { headers: { 'Idempotency-Key': key } });
	expectProblem(other, 422, 'idempotency_key_reused');
	assert.deepEqual(await snapshot(), state);
	// Keys belong to their user: alice's key of the same text is hers.
	const hers = await alice.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': key } });
	expectStatus(hers, 201);
	assert.equal(hers.headers.get('idempotent-replayed'), null);
	assert.notEqual(hers.json.id, first.json.id);
	assert.equal(hers.json.created_by, alice.user.id);
	// A later update of the record does not change what the key replays.
	expectStatus(await admin.patch(`/api/v1/customers/${first.json.id}`, { city: '江门' }), 200);
	const replay2 = await admin.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': key } });
	expectStatus(replay2, 201);
	assert.equal(replay2.json.id, first.json.id);
});

test('Idempotency-Key: a refused create does not use up the key; bad keys are 400', async () => {
	const key = `idem-${mk}-2`;
	const bad = await admin.post('/api/v1/customers', { name: `幂等坏 ${mk}`, level: 'zz' }, { headers: { 'Idempotency-Key': key } });
	expectProblem(bad, 422, 'validation_failed', ['level']);
	const good = await admin.post('/api/v1/customers', { name: `幂等好 ${mk}`, level: 'a' }, { headers: { 'Idempotency-Key': key } });
	expectStatus(good, 201);
	assert.equal(good.headers.get('idempotent-replayed'), null);
	const long = await admin.post('/api/v1/customers', { name: `幂等长 ${mk}` }, { headers: { 'Idempotency-Key': 'k'.repeat(256) } });
	expectProblem(long, 400, 'bad_request', ['Idempotency-Key']);
	assert.equal(await admin.total('customers', { name: `幂等长 ${mk}` }), 0);
});

test('concurrent retries with one Idempotency-Key create one record', async () => {
	const key = `idem-${mk}-3`;
	const body = { name: `并发幂等 ${mk}` };
	const results = await Promise.all(
		Array.from({ length: 6 }, () => admin.post('/api/v1/customers', body, { headers: { 'Idempotency-Key': key } })),
	);
	const ids = new Set();
	for (const r of results) {
		// A request that finds another one still running may be told to retry, nothing else.
		if (r.status === 409) expectProblem(r, 409, 'request_in_progress');
		else {
			expectStatus(r, 201);
			ids.add(r.json.id);
		}
	}
	assert.equal(ids.size, 1, 'every accepted answer names the same record');
	assert.equal(await admin.total('customers', { name: body.name }), 1);
});

test('concurrent updates with one If-Match: exactly one wins, the others get 409', async () => {
	const c = await admin.create('customers', { name: `抢写 ${mk}` });
	const cities = ['一', '二', '三', '四', '五', '六', '七', '八'];
	const results = await Promise.all(
		cities.map((city, i) => (i % 2 ? alice : admin).patch(`/api/v1/customers/${c.id}`, { city }, { headers: { 'If-Match': '"1"' } })),
	);
	const won = results.filter((r) => r.status === 200);
	assert.equal(won.length, 1, `one winner: ${results.map((r) => r.status).join(',')}`);
	for (const r of results) if (r.status !== 200) expectProblem(r, 409, 'conflict');
	const now = await admin.getJson(`/api/v1/customers/${c.id}`);
	assert.equal(now.version, 2);
	assert.equal(now.city, won[0].json.city);
	const trail = await admin.audit('customers', c.id);
	assert.deepEqual(trail.map((a) => a.action), ['update', 'create']);
});

test('concurrent creates all succeed, each once', async () => {
	const before = await admin.total('customers');
	const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? alice : admin).post('/api/v1/customers', { name: `并发建 ${i} ${mk}` })));
	for (const r of results) expectStatus(r, 201);
	assert.equal(new Set(results.map((r) => r.json.id)).size, 12);
	assert.equal(await admin.total('customers'), before + 12);
	assert.equal(await admin.total('customers', { id__gte: '1' }), before + 12);
	// And concurrent updates without If-Match all apply, one after another.
	const target = results[0].json;
	const ups = await Promise.all(Array.from({ length: 6 }, (_, i) => admin.patch(`/api/v1/customers/${target.id}`, { staff_total: i + 1 })));
	for (const r of ups) expectStatus(r, 200);
	assert.deepEqual(ups.map((r) => r.json.version).sort((a, b) => a - b), [2, 3, 4, 5, 6, 7]);
	assert.equal((await admin.getJson(`/api/v1/customers/${target.id}`)).version, 7);
});

test('bodies: malformed JSON, invalid UTF-8, non-objects and duplicate keys are 400 naming "body"', async () => {
	const state = await snapshot();
	const h = { 'Content-Type': 'application/json' };
	for (const body of ['{"name": "x",', '', 'null x', '{"name":"x"} trailing', "{'name':'x'}", '{"name":"a","name":"b"}']) {
		const res = await admin.req('POST', '/api/v1/customers', { body, headers: h });
		expectProblem(res, 400, 'bad_request', [['body', 'invalid_json']]);
	}
	// The message says where and what.
	const en = await admin.req('POST', '/api/v1/customers', { body: '{"name": "x",\n "city": }', headers: { ...h, 'Accept-Language': 'en' } });
	const pe = expectProblem(en, 400, 'bad_request', [['body', 'invalid_json']]);
	assert.match(pe.errors[0].message, /^Malformed JSON at line 2, column \d+: \S/, 'the parser\'s explanation is in the message');
	for (const body of ['[]', '[{"name":"x"}]']) {
		const res = await admin.req('POST', '/api/v1/customers', { body, headers: h });
		expectProblem(res, 400, 'bad_request', [['body', 'invalid_type']]);
	}
	// A bare value is no object either (the parser may already refuse it).
	for (const body of ['"text"', '42', 'null', 'true']) {
		const res = await admin.req('POST', '/api/v1/customers', { body, headers: h });
		const p = expectProblem(res, 400, 'bad_request', ['body']);
		assert.ok(['invalid_type', 'invalid_json'].includes(p.errors[0].code), `${body}: ${res}`);
	}
	const utf8 = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
	let res = await admin.req('POST', '/api/v1/customers', { body: utf8, headers: h });
	expectProblem(res, 400, 'bad_request', [['body', 'invalid_utf8']]);
	const overlong = Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]);
	res = await admin.req('POST', '/api/v1/customers', { body: overlong, headers: h });
	expectProblem(res, 400, 'bad_request', [['body', 'invalid_utf8']]);
	const c = await admin.create('customers', { name: `坏体 ${mk}` });
	res = await admin.req('PATCH', `/api/v1/customers/${c.id}`, { body: '{"city":', headers: h });
	expectProblem(res, 400, 'bad_request', [['body', 'invalid_json']]);
	res = await admin.req('PATCH', `/api/v1/customers/${c.id}`, { body: '["city"]', headers: h });
	expectProblem(res, 400, 'bad_request', [['body', 'invalid_type']]);
	const s = await snapshot();
	assert.equal(s.customers, state.customers + 1);
	assert.deepEqual(await admin.getJson(`/api/v1/customers/${c.id}`), c);
});

test('a JSON body needs Content-Type application/json (415 otherwise)', async () => {
	const body = JSON.stringify({ name: `类型头 ${mk}` });
	for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', 'text/json', 'multipart/form-data; boundary=x']) {
		const res = await admin.req('POST', '/api/v1/customers', { body, headers: { 'Content-Type': ct } });
		const p = expectProblem(res, 415, 'unsupported_media_type');
		assert.match(p.title, /application\/json/);
	}
	const en = await admin.req('POST', '/api/v1/customers', { body, headers: { 'Content-Type': 'text/plain', 'Accept-Language': 'en' } });
	assert.equal(expectProblem(en, 415, 'unsupported_media_type').title, 'Unsupported content type; expected application/json');
	const none = await rawRequest('POST', '/api/v1/customers', {
		headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf, 'Content-Length': Buffer.byteLength(body) },
		body,
	});
	expectProblem(none, 415, 'unsupported_media_type');
	assert.equal(await admin.total('customers', { name: `类型头 ${mk}` }), 0);
	const ok = await admin.req('POST', '/api/v1/customers', { body, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
	expectStatus(ok, 201);
	const upper = await admin.req('POST', '/api/v1/customers', {
		body: JSON.stringify({ name: `类型头大写 ${mk}` }),
		headers: { 'Content-Type': 'Application/JSON' },
	});
	expectStatus(upper, 201);
});

test('a body over 1 MiB is 413, whether announced by Content-Length or streamed', async () => {
	const state = await snapshot();
	const big = JSON.stringify({ name: `大体 ${mk}`, remarks: 'x'.repeat(1100000) });
	const res = await rawRequest('POST', '/api/v1/customers', {
		headers: { Cookie: admin.cookie, 'X-CSRF-Token': admin.csrf, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(big) },
		body: big,
	});
	const p = expectProblem(res, 413, 'body_too_large');
	assert.match(p.title, /1048576/);
	// Chunked: no length up front, the limit is found while reading.
	const chunks = [];
	for (let i = 0; i < 20; i++) chunks.push(Buffer.from(i === 0 ? `{"name":"大体流 ${mk}","remarks":"` : 'y'.repeat(60000)));
	chunks.push(Buffer.from('"}'));
	const stream = new ReadableStream({
		pull(ctrl) {
			if (chunks.length) ctrl.enqueue(chunks.shift());
			else ctrl.close();
		},
	});
	const res2 = await admin.req('POST', '/api/v1/customers', { body: stream, headers: { 'Content-Type': 'application/json' } });
	expectProblem(res2, 413, 'body_too_large');
	// Exactly at the limit is read and judged on its content.
	const prefix = `{"name":"刚好 ${mk}","remarks":"`;
	const fill = 1048576 - Buffer.byteLength(prefix) - 2;
	const exact = prefix + 'z'.repeat(fill) + '"}';
	assert.equal(Buffer.byteLength(exact), 1048576);
	const res3 = await admin.req('POST', '/api/v1/customers', { body: exact, headers: { 'Content-Type': 'application/json' } });
	expectProblem(res3, 422, 'validation_failed', [['remarks', 'too_long']]);
	assert.deepEqual(await snapshot(), state);
	// The server is fine afterwards.
	expectStatus(await admin.get('/api/v1/customers?limit=1'), 200);
});

test('PATCH and GET of a missing or malformed id are 404; the entity must exist', async () => {
	expectProblem(await admin.patch('/api/v1/customers/987654321', { city: 'x' }), 404, 'not_found');
	expectProblem(await admin.del('/api/v1/customers/987654321'), 404, 'not_found');
	expectProblem(await admin.patch('/api/v1/customers/1x', { city: 'x' }), 404, 'not_found');
	expectProblem(await admin.get('/api/v1/customers/99999999999999999999999'), 404, 'not_found');
	expectProblem(await admin.post('/api/v1/widgets', { name: 'x' }), 404, 'not_found');
	expectProblem(await admin.get('/api/v1/widgets/1'), 404, 'not_found');
});
