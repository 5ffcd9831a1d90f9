// Export (CSV with a BOM and neutralised formulas, real XLSX) and import (dry run, commit, all
// or nothing, labels in both languages, explicit mappings, GB18030), and the round trip.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { loginAdmin, loginAlice, expectProblem, expectStatus, marker, parseCsv, csvLine, xlsxRows, uscc } from './lib.mjs';

let admin;
let alice;
let meta; // customers metadata
const M = marker('t06');

before(async () => {
	admin = await loginAdmin();
	alice = await loginAlice();
	meta = await admin.getJson('/api/v1/meta/entities/customers');
});

async function lastAuditId() {
	const body = await admin.getJson('/api/v1/audit?limit=1');
	return body.data.length ? body.data[0].id : 0;
}

function importCsv(client, entity, csv, query = {}, contentType = 'text/csv; charset=utf-8') {
	const q = new URLSearchParams(query);
	return client.req('POST', `/api/v1/${entity}/import${q.size ? `?${q}` : ''}`, {
		body: csv,
		headers: { 'Content-Type': contentType },
	});
}

function csvText(res) {
	assert.deepEqual([...res.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a CSV export starts with a UTF-8 byte-order mark');
	return res.bytes.subarray(3).toString('utf8');
}

/* ---- export ---- */

let ex = {}; // records exported
test('export: set up records, some of which look like spreadsheet formulas', async () => {
	const tag = `${M}-ex`;
	ex.formula = await admin.create('customers', { name: '=HYPERLINK("http://evil.example","点我")', superior_authority: tag });
	ex.plus = await admin.create('customers', { name: '+cmd|\' /C calc\'!A0', superior_authority: tag });
	ex.minus = await admin.create('customers', { name: '-1+2', superior_authority: tag, remarks: '=1+1' });
	ex.at = await admin.create('customers', { name: '@SUM(A1:A9)', superior_authority: tag });
	ex.plain = await admin.create('customers', {
		name: '正常客户, "有引号"',
		superior_authority: tag,
		level: 'a',
		registered_capital: 123450,
		capital: { amount: 99, currency: 'USD' },
		founded_on: '2020-01-02',
		staff_total: 17,
		remarks: '第一行\n第二行',
		phone: '+852 2345 6789',
		website: 'www.example.cn',
	});
	ex.tag = tag;
	ex.order = [ex.formula, ex.plus, ex.minus, ex.at, ex.plain];
});

test('export CSV: attachment, BOM, every visible field by name, neutralised formulas', async () => {
	const res = await admin.get(`/api/v1/customers/export?format=csv&header=names&superior_authority=${ex.tag}&sort=id`);
	expectStatus(res, 200);
	assert.match(res.headers.get('content-type'), /^text\/csv; charset=utf-8/);
	assert.equal(res.headers.get('content-disposition'), 'attachment; filename="customers.csv"');
	const rows = parseCsv(csvText(res));
	const names = meta.fields.map((f) => f.name);
	assert.deepEqual(rows[0], names, 'the header row lists every visible field, in order');
	assert.equal(rows.length, 1 + ex.order.length);
	const col = (n) => names.indexOf(n);
	const byId = new Map(rows.slice(1).map((r) => [Number(r[col('id')]), r]));
	assert.deepEqual(rows.slice(1).map((r) => Number(r[col('id')])), ex.order.map((r) => r.id), 'sorted as asked');
	assert.equal(byId.get(ex.formula.id)[col('name')], `'=HYPERLINK("http://evil.example","点我")`);
	assert.equal(byId.get(ex.plus.id)[col('name')], `'+cmd|' /C calc'!A0`);
	assert.equal(byId.get(ex.minus.id)[col('name')], `'-1+2`);
	assert.equal(byId.get(ex.minus.id)[col('remarks')], `'=1+1`, 'long text is neutralised too');
	assert.equal(byId.get(ex.at.id)[col('name')], `'@SUM(A1:A9)`);
	const p = byId.get(ex.plain.id);
	assert.equal(p[col('name')], '正常客户, "有引号"');
	assert.equal(p[col('remarks')], '第一行\n第二行');
	assert.equal(p[col('registered_capital')], '1234.50', 'money in yuan');
	assert.equal(p[col('capital')], 'USD 0.99', 'other currencies are named');
	assert.equal(p[col('founded_on')], '2020-01-02');
	assert.equal(p[col('staff_total')], '17');
	assert.equal(p[col('level')], 'A级（重要客户）', 'enums by their label');
	assert.equal(p[col('customer_type')], '终端用户');
	assert.equal(p[col('website')], 'https://www.example.cn');
	assert.equal(p[col('owner_id')], String(admin.user.id));
	assert.equal(p[col('deleted_at')], '');
	assert.equal(p[col('city')], '', 'empty fields are empty cells');
});

test('export CSV: labels in the caller\'s language, and the defaults', async () => {
	const zh = await admin.get(`/api/v1/customers/export?superior_authority=${ex.tag}&sort=id`);
	expectStatus(zh, 200);
	const zrows = parseCsv(csvText(zh));
	assert.deepEqual(zrows[0], meta.fields.map((f) => f.label['zh-CN']), 'labels by default, Chinese by default');
	const en = await admin.get(`/api/v1/customers/export?format=csv&header=labels&superior_authority=${ex.tag}&sort=id`, {
		headers: { 'Accept-Language': 'en' },
	});
	const erows = parseCsv(csvText(en));
	assert.deepEqual(erows[0], meta.fields.map((f) => f.label.en));
	const lvl = erows[0].indexOf('Level');
	assert.equal(erows[erows.length - 1][lvl], 'A – key account');
	// Filters, search and projections apply as in a list.
	const some = await admin.get(`/api/v1/customers/export?header=names&superior_authority=${ex.tag}&level=a&fields=name,level`);
	const srows = parseCsv(csvText(some));
	assert.deepEqual(srows, [
		['id', 'name', 'level'],
		[String(ex.plain.id), ex.plain.name, 'A级（重要客户）'],
	]);
	const none = await admin.get(`/api/v1/customers/export?header=names&superior_authority=${marker('nothing')}&fields=name`);
	assert.deepEqual(parseCsv(csvText(none)), [['id', 'name']]);
	// Deleted records: administrators may export them, users may not.
	const gone = await admin.create('customers', { name: '已删导出', superior_authority: `${ex.tag}-del` });
	expectStatus(await admin.del(`/api/v1/customers/${gone.id}`), 204);
	const delEx = await admin.get(`/api/v1/customers/export?header=names&fields=name&deleted=true&superior_authority=${ex.tag}-del`);
	expectStatus(delEx, 200);
	assert.deepEqual(parseCsv(csvText(delEx)), [['id', 'name'], [String(gone.id), '已删导出']]);
	expectProblem(await alice.get(`/api/v1/customers/export?deleted=true&superior_authority=${ex.tag}-del`), 403, 'forbidden');
	// A user may export.
	expectStatus(await alice.get(`/api/v1/customers/export?superior_authority=${ex.tag}`), 200);
});

test('export XLSX: a real workbook with the same neutralised cells and numbers as numbers', async () => {
	const res = await admin.get(`/api/v1/customers/export?format=xlsx&header=names&superior_authority=${ex.tag}&sort=id`);
	expectStatus(res, 200);
	assert.equal(res.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
	assert.equal(res.headers.get('content-disposition'), 'attachment; filename="customers.xlsx"');
	assert.deepEqual([...res.bytes.subarray(0, 4)], [0x50, 0x4b, 0x03, 0x04], 'a zip (PK) archive');
	const rows = xlsxRows(res.bytes);
	const names = meta.fields.map((f) => f.name);
	assert.deepEqual(rows[0], names);
	assert.equal(rows.length, 1 + ex.order.length);
	const col = (n) => names.indexOf(n);
	const byId = new Map(rows.slice(1).map((r) => [Number(r[col('id')]), r]));
	assert.equal(byId.get(ex.formula.id)[col('name')], `'=HYPERLINK("http://evil.example","点我")`);
	assert.equal(byId.get(ex.plus.id)[col('name')], `'+cmd|' /C calc'!A0`);
	assert.equal(byId.get(ex.minus.id)[col('name')], `'-1+2`);
	assert.equal(byId.get(ex.at.id)[col('name')], `'@SUM(A1:A9)`);
	const p = byId.get(ex.plain.id);
	assert.equal(p[col('name')], ex.plain.name);
	assert.equal(Number(p[col('registered_capital')]), 1234.5, 'CNY money is a number in yuan');
	assert.equal(p[col('capital')], 'USD 0.99');
	assert.equal(Number(p[col('staff_total')]), 17);
	assert.equal(p[col('level')], 'A级（重要客户）');
	assert.equal(p[col('remarks')], '第一行\n第二行');
});

test('export: bad parameters are 400', async () => {
	expectProblem(await admin.get('/api/v1/customers/export?format=pdf'), 400, 'bad_request', [['format', 'invalid_option']]);
	expectProblem(await admin.get('/api/v1/customers/export?header=keys'), 400, 'bad_request', [['header', 'invalid_option']]);
	expectProblem(await admin.get('/api/v1/customers/export?nosuch=1'), 400, 'bad_request', [['nosuch', 'unknown_parameter']]);
	const unsortable = await admin.get('/api/v1/customers/export?sort=remarks');
	assert.equal(unsortable.status, 400);
	assert.deepEqual(unsortable.json.errors.map((e) => [e.field, e.code]), [['sort', 'unsortable_field']]);
	expectProblem(await admin.get('/api/v1/widgets/export'), 404, 'not_found');
});

/* ---- import ---- */

test('import dry run: a report, and nothing created', async () => {
	const tag = `${M}-dry`;
	const csv = [
		'name,city,level,registered_capital,phone,superior_authority',
		csvLine(['一号客户', '厦门', 'a', '1234.50', '138 0000 0001', tag]),
		csvLine(['二号客户', '福州', 'B级（重点客户）', '0.5', '', tag]),
		csvLine(['三号客户', '', 'C – regular customer', 'USD 10', '0592-5551234', tag]),
	].join('\n');
	const total = await admin.total('customers');
	const audit = await lastAuditId();
	const res = await importCsv(admin, 'customers', csv, { dry_run: 'true' });
	expectStatus(res, 200);
	// Customers have a duplicate check: its report is there (t33 tests what it says).
	const { duplicate_rows: dupRows, duplicates, duplicates_truncated: dupCut, ...report } = res.json;
	assert.equal(typeof dupRows, 'number');
	assert.ok(Array.isArray(duplicates) && duplicates.length === dupRows);
	assert.equal(dupCut, false);
	assert.deepEqual(report, {
		dry_run: true,
		rows: 3,
		valid: 3,
		invalid: 0,
		created: 0,
		encoding: 'UTF-8',
		mapping: { name: 'name', city: 'city', level: 'level', registered_capital: 'registered_capital', phone: 'phone', superior_authority: 'superior_authority' },
		unmapped_columns: [],
		errors_truncated: false,
		errors: [],
	});
	assert.equal(await admin.total('customers'), total);
	assert.equal(await admin.total('customers', { superior_authority: tag }), 0);
	assert.equal(await lastAuditId(), audit);
	// dry_run=1 is the same; dry_run=false commits.
	const again = await importCsv(admin, 'customers', csv, { dry_run: '1' });
	assert.equal(again.json.created, 0);
	const commit = await importCsv(admin, 'customers', csv, { dry_run: 'false' });
	expectStatus(commit, 200);
	assert.equal(commit.json.dry_run, false);
	assert.equal(commit.json.created, 3);
	assert.equal(await admin.total('customers', { superior_authority: tag }), 3);
});

test('import commit: rows become records with normalised values, audit rows and counted totals', async () => {
	const tag = `${M}-commit`;
	const csv =
		'\uFEFF' +
		[
			'name,city,level,registered_capital,capital,phone,founded_on,remarks,superior_authority',
			csvLine(['导入甲', '厦门', 'a', '1234.50', 'USD 12.5', '+86 138 0000 0002', '2018-03-04', '多行\n备注, 带逗号 "和引号"', tag]),
			csvLine(['导入乙', '泉州', 'D级（一般客户）', '7', '', '0592-5551234', '', '', tag]),
		].join('\r\n') +
		'\r\n';
	const total = await admin.total('customers');
	const res = await importCsv(admin, 'customers', csv);
	expectStatus(res, 200);
	assert.equal(res.json.dry_run, false);
	assert.equal(res.json.rows, 2);
	assert.equal(res.json.valid, 2);
	assert.equal(res.json.created, 2);
	assert.deepEqual(res.json.errors, []);
	const got = await admin.listAll('customers', { superior_authority: tag, sort: 'id' });
	assert.equal(got.length, 2);
	const [a, b] = got;
	assert.equal(a.name, '导入甲');
	assert.equal(a.level, 'a');
	assert.deepEqual(a.registered_capital, { amount: 123450, currency: 'CNY' });
	assert.deepEqual(a.capital, { amount: 1250, currency: 'USD' });
	assert.equal(a.phone, '13800000002');
	assert.equal(a.founded_on, '2018-03-04');
	assert.equal(a.remarks, '多行\n备注, 带逗号 "和引号"');
	assert.equal(a.customer_type, 'end_user', 'defaults apply');
	assert.equal(a.owner_id, admin.user.id);
	assert.equal(a.created_by, admin.user.id);
	assert.equal(a.version, 1);
	assert.equal(b.level, 'd');
	assert.deepEqual(b.registered_capital, { amount: 700, currency: 'CNY' });
	assert.equal(b.phone, '0592-5551234');
	assert.equal(b.founded_on, null);
	assert.equal(await admin.total('customers'), total + 2);
	assert.equal(await admin.total('customers', { id__gte: '1' }), total + 2);
	const trail = await admin.audit('customers', a.id);
	assert.deepEqual(trail.map((t) => t.action), ['create']);
	assert.equal(trail[0].user_id, admin.user.id);
	assert.deepEqual(trail[0].changes.name, [null, '导入甲']);
	assert.deepEqual(trail[0].changes.capital, [null, { amount: 1250, currency: 'USD' }]);
	// Imported records are searchable like any other.
	const found = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ q: '导入', superior_authority: tag })}`);
	assert.equal(found.total, 2);
});

test('import maps headers by Chinese or English label, in any case', async () => {
	const tag = `${M}-labels`;
	for (const header of ['客户名称,城市,客户级别,上级主管部门', 'Name,City,Level,Superior authority', 'NAME,city,LEVEL,superior_AUTHORITY']) {
		const csv = `${header}\n标签客户,杭州,a,${tag}\n`;
		const res = await importCsv(admin, 'customers', csv, { dry_run: 'true' });
		expectStatus(res, 200);
		assert.deepEqual(Object.values(res.json.mapping), ['name', 'city', 'level', 'superior_authority'], header);
		assert.equal(res.json.valid, 1, header);
		assert.deepEqual(res.json.unmapped_columns, []);
	}
});

test('import with invalid rows: the dry run reports each by row and field', async () => {
	const tag = `${M}-bad`;
	const tax = uscc();
	const csv = [
		'name,phone,level,registered_capital,tax_id,superior_authority',
		csvLine(['好行', '13800000003', 'a', '1', tax, tag]),
		csvLine(['坏电话', '12345', 'a', '1', '', tag]),
		csvLine(['', '13800000004', 'b', '1', '', tag]),
		csvLine(['坏级别', '', 'zz', '1', '', tag]),
		csvLine(['坏金额', '', '', '12.345', '', tag]),
		csvLine(['重复税号', '', '', '', tax, tag]),
		'少列,1',
	].join('\n');
	const res = await importCsv(admin, 'customers', csv, { dry_run: 'true' });
	expectStatus(res, 200);
	const r = res.json;
	assert.equal(r.rows, 7);
	assert.equal(r.valid, 1);
	assert.equal(r.invalid, 6);
	assert.equal(r.created, 0);
	const errs = r.errors.map((e) => [e.row, e.field, e.code]);
	assert.deepEqual(errs, [
		[3, 'phone', 'invalid_phone'],
		[4, 'name', 'required'],
		[5, 'level', 'invalid_option'],
		[6, 'registered_capital', 'invalid_money'],
		[7, 'tax_id', 'duplicate_row'],
		[8, null, 'invalid_csv'],
	]);
	for (const e of r.errors) assert.ok(typeof e.message === 'string' && e.message && e.message !== e.code);
	assert.match(r.errors.find((e) => e.code === 'duplicate_row').message, /2/, 'names the first row with the value');
});

test('import commit with any invalid row is a 422 problem carrying the report, and creates nothing', async () => {
	const tag = `${M}-allornothing`;
	const csv = ['name,phone,superior_authority', csvLine(['好一', '13800000005', tag]), csvLine(['坏二', 'nope', tag]), csvLine(['好三', '', tag])].join('\n');
	const total = await admin.total('customers');
	const audit = await lastAuditId();
	const res = await importCsv(admin, 'customers', csv);
	const p = expectProblem(res, 422, 'validation_failed');
	assert.equal(p.dry_run, false);
	assert.equal(p.rows, 3);
	assert.equal(p.valid, 2);
	assert.equal(p.invalid, 1);
	assert.equal(p.created, 0);
	assert.equal(p.encoding, 'UTF-8');
	assert.deepEqual(p.mapping, { name: 'name', phone: 'phone', superior_authority: 'superior_authority' });
	assert.deepEqual(p.errors.map((e) => [e.row, e.field, e.code]), [[3, 'phone', 'invalid_phone']]);
	assert.equal(await admin.total('customers', { superior_authority: tag }), 0);
	assert.equal(await admin.total('customers'), total);
	assert.equal(await lastAuditId(), audit);
});

test('import checks the database too: existing unique values and missing references', async () => {
	const tax = uscc();
	const parent = await admin.create('customers', { name: `导入父 ${M}`, tax_id: tax });
	let res = await importCsv(admin, 'customers', `name,tax_id\n撞税号,${tax.toLowerCase()}\n`, { dry_run: 'true' });
	expectStatus(res, 200);
	assert.deepEqual(res.json.errors.map((e) => [e.row, e.field, e.code]), [[2, 'tax_id', 'duplicate']]);
	const csv = `name,customer_id,mobile\n联系人甲,${parent.id},13900000001\n联系人乙,987654321,\n联系人丙,abc,\n`;
	res = await importCsv(admin, 'contacts', csv, { dry_run: 'true' });
	expectStatus(res, 200);
	assert.deepEqual(res.json.errors.map((e) => [e.row, e.field, e.code]), [
		[3, 'customer_id', 'reference_not_found'],
		[4, 'customer_id', 'invalid_id'],
	]);
	res = await importCsv(admin, 'contacts', `name,customer_id,mobile\n联系人甲,${parent.id},13900000001\n`);
	expectStatus(res, 200);
	assert.equal(res.json.created, 1);
	const related = await admin.getJson(`/api/v1/customers/${parent.id}/contacts`);
	assert.deepEqual(related.data.map((c) => [c.name, c.mobile]), [['联系人甲', '13900000001']]);
});

test('import: a required field without a column is refused up front', async () => {
	const res = await importCsv(admin, 'customers', 'city,level\n厦门,a\n', { dry_run: 'true' });
	expectProblem(res, 422, 'validation_failed', [['name', 'required']]);
	const res2 = await importCsv(admin, 'contacts', 'name\n某人\n', { dry_run: 'true' });
	expectProblem(res2, 422, 'validation_failed', [['customer_id', 'required']]);
});

test('import: GB18030 files (as Excel saves them in China) are read', async () => {
	const tag = `${M}-gbk`;
	const text = `客户名称,城市,详细地址,上级主管部门\n广州游艇会,广州,广东省广州市南沙区滨海路,${tag}\n深圳湾游艇俱乐部,深圳,广东省深圳市南山区,${tag}\n`;
	const gb = execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: Buffer.from(text, 'utf8') });
	assert.notDeepEqual(gb, Buffer.from(text, 'utf8'));
	assert.equal(new TextDecoder('gb18030').decode(gb), text, 'the test file really is GB18030');
	const dry = await importCsv(admin, 'customers', gb, { dry_run: 'true' }, 'text/csv');
	expectStatus(dry, 200);
	assert.equal(dry.json.encoding, 'GB18030');
	assert.equal(dry.json.valid, 2);
	assert.deepEqual(Object.keys(dry.json.mapping), ['客户名称', '城市', '详细地址', '上级主管部门']);
	const res = await importCsv(admin, 'customers', gb, {}, 'application/octet-stream');
	expectStatus(res, 200);
	assert.equal(res.json.created, 2);
	assert.equal(res.json.encoding, 'GB18030');
	const got = await admin.listAll('customers', { superior_authority: tag, sort: 'id' });
	assert.deepEqual(got.map((r) => [r.name, r.city, r.address]), [
		['广州游艇会', '广州', '广东省广州市南沙区滨海路'],
		['深圳湾游艇俱乐部', '深圳', '广东省深圳市南山区'],
	]);
	const found = await admin.getJson(`/api/v1/customers?${new URLSearchParams({ q: '游艇', superior_authority: tag })}`);
	assert.equal(found.total, 2, 'imported GB18030 text is searchable');
});

test('import with an explicit mapping; columns nobody maps are reported', async () => {
	const tag = `${M}-map`;
	const csv = `公司,Town,忽略,Notes,Org\n映射客户,温州,x,y,${tag}\n`;
	const mapping = { 公司: 'name', Town: 'city', 忽略: null, Org: 'superior_authority' };
	const res = await importCsv(admin, 'customers', csv, { mapping: JSON.stringify(mapping) });
	expectStatus(res, 200);
	assert.deepEqual(res.json.mapping, { 公司: 'name', Town: 'city', Org: 'superior_authority' });
	assert.deepEqual(res.json.unmapped_columns, ['忽略', 'Notes']);
	assert.equal(res.json.created, 1);
	const [r] = await admin.listAll('customers', { superior_authority: tag });
	assert.equal(r.name, '映射客户');
	assert.equal(r.city, '温州');
	// A mapping may also send a column that would match by name elsewhere.
	const res2 = await importCsv(admin, 'customers', `name,city\n甲,乙\n`, { dry_run: 'true', mapping: JSON.stringify({ city: 'district', name: 'name' }) });
	expectStatus(res2, 200);
	assert.deepEqual(res2.json.mapping, { name: 'name', city: 'district' });
});

test('import: bad mappings, bad parameters, bad files', async () => {
	const csv = '公司,城市\n甲,乙\n';
	const cases = [
		[{ mapping: JSON.stringify({ 不存在: 'name' }) }, 'mapping', 'unknown_parameter'],
		[{ mapping: JSON.stringify({ 公司: 'bogus' }) }, 'mapping', 'unknown_field'],
		[{ mapping: JSON.stringify({ 公司: 'id' }) }, 'mapping', 'unknown_field'],
		[{ mapping: JSON.stringify({ 公司: 'created_at' }) }, 'mapping', 'unknown_field'],
		[{ mapping: JSON.stringify({ 公司: 5 }) }, 'mapping', 'unknown_field'],
		[{ mapping: 'not json' }, 'mapping', 'invalid_value'],
		[{ mapping: '[1]' }, 'mapping', 'invalid_value'],
		[{ mapping: JSON.stringify({ 公司: 'name', 城市: 'name' }) }, 'mapping', 'duplicate'],
		[{ dry_run: 'maybe' }, 'dry_run', 'invalid_bool'],
		[{ foo: '1' }, 'foo', 'unknown_parameter'],
	];
	for (const [query, field, code] of cases) {
		const res = await importCsv(admin, 'customers', csv, { dry_run: 'true', ...query });
		expectProblem(res, 400, 'bad_request', [[field, code]]);
	}
	expectProblem(await importCsv(admin, 'customers', 'name,客户名称\n甲,乙\n', { dry_run: 'true' }), 400, 'bad_request', [['mapping', 'duplicate']]);
	for (const bad of ['name\n"unclosed\n', 'name,city\n"a"b,c\n', '']) {
		const res = await importCsv(admin, 'customers', bad, { dry_run: 'true' });
		expectProblem(res, 400, 'bad_request', [['body', 'invalid_csv']]);
	}
	const notText = Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x0a, 0xff, 0xff, 0xff, 0x80, 0x0a]);
	expectProblem(await importCsv(admin, 'customers', notText, { dry_run: 'true' }), 400, 'bad_request', [['body', 'invalid_csv']]);
	for (const ct of ['application/json', 'text/plain', 'multipart/form-data; boundary=x']) {
		const res = await importCsv(admin, 'customers', csv, { dry_run: 'true' }, ct);
		expectProblem(res, 415, 'unsupported_media_type');
	}
	expectProblem(await importCsv(admin, 'widgets', csv, { dry_run: 'true' }), 404, 'not_found');
	expectProblem(
		await admin.req('POST', '/api/v1/customers/import?dry_run=true', { body: csv, headers: { 'Content-Type': 'text/csv' }, csrf: false }),
		403,
		'csrf_failed',
	);
	// A header alone is a file with no rows.
	const empty = await importCsv(admin, 'customers', 'name,city\n');
	expectStatus(empty, 200);
	assert.equal(empty.json.rows, 0);
	assert.equal(empty.json.created, 0);
});

test('export then import: what export writes, import reads back as valid rows', async () => {
	const tag = `${M}-round`;
	await admin.create('customers', {
		name: '往返客户甲',
		superior_authority: tag,
		level: 'b',
		region: 'south',
		registered_capital: 98765,
		capital: { amount: 100, currency: 'HKD' },
		founded_on: '2011-11-11',
		phone: '0592-5551234',
		email: 'a@example.cn',
		website: 'https://example.cn/x',
		staff_total: 3,
		remarks: '多行\n文本',
	});
	await admin.create('customers', { name: '往返客户乙', superior_authority: tag });
	const res = await admin.get(`/api/v1/customers/export?superior_authority=${tag}&sort=id`);
	expectStatus(res, 200);
	const back = await importCsv(admin, 'customers', res.bytes, { dry_run: 'true' });
	expectStatus(back, 200);
	assert.equal(back.json.rows, 2);
	assert.deepEqual(back.json.errors, []);
	assert.equal(back.json.valid, 2);
	const readOnly = meta.fields.filter((f) => f.read_only).map((f) => f.label['zh-CN']);
	assert.deepEqual(back.json.unmapped_columns.sort(), readOnly.sort(), 'only read-only columns are left out');
	// Committed, the copies carry the same values.
	const commit = await importCsv(admin, 'customers', res.bytes);
	expectStatus(commit, 200);
	assert.equal(commit.json.created, 2);
	const all = await admin.listAll('customers', { superior_authority: tag, sort: 'id' });
	assert.equal(all.length, 4);
	const strip = (r) => {
		const { id, created_at, updated_at, created_by, updated_by, version, ...rest } = r;
		return rest;
	};
	assert.deepEqual(strip(all[2]), strip(all[0]));
	assert.deepEqual(strip(all[3]), strip(all[1]));
});

test('a large import and export run in batches and lose nothing', async () => {
	const tag = `${M}-bulk`;
	const n = 1234;
	const lines = ['name,staff_total,superior_authority'];
	for (let i = 0; i < n; i++) lines.push(`批量导入${String(i).padStart(4, '0')},${i},${tag}`);
	const before = await admin.total('customers');
	const res = await importCsv(admin, 'customers', lines.join('\n'));
	expectStatus(res, 200);
	assert.equal(res.json.created, n);
	assert.equal(await admin.total('customers', { superior_authority: tag }), n);
	assert.equal(await admin.total('customers'), before + n);
	assert.equal(await admin.total('customers', { id__gte: '1' }), before + n);
	const ex1 = await admin.get(`/api/v1/customers/export?header=names&fields=name,staff_total&superior_authority=${tag}&sort=name`);
	expectStatus(ex1, 200);
	const rows = parseCsv(csvText(ex1));
	assert.equal(rows.length, n + 1);
	assert.equal(new Set(rows.slice(1).map((r) => r[0])).size, n, 'every id once');
	assert.deepEqual(
		rows.slice(1).map((r) => Number(r[2])),
		Array.from({ length: n }, (_, i) => i),
	);
	const ex2 = await admin.get(`/api/v1/customers/export?format=xlsx&header=names&fields=name&superior_authority=${tag}&sort=-name`);
	expectStatus(ex2, 200);
	const xrows = xlsxRows(ex2.bytes);
	assert.equal(xrows.length, n + 1);
	assert.equal(xrows[1][1], `批量导入${String(n - 1).padStart(4, '0')}`);
	assert.equal(xrows[n][1], '批量导入0000');
});
