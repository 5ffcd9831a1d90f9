// Lists: every filter operator, sorting, keyset pagination that never repeats or skips a row
// (also on nullable columns and ties), projections, totals, parameter errors, search (Chinese
// bigrams, traditional characters, Latin prefixes) and related lists.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { loginAdmin, expectProblem, expectStatus, marker, uscc } from './lib.mjs';

let admin;
const M = marker('t04'); // superior_authority of this file's list records
const S = marker('t04s'); // superior_authority of this file's search records
let rows = []; // the list records as created
const pad = (n) => String(n).padStart(2, '0');
const CITIES = [null, 'Beijing', 'Shanghai', 'Beijing', null, 'Xiamen', 'Shanghai', 'Guangzhou'];
const LEVELS = ['a', 'b', 'c', 'd', null];
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

before(async () => {
	admin = await loginAdmin();
	for (let i = 0; i < 24; i++) {
		rows.push(
			await admin.create('customers', {
				name: `列表客户${pad(i)}`,
				superior_authority: M,
				city: CITIES[i % CITIES.length],
				province: i % 3 === 0 ? null : `P${i % 5}`,
				staff_total: i,
				level: LEVELS[i % LEVELS.length],
				founded_on: `${2000 + i}-06-15`,
				registered_capital: i * 10000,
				email: `user${i}@Example${i % 2}.cn`,
				phone: `138000000${pad(i)}`,
			}),
		);
	}
	for (const name of ['折扣50%公司', '折扣500公司', 'a_b公司', 'axb公司'])
		rows.push(await admin.create('customers', { name, superior_authority: M }));
});

const ids = (list) => list.map((r) => r.id);
const sortedIds = (list) => ids(list).sort((a, b) => a - b);

async function listIds(query) {
	return sortedIds(await admin.listAll('customers', { superior_authority: M, ...query }));
}

test('filters: every operator selects exactly the matching records, and total counts them', async () => {
	const amount = (r) => r.registered_capital?.amount;
	const cases = [
		[{ city: 'Beijing' }, (r) => r.city === 'Beijing'],
		[{ staff_total: '7' }, (r) => r.staff_total === 7],
		[{ level: 'b' }, (r) => r.level === 'b'],
		[{ founded_on: '2005-06-15' }, (r) => r.founded_on === '2005-06-15'],
		[{ registered_capital: '50000' }, (r) => amount(r) === 50000],
		[{ level__ne: 'a' }, (r) => r.level !== 'a'],
		[{ city__ne: 'Beijing' }, (r) => r.city !== 'Beijing'],
		[{ staff_total__lt: '5' }, (r) => r.staff_total !== null && r.staff_total < 5],
		[{ staff_total__lte: '5' }, (r) => r.staff_total !== null && r.staff_total <= 5],
		[{ staff_total__gt: '20' }, (r) => r.staff_total !== null && r.staff_total > 20],
		[{ staff_total__gte: '20' }, (r) => r.staff_total !== null && r.staff_total >= 20],
		[{ staff_total__gte: '5', staff_total__lt: '10' }, (r) => r.staff_total >= 5 && r.staff_total < 10 && r.staff_total !== null],
		[{ founded_on__gte: '2010-01-01' }, (r) => r.founded_on !== null && r.founded_on >= '2010-01-01'],
		[{ founded_on__lt: '2003-06-15' }, (r) => r.founded_on !== null && r.founded_on < '2003-06-15'],
		[{ registered_capital__gte: '100000' }, (r) => amount(r) !== undefined && amount(r) >= 100000],
		[{ registered_capital__lte: '30000' }, (r) => amount(r) !== undefined && amount(r) <= 30000],
		[{ name__gte: '列表客户20' }, (r) => r.name >= '列表客户20'],
		[{ name__lt: '列表客户03' }, (r) => r.name < '列表客户03'],
		[{ level__in: 'a,c' }, (r) => r.level === 'a' || r.level === 'c'],
		[{ city__in: 'Beijing,Xiamen' }, (r) => r.city === 'Beijing' || r.city === 'Xiamen'],
		[{ staff_total__in: '1,2,3,99' }, (r) => [1, 2, 3].includes(r.staff_total)],
		[{ name__like: '客户1' }, (r) => r.name.includes('客户1')],
		[{ name__like: '列表客户0*' }, (r) => r.name.startsWith('列表客户0')],
		[{ name__like: '*公司' }, (r) => r.name.endsWith('公司')],
		[{ email__like: 'EXAMPLE1' }, (r) => (r.email || '').toLowerCase().includes('example1')],
		[{ name__like: '50%' }, (r) => r.name.includes('50%')],
		[{ name__like: 'a_b' }, (r) => r.name.includes('a_b')],
		[{ phone__like: '1380000000' }, (r) => (r.phone || '').includes('1380000000')],
		[{ province__null: 'true' }, (r) => r.province === null],
		[{ province__null: 'false' }, (r) => r.province !== null],
		[{ level: 'a', staff_total__gte: '10' }, (r) => r.level === 'a' && r.staff_total >= 10],
	];
	for (const [query, pred] of cases) {
		const want = sortedIds(rows.filter(pred));
		assert.deepEqual(await listIds(query), want, `filter ${new URLSearchParams(query)}`);
		assert.equal(await admin.total('customers', { superior_authority: M, ...query }), want.length, `total of ${new URLSearchParams(query)}`);
	}
	// Times compare as instants, whatever the offset they are written with.
	const listRows = rows.filter((r) => r.name.startsWith('列表'));
	const mid = [...listRows].sort((a, b) => cmp(a.created_at, b.created_at))[12].created_at;
	const shifted = new Date(Date.parse(mid) + 8 * 3600000).toISOString().replace('Z', '+08:00');
	for (const [op, pred] of [
		['gte', (r) => r.created_at >= mid],
		['lt', (r) => r.created_at < mid],
	]) {
		const want = sortedIds(listRows.filter(pred));
		assert.deepEqual(await listIds({ name__like: '列表*', [`created_at__${op}`]: mid }), want, `created_at__${op}`);
		assert.deepEqual(await listIds({ name__like: '列表*', [`created_at__${op}`]: shifted }), want, `created_at__${op} with an offset`);
	}
	// Owner is a reference to users; every row here is the administrator's.
	assert.deepEqual(await listIds({ owner_id: String(admin.user.id) }), sortedIds(rows));
	assert.deepEqual(await listIds({ owner_id: '987654321' }), []);
});

test('sort: ascending and descending on indexed fields, ties broken by id', async () => {
	const listRows = rows.filter((r) => r.name.startsWith('列表'));
	const q = { name__like: '列表*' };
	const byName = [...listRows].sort((a, b) => cmp(a.name, b.name) || a.id - b.id);
	assert.deepEqual(ids(await admin.listAll('customers', { superior_authority: M, ...q, sort: 'name' })), ids(byName));
	assert.deepEqual(ids(await admin.listAll('customers', { superior_authority: M, ...q, sort: '+name' })), ids(byName));
	assert.deepEqual(ids(await admin.listAll('customers', { superior_authority: M, ...q, sort: '-name' })), ids(byName).reverse());
	const byId = sortedIds(listRows);
	assert.deepEqual(ids(await admin.listAll('customers', { superior_authority: M, ...q, sort: 'id' })), byId);
	assert.deepEqual(ids(await admin.listAll('customers', { superior_authority: M, ...q, sort: '-id' })), [...byId].reverse());
	// The default order is the newest change first.
	const byUpdated = [...listRows].sort((a, b) => cmp(b.updated_at, a.updated_at) || b.id - a.id);
	assert.deepEqual(ids(await admin.listAll('customers', { superior_authority: M, ...q })), ids(byUpdated));
});

/* The order a nullable sort gives: NULLs first ascending, last descending; ties by id. */
function expectedOrder(list, field, desc) {
	const nulls = list.filter((r) => r[field] === null).sort((a, b) => a.id - b.id);
	const vals = list.filter((r) => r[field] !== null).sort((a, b) => cmp(a[field], b[field]) || a.id - b.id);
	return desc ? [...vals.reverse(), ...nulls.reverse()] : [...nulls, ...vals];
}

async function walk(query, limit) {
	const seen = [];
	let cursor = null;
	let total = null;
	for (let page = 0; page < 200; page++) {
		const p = new URLSearchParams({ superior_authority: M, ...query, limit: String(limit) });
		if (cursor) p.set('cursor', cursor);
		const body = await admin.getJson(`/api/v1/customers?${p}`);
		if (total === null) total = body.total;
		assert.equal(body.total, total, 'the total is the same on every page');
		if (body.next_cursor) assert.equal(body.data.length, limit, `a page before the last is full (${p})`);
		else assert.ok(body.data.length > 0 || page === 0, `the last page is not empty (${p})`);
		seen.push(...body.data);
		if (!body.next_cursor) return { rows: seen, total };
		assert.equal(typeof body.next_cursor, 'string');
		cursor = body.next_cursor;
	}
	throw new Error('pagination does not end');
}

test('keyset pagination on nullable columns with ties never repeats or skips a row', async () => {
	const listRows = rows.filter((r) => r.name.startsWith('列表'));
	const q = { name__like: '列表*' };
	const plan = [
		['city', [1, 2, 3, 5, 6, 24, 200]],
		['province', [1, 4, 7, 8]],
		['email', [5]],
		['owner_id', [3]],
	];
	for (const [field, limits] of plan) {
		for (const desc of [false, true]) {
			const want = ids(field === 'owner_id' ? [...listRows].sort((a, b) => (desc ? b.id - a.id : a.id - b.id)) : expectedOrder(listRows, field, desc));
			for (const limit of limits) {
				const { rows: got, total } = await walk({ ...q, sort: (desc ? '-' : '') + field }, limit);
				const gotIds = ids(got);
				assert.equal(new Set(gotIds).size, gotIds.length, `sort=${desc ? '-' : ''}${field} limit=${limit}: a row came twice`);
				assert.deepEqual(gotIds, want, `sort=${desc ? '-' : ''}${field} limit=${limit}`);
				assert.equal(total, listRows.length);
			}
		}
	}
});

test('keyset pagination on system columns and the default order', async () => {
	const listRows = rows.filter((r) => r.name.startsWith('列表'));
	const q = { name__like: '列表*' };
	for (const [sort, order] of [
		['created_at', [...listRows].sort((a, b) => cmp(a.created_at, b.created_at) || a.id - b.id)],
		['-created_at', [...listRows].sort((a, b) => cmp(b.created_at, a.created_at) || b.id - a.id)],
		['-updated_at', [...listRows].sort((a, b) => cmp(b.updated_at, a.updated_at) || b.id - a.id)],
		['-id', [...listRows].sort((a, b) => b.id - a.id)],
	]) {
		for (const limit of [1, 5, 7]) {
			const { rows: got } = await walk({ ...q, sort }, limit);
			assert.deepEqual(ids(got), ids(order), `sort=${sort} limit=${limit}`);
		}
	}
	const { rows: dflt } = await walk(q, 5);
	assert.deepEqual(ids(dflt), ids([...listRows].sort((a, b) => cmp(b.updated_at, a.updated_at) || b.id - a.id)));
});

test('a record changed between pages moves in the order but the walk stays consistent', async () => {
	const q = { name__like: '列表*', sort: 'city' };
	const first = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ superior_authority: M, ...q, limit: '5' })}`);
	const seen = new Set(ids(first.data));
	// A record not yet seen is moved to the front of the order (city NULL sorts first).
	const later = rows.find((r) => r.name.startsWith('列表') && r.city !== null && !seen.has(r.id));
	expectStatus(await admin.patch(`/api/v1/customers/${later.id}`, { city: null }), 200);
	let cursor = first.next_cursor;
	while (cursor) {
		const body = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ superior_authority: M, ...q, limit: '5', cursor })}`);
		for (const r of body.data) {
			assert.ok(!seen.has(r.id), `row ${r.id} came twice`);
			seen.add(r.id);
		}
		cursor = body.next_cursor;
	}
	expectStatus(await admin.patch(`/api/v1/customers/${later.id}`, { city: later.city }), 200);
	const idx = rows.findIndex((r) => r.id === later.id);
	rows[idx] = await admin.getJson(`/api/v1/customers/${later.id}`);
});

test('next_cursor is null when the last page is exactly full', async () => {
	const n = rows.filter((r) => r.name.startsWith('列表')).length; // 24
	const body = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ superior_authority: M, name__like: '列表*', limit: String(n), sort: 'city' })}`);
	assert.equal(body.data.length, n);
	assert.equal(body.next_cursor, null);
	const half = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ superior_authority: M, name__like: '列表*', limit: String(n / 2), sort: 'id' })}`);
	const second = await admin.getJson(
		`/api/v1/customers?${new URLSearchParams({ superior_authority: M, name__like: '列表*', limit: String(n / 2), sort: 'id', cursor: half.next_cursor })}`,
	);
	assert.equal(second.data.length, n / 2);
	assert.equal(second.next_cursor, null);
});

test('fields= projects the columns: id always, the rest as asked', async () => {
	const q = (extra) => `/api/v1/customers?${new URLSearchParams({ superior_authority: M, name__like: '列表*', limit: '200', ...extra })}`;
	let body = await admin.getJson(q({ fields: 'name,city' }));
	assert.equal(body.data.length, 24);
	for (const r of body.data) assert.deepEqual(Object.keys(r).sort(), ['city', 'id', 'name']);
	const byId = new Map(rows.map((r) => [r.id, r]));
	for (const r of body.data) {
		assert.equal(r.name, byId.get(r.id).name);
		assert.equal(r.city, byId.get(r.id).city);
	}
	body = await admin.getJson(q({ fields: 'id' }));
	for (const r of body.data) assert.deepEqual(Object.keys(r), ['id']);
	body = await admin.getJson(q({ fields: 'name,name,registered_capital' }));
	for (const r of body.data) {
		assert.deepEqual(Object.keys(r).sort(), ['id', 'name', 'registered_capital']);
		assert.deepEqual(r.registered_capital, byId.get(r.id).registered_capital);
	}
	// Sorting on a column that is not shown still pages correctly.
	const listRows = rows.filter((r) => r.name.startsWith('列表'));
	const { rows: got } = await walk({ name__like: '列表*', sort: '-city', fields: 'name' }, 5);
	assert.deepEqual(ids(got), ids(expectedOrder(listRows, 'city', true)));
	for (const r of got) assert.deepEqual(Object.keys(r).sort(), ['id', 'name']);
	for (const bad of ['nosuch', 'name,nosuch', 'search_tokens']) {
		expectProblem(await admin.get(q({ fields: bad })), 400, 'bad_request', [['fields', 'unknown_field']]);
	}
});

test('total: exact count by default, left out with total=none', async () => {
	const base = { superior_authority: M, name__like: '列表*' };
	let body = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ ...base, limit: '3' })}`);
	assert.equal(body.total, 24);
	assert.equal(body.total_exact, true);
	assert.equal(body.data.length, 3);
	body = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ ...base, limit: '3', total: 'auto' })}`);
	assert.equal(body.total, 24);
	body = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ ...base, limit: '3', total: 'none' })}`);
	assert.ok(!('total' in body), 'no total with total=none');
	assert.ok(!('total_exact' in body));
	assert.equal(body.data.length, 3);
	assert.equal(typeof body.next_cursor, 'string');
	assert.deepEqual(Object.keys(body).sort(), ['data', 'next_cursor']);
	const empty = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ superior_authority: marker('none') })}`);
	assert.deepEqual(empty, { data: [], next_cursor: null, total: 0, total_exact: true });
});

test('the unfiltered total (kept as a counter) matches a real count', async () => {
	for (const entity of ['customers', 'contacts']) {
		const counted = await admin.total(entity, { id__gte: '1' });
		const kept = await admin.total(entity);
		assert.equal(kept, counted, `${entity}: kept total ${kept}, counted ${counted}`);
	}
});

test('parameter errors are 400 problems naming the parameter, never ignored', async () => {
	const cases = [
		[{ foo: '1' }, 'foo', 'unknown_parameter'],
		[{ nosuch__gt: '1' }, 'nosuch__gt', 'unknown_parameter'],
		[{ search_tokens: 'x' }, 'search_tokens', 'unknown_parameter'],
		[{ staff_total__foo: '1' }, 'staff_total__foo', 'unknown_operator'],
		[{ staff_total__: '1' }, 'staff_total__', 'unknown_operator'],
		[{ level__lt: 'a' }, 'level__lt', 'unknown_operator'],
		[{ remarks__gt: 'x' }, 'remarks__gt', 'unknown_operator'],
		[{ staff_total__like: '1' }, 'staff_total__like', 'unknown_operator'],
		[{ name__like: '' }, 'name__like', 'invalid_value'],
		[{ staff_total__in: Array.from({ length: 101 }, (_, i) => i).join(',') }, 'staff_total__in', 'too_many'],
		[{ limit: '0' }, 'limit', 'out_of_range'],
		[{ limit: '201' }, 'limit', 'out_of_range'],
		[{ limit: 'ten' }, 'limit', 'out_of_range'],
		[{ limit: '-1' }, 'limit', 'out_of_range'],
		[{ total: 'all' }, 'total', 'invalid_value'],
		[{ sort: 'nosuch' }, 'sort', 'unknown_field'],
		[{ sort: '-search_tokens' }, 'sort', 'unknown_field'],
		[{ cursor: 'garbage!' }, 'cursor', 'invalid_cursor'],
		[{ cursor: 'eyJmIjoibmFtZSJ9' }, 'cursor', 'invalid_cursor'],
		[{ deleted: 'maybe' }, 'deleted', 'invalid_bool'],
	];
	for (const [query, field, code] of cases) {
		const res = await admin.get(`/api/v1/customers?${new URLSearchParams(query)}`);
		expectProblem(res, 400, 'bad_request', [[field, code]]);
	}
	// At most 32 filters.
	const many = {};
	for (const f of ['name', 'city', 'province', 'email']) for (const op of ['', '__ne', '__lt', '__lte', '__gt', '__gte', '__like', '__in']) many[f + op] = 'x';
	many.phone = 'x';
	assert.equal(Object.keys(many).length, 33);
	const tooMany = await admin.get(`/api/v1/customers?${new URLSearchParams(many)}`);
	expectProblem(tooMany, 400, 'bad_request', [['phone', 'too_many']]);
	delete many.phone;
	expectStatus(await admin.get(`/api/v1/customers?${new URLSearchParams(many)}`), 200);
	// A repeated parameter.
	expectProblem(await admin.get('/api/v1/customers?level=a&level=b'), 400, 'bad_request', [['level', 'duplicate_parameter']]);
	// Several at once are all named.
	const res = await admin.get('/api/v1/customers?foo=1&limit=0&sort=nosuch');
	const p = expectProblem(res, 400, 'bad_request', [
		['foo', 'unknown_parameter'],
		['limit', 'out_of_range'],
		['sort', 'unknown_field'],
	]);
	assert.equal(p.errors.length, 3);
	// Invalid UTF-8 in the query string.
	expectProblem(await admin.get('/api/v1/customers?q=%FF%FE'), 400, 'bad_request');
	expectProblem(await admin.get('/api/v1/customers?city=%C3'), 400, 'bad_request');
	const del = await admin.del('/api/v1/customers');
	expectProblem(del, 405, 'method_not_allowed');
	assert.match(del.headers.get('allow') || '', /POST/);
});

test('sorting on a field without an index is 400 unsortable_field, with a message in both languages', async () => {
	for (const sort of ['remarks', 'district', '-staff_total']) {
		const res = await admin.get(`/api/v1/customers?sort=${sort}`);
		assert.equal(res.status, 400);
		assert.deepEqual(res.json.errors.map((e) => [e.field, e.code]), [['sort', 'unsortable_field']]);
	}
	const zh = expectProblem(await admin.get('/api/v1/customers?sort=remarks'), 400, 'bad_request', [['sort', 'unsortable_field']]);
	assert.equal(zh.errors[0].message, '该字段不能排序');
	const en = expectProblem(await admin.get('/api/v1/customers?sort=remarks', { headers: { 'Accept-Language': 'en' } }), 400, 'bad_request', [
		['sort', 'unsortable_field'],
	]);
	assert.equal(en.errors[0].message, 'This field cannot be sorted on');
});

test('a cursor only fits the order it came from', async () => {
	const base = { superior_authority: M, name__like: '列表*', limit: '5' };
	const byName = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ ...base, sort: 'name' })}`);
	assert.ok(byName.next_cursor);
	for (const sort of ['city', '-name', 'id']) {
		const res = await admin.get(`/api/v1/customers?${new URLSearchParams({ ...base, sort, cursor: byName.next_cursor })}`);
		expectProblem(res, 400, 'bad_request', [['cursor', 'invalid_cursor']]);
	}
	// A cursor that is valid base64 but altered is refused, not followed.
	const raw = Buffer.from(byName.next_cursor, 'base64url').toString('utf8');
	const tampered = Buffer.from(raw.replace('"n":0', '"n":1'), 'utf8').toString('base64url');
	expectProblem(
		await admin.get(`/api/v1/customers?${new URLSearchParams({ ...base, sort: 'name', cursor: tampered })}`),
		400,
		'bad_request',
		[['cursor', 'invalid_cursor']],
	);
});

/* ---- search ---- */

let sr = {};
test('search: set up records in Chinese (simplified and traditional) and Latin', async () => {
	const tax = uscc();
	sr.haiyun = await admin.create('customers', { name: '海韵游艇俱乐部', address: '厦门市思明区环岛路', superior_authority: S });
	sr.hk = await admin.create('customers', { name: '香港遊艇會', superior_authority: S });
	sr.blue = await admin.create('customers', { name: 'Blue Ocean Marina 蓝海', email: 'info@blueocean.cn', superior_authority: S });
	sr.star = await admin.create('customers', {
		name: '星辰贸易有限公司',
		phone: '13912345678',
		legal_rep_name: '王小明',
		tax_id: tax,
		superior_authority: S,
	});
	sr.tax = tax;
	sr.contact = await admin.create('contacts', { name: '陈海韵', customer_id: sr.star.id, position: '总经理' });
});

async function search(q, extra = {}, entity = 'customers') {
	const body = await admin.getJson(`/api/v1/${entity}?${new URLSearchParams({ q, limit: '200', ...(entity === 'customers' ? { superior_authority: S } : {}), ...extra })}`);
	assert.equal(body.total, body.data.length, `total of q=${q}`);
	return sortedIds(body.data);
}

test('search: two Chinese characters match inside a name', async () => {
	assert.deepEqual(await search('海韵'), [sr.haiyun.id]);
	assert.deepEqual(await search('俱乐'), [sr.haiyun.id]);
	assert.deepEqual(await search('乐俱'), [], 'characters in another order are another word');
	assert.deepEqual(await search('游艇俱乐部'), [sr.haiyun.id]);
	assert.deepEqual(await search('思明'), [sr.haiyun.id], 'the address is searchable');
	assert.deepEqual(await search('小明'), [sr.star.id], 'the legal representative is searchable');
	assert.deepEqual(await search('贸易 星辰'), [sr.star.id], 'words in any order: all must match');
});

test('search: traditional characters find simplified text and the other way round', async () => {
	const both = sortedIds([sr.haiyun, sr.hk]);
	assert.deepEqual(await search('遊艇'), both);
	assert.deepEqual(await search('游艇'), both);
	assert.deepEqual(await search('游艇会'), [sr.hk.id]);
	assert.deepEqual(await search('遊艇會'), [sr.hk.id]);
	assert.deepEqual(await search('香港'), [sr.hk.id]);
});

test('search: one character is a prefix of what follows it', async () => {
	assert.deepEqual(await search('海'), sortedIds([sr.haiyun, sr.blue]));
	assert.deepEqual(await search('辰'), [sr.star.id]);
});

test('search: Latin words match by prefix, without regard to case', async () => {
	assert.deepEqual(await search('mari'), [sr.blue.id]);
	assert.deepEqual(await search('MARINA'), [sr.blue.id]);
	assert.deepEqual(await search('blue marina'), [sr.blue.id]);
	assert.deepEqual(await search('ocean 蓝海'), [sr.blue.id]);
	assert.deepEqual(await search('blue 海韵'), []);
	assert.deepEqual(await search('blueoc'), [sr.blue.id], 'the email is searchable');
	assert.deepEqual(await search('139123'), [sr.star.id], 'phone numbers match by prefix');
	assert.deepEqual(await search(sr.tax.slice(0, 12).toLowerCase()), [sr.star.id], 'the credit code is searchable');
	assert.deepEqual(await search('ＭＡＲＩＮＡ'), [sr.blue.id], 'full-width letters are folded');
	assert.deepEqual(await search('zzqqxx'), []);
	// Characters that mean something to the search engines are just text.
	for (const q of ["o'brien & (x) | !y :* \\ \"q\" NEAR(a b) *", 'marina:*', 'AND OR NOT', '海韵\'', "'"]) {
		const res = await admin.get(`/api/v1/customers?${new URLSearchParams({ q, superior_authority: S })}`);
		expectStatus(res, 200);
	}
	assert.deepEqual(await search('海韵zzqq'), []);
});

test('search combines with filters, sorting and pagination', async () => {
	assert.deepEqual(await search('游艇', { name__like: '香港*' }), [sr.hk.id]);
	const byName = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ q: '游艇', superior_authority: S, sort: 'name' })}`);
	assert.deepEqual(
		ids(byName.data),
		ids([sr.haiyun, sr.hk].sort((a, b) => cmp(a.name, b.name))),
	);
	// Without a sort, newest first; one row per page.
	const seen = [];
	let cursor = null;
	do {
		const p = new URLSearchParams({ q: '海', superior_authority: S, limit: '1' });
		if (cursor) p.set('cursor', cursor);
		const body = await admin.getJson(`/api/v1/customers?${p}`);
		assert.equal(body.total, 2);
		seen.push(...ids(body.data));
		cursor = body.next_cursor;
	} while (cursor);
	assert.deepEqual(seen, [sr.blue.id, sr.haiyun.id].sort((a, b) => b - a));
	// Search over everything, not only this file's rows, pages through too.
	const all = await admin.listAll('customers', { q: '海' }, { limit: 1 });
	assert.ok(ids(all).includes(sr.haiyun.id) && ids(all).includes(sr.blue.id));
	assert.equal(new Set(ids(all)).size, all.length);
	// An empty q is no search.
	assert.equal((await admin.getJson(`/api/v1/customers?${new URLSearchParams({ q: '', superior_authority: S })}`)).total, 4);
});

test('search follows changes: renamed and deleted records', async () => {
	expectStatus(await admin.patch(`/api/v1/customers/${sr.haiyun.id}`, { name: '海阔天空俱乐部' }), 200);
	assert.deepEqual(await search('海韵'), []);
	assert.deepEqual(await search('海阔'), [sr.haiyun.id]);
	assert.deepEqual(await search('俱乐'), [sr.haiyun.id]);
	expectStatus(await admin.del(`/api/v1/customers/${sr.blue.id}`), 204);
	assert.deepEqual(await search('marina'), []);
	assert.deepEqual(await search('海'), [sr.haiyun.id]);
	// Restored, it is found again.
	expectStatus(await admin.post(`/api/v1/customers/${sr.blue.id}/restore`), 200);
	assert.deepEqual(await search('marina'), [sr.blue.id]);
	// A bulk update of a searched field re-indexes every record it touches.
	expectStatus(await admin.post('/api/v1/customers/bulk-update', { ids: [sr.blue.id, sr.star.id], field: 'legal_rep_name', value: '欧阳锋' }), 200);
	assert.deepEqual(await search('欧阳'), sortedIds([sr.blue, sr.star]));
	assert.deepEqual(await search('小明'), []);
	expectStatus(await admin.del(`/api/v1/customers/${sr.blue.id}`), 204);
});

test('search works on contacts too', async () => {
	const body = await admin.getJson(`/api/v1/contacts?${new URLSearchParams({ q: '海韵', customer_id: String(sr.star.id) })}`);
	assert.deepEqual(ids(body.data), [sr.contact.id]);
	const body2 = await admin.getJson(`/api/v1/contacts?${new URLSearchParams({ q: '经理', customer_id: String(sr.star.id) })}`);
	assert.deepEqual(ids(body2.data), [sr.contact.id]);
});

/* ---- related lists ---- */

test('related list: /customers/{id}/contacts lists that customer\'s contacts only', async () => {
	const p1 = await admin.create('customers', { name: `父一 ${M}` });
	const p2 = await admin.create('customers', { name: `父二 ${M}` });
	const c = [];
	for (const [i, parent] of [p1, p1, p1, p2].entries())
		c.push(await admin.create('contacts', { name: `联系人${i} ${M}`, customer_id: parent.id, sequence: i }));
	let body = await admin.getJson(`/api/v1/customers/${p1.id}/contacts`);
	assert.deepEqual(sortedIds(body.data), sortedIds(c.slice(0, 3)));
	assert.equal(body.total, 3);
	assert.equal(body.total_exact, true);
	body = await admin.getJson(`/api/v1/customers/${p2.id}/contacts`);
	assert.deepEqual(ids(body.data), [c[3].id]);
	// With paging, filters, sorting and projection like any list.
	const first = await admin.getJson(`/api/v1/customers/${p1.id}/contacts?limit=2&sort=id`);
	assert.deepEqual(ids(first.data), ids(c.slice(0, 2)));
	const second = await admin.getJson(`/api/v1/customers/${p1.id}/contacts?limit=2&sort=id&cursor=${first.next_cursor}`);
	assert.deepEqual(ids(second.data), [c[2].id]);
	assert.equal(second.next_cursor, null);
	body = await admin.getJson(`/api/v1/customers/${p1.id}/contacts?sequence__gte=1&sort=-name&fields=name`);
	assert.deepEqual(body.data, [
		{ id: c[2].id, name: c[2].name },
		{ id: c[1].id, name: c[1].name },
	]);
	expectProblem(await admin.get(`/api/v1/customers/${p1.id}/contacts?foo=1`), 400, 'bad_request', [['foo', 'unknown_parameter']]);
	// A deleted contact leaves the list; a deleted or missing parent has none.
	expectStatus(await admin.del(`/api/v1/contacts/${c[1].id}`), 204);
	body = await admin.getJson(`/api/v1/customers/${p1.id}/contacts`);
	assert.deepEqual(sortedIds(body.data), sortedIds([c[0], c[2]]));
	assert.equal(body.total, 2);
	expectStatus(await admin.del(`/api/v1/customers/${p2.id}`), 204);
	expectProblem(await admin.get(`/api/v1/customers/${p2.id}/contacts`), 404, 'not_found');
	expectProblem(await admin.get('/api/v1/customers/987654321/contacts'), 404, 'not_found');
	expectProblem(await admin.get(`/api/v1/customers/${p1.id}/nothing`), 404, 'not_found');
	expectProblem(await admin.get(`/api/v1/contacts/${c[0].id}/customers`), 404, 'not_found');
	// Moving a contact to another customer moves it between the lists.
	const p3 = await admin.create('customers', { name: `父三 ${M}` });
	expectStatus(await admin.patch(`/api/v1/contacts/${c[0].id}`, { customer_id: p3.id }), 200);
	assert.deepEqual(ids((await admin.getJson(`/api/v1/customers/${p3.id}/contacts`)).data), [c[0].id]);
	assert.deepEqual(ids((await admin.getJson(`/api/v1/customers/${p1.id}/contacts`)).data), [c[2].id]);
	// Contacts sort by their (indexed) reference and page through it.
	const mine = await admin.listAll('contacts', { name__like: `*${M}`, sort: '-customer_id' }, { limit: 1 });
	const want = [c[0], c[2], c[3]].map((x) => ({ ...x, customer_id: x.id === c[0].id ? p3.id : x.customer_id }));
	want.sort((a, b) => b.customer_id - a.customer_id || b.id - a.id);
	assert.deepEqual(ids(mine), ids(want));
	const meta = await admin.getJson('/api/v1/meta/entities/customers');
	assert.deepEqual(
		meta.relations.map((r) => [r.name, r.entity, r.field]),
		[['activities', 'activities', 'customer_id'], ['bids', 'bids', 'customer_id'], ['contact_plans', 'contact_plans', 'customer_id'], ['contact_updates', 'contact_updates', 'customer_id'], ['contacts', 'contacts', 'customer_id'], ['leads', 'leads', 'customer_id'], ['opportunities', 'opportunities', 'customer_id'], ['return_visits', 'return_visits', 'customer_id'], ['service_plans', 'service_plans', 'customer_id'], ['tasks', 'tasks', 'customer_id'], ['visits', 'visits', 'customer_id'], ['work_plan_items', 'work_plan_items', 'customer_id']],
	);
});
