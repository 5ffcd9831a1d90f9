// The activity report in the browser (T7, G-5, S-STD; views/sales/ActivityReportView.vue): a
// salesperson's activities of the last months as a stacked bar chart and a table of kinds ×
// months whose numbers are the API's; the sidebar leads there; a filter changes the address; a
// cell opens the activities' list of that kind and month; English; a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { api, base, launch, logIn, shot, unlabelled, choose, exact } from './lib.mjs';

const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let browser, seller;

/* "YYYY-MM" of this UTC month, k months back. */
function monthBack(k) {
	const now = new Date();
	const n = now.getUTCFullYear() * 12 + now.getUTCMonth() - k;
	return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
}
const last = monthBack(1), earlier = monthBack(4);

before(async () => {
	browser = await launch();
	seller = await api('POST', '/api/v1/users', { username: 'report.seller', password, roles: ['salesperson'], display_name: '销售小周', must_change_password: false });
	const cust = await api('POST', '/api/v1/customers', { name: '青岛奥帆游艇会', owner_id: seller.id });
	const add = (subject, kind, month, day) => api('POST', '/api/v1/activities', { subject, kind, occurred_at: `${month}-${day}T04:00:00Z`, customer_id: cust.id, owner_id: seller.id });
	await add('电话确认试航时间', 'call', last, '03');
	await add('电话跟进报价', 'call', last, '10');
	await add('电话回访', 'call', earlier, '12');
	await add('到会所拜访', 'visit', last, '15');
	await add('拜访采购部', 'visit', earlier, '20');
	await add('62 尺试航', 'sea_trial', earlier, '22');
});

after(async () => {
	await browser?.close();
});

async function sellerPage(url, options = {}) {
	const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1440, height: 900 }, ...options });
	await logIn(page, 'report.seller', password);
	await page.waitForURL(`${base}/`);
	await page.goto(base + url);
	return page;
}

const texts = async (loc) => (await loc.allInnerTexts()).map((s) => s.trim());

test('the table agrees with the API; the chart is drawn; the sidebar leads there', async () => {
	const page = await sellerPage('/');
	await page.locator('.el-sub-menu__title', { hasText: '销售' }).first().click();
	await page.locator('.el-menu-item', { hasText: exact('跟进统计') }).click();
	await page.waitForURL(/\/sales\/activities/);
	const table = page.locator('.activity-report .cells');
	await table.locator('tbody tr').first().waitFor();

	const rep = await api('GET', `/api/v1/activities/report?owner=${seller.id}`);
	assert.equal(rep.months.length, 12);
	assert.equal(rep.total, 6);
	const head = await texts(table.locator('thead th'));
	assert.deepEqual(head, ['方式', ...rep.months, '合计']);
	// Each kind's row: its count in every month, then its total; last the months' totals.
	const rows = table.locator('.el-table__body-wrapper tbody tr');
	assert.equal(await rows.count(), rep.kinds.length + 1);
	for (const [i, k] of rep.kinds.entries()) {
		const want = [k.label, ...rep.months.map((m) => String(rep.data.find((c) => c.kind === k.key && c.month === m)?.count ?? 0)), String(rep.by_kind[k.key])];
		assert.deepEqual(await texts(rows.nth(i).locator('td')), want, `the row of ${k.key}`);
	}
	assert.deepEqual(await texts(rows.nth(rep.kinds.length).locator('td')), ['合计', ...rep.months.map((m) => String(rep.by_month[m])), '6']);
	assert.match(await page.locator('.activity-report .summary').innerText(), /共 6 条跟进/);
	assert.ok(await page.locator('.activity-report canvas').first().isVisible(), 'the chart is drawn');
	assert.deepEqual(await unlabelled(page), [], 'every control is labelled');
	await shot(page, 'activity-report');
	await page.close();
});

test('a filter changes the address; a cell opens the list of that kind and month', async () => {
	const page = await sellerPage(`/sales/activities?owner=${seller.id}`);
	const table = page.locator('.activity-report .cells');
	await table.locator('tbody tr').first().waitFor();
	await choose(page, page.locator('.sales-filters .pick.kind'), '拜访');
	await page.waitForURL(/kind=visit/);
	assert.match(page.url(), new RegExp(`owner=${seller.id}`));
	const rows = table.locator('.el-table__body-wrapper tbody tr');
	await page.waitForFunction(() => document.querySelectorAll('.activity-report .cells .el-table__body-wrapper tbody tr').length === 2);
	assert.deepEqual((await texts(rows.nth(0).locator('td'))).at(-1), '2', 'the visits alone');
	assert.equal((await texts(rows.nth(0).locator('td')))[0], '拜访');

	await rows.nth(0).getByRole('button', { name: new RegExp(`拜访，${last}`) }).click();
	await page.waitForURL(/\/e\/activities\?/);
	const url = new URL(page.url());
	assert.equal(url.searchParams.get('kind'), 'visit');
	assert.equal(url.searchParams.get('occurred_at__gte'), `${last}-01`);
	assert.equal(url.searchParams.get('owner_id'), String(seller.id));
	await page.locator('.el-table__row', { hasText: '到会所拜访' }).waitFor();
	assert.equal(await page.locator('.el-table__row', { hasText: '拜访采购部' }).count(), 0, 'the other month is not listed');
	await page.close();
});

test('in English, and on a phone', async () => {
	const en = await sellerPage(`/sales/activities?owner=${seller.id}`, { locale: 'en' });
	await en.evaluate(() => localStorage.setItem('sextant.locale', 'en'));
	await en.reload();
	await en.locator('.activity-report .cells tbody tr', { hasText: 'Sea trial' }).waitFor();
	assert.equal((await en.locator('.activity-report .title').innerText()).trim(), 'Activity report');
	assert.match(await en.locator('.activity-report .summary').innerText(), /^6 activities from \d{4}-\d{2} to \d{4}-\d{2}$/);
	await shot(en, 'activity-report-en');
	await en.evaluate(() => localStorage.setItem('sextant.locale', 'zh-CN'));
	await en.close();

	const phone = await sellerPage(`/sales/activities?owner=${seller.id}`, { viewport: { width: 390, height: 844 }, isMobile: true });
	await phone.locator('.activity-report .cells tbody tr', { hasText: '试航' }).waitFor();
	assert.ok(await phone.locator('.activity-report canvas').first().isVisible(), 'the chart is drawn');
	// The table scrolls inside its box; the page itself does not get wider than the phone.
	assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no sideways scrolling of the page');
	await shot(phone, 'activity-report-phone');
	await phone.close();
});
