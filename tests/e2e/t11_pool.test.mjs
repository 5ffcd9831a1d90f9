// The customer's 360° page and the shared pool (公海) in the browser: a salesperson's customer
// shows its summary and an empty timeline; a follow-up logged from the page (the generic form,
// the customer and the time preset) comes back to it and is on the timeline; releasing asks for a
// reason (refused empty) and puts the customer in the pool, where its former owner may not claim
// it back (the server's reason said); a second salesperson finds it in the pool's list, claims it
// (what moved with it said) and sees the whole timeline, the first one's follow-up included. An
// administrator hands a customer over in the dialog (what moved said there; the same person again
// refused at the field) and the moves tab lists it. A customer close to going back to the pool
// says so. The pool rules page saves a change and shows the server's 422 at its field. English;
// phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminPage, api, base, launch, logIn, shot, unlabelled, openSettings, userPage } from './lib.mjs';

const CUSTOMER = '青岛奥帆游艇俱乐部';
const HANDED = '厦门五缘湾游艇会';
const SOON = '大连棒棰岛游艇会';
const FOLLOWUP = '电话沟通 60 尺游艇需求';
const REASON = '客户暂无购艇计划';
const pw = `Aa1-${Date.now()}-pool`;
let browser, rules, s1, s2, customer, handed, soon;

before(async () => {
	rules = await api('GET', '/api/v1/settings/pool');
	s1 = await api('POST', '/api/v1/users', { username: 'pool.s1', password: pw, roles: ['salesperson'], display_name: '公海销售甲', must_change_password: false });
	s2 = await api('POST', '/api/v1/users', { username: 'pool.s2', password: pw, roles: ['salesperson'], display_name: '公海销售乙', must_change_password: false });
	customer = await api('POST', '/api/v1/customers', { name: CUSTOMER, level: 'b', owner_id: s1.id });
	await api('POST', '/api/v1/contacts', { name: '奥帆 刘总', customer_id: customer.id, owner_id: s1.id });
	handed = await api('POST', '/api/v1/customers', { name: HANDED, level: 'a', owner_id: s1.id });
	await api('POST', '/api/v1/contacts', { name: '五缘湾 郑经理', customer_id: handed.id, owner_id: s1.id });
	await api('POST', '/api/v1/tasks', { subject: '寄送五缘湾报价单', status: 'open', customer_id: handed.id, owner_id: s1.id, due_at: new Date(Date.now() + 86400e3).toISOString() });
	browser = await launch();
});

after(async () => {
	if (rules) await api('PUT', '/api/v1/settings/pool', rules);
	await browser?.close();
});

const salesPage = (username, options = {}) => userPage(browser, username, pw, options);
const summary = (page) => page.locator('section.c360-summary');
const timeline = (page) => page.locator('.c360-timeline');

test('a salesperson logs a follow-up from the customer page, sees it on the timeline, and releases the customer with a reason', async () => {
	const page = await salesPage('pool.s1');
	await page.goto(`${base}/e/customers/${customer.id}`);
	await summary(page).locator('.card.owner', { hasText: '公海销售甲' }).waitFor();
	await summary(page).locator('.card.stage', { hasText: '潜在客户' }).waitFor();
	await summary(page).locator('.card.level', { hasText: 'B级（重点客户）' }).waitFor();
	await summary(page).locator('.card.followup', { hasText: '尚无跟进' }).waitFor();
	assert.equal(await page.getByRole('tab', { name: '时间线' }).getAttribute('aria-selected'), 'true', 'the timeline is the first tab shown');
	await timeline(page).getByText('暂无跟进、任务或归属变更').waitFor();
	assert.equal(await page.getByRole('button', { name: '移交' }).count(), 0, 'a salesperson may not hand over');
	assert.equal(await page.getByRole('button', { name: '领取' }).count(), 0, 'nor claim what is not in the pool');
	assert.deepEqual(await unlabelled(page), [], 'every control of the customer page is named');

	// The generic form for follow-ups, the customer and the time already there; back here once saved.
	await page.getByRole('button', { name: '写跟进' }).click();
	await page.waitForURL(/\/e\/activities\/new\?/);
	await page.waitForFunction((name) => document.querySelector('.el-form-item:has(#f-customer_id)')?.textContent.includes(name), CUSTOMER);
	assert.match(await page.inputValue('#f-occurred_at'), /^\d{4}-\d{2}-\d{2}/, 'the time is now');
	await page.fill('#f-subject', FOLLOWUP);
	await page.fill('#f-content', '客户计划明年购入 60 尺游艇，关注试航安排');
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(new RegExp(`/e/customers/${customer.id}$`));
	const item = timeline(page).locator('.el-timeline-item', { hasText: FOLLOWUP });
	await item.waitFor();
	const [activity] = (await api('GET', `/api/v1/customers/${customer.id}/activities`)).data;
	assert.equal(activity.subject, FOLLOWUP);
	assert.equal(await item.locator('a.tl-title').getAttribute('href'), `/e/activities/${activity.id}`);
	const text = await item.innerText();
	assert.match(text, /电话/, 'the kind');
	assert.match(text, /关注试航安排/, 'the detail');
	assert.match(text, /公海销售甲/, 'who');
	await summary(page).locator('.card.followup', { hasText: '今天' }).waitFor();
	await summary(page).locator('.card.followups .v', { hasText: /^1$/ }).waitFor();
	await shot(page, 'customer-360');

	// Releasing asks why; without a reason it goes nowhere.
	await page.getByRole('button', { name: '放弃到公海' }).click();
	const dialog = page.locator('.el-dialog.release-dialog');
	await dialog.locator('#rel-reason').waitFor();
	await dialog.locator('.confirm-release').click();
	await dialog.locator('.el-form-item__error', { hasText: '请填写放弃的原因' }).waitFor();
	assert.equal((await api('GET', `/api/v1/customers/${customer.id}`)).owner_id, s1.id, 'nothing released');
	await dialog.locator('#rel-reason').fill(REASON);
	assert.deepEqual(await unlabelled(page), [], 'every control of the dialog is named');
	await page.waitForTimeout(300); // the dialog's opening animation, for the screenshot
	await shot(page, 'customer-release');
	await dialog.locator('.confirm-release').click();
	await page.locator('.el-message--success', { hasText: '已放弃到公海' }).waitFor();
	await dialog.waitFor({ state: 'hidden' });
	await summary(page).locator('.pool-badge', { hasText: '公海' }).waitFor();
	await summary(page).locator('.card.owner', { hasText: '进入公海' }).waitFor();
	await timeline(page).locator('.el-timeline-item', { hasText: REASON }).locator('.tl-title', { hasText: '放弃到公海' }).waitFor();
	assert.equal((await api('GET', `/api/v1/customers/${customer.id}`)).owner_id, null);

	// In the pool, its former owner is offered the claim, and the server says why not yet.
	await page.getByRole('button', { name: '放弃到公海' }).waitFor({ state: 'detached' });
	await page.getByRole('button', { name: '领取' }).click();
	await page.locator('.el-message--error', { hasText: '暂不能领回' }).waitFor();
	await page.close();
});

test('a second salesperson finds the customer in the pool, claims it and sees its whole timeline', async () => {
	const page = await salesPage('pool.s2');
	await page.locator('.el-sub-menu', { hasText: '客户' }).first().click();
	await page.locator('.el-menu-item', { hasText: '公海客户' }).click();
	await page.waitForURL(/\/pool$/);
	await page.getByText('没有负责人的客户在公海中').waitFor();
	const search = page.getByRole('textbox', { name: '搜索', exact: true });
	await search.fill('奥帆');
	await search.press('Enter');
	await page.waitForURL(/\/pool\?q=/);
	const row = page.locator('.el-table__row', { hasText: CUSTOMER });
	await row.first().waitFor();
	await page.getByText('共 1 条').waitFor();
	assert.equal(await page.getByRole('button', { name: '导出' }).count(), 0, 'the pool is not exported from here');
	assert.deepEqual(await unlabelled(page), [], 'every control of the pool page is named');
	await shot(page, 'customer-pool');

	await page.getByRole('button', { name: `领取 ${CUSTOMER}` }).first().click();
	await page.locator('.el-message--success', { hasText: `已领取“${CUSTOMER}”，随之转移：联系人 1 条` }).waitFor();
	await page.getByText('暂无数据').first().waitFor(); // gone from the pool
	assert.equal((await api('GET', `/api/v1/customers/${customer.id}`)).owner_id, s2.id);

	// The new owner sees what came before: the first salesperson's follow-up, the release, the claim.
	await page.goto(`${base}/e/customers/${customer.id}`);
	await summary(page).locator('.card.owner', { hasText: '公海销售乙' }).waitFor();
	const mine = timeline(page).locator('.el-timeline-item', { hasText: FOLLOWUP });
	await mine.waitFor();
	assert.match(await mine.innerText(), /公海销售甲/);
	const order = await timeline(page).locator('.el-timeline-item .tl-title').allInnerTexts();
	assert.deepEqual(order, ['从公海领取', '放弃到公海', FOLLOWUP], 'newest first');
	await page.getByRole('tab', { name: '归属变更' }).click();
	const moves = page.locator('.c360-moves .el-table__row');
	await moves.nth(1).waitFor();
	assert.match(await moves.nth(0).innerText(), /从公海领取[\s\S]*公海销售乙/);
	assert.match(await moves.nth(1).innerText(), /放弃到公海[\s\S]*公海销售甲[\s\S]*客户暂无购艇计划/);
	await page.close();
});

test('an administrator hands a customer over in the dialog; the moves tab lists it', async () => {
	const page = await adminPage(browser);
	await page.goto(`${base}/e/customers/${handed.id}`);
	await summary(page).locator('.card.owner', { hasText: '公海销售甲' }).waitFor();
	await summary(page).locator('.card.tasks .v', { hasText: /^1$/ }).waitFor();
	await page.getByRole('button', { name: '移交' }).click();
	const dialog = page.locator('.el-dialog.handover-dialog');
	await dialog.locator('#ho-to').waitFor();
	// Nobody chosen: said at the field.
	await dialog.locator('.confirm-handover').click();
	await dialog.locator('.el-form-item__error', { hasText: '请选择接收人' }).waitFor();
	await dialog.locator('#ho-to').click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: '公海销售乙' }).click();
	await dialog.locator('#ho-reason').fill('区域调整');
	assert.ok(await dialog.getByRole('checkbox', { name: '连同未完成工作（联系人、待办任务）一起移交' }).isChecked(), 'with the open work by default');
	assert.deepEqual(await unlabelled(page), [], 'every control of the dialog is named');
	await shot(page, 'customer-handover');
	await dialog.locator('.confirm-handover').click();
	await dialog.getByText('已移交给 公海销售乙').waitFor();
	await dialog.getByText('随之转移：联系人 1 条、任务 1 条').waitFor();
	await shot(page, 'customer-handover-done');
	await dialog.getByRole('button', { name: '完成' }).click();
	await dialog.waitFor({ state: 'hidden' });
	await summary(page).locator('.card.owner', { hasText: '公海销售乙' }).waitFor();
	const now = await api('GET', `/api/v1/customers/${handed.id}`);
	assert.equal(now.owner_id, s2.id);

	// The same person again: the server's conflict, at the field.
	await page.getByRole('button', { name: '移交' }).click();
	await dialog.locator('#ho-to').click();
	await page.locator('.el-select-dropdown__item:visible', { hasText: '公海销售乙' }).click();
	await dialog.locator('.confirm-handover').click();
	await dialog.locator('.el-form-item__error', { hasText: '客户已由此人负责' }).waitFor();
	await dialog.getByRole('button', { name: '取消' }).click();
	await dialog.waitFor({ state: 'hidden' });

	await page.getByRole('tab', { name: '归属变更' }).click();
	const move = page.locator('.c360-moves .el-table__row').first();
	await move.waitFor();
	const text = await move.innerText();
	assert.match(text, /移交/);
	assert.match(text, /公海销售甲[\s\S]*公海销售乙[\s\S]*系统管理员[\s\S]*区域调整/, 'from, to, by whom, why');
	await shot(page, 'customer-moves');
	await timeline(page).waitFor({ state: 'detached' }); // shown only on its tab
	await page.getByRole('tab', { name: '时间线' }).click();
	await timeline(page).locator('.el-timeline-item', { hasText: '区域调整' }).waitFor();
	await page.close();
});

test('a customer nobody follows up says when it goes back to the pool', async () => {
	await api('PUT', '/api/v1/settings/pool', { levels: { ...rules.levels, d: 3 } });
	soon = await api('POST', '/api/v1/customers', { name: SOON, level: 'd' });
	const page = await adminPage(browser);
	await page.goto(`${base}/e/customers/${soon.id}`);
	const card = summary(page).locator('.card.followup.due');
	await card.getByText('3 天后退回公海').waitFor();
	await page.close();
});

test('the pool rules: a change saved and kept, a bad value refused at its field', async () => {
	const page = await adminPage(browser);
	await openSettings(page, '公海规则', /\/admin\/pool$/);
	await page.locator('#pr-reclaim_days').waitFor();
	await page.getByText('公海如何运作').waitFor();
	await page.locator('.lv-a .el-form-item__label', { hasText: 'A级（重要客户）' }).waitFor();
	assert.equal(await page.inputValue('#pr-level-d'), '3');
	assert.equal(await page.inputValue('#pr-reclaim_days'), String(rules.reclaim_days));
	assert.deepEqual(await unlabelled(page), [], 'every control is named');

	await page.fill('#pr-reclaim_days', '20');
	await page.locator('#pr-reclaim_days').blur();
	await page.locator('.save-pool').click();
	await page.locator('.el-message--success').first().waitFor();
	assert.equal((await api('GET', '/api/v1/settings/pool')).reclaim_days, 20);
	await page.reload();
	await page.locator('#pr-reclaim_days').waitFor();
	await page.waitForFunction(() => document.querySelector('#pr-reclaim_days')?.value === '20');
	await shot(page, 'admin-pool-rules');

	// Emptied, a number goes to the server as nothing, which it refuses at the field.
	await page.fill('#pr-warn_days', '');
	await page.locator('#pr-warn_days').blur();
	await page.locator('.save-pool').click();
	const error = page.locator('.m-warn_days .el-form-item__error');
	await error.waitFor();
	assert.match(await error.innerText(), /0 至 3650/);
	await shot(page, 'admin-pool-rules-error');
	assert.equal((await api('GET', '/api/v1/settings/pool')).warn_days, rules.warn_days, 'nothing of the refused document stored');
	await page.close();
});

test('English, and the customer page on a phone', async () => {
	const en = await api('POST', '/api/v1/users', { username: 'pool.en', password: pw, roles: ['salesperson'], display_name: 'Pat Pool', locale: 'en', must_change_password: false });
	const c = await api('POST', '/api/v1/customers', { name: 'Xiamen Harbour Yachts', level: 'c', owner_id: en.id });
	const page = await browser.newPage({ locale: 'en-GB' });
	await logIn(page, 'pool.en', pw);
	await page.waitForURL(`${base}/`);
	await page.goto(`${base}/e/customers/${c.id}`);
	await summary(page).getByText('Lifecycle stage').waitFor();
	await summary(page).getByText('No follow-up yet').waitFor();
	await page.getByRole('tab', { name: 'Timeline' }).waitFor();
	await page.getByRole('tab', { name: 'Ownership moves' }).waitFor();
	await page.getByRole('button', { name: 'Log a follow-up' }).waitFor();
	await page.getByRole('button', { name: 'Release to pool' }).click();
	await page.locator('.el-dialog.release-dialog').getByText('Released, the customer goes to the shared pool').waitFor();
	await page.locator('#rel-reason').fill('Moved abroad');
	await page.locator('.confirm-release').click();
	await summary(page).locator('.pool-badge', { hasText: 'Pool' }).waitFor();
	await timeline(page).locator('.el-timeline-item', { hasText: 'Moved abroad' }).waitFor();
	await page.locator('.el-menu-item', { hasText: 'Customer pool' }).first().waitFor({ state: 'attached' });
	assert.doesNotMatch(await summary(page).innerText(), /[负责跟进公海]/, 'no Chinese words of the page');
	await shot(page, 'customer-360-en');
	await page.close();

	const phone = await adminPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	await phone.goto(`${base}/e/customers/${customer.id}`);
	await timeline(phone).locator('.el-timeline-item', { hasText: FOLLOWUP }).waitFor();
	await shot(phone, 'phone-customer-360');
	const width = await phone.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
	await phone.close();
});
