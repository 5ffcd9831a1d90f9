// The import wizard (/e/:entity/import): the template, a file with a bad cell reported by row and
// field, the corrected file imported, a column mapped by hand, a GB18030 file, an import refused
// whole because the data changed after the check, files the server will not take, English, and
// the phone viewport. Screenshots of each step go to E2E_OUT.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { adminPage, api, base, launch, logIn, shot as screenshot } from './lib.mjs';

let browser;

const customersNamed = async (...names) =>
	(await api('GET', `/api/v1/customers?name__in=${encodeURIComponent(names.join(','))}&limit=50`)).data;

before(async () => {
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

/* After the busy overlay has faded away. */
async function shot(page, name) {
	await page.waitForFunction(() => !document.querySelector('.el-loading-mask'));
	await screenshot(page, name);
}

async function openWizard(options = {}) {
	const page = await adminPage(browser, { viewport: { width: 1280, height: 900 }, acceptDownloads: true, ...options });
	await page.goto(`${base}/e/customers/import`);
	await page.locator('.el-upload-dragger').waitFor();
	return page;
}

/* A file chosen in the upload area (the drag area's hidden input). */
const pick = (page, name, content) =>
	page.setInputFiles('.el-upload__input', { name, mimeType: 'text/csv', buffer: Buffer.isBuffer(content) ? content : Buffer.from(content) });

async function toMapping(page) {
	await page.getByRole('button', { name: '下一步' }).click();
	await page.locator('.mapping').waitFor();
}
async function toReport(page) {
	await page.getByRole('button', { name: '检查数据' }).click();
	await page.locator('.stats').waitFor();
}
const stats = async (page) => (await page.locator('.stats .num').allInnerTexts()).map(Number);
const selected = (page, i) => page.locator('.mapping .el-select').nth(i).innerText();
async function download(page, trigger) {
	const [d] = await Promise.all([page.waitForEvent('download'), trigger()]);
	return { name: d.suggestedFilename(), bytes: fs.readFileSync(await d.path()) };
}

/* GB 32100-2015: 17 characters and their check character. */
function uscc(body) {
	const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
	const w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
	const sum = [...body].reduce((s, c, i) => s + alphabet.indexOf(c) * w[i], 0);
	return body + alphabet[(31 - (sum % 31)) % 31];
}

test('the template, a bad cell reported by row and field, then the corrected file imported', async () => {
	const page = await openWizard();
	await page.getByText('选择要导入的 CSV 文件').waitFor();
	assert.match(await page.locator('.import').innerText(), /256 MB/, 'the size limit is stated');
	await shot(page, 'import-1-upload');

	const template = await download(page, () => page.getByText('下载导入模板').click());
	assert.equal(template.name, '客户导入模板.csv');
	assert.deepEqual([...template.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 byte-order mark for Excel');
	const header = template.bytes.subarray(3).toString('utf8').trim().split(',');
	assert.equal(header[0], '客户名称');
	assert.ok(header.includes('电子邮箱') && header.includes('客户级别'), 'writable fields by their labels');
	assert.ok(!header.includes('编号') && !header.includes('创建时间'), 'no read-only fields');

	const rows = [
		'客户名称,城市,客户级别,电子邮箱',
		'威海金海湾游艇会,威海,a,info@jinhaiwan.cn',
		'大连星海游艇俱乐部,大连,B级（重点客户）,not-an-email',
		'舟山蓝海游艇会,舟山,c,',
	];
	// The drop area is a button: Enter opens the file chooser (its input is clicked). Counted
	// rather than caught as a chooser event, which races with the interception being set up.
	await page.evaluate(() => {
		window.chooserOpened = 0;
		document.querySelector('.el-upload__input').addEventListener('click', (e) => {
			window.chooserOpened++;
			e.preventDefault();
		});
	});
	await page.getByRole('button', { name: /将 CSV 文件拖到此处/ }).focus();
	await page.keyboard.press('Enter');
	assert.equal(await page.evaluate(() => window.chooserOpened), 1, 'the keyboard opens the file chooser');
	await pick(page, '客户.csv', rows.join('\r\n') + '\r\n');
	await page.getByText('已选择：客户.csv').waitFor();
	await toMapping(page);
	assert.match(await selected(page, 0), /客户名称/, 'the server\'s mapping fills the choices');
	assert.match(await selected(page, 3), /电子邮箱/);
	assert.match(await page.locator('.summary').innerText(), /共 4 列，已对应 4 列/);
	await shot(page, 'import-2-mapping');

	await toReport(page);
	assert.deepEqual(await stats(page), [3, 2, 1]);
	const errorRows = await page.locator('.errors .el-table__row').allInnerTexts();
	assert.equal(errorRows.length, 1);
	assert.match(errorRows[0], /^3\s+电子邮箱\s+电子邮箱\s+\S+/, 'the row and the field of the bad cell');
	assert.ok(await page.getByRole('button', { name: '导入', exact: true }).isDisabled(), 'all or nothing: no import with errors');
	await shot(page, 'import-3-report');
	const errors = await download(page, () => page.getByRole('button', { name: '下载错误列表' }).click());
	assert.equal(errors.name, '客户-错误列表.csv');
	const lines = errors.bytes.toString('utf8').replace(/^\uFEFF/, '').trim().split(/\r\n/);
	assert.equal(lines[0], '行号,字段,列,问题');
	assert.match(lines[1], /^3,电子邮箱,电子邮箱,/);

	// Corrected and chosen again.
	await page.getByRole('button', { name: '重新选择文件' }).click();
	rows[2] = '大连星海游艇俱乐部,大连,B级（重点客户）,sales@xinghai.cn';
	await pick(page, '客户.csv', rows.join('\r\n') + '\r\n');
	await toMapping(page);
	await toReport(page);
	assert.deepEqual(await stats(page), [3, 3, 0]);
	await page.getByText('全部 3 行检查通过').waitFor();
	await page.getByRole('button', { name: '导入 3 行' }).click();
	await page.getByText('已导入 3 条客户').waitFor();
	await shot(page, 'import-4-done');

	const made = await customersNamed('威海金海湾游艇会', '大连星海游艇俱乐部', '舟山蓝海游艇会');
	assert.equal(made.length, 3);
	const dalian = made.find((c) => c.city === '大连');
	assert.equal(dalian.level, 'b');
	assert.equal(dalian.email, 'sales@xinghai.cn');
	await page.getByRole('link', { name: '查看客户列表' }).click();
	await page.waitForURL(/\/e\/customers$/);
	await page.close();
});

test('columns the server cannot name are mapped by hand, with the keyboard; a field chosen twice is flagged', async () => {
	const page = await openWizard();
	await pick(page, '俱乐部.csv', '俱乐部名,所在城市,客户级别\n珠海九洲港游艇会,珠海,a\n');
	await toMapping(page);
	assert.match(await selected(page, 0), /忽略此列/, 'not mapped by the server');
	await page.getByText('必填字段尚未对应：客户名称').waitFor();
	assert.ok(await page.getByRole('button', { name: '检查数据' }).isDisabled());
	await shot(page, 'import-2-mapping-unmapped');

	const choose = async (column, text) => {
		const box = page.getByRole('combobox', { name: `“${column}”列对应的字段` });
		await box.focus();
		await page.keyboard.press('Enter'); // opens the list
		await page.keyboard.type(text);
		await page.keyboard.press('Enter'); // the first match
		await page.keyboard.press('Escape');
	};
	await choose('俱乐部名', '客户名称');
	assert.match(await selected(page, 0), /客户名称/);
	// The same field for a second column: flagged, and the check waits.
	await choose('所在城市', '客户名称');
	await page.getByText('“客户名称”被多个列选择').waitFor();
	assert.equal(await page.getByText('该字段被多个列选择').count(), 2);
	assert.ok(await page.getByRole('button', { name: '检查数据' }).isDisabled());
	await shot(page, 'import-2-mapping-duplicate');
	await choose('所在城市', '城市');
	assert.match(await selected(page, 1), /^城市/);
	assert.equal(await page.getByText('该字段被多个列选择').count(), 0);

	await toReport(page);
	assert.deepEqual(await stats(page), [1, 1, 0]);
	await page.getByRole('button', { name: '导入 1 行' }).click();
	await page.getByText('已导入 1 条客户').waitFor();
	const [c] = await customersNamed('珠海九洲港游艇会');
	assert.equal(c.city, '珠海');
	assert.equal(c.level, 'a');
	await page.close();
});

test('a GB18030 file (what Excel saves on Chinese Windows) is read as such', async () => {
	const text = '客户名称,城市,备注\r\n汕头龙湖游艇会,汕头,老客户介绍\r\n湛江南海游艇俱乐部,湛江,\r\n';
	const conv = spawnSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030'], { input: Buffer.from(text) });
	assert.equal(conv.status, 0, String(conv.stderr));
	const gb = conv.stdout;
	assert.notDeepEqual(gb, Buffer.from(text), 'the bytes are not UTF-8');
	const page = await openWizard();
	await pick(page, 'gb18030.csv', gb);
	await toMapping(page);
	assert.match(await selected(page, 0), /客户名称/, 'the headers are read in GB18030');
	assert.match(await page.locator('.mapping').innerText(), /例：汕头龙湖游艇会/, 'and so is the sample');
	await toReport(page);
	await page.getByText('文件编码：GB18030').waitFor();
	assert.deepEqual(await stats(page), [2, 2, 0]);
	await page.getByRole('button', { name: '导入 2 行' }).click();
	await page.getByText('已导入 2 条客户').waitFor();
	const made = await customersNamed('汕头龙湖游艇会', '湛江南海游艇俱乐部');
	assert.equal(made.length, 2);
	assert.equal(made.find((c) => c.city === '汕头').remarks, '老客户介绍');
	await page.close();
});

test('an import refused whole because the data changed after the check shows the server\'s report', async () => {
	const id = uscc('91350200MA2Y0K7X1');
	const page = await openWizard();
	await pick(page, '信用代码.csv', `客户名称,统一社会信用代码\n厦门五缘湾游艇港,${id}\n福州闽江游艇会,\n`);
	await toMapping(page);
	await toReport(page);
	assert.deepEqual(await stats(page), [2, 2, 0]);
	// Someone else enters the same unique value meanwhile.
	await api('POST', '/api/v1/customers', { name: '五缘湾（已录入）', tax_id: id });
	await page.getByRole('button', { name: '导入 2 行' }).click();
	await page.getByText('没有导入任何数据').waitFor();
	const errorRows = await page.locator('.errors .el-table__row').allInnerTexts();
	assert.equal(errorRows.length, 1);
	assert.match(errorRows[0], /^2\s+统一社会信用代码/);
	await shot(page, 'import-4-refused');
	assert.equal((await customersNamed('厦门五缘湾游艇港', '福州闽江游艇会')).length, 0, 'nothing created');
	await page.close();
});

test('files the server will not take are explained: too large, wrong type, not CSV', async () => {
	const page = await openWizard();
	const answer = (status, code, title) => page.route('**/api/v1/customers/import**', (route) =>
		route.fulfill({ status, contentType: 'application/problem+json', body: JSON.stringify({ type: `urn:sextant:problem:${code}`, title, status, code }) }));
	await answer(413, 'body_too_large', '请求内容超过上限 268435456 字节');
	await pick(page, '很大.csv', '客户名称\n甲\n');
	await page.getByRole('button', { name: '下一步' }).click();
	await page.getByText(/文件太大.*上限 256 MB/).waitFor();
	await shot(page, 'import-1-too-large');
	await page.unroute('**/api/v1/customers/import**');
	await answer(415, 'unsupported_media_type', '不支持的内容类型，应为 text/csv');
	await page.getByRole('button', { name: '下一步' }).click();
	await page.getByText('服务器不接受这种文件类型，只能导入 CSV 文件。').waitFor();
	await page.unroute('**/api/v1/customers/import**');
	// The real server: a quote left open.
	await pick(page, '坏的.csv', '客户名称,城市\n"甲,乙\n');
	await page.getByRole('button', { name: '下一步' }).click();
	await page.getByText(/无法按 CSV 读取该文件/).waitFor();
	// An Excel workbook is turned away before it is sent.
	await page.setInputFiles('.el-upload__input', { name: '客户.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: Buffer.from('PK\x03\x04') });
	await page.getByText(/Excel 工作簿请先“另存为”CSV/).waitFor();
	assert.ok(await page.getByRole('button', { name: '下一步' }).isDisabled());
	await page.close();
});

test('in English, the template has the English labels, which the server maps too', async () => {
	// A user whose language is English (the language is the user's, kept by the server).
	const pw = `Aa1-${randomBytes(9).toString('base64url')}`;
	await api('POST', '/api/v1/users', { username: 'import.en', password: pw, roles: ['admin'], locale: 'en', must_change_password: false });
	const page = await browser.newPage({ locale: 'en', viewport: { width: 1280, height: 900 }, acceptDownloads: true });
	await page.addInitScript(() => localStorage.setItem('sextant.locale', 'en'));
	await logIn(page, 'import.en', pw);
	await page.waitForURL(`${base}/`);
	await page.goto(`${base}/e/contacts/import`);
	await page.getByText('Choose the CSV file to import').waitFor();
	const template = await download(page, () => page.getByText('Download the template').click());
	const header = template.bytes.subarray(3).toString('utf8').trim().split(',');
	assert.deepEqual(header.slice(0, 3), ['Name', 'Customer', 'Role']);
	const customer = await api('POST', '/api/v1/customers', { name: '烟台芝罘湾游艇会', city: '烟台' });
	await pick(page, 'contacts.csv', `Name,Customer,Mobile,Shoe size\n王经理,${customer.id},13800138000,42\n`);
	await page.getByRole('button', { name: 'Next' }).click();
	await page.locator('.mapping').waitFor();
	assert.match(await page.locator('.summary').innerText(), /4 columns, 3 matched, 1 ignored/);
	await shot(page, 'import-en-mapping');
	await page.getByRole('button', { name: 'Check the rows' }).click();
	await page.getByText('The row is valid and can be imported.').waitFor();
	assert.match(await page.locator('.meta').innerText(), /Ignored columns: Shoe size/);
	await page.getByRole('button', { name: 'Import 1 row' }).click();
	await page.getByText('1 Contact imported').waitFor();
	const contacts = await api('GET', `/api/v1/customers/${customer.id}/contacts`);
	assert.equal(contacts.data[0].mobile, '13800138000');
	await page.close();
});

test('on a phone (390 px) every step fits the screen, and many errors come a page at a time', async () => {
	const page = await openWizard({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	const fits = async (what) => {
		const width = await page.evaluate(() => document.documentElement.scrollWidth);
		assert.ok(width <= 390, `${what}: no sideways scrolling of the page (${width} px)`);
	};
	await fits('upload');
	await shot(page, 'phone-import-upload');
	// 25 bad rows: more than a page of errors.
	const bad = Array.from({ length: 25 }, (_, i) => `三亚半山半岛帆船港 ${i + 1},三亚,bad${i}@`);
	await pick(page, '手机.csv', ['俱乐部名,城市,电子邮箱', ...bad].join('\n') + '\n');
	await toMapping(page);
	await fits('mapping');
	await shot(page, 'phone-import-mapping');
	const box = page.getByRole('combobox', { name: '“俱乐部名”列对应的字段' });
	await box.click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: '客户名称' }).first().click();
	await toReport(page);
	await fits('report');
	assert.deepEqual(await stats(page), [25, 0, 25]);
	assert.equal(await page.locator('.errors .el-table__row').count(), 20, 'a page of errors');
	await shot(page, 'phone-import-report');
	await page.locator('.pager .number', { hasText: '2' }).click();
	await page.waitForFunction(() => document.querySelectorAll('.errors .el-table__row').length === 5);
	assert.match(await page.locator('.errors .el-table__row').last().innerText(), /^26\s+电子邮箱/);
	await fits('report, second page');
	await page.close();
});
