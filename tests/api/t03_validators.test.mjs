// Every field type's validator, table-driven: good values are stored in their normal form, bad
// values are refused with the field and the reason named. Types the built-in entities lack
// (datetime, bool, multi-select, decimal, bounded int) are added as custom fields, which stay
// for the rest of the run so later files (export, OpenAPI) see them too.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { loginAdmin, expectProblem, expectStatus, marker, uscc, usccCheck } from './lib.mjs';

let admin;
let scratch; // the record good values are written to
const mk = marker('t03');

const label = (zh, en) => ({ 'zh-CN': zh, en });
const CUSTOM = [
	{ name: 'c_v_when', type: 'datetime', label: label('约见时间', 'Meeting time') },
	{ name: 'c_v_flag', type: 'bool', label: label('是否重点', 'Key account') },
	{
		name: 'c_v_tags',
		type: 'multienum',
		label: label('标签', 'Tags'),
		options: [
			{ key: 'x', label: label('甲', 'X') },
			{ key: 'y', label: label('乙', 'Y') },
			{ key: 'z', label: label('丙', 'Z') },
		],
	},
	{ name: 'c_v_ratio', type: 'decimal', scale: 2, min: 0, max: 1000000, label: label('比例', 'Ratio') },
	{ name: 'c_v_count', type: 'int', min: 1, max: 10, label: label('次数', 'Count') },
];

before(async () => {
	admin = await loginAdmin();
	for (const def of CUSTOM) {
		const res = await admin.post('/api/v1/meta/entities/customers/fields', def);
		expectStatus(res, 201);
	}
	scratch = await admin.create('customers', { name: `校验器 ${mk}` });
});

const SAMPLE_USCC = '91350100M000100Y43';

// [field, input, stored value]
const GOOD = {
	phone: [
		['13812345678', '13812345678'],
		['138 1234 5678', '13812345678'],
		['138-1234-5678', '13812345678'],
		['+86 138 1234 5678', '13812345678'],
		['+8613812345678', '13812345678'],
		['0086 138 1234 5678', '13812345678'],
		['0755-12345678', '0755-12345678'],
		['0755-26012345', '0755-26012345'],
		['075526012345', '0755-26012345'],
		['(0755) 2601 2345', '0755-26012345'],
		['+86 755 2601 2345', '0755-26012345'],
		['010-88886666', '010-88886666'],
		['010-88886666-123', '010-88886666-123'],
		['010-8888-6666', '010-88886666'],
		['0755-2601-2345', '0755-26012345'],
		['010-88886666 转 123', '010-88886666-123'],
		['021-6234567', '021-6234567'],
		['400-123-4567', '400-123-4567'],
		['4001234567', '400-123-4567'],
		['800 820 8820', '800-820-8820'],
		['+852 2345 6789', '+85223456789'],
		['+1 (415) 555-0100', '+14155550100'],
	],
	email: [
		['Zhang.San@Example.COM', 'Zhang.San@example.com'],
		['a+tag@b.cn', 'a+tag@b.cn'],
		['first_last@mail.yacht-club.com.cn', 'first_last@mail.yacht-club.com.cn'],
		['  sales@x.cn  ', 'sales@x.cn'],
	],
	website: [
		['www.x.cn', 'https://www.x.cn'],
		['http://Example.COM/Path?q=1#f', 'http://example.com/Path?q=1#f'],
		['HTTPS://WWW.X.CN/A', 'https://www.x.cn/A'],
		['https://x.cn:8443/a', 'https://x.cn:8443/a'],
		['http://localhost:8080/x', 'http://localhost:8080/x'],
		['海韵.中国', 'https://海韵.中国'],
		['x.cn/路径?名=值', 'https://x.cn/路径?名=值'],
	],
	founded_on: [
		['2020-02-29', '2020-02-29'],
		['2000-02-29', '2000-02-29'],
		['2023-12-31', '2023-12-31'],
		['1900-01-01', '1900-01-01'],
	],
	c_v_when: [
		['2024-05-01T08:00:00+08:00', '2024-05-01T00:00:00.000Z'],
		['2024-05-01T00:00:00Z', '2024-05-01T00:00:00.000Z'],
		['2024-05-01 08:30:00.5+08:00', '2024-05-01T00:30:00.500Z'],
		['2024-12-31T23:59:59-05:00', '2025-01-01T04:59:59.000Z'],
		['2024-02-29t10:00:00.123z', '2024-02-29T10:00:00.123Z'],
		['2024-06-30T12:00:00+0530', '2024-06-30T06:30:00.000Z'],
	],
	tax_id: [
		[SAMPLE_USCC, SAMPLE_USCC],
		[SAMPLE_USCC.toLowerCase(), SAMPLE_USCC],
		[` ${SAMPLE_USCC} `, SAMPLE_USCC],
	],
	postcode: [
		['361000', '361000'],
		['100000', '100000'],
	],
	level: [
		['a', 'a'],
		['d', 'd'],
		[' b ', 'b'],
	],
	province: [
		['福'.repeat(50), '福'.repeat(50)],
		['Fujian', 'Fujian'],
	],
	staff_total: [
		[0, 0],
		[9007199254740991, 9007199254740991],
	],
	c_v_flag: [
		[true, true],
		[false, false],
	],
	c_v_tags: [
		[['x', 'z'], ['x', 'z']],
		[['z', 'x', 'z'], ['z', 'x']],
		[[], null],
	],
	c_v_ratio: [
		['12.34', 12.34],
		[12.3, 12.3],
		[7, 7],
		['0.10', 0.1],
		['10000', 10000],
	],
	c_v_count: [
		[1, 1],
		[10, 10],
	],
};

// [field, input, error code]
const BAD = {
	phone: [
		['12345', 'invalid_phone'],
		['abc', 'invalid_phone'],
		['1381234567', 'invalid_phone'],
		['138123456789', 'invalid_phone'],
		['+86 12', 'invalid_phone'],
		['010-1234', 'invalid_phone'],
		['13812345678#', 'invalid_phone'],
		['+0123456789', 'invalid_phone'],
		['12345678', 'invalid_phone'],
		['0755-0234567', 'invalid_phone'],
		['13812345678; 13912345678', 'invalid_phone'],
	],
	email: [
		['plain', 'invalid_email'],
		['a@b', 'invalid_email'],
		['a@b.c', 'invalid_email'],
		['@b.cn', 'invalid_email'],
		['a@', 'invalid_email'],
		['a@@b.cn', 'invalid_email'],
		['a@b@c.cn', 'invalid_email'],
		['.a@b.cn', 'invalid_email'],
		['a.@b.cn', 'invalid_email'],
		['a..b@c.cn', 'invalid_email'],
		['a b@c.cn', 'invalid_email'],
		['a@-b.cn', 'invalid_email'],
		['a@b-.cn', 'invalid_email'],
		['a@b..cn', 'invalid_email'],
		['a@1.23', 'invalid_email'],
		['a@b.cn.', 'invalid_email'],
		['用户@例子.中国', 'invalid_email'],
	],
	website: [
		['javascript:alert(1)', 'invalid_url'],
		['JavaScript:alert(document.cookie)', 'invalid_url'],
		['vbscript:msgbox(1)', 'invalid_url'],
		['data:text/html,<b>x</b>', 'invalid_url'],
		['ftp://x.cn/a', 'invalid_url'],
		['file:///etc/passwd', 'invalid_url'],
		['mailto:a@b.cn', 'invalid_url'],
		['http://', 'invalid_url'],
		['https://', 'invalid_url'],
		['http://exa mple.com', 'invalid_url'],
		['x', 'invalid_url'],
		['http://x', 'invalid_url'],
		['.x.cn', 'invalid_url'],
		['-x.cn', 'invalid_url'],
		['http://x.cn/a b', 'invalid_url'],
		['http://x.cn/<script>', 'invalid_url'],
	],
	founded_on: [
		['2021-02-29', 'invalid_date'],
		['1900-02-29', 'invalid_date'],
		['2023-13-01', 'invalid_date'],
		['2023-00-10', 'invalid_date'],
		['2023-04-31', 'invalid_date'],
		['2023-01-32', 'invalid_date'],
		['2023-1-5', 'invalid_date'],
		['20230105', 'invalid_date'],
		['2023/01/05', 'invalid_date'],
		['2023-01-05T00:00:00Z', 'invalid_date'],
		['0999-12-31', 'invalid_date'],
		['abcd-ef-gh', 'invalid_date'],
	],
	c_v_when: [
		['2024-05-01T08:00:00', 'invalid_datetime'],
		['2024-05-01T24:00:00Z', 'invalid_datetime'],
		['2024-02-30T00:00:00Z', 'invalid_datetime'],
		['2024-05-01T08:00Z', 'invalid_datetime'],
		['2024-05-01T08:00:00+8', 'invalid_datetime'],
		['2024-05-01T08:00:00+25:00', 'invalid_datetime'],
		['yesterday', 'invalid_datetime'],
		['1714550400', 'invalid_datetime'],
		// A date alone has no time and no zone: as ambiguous as a time without a zone.
		['2024-05-01', 'invalid_datetime'],
	],
	tax_id: [
		['91350100M000100Y44', 'invalid_tax_id'],
		['91350100M000100Y4', 'invalid_tax_id'],
		['91350100M000100Y430', 'invalid_tax_id'],
		['91350100M000100Y 3', 'invalid_tax_id'],
		['9135010OM000100Y4' + usccCheck('9135010' + '0' + 'M000100Y4'), 'invalid_tax_id'],
		['91350100M000100Y4３', 'invalid_tax_id'],
	],
	postcode: [
		['36100', 'invalid_postcode'],
		['3610001', 'invalid_postcode'],
		['36100a', 'invalid_postcode'],
		['３６１０００', 'invalid_postcode'],
		['361 000', 'invalid_postcode'],
	],
	level: [
		['e', 'invalid_option'],
		['A', 'invalid_option'],
		['A级（重要客户）', 'invalid_option'],
	],
	province: [['福'.repeat(51), 'too_long']],
	staff_total: [
		[-1, 'out_of_range'],
		[9007199254740992, 'out_of_range'],
		[2.5, 'invalid_integer'],
	],
	c_v_flag: [
		['true', 'invalid_bool'],
		[1, 'invalid_bool'],
		['是', 'invalid_bool'],
	],
	c_v_tags: [
		['x', 'invalid_type'],
		[['w'], 'invalid_option'],
		[[1], 'invalid_type'],
	],
	c_v_ratio: [
		['12.345', 'invalid_decimal'],
		[1.234, 'invalid_decimal'],
		['abc', 'invalid_decimal'],
		['1e3', 'invalid_decimal'],
		[-1, 'out_of_range'],
		['10000.01', 'out_of_range'],
	],
	c_v_count: [
		[0, 'out_of_range'],
		[11, 'out_of_range'],
	],
};

test('the USCC helper agrees with the published sample', () => {
	assert.equal(usccCheck(SAMPLE_USCC.slice(0, 17)), SAMPLE_USCC[17]);
	const code = uscc();
	assert.equal(code.length, 18);
	assert.equal(usccCheck(code.slice(0, 17)), code[17]);
});

for (const [field, cases] of Object.entries(GOOD)) {
	test(`${field}: good values are stored in their normal form`, async () => {
		const wrong = [];
		for (const [input, stored] of cases) {
			const res = await admin.patch(`/api/v1/customers/${scratch.id}`, { [field]: input });
			if (res.status !== 200) {
				wrong.push(`${JSON.stringify(input)} → ${res.status} ${res.json?.errors?.map((e) => e.code).join(',')}`);
				continue;
			}
			const got = await admin.getJson(`/api/v1/customers/${scratch.id}`);
			if (!isDeepStrictEqual(res.json[field], stored) || !isDeepStrictEqual(got[field], stored))
				wrong.push(`${JSON.stringify(input)} → ${JSON.stringify(res.json[field])}, read back ${JSON.stringify(got[field])}, want ${JSON.stringify(stored)}`);
		}
		assert.deepEqual(wrong, [], `${field}: values handled wrongly`);
	});
}

for (const [field, cases] of Object.entries(BAD)) {
	test(`${field}: bad values are refused naming the field, on create and on update`, async () => {
		const before = await admin.getJson(`/api/v1/customers/${scratch.id}`);
		const name = `坏值 ${field} ${mk}`;
		const wrong = [];
		for (const [input, code] of cases) {
			for (const res of [
				await admin.post('/api/v1/customers', { name, [field]: input }),
				await admin.patch(`/api/v1/customers/${scratch.id}`, { [field]: input }),
			]) {
				if (res.status !== 422) {
					wrong.push(`${res.method} ${JSON.stringify(input)} → ${res.status}${res.json ? ' ' + JSON.stringify(res.json[field]) : ''}, want 422 ${code}`);
					continue;
				}
				expectProblem(res, 422, 'validation_failed', [[field, code]]);
				assert.equal(res.json.errors.length, 1, `${field} ${JSON.stringify(input)}: one error`);
			}
		}
		assert.deepEqual(wrong, [], `${field}: bad values accepted`);
		assert.deepEqual(await admin.getJson(`/api/v1/customers/${scratch.id}`), before, 'the record is unchanged');
		assert.equal(await admin.total('customers', { name }), 0, 'nothing was created');
	});
}

test('decimals are written with their scale in the JSON text', async () => {
	const res = await admin.patch(`/api/v1/customers/${scratch.id}`, { c_v_ratio: '3.5' });
	expectStatus(res, 200);
	assert.match(res.text, /"c_v_ratio":3\.50[,}]/);
});

test('filters check values with the same validators (400 naming the parameter)', async () => {
	const cases = [
		['founded_on', '2021-02-29', 'invalid_date'],
		['founded_on__gte', '2021-13-01', 'invalid_date'],
		['staff_total__gt', 'ten', 'invalid_integer'],
		['level', 'zz', 'invalid_option'],
		['level__in', 'a,zz', 'invalid_option'],
		['c_v_flag', 'maybe', 'invalid_bool'],
		['c_v_when__lt', '2024-05-01T08:00:00', 'invalid_datetime'],
		['c_v_ratio__gte', '1.234', 'invalid_decimal'],
		['registered_capital__gte', '12.5', 'invalid_money'],
		['owner_id', 'me', 'invalid_id'],
		['province__null', 'perhaps', 'invalid_bool'],
	];
	for (const [param, value, code] of cases) {
		const res = await admin.get(`/api/v1/customers?${new URLSearchParams({ [param]: value })}`);
		expectProblem(res, 400, 'bad_request', [[param, code]]);
	}
	// Text-like fields take any text as a filter: part of a phone number is a fine filter.
	expectStatus(await admin.get('/api/v1/customers?phone=1381234'), 200);
});
