// Customer analysis and sales performance in the browser (S-CHART, S-PERF): a salesperson's
// customers by industry and size, the table agreeing with the API, the pie drawn, a group
// opening the customers' list filtered to it; their performance this month — new customers,
// won amount, the chart — agreeing with the API, their share of a customer's won total opened
// from their row; both pages in English; the performance page on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, apiAs, base, launch, logIn, shot as screenshot, unlabelled } from './lib.mjs';

const password = `Aa1-${randomBytes(12).toString('base64url')}`;
const month = new Date().toISOString().slice(0, 7);
let browser, seller;
const cust = {};

const session = (username) => apiAs(username, password);

before(async () => {
	browser = await launch();
	seller = await api('POST', '/api/v1/users', { username: 'perf.seller', password, roles: ['salesperson'], display_name: '销售小林', must_change_password: false });
	const ask = await session('perf.seller');
	cust.yard = await ask('POST', '/api/v1/customers', { name: '舟山海韵船舶制造有限公司', industry: 'manufacturing', staff_total: 500, province: '浙江省' });
	cust.club = await ask('POST', '/api/v1/customers', { name: '青岛奥帆游艇会', industry: 'accommodation_catering', staff_total: 60, province: '山东省' });
	await ask('POST', '/api/v1/activities', { subject: '拜访船厂', customer_id: cust.yard.id, kind: 'visit', occurred_at: new Date().toISOString() });
	const o = await ask('POST', '/api/v1/opportunities', { name: '52尺飞桥艇', customer_id: cust.yard.id, amount: { amount: 300_000_000, currency: 'CNY' }, expected_close: `${month}-20` });
	await ask('POST', `/api/v1/opportunities/${o.id}/transitions/to_negotiation`, { fields: {} });
	await ask('POST', `/api/v1/opportunities/${o.id}/transitions/win`, { fields: { won_reason: '试航满意' } });
});

after(async () => {
	await browser?.close();
});

async function shot(page, name) {
	await page.waitForLoadState('networkidle');
	await page.waitForTimeout(400); // the charts' animations
	await screenshot(page, name);
}

async function sellerPage(url, options = {}) {
	const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1440, height: 900 }, ...options });
	await logIn(page, 'perf.seller', password);
	await page.waitForURL(`${base}/`);
	if (options.locale === 'en') {
		await page.evaluate(() => localStorage.setItem('sextant.locale', 'en'));
	}
	await page.goto(base + url);
	return page;
}
const cells = async (row) => (await row.locator('td').allInnerTexts()).map((s) => s.trim());

test('customer analysis: the groups as the API has them, the pie, a group opening its list', async () => {
	const page = await sellerPage('/sales/customers?by=industry');
	// As the seller sees it: their own customers and the shared pool's, which other files leave.
	const want = await (await session('perf.seller'))('GET', '/api/v1/customers/analysis?by=industry');
	const table = page.locator('.groups');
	await table.locator('tbody tr', { hasText: '制造业' }).waitFor();
	const rows = table.locator('tbody tr');
	assert.equal(await rows.count(), want.groups.length);
	for (const [i, g] of want.groups.entries()) {
		const c = await cells(rows.nth(i));
		assert.deepEqual([c[0], c[1]], [g.label, String(g.count)], `row ${g.label}`);
	}
	const yard = await cells(rows.filter({ hasText: '制造业' }));
	assert.deepEqual([...yard.slice(0, 2), ...yard.slice(3, 5)], ['制造业', '1', '1', '¥3,000,000']);
	assert.ok(await page.locator('.analysis-page canvas').first().isVisible(), 'the pie is drawn');
	assert.deepEqual(await unlabelled(page), [], 'every control is labelled');
	await shot(page, 'analysis-industry');

	await page.getByRole('tab', { name: '规模' }).click();
	await page.waitForURL(/by=size/);
	await table.locator('tbody tr', { hasText: '中型（300–999人）' }).waitFor();
	await table.locator('tbody tr', { hasText: '中型（300–999人）' }).click();
	await page.waitForURL(/\/e\/customers\?/);
	assert.match(page.url(), /staff_total__gte=300/);
	assert.match(page.url(), /staff_total__lt=1000/);
	await page.locator('.el-table__row', { hasText: '舟山海韵船舶制造' }).waitFor();
	assert.equal(await page.locator('.el-table__row', { hasText: '青岛奥帆游艇会' }).count(), 0, 'the small one is not in the list');
	await page.close();

	const en = await sellerPage('/sales/customers?by=province', { locale: 'en' });
	await en.locator('.groups tbody tr', { hasText: 'Zhejiang' }).waitFor();
	assert.match(await en.locator('.el-tabs').innerText(), /Purchase amount/);
	await shot(en, 'analysis-province-en');
	await en.evaluate(() => localStorage.setItem('sextant.locale', 'zh-CN'));
	await en.close();
});

test('performance: the person\'s row as the API has it, the chart, their share of each customer', async () => {
	const page = await sellerPage('/sales/performance');
	const want = await api('GET', `/api/v1/sales/performance`);
	const mine = want.people.find((p) => p.user_id === seller.id);
	const row = page.locator('.people tbody tr', { hasText: '销售小林' });
	await row.waitFor();
	const c = await cells(row);
	// expand, name, new, before, growth, vs the whole, activities, won, amount won, win rate, pipeline
	assert.deepEqual(c.slice(1, 10), ['销售小林', String(mine.new_customers), String(mine.previous), '—', '—', String(mine.activities), String(mine.won.count), '¥3,000,000', '100%']);
	assert.deepEqual([mine.new_customers, mine.activities, mine.won.amount], [2, 1, 300_000_000]);
	assert.ok(await page.locator('.performance-page canvas').first().isVisible(), 'the chart is drawn');
	assert.deepEqual(await unlabelled(page), [], 'every control is labelled');
	await row.locator('.el-table__expand-icon').click();
	const share = page.locator('.shares tbody tr', { hasText: '舟山海韵船舶制造' });
	await share.waitFor();
	assert.deepEqual((await cells(share)).slice(1), ['¥3,000,000', '¥0', '¥3,000,000', '100%']);
	await shot(page, 'performance');
	await page.close();

	const en = await sellerPage('/sales/performance', { locale: 'en' });
	await en.locator('.people tbody tr', { hasText: '销售小林' }).waitFor();
	assert.match(await en.locator('.people thead').innerText(), /New customers/);
	await shot(en, 'performance-en');
	await en.evaluate(() => localStorage.setItem('sextant.locale', 'zh-CN'));
	await en.close();
});

test('performance on a phone', async () => {
	const phone = await sellerPage('/sales/performance', { viewport: { width: 390, height: 844 }, isMobile: true });
	await phone.locator('.people tbody tr', { hasText: '销售小林' }).waitFor();
	const width = await phone.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(width <= 400, `the page fits the phone (${width}px); the tables scroll inside`);
	await shot(phone, 'performance-phone');
	await phone.close();
});
