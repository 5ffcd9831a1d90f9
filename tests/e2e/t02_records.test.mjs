// Records through the generic pages: create with field errors shown at their fields, the region
// picker and a reference search; filter and keep the filter in the URL; bulk edit; export; edit
// the same record in two tabs and meet the conflict; a form on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { adminPage, adminPassword, api, base, launch, logIn, shot, unlabelled } from './lib.mjs';

let browser;

before(async () => {
	for (let i = 0; i < 6; i++) await api('POST', '/api/v1/customers', { name: `威海远洋船艇 ${i}`, city: '威海', level: i < 2 ? 'a' : 'c' });
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

/* Picks an option of an Element Plus select by its visible text. */
async function choose(page, selector, option) {
	await page.locator(selector).click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: option }).first().click();
}

test('create a customer: a missing name and a bad e-mail are shown at their fields, then it saves', async () => {
	const page = await adminPage(browser);
	await page.goto(`${base}/e/customers`);
	await page.getByRole('button', { name: '新建' }).click();
	await page.waitForURL(/\/e\/customers\/new$/);
	await page.getByText('新建客户').waitFor();
	await page.fill('#f-email', 'sales-at-example');
	await choose(page, '#f-level', 'A级');
	await page.getByRole('button', { name: '保存' }).click();
	// The name is required by the metadata: the form says so before asking the server.
	await page.locator('.el-form-item.is-error', { hasText: '客户名称' }).getByText('必填').waitFor();
	await page.fill('#f-name', '深圳南山湾游艇会');
	await page.getByRole('button', { name: '保存' }).click();
	// The server's 422 names the field; the message appears under it.
	await page.locator('.el-form-item.is-error', { hasText: '电子邮箱' }).getByText('电子邮箱格式不正确').waitFor();
	await shot(page, 'customer-form-errors');
	await page.fill('#f-email', 'sales@nanshanbay.example');
	// Province, city and district are one cascading choice.
	await page.locator('.region input').click();
	await page.locator('.el-cascader-node:visible', { hasText: '广东省' }).click();
	await page.locator('.el-cascader-node:visible', { hasText: '深圳市' }).click();
	await page.locator('.el-cascader-node:visible', { hasText: '南山区' }).click();
	await page.keyboard.press('Escape');
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/\/e\/customers\/\d+$/);
	const id = Number(page.url().split('/').pop());
	const saved = await api('GET', `/api/v1/customers/${id}`);
	assert.deepEqual([saved.name, saved.email, saved.level, saved.province, saved.city, saved.district],
		['深圳南山湾游艇会', 'sales@nanshanbay.example', 'a', '广东省', '深圳市', '南山区']);
	await page.getByText('A级（重要客户）').waitFor();
	await shot(page, 'customer-created');

	// A contact of that customer: the reference is chosen by searching its name.
	await page.goto(`${base}/e/contacts/new`);
	await page.fill('#f-name', '周经理');
	await page.locator('#f-customer_id').click();
	await page.locator('#f-customer_id').fill('南山湾');
	await page.locator('.el-select-dropdown__item:visible', { hasText: '深圳南山湾游艇会' }).click();
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/\/e\/contacts\/\d+$/);
	// The record shows the customer's name, not its id.
	await page.getByText('深圳南山湾游艇会').first().waitFor();
	const contact = await api('GET', `/api/v1/contacts/${page.url().split('/').pop()}`);
	assert.equal(contact.customer_id, id);
	await page.close();
});

test('filter by level: the rows match, the filter is in the URL and survives a reload', async () => {
	const page = await adminPage(browser);
	await page.goto(`${base}/e/customers?q=${encodeURIComponent('威海远洋')}`);
	await page.locator('.el-table__row').first().waitFor();
	await page.getByRole('button', { name: '筛选' }).click();
	await choose(page, '.filters .field', '客户级别');
	await choose(page, '.filters .value', 'A级');
	await page.getByRole('button', { name: '应用' }).click();
	await page.waitForURL(/level__in=a/);
	await page.waitForFunction(() => /共 2 条/.test(document.querySelector('.total')?.textContent || ''));
	await shot(page, 'customers-filtered');
	await page.reload();
	await page.waitForFunction(() => /共 2 条/.test(document.querySelector('.total')?.textContent || ''));
	assert.equal(await page.locator('.chips .el-tag').count(), 1, 'the filter shows as a tag');
	await page.close();
});

test('a filter and chosen columns saved as a shared view come back from the view picker, for a colleague too', async () => {
	const page = await adminPage(browser);
	await page.goto(`${base}/e/customers?q=${encodeURIComponent('威海远洋')}&level__in=a`);
	await page.waitForFunction(() => /共 2 条/.test(document.querySelector('.total')?.textContent || ''));
	// Columns: add the level.
	await page.getByRole('button', { name: '列' }).click();
	await page.locator('.el-popover .el-checkbox', { hasText: '客户级别' }).click();
	await page.waitForURL(/cols=/);
	await page.locator('.el-table__header', { hasText: '客户级别' }).waitFor();
	await page.getByRole('button', { name: '管理视图' }).click();
	await page.getByText('另存为视图').click();
	await page.fill('#view-name', '威海 A 级客户');
	await page.locator('.el-dialog').getByText('共享给所有人').click();
	await page.locator('.el-dialog').getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/view=\d+/);
	const views = await api('GET', '/api/v1/views?entity=customers');
	const v = views.data.find((x) => x.name === '威海 A 级客户');
	assert.deepEqual([v.query, v.shared, v.columns.includes('level')], [{ q: '威海远洋', level__in: 'a' }, true, true]);
	await shot(page, 'customers-saved-view');
	await page.close();

	// A colleague picks the shared view from an unfiltered list.
	const pw = `Aa1-${Date.now()}-view`;
	await api('POST', '/api/v1/users', { username: 'view.reader', password: pw, roles: ['user'], must_change_password: false });
	const other = await browser.newPage({ locale: 'zh-CN' });
	await logIn(other, 'view.reader', pw);
	await other.waitForURL(`${base}/`);
	await other.goto(`${base}/e/customers`);
	await other.locator('.el-table__row').first().waitFor();
	await other.locator('.views .pick').click();
	await other.locator('.el-select-dropdown__item:visible', { hasText: '威海 A 级客户' }).click();
	await other.waitForURL(/level__in=a/);
	await other.waitForFunction(() => /共 2 条/.test(document.querySelector('.total')?.textContent || ''));
	assert.ok(await other.locator('.el-table__header', { hasText: '客户级别' }).isVisible(), 'the view\'s columns');
	await other.close();
});

test('select rows, change their level at once, export what is selected', async () => {
	const page = await adminPage(browser, { acceptDownloads: true });
	await page.goto(`${base}/e/customers?q=${encodeURIComponent('威海远洋')}&level=c`);
	await page.waitForFunction(() => /共 4 条/.test(document.querySelector('.total')?.textContent || ''));
	const boxes = page.locator('.el-table__body .el-checkbox');
	await boxes.nth(0).click();
	await boxes.nth(1).click();
	await page.getByText('已选 2 条').waitFor();
	await page.getByRole('button', { name: '批量修改' }).click();
	await choose(page, '#bulk-field', '客户级别');
	await choose(page, '#bulk-value', 'B级');
	await page.getByRole('button', { name: '应用' }).click();
	await page.waitForFunction(() => /共 2 条/.test(document.querySelector('.total')?.textContent || ''));
	const b = await api('GET', `/api/v1/customers?q=${encodeURIComponent('威海远洋')}&level=b`);
	assert.equal(b.data.length, 2, 'two records changed');

	await boxes.nth(0).click();
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出所选' }).click()]);
	const file = fs.readFileSync(await download.path());
	assert.equal(file.subarray(0, 2).toString(), 'PK', 'an Excel file (a zip)');

	// Delete the two selected (now level B) at once, after confirming.
	await page.goto(`${base}/e/customers?q=${encodeURIComponent('威海远洋')}&level=b`);
	await page.waitForFunction(() => /共 2 条/.test(document.querySelector('.total')?.textContent || ''));
	await page.locator('.el-table__header .el-checkbox').click();
	await page.getByRole('button', { name: '批量删除' }).click();
	await page.locator('.el-message-box').getByText('确定删除所选的 2 条记录吗？').waitFor();
	await page.locator('.el-message-box').getByRole('button', { name: /确定|OK/ }).click();
	await page.waitForFunction(() => /共 0 条/.test(document.querySelector('.total')?.textContent || ''));
	assert.equal((await api('GET', `/api/v1/customers?q=${encodeURIComponent('威海远洋')}`)).data.length, 4);
	await page.close();
});

test('export the filtered list as CSV with Chinese headers', async () => {
	const page = await adminPage(browser, { acceptDownloads: true });
	await page.goto(`${base}/e/customers?q=${encodeURIComponent('威海远洋')}`);
	await page.locator('.el-table__row').first().waitFor();
	await page.getByRole('button', { name: '导出' }).click();
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByText('CSV', { exact: true }).click()]);
	const text = fs.readFileSync(await download.path(), 'utf8');
	assert.ok(text.startsWith('\ufeff'), 'a byte-order mark for Excel');
	const lines = text.trim().split(/\r?\n/);
	assert.match(lines[0], /客户名称/);
	const listed = await api('GET', `/api/v1/customers?q=${encodeURIComponent('威海远洋')}`);
	assert.equal(lines.length, 1 + listed.data.length, 'the header and every filtered row');
	assert.ok(listed.data.every((c) => text.includes(c.name)));
	await page.close();
});

test('edit the same record in two tabs: the second save meets the conflict and can keep both changes', async () => {
	const c = await api('POST', '/api/v1/customers', { name: '大连星海湾游艇俱乐部', phone: '0411-88886666' });
	// Two tabs of one browser: one session.
	const context = await browser.newContext({ locale: 'zh-CN' });
	const first = await context.newPage();
	await logIn(first, 'admin', adminPassword);
	await first.waitForURL(`${base}/`);
	const second = await context.newPage();
	for (const p of [first, second]) {
		await p.goto(`${base}/e/customers/${c.id}/edit`);
		await p.locator('#f-phone').waitFor();
		await p.waitForFunction(() => document.querySelector('#f-name')?.value === '大连星海湾游艇俱乐部');
	}
	await first.fill('#f-phone', '0411-88887777');
	await first.getByRole('button', { name: '保存' }).click();
	await first.waitForURL(new RegExp(`/e/customers/${c.id}$`));

	await second.fill('#f-remarks', '年底前回访');
	await second.getByRole('button', { name: '保存' }).click();
	await second.getByText('记录已被他人修改').waitFor();
	await second.waitForTimeout(500); // the dialog's opening animation, for the screenshot
	assert.ok(await second.locator('.el-dialog .el-table').getByText('0411-88887777').isVisible(), 'their change is shown');
	await shot(second, 'customer-conflict');
	await second.getByRole('button', { name: '保留我的修改并保存' }).click();
	await second.waitForURL(new RegExp(`/e/customers/${c.id}$`));
	const now = await api('GET', `/api/v1/customers/${c.id}`);
	assert.equal(now.phone, '0411-88887777', 'their change stays');
	assert.equal(now.remarks, '年底前回访', 'and mine is added');
	// The history tab tells who changed what.
	await second.getByRole('tab', { name: '修改记录' }).click();
	await second.locator('.el-timeline-item').nth(2).waitFor();
	const history = await second.locator('.el-timeline').innerText();
	assert.match(history, /0411-88886666[\s\S]*0411-88887777/, 'the phone, before and after');
	assert.match(history, /年底前回访/);
	assert.match(history, /创建/);
	await shot(second, 'customer-history');
	await context.close();
});

test('the top bar finds records of every entity; a related list adds a record for its parent; the workbench lists what was opened', async () => {
	const c = await api('POST', '/api/v1/customers', { name: '秦皇岛金梦湾游艇会' });
	await api('POST', '/api/v1/contacts', { name: '金梦湾 陈总', customer_id: c.id });
	const page = await adminPage(browser);
	await page.fill('.top input', '金梦湾');
	await page.locator('.search-pop li', { hasText: '陈总' }).waitFor();
	assert.equal(await page.locator('.search-pop li').count(), 2, 'one customer and one contact');
	await shot(page, 'search-suggestions');
	await page.locator('.search-pop li', { hasText: '秦皇岛金梦湾游艇会' }).click();
	await page.waitForURL(new RegExp(`/e/customers/${c.id}$`));
	await page.getByRole('tab', { name: '联系人', exact: true }).click();
	await page.getByRole('button', { name: '新建联系人' }).click();
	await page.waitForURL(/\/e\/contacts\/new\?customer_id=/);
	await page.locator('#f-customer_id').waitFor();
	await page.waitForFunction(() => /金梦湾/.test(document.querySelector('.el-form-item:has(#f-customer_id)')?.textContent || ''));
	await page.fill('#f-name', '王秘书');
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/\/e\/contacts\/\d+$/);
	const contacts = await api('GET', `/api/v1/customers/${c.id}/contacts`);
	assert.deepEqual(contacts.data.map((x) => x.name).sort(), ['王秘书', '金梦湾 陈总'].sort());
	await page.goto(`${base}/`);
	await page.locator('.recent li').first().waitFor();
	const recent = await page.locator('.recent').innerText();
	assert.ok(recent.indexOf('王秘书') < recent.indexOf('秦皇岛金梦湾游艇会'), 'newest first');
	await page.close();
});

test('every control of the record pages has a name; a form is filled and saved from the keyboard', async () => {
	const c = await api('POST', '/api/v1/customers', { name: '舟山群岛游艇俱乐部' });
	const page = await adminPage(browser);
	for (const p of ['/', '/e/customers', '/e/customers/new', `/e/customers/${c.id}`, `/e/customers/${c.id}/edit`, '/e/contacts/new', `/search?q=${encodeURIComponent('舟山')}`]) {
		await page.goto(base + p);
		await page.locator('.el-card').first().waitFor();
		await page.waitForLoadState('networkidle');
		assert.deepEqual(await unlabelled(page), [], `every control on ${p} is labelled`);
	}
	await page.goto(`${base}/e/customers`);
	await page.getByRole('button', { name: '筛选' }).click();
	await page.locator('.filters').waitFor();
	assert.deepEqual(await unlabelled(page), [], 'and in the filter dialog');
	await page.keyboard.press('Escape');

	// "/" goes to the search; a form is reached, filled and saved without the mouse.
	await page.locator('.el-table__row').first().waitFor();
	await page.keyboard.press('/');
	assert.equal(await page.evaluate(() => document.activeElement?.closest('.top') !== null), true, '/ focuses the search');
	await page.goto(`${base}/e/customers/new`);
	await page.locator('#f-name').focus();
	await page.keyboard.type('键盘录入游艇会');
	await page.keyboard.press('Tab');
	await page.keyboard.type('浙江省舟山市定海区');
	await page.keyboard.press('Control+s');
	await page.waitForURL(/\/e\/customers\/\d+$/);
	const saved = await api('GET', `/api/v1/customers/${page.url().split('/').pop()}`);
	assert.deepEqual([saved.name, saved.address], ['键盘录入游艇会', '浙江省舟山市定海区']);
	// The title of each row is a link: Tab reaches it, Enter opens the record.
	await page.goto(`${base}/e/customers?q=${encodeURIComponent('键盘录入')}`);
	await page.locator('.title-link').first().focus();
	await page.keyboard.press('Enter');
	await page.waitForURL(new RegExp(`/e/customers/${saved.id}$`));
	await page.close();
});

test('on a phone the form is one column and does not scroll sideways', async () => {
	const page = await adminPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	await page.goto(`${base}/e/customers/new`);
	await page.locator('#f-name').waitFor();
	await shot(page, 'phone-customer-form');
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
	await page.close();
});
