// A contact's own parts in the browser (docs/internals/PERSONAL.md): a salesperson's contact with
// follow-ups shows its closeness (score, level) and, on request, how it is computed; a follow-up
// logged from the contact's page comes back to it and raises the score; news is recorded with
// the contact preset; a contact plan started from the page opens on its progress with its
// touches. An administrator exports a contact's personal data (a JSON download) and erases it
// in the dialog, which wants a reason and the name typed again; the page then shows 「（已删除）」.
// The workbench lists coming birthdays (solar and lunar) and shows nothing to those who may not
// see personal data. The birthday reminders page saves and shows the server's 422 at its field.
// English; phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { adminPage, api, base, launch, logIn, openScoreHow, shot, unlabelled, openSettings, userPage } from './lib.mjs';

const CUSTOMER = '威海石岛游艇俱乐部';
const CONTACT = '石岛 孙总';
const ERASED = '（已删除）';
const pw = `Aa1-${Date.now()}-contacts`;
const DAY = 864e5;
let browser, rules, s1, customer, contact, gone, solar, lunar;

/* The company's day (UTC+8) `days` from today, as YYYY-MM-DD. */
const beijing = (days) => new Date(Date.now() + 8 * 3600e3 + days * DAY).toISOString().slice(0, 10);
const ago = (days) => new Date(Date.now() - days * DAY).toISOString();

before(async () => {
	rules = await api('GET', '/api/v1/settings/birthdays');
	s1 = await api('POST', '/api/v1/users', { username: 'ct.s1', password: pw, roles: ['salesperson'], display_name: '联系人销售甲', must_change_password: false });
	customer = await api('POST', '/api/v1/customers', { name: CUSTOMER, owner_id: s1.id });
	contact = await api('POST', '/api/v1/contacts', { name: CONTACT, customer_id: customer.id, position: '总经理', owner_id: s1.id });
	// Two follow-ups: a visit two days ago, a call ten days ago → 40 + 2 × 8 + 5 = 61, 良好.
	await api('POST', '/api/v1/activities', { subject: '石岛码头拜访', kind: 'visit', occurred_at: ago(2), customer_id: customer.id, contact_id: contact.id, owner_id: s1.id });
	await api('POST', '/api/v1/activities', { subject: '电话确认试航时间', kind: 'call', occurred_at: ago(10), customer_id: customer.id, contact_id: contact.id, owner_id: s1.id });

	// The administrator's own: one to erase, and two with birthdays coming.
	const other = await api('POST', '/api/v1/customers', { name: '烟台养马岛游艇会' });
	gone = await api('POST', '/api/v1/contacts', { name: '养马岛 周经理', customer_id: other.id, mobile: '13906381234', birthday: '1979-03-08' });
	await api('POST', '/api/v1/contact_relations', { contact_id: gone.id, relation: 'spouse', name: '周太太' });
	solar = await api('POST', '/api/v1/contacts', { name: '养马岛 吴董', customer_id: other.id, birthday: `1972-${beijing(3).slice(5)}` });
	// A lunar birthday one lunar year (354 or 355 days, 383 or 384 with a leap month) after a date
	// some days from now comes some days from now: tried until the server says it does.
	lunar = await api('POST', '/api/v1/contacts', { name: '养马岛 郑总', customer_id: other.id, birthday_lunar: true });
	for (const back of [349, 378, 379, 348]) {
		await api('PATCH', `/api/v1/contacts/${lunar.id}`, { birthday: beijing(-back) });
		const list = (await api('GET', '/api/v1/contacts/birthdays?days=30')).data;
		lunar.coming = list.find((b) => b.id === lunar.id);
		if (lunar.coming && lunar.coming.days >= 2) break;
	}
	assert.ok(lunar.coming?.lunar_text, 'a lunar birthday within 30 days');
	browser = await launch();
});

after(async () => {
	if (rules) await api('PUT', '/api/v1/settings/birthdays', rules);
	await browser?.close();
});

const salesPage = (options = {}) => userPage(browser, 'ct.s1', pw, options);
const closeness = (page) => page.locator('section.contact-closeness');
const progress = (page) => page.locator('section.plan-progress');

test('a salesperson sees a contact’s closeness and how it is computed; a follow-up logged from the page raises it', async () => {
	const page = await salesPage();
	await page.goto(`${base}/e/contacts/${contact.id}`);
	const card = closeness(page);
	await card.locator('.score', { hasText: /^61$/ }).waitFor();
	await card.locator('.level', { hasText: '良好' }).waitFor();
	await card.locator('.brief', { hasText: '最近一次联系 2 天前' }).waitFor();
	assert.ok(await card.locator('.gauge').getAttribute('aria-label').then((l) => /61.*良好/.test(l)), 'the gauge is named with its score and level');
	const list = await openScoreHow(card);
	const recency = await list.locator('tr.factor-recency').innerText();
	assert.match(recency, /最近一次联系[\s\S]*2 天前[\s\S]*40 \/ 40 分[\s\S]*7 天内 40 分/);
	assert.match(await list.locator('tr.factor-frequency').innerText(), /2 次[\s\S]*16 \/ 40 分[\s\S]*每次 8 分/);
	assert.match(await list.locator('tr.factor-face_to_face').innerText(), /1 次[\s\S]*5 \/ 20 分/);
	assert.equal(await card.getByRole('button', { name: '收起计算方法' }).getAttribute('aria-expanded'), 'true');
	assert.equal(await page.getByRole('button', { name: '个人信息' }).count(), 1, 'a salesperson may see their own contact’s personal data');
	assert.deepEqual(await unlabelled(page), [], 'every control of the contact page is named');
	await shot(page, 'contact-closeness');

	// A follow-up with the contact and their customer preset; back here, one more call counted.
	await page.getByRole('button', { name: '写跟进' }).click();
	await page.waitForURL(/\/e\/activities\/new\?/);
	await page.waitForFunction(([c, p]) => document.querySelector('.el-form-item:has(#f-customer_id)')?.textContent.includes(c)
		&& document.querySelector('.el-form-item:has(#f-contact_id)')?.textContent.includes(p), [CUSTOMER, CONTACT]);
	assert.match(await page.inputValue('#f-occurred_at'), /^\d{4}-\d{2}-\d{2}/, 'the time is now');
	await page.fill('#f-subject', '微信发送石岛试航视频');
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(new RegExp(`/e/contacts/${contact.id}$`));
	await closeness(page).locator('.score', { hasText: /^69$/ }).waitFor();

	// News about the contact: their customer and the date preset; cancelled, back to the contact.
	await page.getByRole('button', { name: '记录动态' }).click();
	await page.waitForURL(/\/e\/contact_updates\/new\?/);
	await page.waitForFunction((p) => document.querySelector('.el-form-item:has(#f-contact_id)')?.textContent.includes(p), CONTACT);
	const today = await page.evaluate(() => {
		const d = new Date();
		return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
	});
	assert.equal(await page.inputValue('#f-happened_on'), today, 'the date is today');
	await page.getByRole('button', { name: '取消' }).click();
	await page.waitForURL(new RegExp(`/e/contacts/${contact.id}$`));
	await page.close();
});

test('a contact plan started from the contact page opens on its progress, with its touches', async () => {
	const page = await salesPage();
	await page.goto(`${base}/e/contacts/${contact.id}`);
	await page.getByRole('button', { name: '新建接触计划' }).click();
	await page.waitForURL(/\/e\/contact_plans\/new\?/);
	await page.waitForFunction(([c, p]) => document.querySelector('.el-form-item:has(#f-customer_id)')?.textContent.includes(c)
		&& document.querySelector('.el-form-item:has(#f-contact_id)')?.textContent.includes(p), [CUSTOMER, CONTACT]);
	assert.match(await page.inputValue('#f-starts_on'), /^\d{4}-\d{2}-\d{2}$/, 'the first date is today');
	await page.fill('#f-subject', '孙总季度维护');
	await page.fill('#f-touches', '3');
	await page.locator('#f-touches').blur();
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/\/e\/contact_plans\/\d+$/);
	const id = Number(page.url().split('/').pop());
	const card = progress(page);
	await card.getByText('已完成 0 / 3 次接触').waitFor();
	const items = card.locator('.touches-list li');
	await items.nth(2).waitFor();
	assert.equal(await items.count(), 3, 'one task per touch');
	assert.match(await items.nth(0).innerText(), /未完成[\s\S]*孙总季度维护（电话 1\/3）/);
	assert.match(await card.locator('.count.touches').innerText(), /3/);
	assert.match(await card.locator('.count.open').innerText(), /3/);
	assert.doesNotMatch(await card.locator('.count.next').innerText(), /没有待完成/, 'the next touch is due');
	const p = await api('GET', `/api/v1/contact_plans/${id}/progress`);
	assert.equal(await items.nth(1).locator('a.subject').getAttribute('href'), `/e/tasks/${p.tasks[1].id}`);
	assert.deepEqual(await unlabelled(page), [], 'every control of the plan page is named');
	await shot(page, 'contact-plan-progress');

	// A touch done shows as done, and the bar moves.
	await api('PATCH', `/api/v1/tasks/${p.tasks[0].id}`, { status: 'done' });
	await page.reload();
	await progress(page).getByText('已完成 1 / 3 次接触').waitFor();
	assert.match(await progress(page).locator('.touches-list li').nth(0).innerText(), /已完成/);
	await page.close();
});

test('an administrator exports a contact’s personal data and erases it, the name typed again', async () => {
	const page = await adminPage(browser);
	await page.goto(`${base}/e/contacts/${gone.id}`);
	await page.locator('.head .title', { hasText: '养马岛 周经理' }).waitFor();

	await page.getByRole('button', { name: '个人信息' }).click();
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.locator('.el-dropdown-menu__item:visible', { hasText: '导出' }).click(),
	]);
	assert.equal(download.suggestedFilename(), `contact-${gone.id}-personal-data.json`);
	const doc = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
	assert.equal(doc.record.name, '养马岛 周经理');
	assert.equal(doc.record.mobile, '13906381234', 'the personal fields shown');
	await page.locator('.el-message--success', { hasText: '已导出' }).waitFor();

	await page.getByRole('button', { name: '个人信息' }).click();
	await page.locator('.el-dropdown-menu__item:visible', { hasText: '删除个人信息' }).click();
	const dialog = page.locator('.el-dialog.erase-dialog');
	await dialog.getByText('此操作不可撤销').waitFor();
	await dialog.getByText('姓名改为“（已删除）”').waitFor();
	const confirm = dialog.locator('.confirm-erase');
	assert.ok(await confirm.isDisabled(), 'nothing erased before the name is typed');
	await dialog.getByLabel('请输入联系人姓名“养马岛 周经理”以确认').fill('养马岛 周');
	assert.ok(await confirm.isDisabled(), 'nor with another name');
	await dialog.locator('#erase-name').fill('养马岛 周经理');
	assert.ok(await confirm.isEnabled());
	await confirm.click();
	await dialog.locator('.el-form-item__error', { hasText: '请填写删除的原因' }).waitFor();
	assert.equal((await api('GET', `/api/v1/contacts/${gone.id}`)).name, '养马岛 周经理', 'nothing erased without a reason');
	await dialog.locator('#erase-reason').fill('本人书面要求删除个人信息');
	assert.deepEqual(await unlabelled(page), [], 'every control of the dialog is named');
	await page.waitForTimeout(300); // the dialog's opening animation, for the screenshot
	await shot(page, 'contact-erase');
	await confirm.click();
	await page.locator('.el-message--success', { hasText: '已删除个人信息' }).waitFor();
	await dialog.waitFor({ state: 'hidden' });
	await page.locator('.head .title', { hasText: ERASED }).waitFor();
	const after = await api('GET', `/api/v1/contacts/${gone.id}?reveal=true`);
	assert.equal(after.name, ERASED);
	assert.equal(after.mobile, null);
	assert.equal((await api('GET', `/api/v1/contacts/${gone.id}/contact_relations`)).data.length, 0, 'the related people gone');
	await shot(page, 'contact-erased');
	await page.close();
});

test('the workbench lists coming birthdays, solar and lunar; nothing for those who may not see personal data', async () => {
	const page = await adminPage(browser);
	const card = page.locator('.el-card.birthdays');
	await card.getByText('近期生日').waitFor();
	const row = card.locator('li', { hasText: '养马岛 吴董' });
	await row.waitFor();
	const text = await row.innerText();
	assert.match(text, /3 天后/);
	assert.match(text, /烟台养马岛游艇会/, 'the customer');
	const [, m, d] = beijing(3).split('-').map(Number);
	assert.match(text, new RegExp(`${m}月${d}日`), 'the day');
	assert.equal(await row.locator('a.name').getAttribute('href'), `/e/contacts/${solar.id}`);
	const moon = card.locator('li', { hasText: '养马岛 郑总' });
	assert.match(await moon.innerText(), new RegExp(`${lunar.coming.days} 天后`));
	assert.match(lunar.coming.lunar_text, /^农历/);
	assert.equal(await moon.locator('.lunar').innerText(), lunar.coming.lunar_text, 'the lunar date in words');
	const order = await card.locator('li a.name').allInnerTexts();
	assert.equal(order.indexOf('养马岛 吴董') < order.indexOf('养马岛 郑总'), 3 < lunar.coming.days, 'soonest first');
	assert.deepEqual(await unlabelled(page), [], 'every control of the workbench is named');
	await shot(page, 'workbench-birthdays');
	await row.locator('a.name').click();
	await page.waitForURL(new RegExp(`/e/contacts/${solar.id}$`));
	await page.close();

	// A role without the right to see personal data: the server says 403, the card is not there.
	await api('POST', '/api/v1/users', { username: 'ct.plain', password: pw, roles: ['user'], display_name: '普通用户', must_change_password: false });
	const plain = await browser.newPage({ locale: 'zh-CN' });
	await logIn(plain, 'ct.plain', pw);
	await plain.waitForURL(`${base}/`);
	await plain.getByText('最近访问').waitFor();
	await plain.waitForLoadState('networkidle');
	assert.equal(await plain.locator('.el-card.birthdays').count(), 0);
	await plain.close();
});

test('the birthday reminders page: a change saved and kept, a bad value refused at its field', async () => {
	const page = await adminPage(browser);
	await openSettings(page, '生日提醒', /\/admin\/birthdays$/);
	await page.getByText('生日提醒如何运作').waitFor();
	await page.locator('#br-days_ahead').waitFor();
	assert.equal(await page.inputValue('#br-days_ahead'), String(rules.days_ahead));
	assert.deepEqual(await unlabelled(page), [], 'every control is named');

	await page.fill('#br-days_ahead', '10');
	await page.locator('#br-days_ahead').blur();
	await page.locator('.m-enabled .el-switch').click();
	await page.locator('.save-birthdays').click();
	await page.locator('.el-message--success').first().waitFor();
	assert.deepEqual(await api('GET', '/api/v1/settings/birthdays'), { enabled: !rules.enabled, days_ahead: 10 });
	await page.reload();
	await page.locator('#br-days_ahead').waitFor();
	await page.waitForFunction(() => document.querySelector('#br-days_ahead')?.value === '10');
	await shot(page, 'admin-birthdays');

	// Emptied, the number goes to the server as nothing, which it refuses at the field.
	await page.fill('#br-days_ahead', '');
	await page.locator('#br-days_ahead').blur();
	await page.locator('.save-birthdays').click();
	const error = page.locator('.m-days_ahead .el-form-item__error');
	await error.waitFor();
	assert.match(await error.innerText(), /0 至 60/);
	assert.equal((await api('GET', '/api/v1/settings/birthdays')).days_ahead, 10, 'nothing of the refused document stored');
	await page.close();
});

test('English, and the contact page on a phone', async () => {
	await api('POST', '/api/v1/users', { username: 'ct.en', password: pw, roles: ['salesperson'], display_name: 'Chris Contact', locale: 'en', must_change_password: false });
	const page = await browser.newPage({ locale: 'en-GB' });
	await logIn(page, 'ct.en', pw);
	await page.waitForURL(`${base}/`);
	const me = (await api('GET', '/api/v1/users')).data.find((u) => u.username === 'ct.en');
	const c = await api('POST', '/api/v1/customers', { name: 'Weihai Marina', owner_id: me.id });
	const p = await api('POST', '/api/v1/contacts', { name: 'Sam Sun', customer_id: c.id, owner_id: me.id });
	await page.goto(`${base}/e/contacts/${p.id}`);
	const card = closeness(page);
	await card.locator('.k', { hasText: 'Closeness' }).waitFor();
	await card.locator('.brief', { hasText: 'Never contacted' }).waitFor();
	await card.getByRole('button', { name: 'How it is computed' }).click();
	await card.locator('.how-list').getByRole('columnheader', { name: 'Points' }).waitFor();
	for (const name of ['Log a follow-up', 'New contact plan', 'Record news', 'Personal data']) await page.getByRole('button', { name }).waitFor();
	assert.doesNotMatch(await card.innerText(), /[亲密计算从未]/, 'no Chinese words of the card');
	await page.getByRole('button', { name: 'Personal data' }).click();
	await page.locator('.el-dropdown-menu__item:visible', { hasText: 'Erase personal data' }).click();
	await page.locator('.el-dialog.erase-dialog').getByText('It cannot be undone').waitFor();
	await shot(page, 'contact-en');
	// One call yesterday: counts read in the singular.
	await api('POST', '/api/v1/activities', { subject: 'Call', kind: 'call', occurred_at: new Date(Date.now() - 30 * 3600 * 1000).toISOString(), customer_id: c.id, contact_id: p.id });
	await page.reload();
	await closeness(page).getByRole('button', { name: 'How it is computed' }).click();
	const rows = closeness(page).locator('.how-list');
	await rows.locator('tr.factor-frequency', { hasText: '1 time' }).waitFor();
	await rows.locator('tr.factor-recency', { hasText: '1 day ago' }).waitFor();
	assert.doesNotMatch(await rows.innerText(), /\b1 times\b|\b1 days\b/, 'counts of one in the singular');
	await page.close();

	const phone = await adminPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	await phone.goto(`${base}/e/contacts/${contact.id}`);
	await closeness(phone).locator('.score').waitFor();
	await closeness(phone).getByRole('button', { name: '如何计算' }).click();
	await closeness(phone).locator('tr.factor-face_to_face').waitFor();
	await phone.waitForTimeout(400); // the list's opening, for the screenshot
	await shot(phone, 'phone-contact');
	const width = await phone.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
	await phone.close();
});
