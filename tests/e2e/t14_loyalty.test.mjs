// A customer's loyalty on its 360° page, and the way to merge a duplicate from a record's page.
// The loyalty card sits under the summary: a customer without business says so with where
// business would come from (here the test orders of tests/api/schema, the only entity that
// declares business), and how it is computed lists the three factors, in Chinese and — the
// language switched on the page — in English. As shipped no entity declares business: the server's
// answer is changed on its way to the page to say so, and the card explains that loyalty comes from
// repeat business once it is recorded. Delivered orders give a score and a level; a release from the
// page loads the card again with the order confirmed meanwhile. The record page of a customer or a
// contact (the entities with a duplicate check) offers 合并重复 to those who may change and delete
// them, leading to the merge page, which asks which record to merge; other entities and other
// users are not offered it. English; phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminPage, api, base, launch, logIn, openScoreHow, shot, unlabelled, userPage } from './lib.mjs';

const pw = `Aa1-${Date.now()}-loyalty`;
const DAY = 864e5;
let browser, s1, fresh, regular;

const daysAgo = (d) => new Date(Date.now() - d * DAY).toISOString().slice(0, 10);
const order = (customer, title, ordered_on, status = 'delivered') => api('POST', '/api/v1/t_orders', { title, status, ordered_on, customer_id: customer.id });

// Salespeople who may change and delete their own customers and contacts, as 销售员 may as
// shipped: a role of this test's own, since another test takes deleting from 销售员.
const SELLER_ROLES = ['salesperson', 'loy_seller'];

before(async () => {
	await api('POST', '/api/v1/roles', { key: 'loy_seller', name: { 'zh-CN': '合并测试销售', en: 'Merge test seller' } });
	const own = { read: 'own', update: 'own', delete: 'own' };
	await api('PUT', '/api/v1/roles/loy_seller/permissions', { permissions: { customers: own, contacts: own } });
	s1 = await api('POST', '/api/v1/users', { username: 'loy.s1', password: pw, roles: SELLER_ROLES, display_name: '忠诚度销售甲', must_change_password: false });
	fresh = await api('POST', '/api/v1/customers', { name: '大连星海湾游艇会', owner_id: s1.id });
	// A first yacht three years ago, a bigger one last year: two deals in two years → 15 + 20 + 15 = 50, 稳定.
	regular = await api('POST', '/api/v1/customers', { name: '青岛奥帆游艇俱乐部', owner_id: s1.id });
	await order(regular, '首艘游艇订单', daysAgo(3 * 365 + 30));
	await order(regular, '换购大船订单', daysAgo(400));
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

const salesPage = (options = {}) => userPage(browser, 'loy.s1', pw, options);
const loyalty = (page) => page.locator('section.customer-loyalty');
/* The user menu's language item, as a person switches it. */
async function switchLanguage(page, to) {
	await page.locator('.who').click();
	await page.locator('.el-dropdown-menu__item:visible', { hasText: to }).click();
}

test('a customer without business: the loyalty card under the summary says so, and how it is computed, in Chinese and English', async () => {
	const page = await salesPage();
	await page.goto(`${base}/e/customers/${fresh.id}`);
	const card = loyalty(page);
	await card.locator('.k', { hasText: '忠诚度' }).waitFor();
	assert.equal(await page.locator('section.c360-summary + section.customer-loyalty').count(), 1, 'right under the summary');
	await card.locator('.score', { hasText: /^0$/ }).waitFor();
	await card.locator('.level', { hasText: '暂无交易' }).waitFor();
	assert.match(await card.locator('.gauge').getAttribute('aria-label'), /忠诚度 0 分（满分 100）：暂无交易/);
	assert.match(await card.locator('.no-business').innerText(), /尚未记录交易：测试订单中还没有该客户的记录/);

	const list = await openScoreHow(card);
	assert.match(await list.locator('.lead').innerText(), /根据该客户在测试订单中的交易计算/);
	assert.equal(await list.locator('tbody tr').count(), 3, 'three factors');
	assert.match(await list.locator('tr.factor-repeat').innerText(), /复购次数（首单之后的交易）[\s\S]*暂无交易[\s\S]*0 \/ 45 分[\s\S]*每次 15 分，至多 45/);
	assert.match(await list.locator('tr.factor-years').innerText(), /有交易的年份[\s\S]*暂无交易[\s\S]*0 \/ 30 分[\s\S]*每年 10 分，至多 30/);
	assert.match(await list.locator('tr.factor-recency').innerText(), /距最近一次交易（天）[\s\S]*暂无交易[\s\S]*0 \/ 25 分[\s\S]*一年内 25 分/);
	assert.equal(await card.getByRole('button', { name: '收起计算方法' }).getAttribute('aria-expanded'), 'true');
	assert.deepEqual(await unlabelled(page), [], 'every control of the customer page is named');
	await page.waitForTimeout(400); // the list's opening, for the screenshot
	await shot(page, 'customer-loyalty-none');

	// English: the card asks again, the server's labels and rules come in English.
	await switchLanguage(page, 'English');
	await card.locator('.k', { hasText: 'Loyalty' }).waitFor();
	await card.locator('.level', { hasText: 'No business yet' }).waitFor();
	await card.locator('.no-business', { hasText: 'No business recorded yet: Test orders hold nothing of this customer' }).waitFor();
	await list.locator('tr.factor-repeat', { hasText: 'Repeat business (deals after the first)' }).waitFor();
	assert.match(await list.locator('tr.factor-repeat').innerText(), /no business[\s\S]*0 \/ 45 points[\s\S]*15 each, at most 45/);
	assert.match(await list.locator('tr.factor-years').innerText(), /Years with business[\s\S]*0 \/ 30 points/);
	assert.match(await list.locator('tr.factor-recency').innerText(), /Days since the last deal[\s\S]*0 \/ 25 points[\s\S]*Within a year 25/);
	await card.getByRole('button', { name: 'Hide how it is computed' }).waitFor();
	assert.doesNotMatch(await card.innerText(), /[忠诚度计算交易暂无]/, 'no Chinese words of the card');
	await shot(page, 'customer-loyalty-en');
	await switchLanguage(page, '中文');
	await card.locator('.k', { hasText: '忠诚度' }).waitFor();
	await page.close();
});

test('no entity declaring business, as shipped: loyalty comes from repeat business once it is recorded', async () => {
	const page = await salesPage();
	// The server of these tests has the test orders; the product has no such entity yet.
	await page.route(/\/api\/v1\/customers\/\d+\/loyalty$/, async (route) => {
		const response = await route.fetch();
		await route.fulfill({ response, json: { ...(await response.json()), sources: [] } });
	});
	await page.goto(`${base}/e/customers/${fresh.id}`);
	const card = loyalty(page);
	const none = card.locator('.no-business');
	await none.waitFor();
	assert.equal(await none.innerText(), '尚未记录任何交易。忠诚度根据复购（订单、合同等交易）计算，记录交易后即可得出。');
	await card.getByRole('button', { name: '如何计算' }).click();
	await card.locator('.how-list .lead', { hasText: '根据复购（订单、合同等交易）计算' }).waitFor();
	assert.equal(await card.locator('.how-list tbody tr').count(), 3);
	await switchLanguage(page, 'English');
	await none.filter({ hasText: 'No business recorded yet. Loyalty is computed from repeat business (orders, contracts) once it is recorded.' }).waitFor();
	await card.locator('.how-list .lead', { hasText: 'From repeat business (orders, contracts)' }).waitFor();
	await switchLanguage(page, '中文');
	await card.locator('.k', { hasText: '忠诚度' }).waitFor();
	await page.close();
});

test('repeat business gives a score and a level; a release from the page loads the card again', async () => {
	const page = await salesPage();
	await page.goto(`${base}/e/customers/${regular.id}`);
	const card = loyalty(page);
	await card.locator('.score', { hasText: /^50$/ }).waitFor();
	await card.locator('.level', { hasText: '稳定' }).waitFor();
	const brief = await card.locator('.brief').innerText();
	assert.match(brief, /^2 笔交易，首次 .+，最近一次 .+$/);
	assert.equal(await card.locator('.no-business').count(), 0);
	await card.getByRole('button', { name: '如何计算' }).click();
	const list = card.locator('.how-list');
	assert.match(await list.locator('tr.factor-repeat').innerText(), /1 笔交易[\s\S]*15 \/ 45 分/);
	assert.match(await list.locator('tr.factor-years').innerText(), /2 年[\s\S]*20 \/ 30 分/);
	assert.match(await list.locator('tr.factor-recency').innerText(), /400 天[\s\S]*15 \/ 25 分/);
	await page.waitForTimeout(400); // the list's opening, for the screenshot
	await shot(page, 'customer-loyalty');

	// Service signed meanwhile (a third deal in a third year, recent): the release reloads the card.
	await order(regular, '年度保养订单', daysAgo(20), 'confirmed');
	await page.getByRole('button', { name: '放弃到公海' }).click();
	const dialog = page.locator('.el-dialog.release-dialog');
	await dialog.locator('#rel-reason').fill('客户转由经销商维护');
	await dialog.locator('.confirm-release').click();
	await dialog.waitFor({ state: 'hidden' });
	await card.locator('.score', { hasText: /^85$/ }).waitFor();
	await card.locator('.level', { hasText: '忠诚' }).waitFor();
	assert.match(await list.locator('tr.factor-recency').innerText(), /20 天[\s\S]*25 \/ 25 分/);
	await page.close();
});

test('合并重复 on the page of a customer or a contact leads to the merge page, which asks which record', async () => {
	const page = await adminPage(browser);
	await page.goto(`${base}/e/customers/${fresh.id}`);
	const action = page.getByRole('button', { name: '合并重复' });
	await action.click();
	await page.waitForURL(new RegExp(`/e/customers/${fresh.id}/merge$`));
	await page.locator('.kept-line', { hasText: `本记录（保留）：大连星海湾游艇会 #${fresh.id}` }).waitFor();
	await page.getByRole('combobox', { name: '选择要合并的记录' }).waitFor();
	assert.equal(await page.locator('.merge-table').count(), 0, 'nothing compared before the other is chosen');
	await page.locator('.choose', { hasText: '可能重复的记录' }).waitFor();
	// Back on the record page.
	await page.getByRole('button', { name: '返回本记录' }).click();
	await page.waitForURL(new RegExp(`/e/customers/${fresh.id}$`));

	// A contact has a duplicate check too; an order has none.
	const person = await api('POST', '/api/v1/contacts', { name: '星海湾 赵经理', customer_id: fresh.id });
	await page.goto(`${base}/e/contacts/${person.id}`);
	await page.getByRole('button', { name: '合并重复' }).click();
	await page.waitForURL(new RegExp(`/e/contacts/${person.id}/merge$`));
	await page.locator('.kept-line', { hasText: '星海湾 赵经理' }).waitFor();
	const deal = (await api('GET', `/api/v1/t_orders?customer_id=${regular.id}&limit=1`)).data[0];
	await page.goto(`${base}/e/t_orders/${deal.id}`);
	await page.locator('.head .title', { hasText: deal.title }).waitFor();
	assert.equal(await page.getByRole('button', { name: '合并重复' }).count(), 0, 'no duplicate check, no merge');
	await page.close();

	// A salesperson may change and delete their customers: offered, in English too.
	const en = await api('POST', '/api/v1/users', { username: 'loy.en', password: pw, roles: SELLER_ROLES, display_name: 'Lee Loyal', locale: 'en', must_change_password: false });
	const mine = await api('POST', '/api/v1/customers', { name: 'Dalian Marina Club', owner_id: en.id });
	const english = await browser.newPage({ locale: 'en-GB' });
	await logIn(english, 'loy.en', pw);
	await english.waitForURL(`${base}/`);
	await english.goto(`${base}/e/customers/${mine.id}`);
	await loyalty(english).locator('.k', { hasText: 'Loyalty' }).waitFor();
	await english.getByRole('button', { name: 'Merge a duplicate' }).click();
	await english.waitForURL(new RegExp(`/e/customers/${mine.id}/merge$`));
	await english.getByText('Record to merge into this one').first().waitFor();
	await english.close();

	// Merging changes this record and deletes the other: a role that may only read customers (回访员),
	// or change them but not delete any (信息专员), is not offered it; the page is theirs all the same.
	const shared = await api('POST', '/api/v1/customers', { name: '烟台蓬莱游艇港' });
	for (const role of ['return_visit', 'info_specialist']) {
		await api('POST', '/api/v1/users', { username: `loy.${role}`, password: pw, roles: [role], must_change_password: false });
		const other = await browser.newPage({ locale: 'zh-CN' });
		await logIn(other, `loy.${role}`, pw);
		await other.waitForURL(`${base}/`);
		await other.goto(`${base}/e/customers/${shared.id}`);
		await loyalty(other).locator('.no-business').waitFor();
		assert.equal(await other.getByRole('button', { name: '合并重复' }).count(), 0, `no merge for ${role}`);
		await other.close();
	}
});

test('the customer page on a phone: the loyalty card and the merge action fit', async () => {
	const phone = await browser.newPage({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	await logIn(phone, 'loy.s1', pw);
	await phone.waitForURL(`${base}/`);
	await phone.goto(`${base}/e/customers/${fresh.id}`);
	const card = loyalty(phone);
	await card.locator('.no-business').waitFor();
	await card.getByRole('button', { name: '如何计算' }).click();
	await card.locator('tr.factor-recency').waitFor();
	await phone.getByRole('button', { name: '合并重复' }).waitFor();
	await phone.waitForTimeout(400); // the list's opening, for the screenshot
	await shot(phone, 'phone-customer-loyalty');
	const width = await phone.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
	await phone.close();
});
