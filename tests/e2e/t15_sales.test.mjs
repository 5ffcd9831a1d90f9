// Sales in the browser (LEAD-2..5, OP-FUN, OP-STAGE): a lead from raw information to a won
// opportunity — entered by the information specialist, its company found among the customers
// and linked, graded, reviewed and assigned by the sales director, followed up, qualified and
// converted by the project manager, whose opportunity is then won. The funnel page of one
// salesperson's opportunities —
// the table of count, expected and weighted amount per stage, the cards, the chart, a stage
// opening the list of its opportunities; the board, where a card dragged to another stage fires
// the stage's transition, asks in a dialog for what the stage needs, and refuses a move the
// process does not have; the card's menu moves one by keyboard. Screenshots in Chinese, one in
// English, one phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { adminPage, api, apiAs, base, launch, logIn, shot as screenshot, unlabelled, choose, exact } from './lib.mjs';

const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let browser, seller, ask, people;
const opp = {};

const session = (username) => apiAs(username, password);

before(async () => {
	browser = await launch();
	seller = await api('POST', '/api/v1/users', { username: 'sales.seller', password, roles: ['salesperson'], display_name: '销售小王', must_change_password: false });
	ask = await session('sales.seller');
	const cust = await ask('POST', '/api/v1/customers', { name: '三亚鹿回头游艇会' });
	const make = (name, amount, close) => ask('POST', '/api/v1/opportunities', { name, customer_id: cust.id, product_line: 'flybridge', amount: { amount: amount * 100, currency: 'CNY' }, expected_close: close });
	opp.a = await make('62尺飞桥艇（会所自用）', 9_800_000, '2027-04-30');
	opp.b = await make('双体船两艘（租赁）', 4_200_000, null);
	opp.c = await make('超级游艇 35 米', 120_000_000, '2027-09-30');
	await ask('POST', `/api/v1/opportunities/${opp.b.id}/transitions/to_demo`, { fields: {} });
	await ask('POST', `/api/v1/opportunities/${opp.c.id}/transitions/to_evaluation`, { fields: {} });
	people = {};
	for (const [name, role, display] of [['lead.info', 'info_specialist', '信息专员小孙'], ['lead.director', 'sales_director', '销售总监老赵'], ['lead.pm', 'project_manager', '项目经理小杨']])
		people[name] = await api('POST', '/api/v1/users', { username: name, password, roles: [role], display_name: display, must_change_password: false });
});

after(async () => {
	await browser?.close();
});

async function shot(page, name) {
	await page.waitForLoadState('networkidle');
	await page.waitForTimeout(400); // the charts' animations
	await screenshot(page, name);
}

async function sellerPage(url, options = {}, username = 'sales.seller') {
	const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1440, height: 900 }, ...options });
	await logIn(page, username, password);
	await page.waitForURL(`${base}/`);
	await page.goto(base + url);
	return page;
}

const cells = (row) => row.locator('td').allInnerTexts();

/* Fire a transition from the record page's process panel, filling what its dialog asks. */
async function fire(page, key, fill = async () => undefined) {
	const panel = page.locator('.record-process');
	await panel.locator(`.fire[data-transition=${key}]`).click();
	const dialog = page.locator('.transition-dialog');
	await dialog.waitFor();
	await fill(dialog);
	await dialog.locator('.confirm-transition').click();
	await dialog.waitFor({ state: 'hidden' });
}

test('a lead from raw information to a won opportunity, in the browser', async () => {
	const known = await api('POST', '/api/v1/customers', { name: '威海刘公岛游艇俱乐部有限公司', phone: '0631-5281234' });
	// The information specialist enters the raw information.
	let page = await sellerPage('/e/leads/new', {}, 'lead.info');
	await page.fill('#f-title', '刘公岛俱乐部 56 尺飞桥艇两艘');
	await page.fill('#f-company_name', '威海刘公岛游艇俱乐部');
	await page.fill('#f-phone', '0631 5281234');
	await page.fill('#f-amount', '9600000');
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/\/e\/leads\/\d+$/);
	const id = Number(page.url().split('/').pop());
	// The company is found among the customers, with why; linked.
	const box = page.locator('.lead-customer');
	await box.locator('.dup-name', { hasText: '威海刘公岛游艇俱乐部有限公司' }).waitFor();
	assert.deepEqual(await unlabelled(page), [], 'every control is labelled');
	await shot(page, 'lead-customer');
	await box.locator('.link-customer').first().click();
	await box.waitFor({ state: 'hidden' });
	assert.equal((await api('GET', `/api/v1/leads/${id}`)).customer_id, known.id);
	assert.equal((await api('GET', `/api/v1/leads/${id}`)).grade, 'a', 'graded A by the amount');
	await fire(page, 'grade');
	await page.locator('.record-process .proc-state', { hasText: exact('已分级') }).waitFor();
	await page.close();

	// The sales director reviews it and gives it to the project manager.
	page = await sellerPage(`/e/leads/${id}`, {}, 'lead.director');
	await fire(page, 'review');
	await fire(page, 'assign', (d) => choose(page, 'tr-project_manager_id', '项目经理小杨'));
	await page.locator('.record-process .proc-state', { hasText: exact('已分配') }).waitFor();
	await page.close();

	// The project manager follows it up, qualifies it and converts it.
	page = await sellerPage(`/e/leads/${id}`, {}, 'lead.pm');
	await fire(page, 'follow', () => page.fill('#tr-followup_note', '已拜访俱乐部，预算落实'));
	await fire(page, 'qualify', () => page.fill('#tr-qualification_note', '有效：决策人明确'));
	await fire(page, 'convert');
	await page.locator('.record-process .proc-state', { hasText: exact('已转机会') }).waitFor();
	const made = (await api('GET', `/api/v1/opportunities?lead_id=${id}`)).data;
	assert.equal(made.length, 1);
	assert.deepEqual([made[0].owner_id, made[0].customer_id, made[0].amount.amount], [people['lead.pm'].id, known.id, 960_000_000]);
	// Its opportunity, moved on and won from its own page.
	await page.goto(`${base}/e/opportunities/${made[0].id}`);
	await fire(page, 'to_negotiation', () => page.fill('#tr-expected_close', '2027-05-31').then(() => page.keyboard.press('Enter')));
	await fire(page, 'win', () => page.fill('#tr-won_reason', '会员活动方案与交付期'));
	await page.locator('.record-process .proc-state', { hasText: exact('赢单') }).waitFor();
	await shot(page, 'lead-won-opportunity');
	await page.close();
	assert.equal((await api('GET', `/api/v1/opportunities/${made[0].id}`)).stage, 'won');
	// The customer's 360° summary: the business won.
	page = await adminPage(browser, { viewport: { width: 1440, height: 900 } });
	await page.goto(`${base}/e/customers/${known.id}`);
	await page.locator('section.c360-summary .card.won', { hasText: '¥9,600,000' }).waitFor();
	assert.equal((await page.locator('section.c360-summary .card.opportunities .v').innerText()).trim(), '0');
	await page.close();
});

test('the funnel of a salesperson: per stage count, expected and weighted amount; a stage opens its list', async () => {
	const page = await sellerPage(`/sales/funnel?owner=${seller.id}`);
	const table = page.locator('.stages');
	await table.locator('tbody tr').first().waitFor();
	const row = (label) => table.locator('tbody tr', { hasText: label });
	assert.deepEqual((await cells(row('初步接触与需求'))).slice(0, 4).map((s) => s.trim()), ['初步接触与需求', '1', '¥9,800,000', '¥980,000']);
	assert.deepEqual((await cells(row('演示与技术交流'))).slice(0, 4).map((s) => s.trim()), ['演示与技术交流', '1', '¥4,200,000', '¥1,680,000']);
	assert.deepEqual((await cells(row('项目评估'))).slice(0, 4).map((s) => s.trim()), ['项目评估', '1', '¥120,000,000', '¥72,000,000']);
	assert.equal((await page.locator('.card.open .v').innerText()).trim(), '3');
	assert.ok(await page.locator('.funnel-page canvas').first().isVisible(), 'the funnel is drawn');
	assert.deepEqual(await unlabelled(page), [], 'every control is labelled');
	await shot(page, 'sales-funnel');

	await row('演示与技术交流').click();
	await page.waitForURL(/\/e\/opportunities\?/);
	assert.match(page.url(), /stage=demo/);
	await page.locator('.el-table__row', { hasText: '双体船两艘' }).waitFor();
	await page.close();

	const en = await sellerPage(`/sales/funnel?owner=${seller.id}`, { locale: 'en' });
	await en.evaluate(() => localStorage.setItem('sextant.locale', 'en'));
	await en.reload();
	await en.locator('.stages tbody tr', { hasText: 'Project evaluation' }).waitFor();
	assert.match(await en.locator('.card.open .k').innerText(), /Open/);
	await shot(en, 'sales-funnel-en');
	await en.evaluate(() => localStorage.setItem('sextant.locale', 'zh-CN'));
	await en.close();
});

test('the board: a drag fires the stage\'s transition, asks for what the stage needs, refuses a move the process has not', async () => {
	// Wide enough for every column: a drag that has to scroll its target into view midway is
	// what a person does with the wheel, and playwright's drag cannot.
	const page = await sellerPage(`/sales/board?owner=${seller.id}`, { viewport: { width: 2800, height: 900 } });
	const column = (stage) => page.locator(`.column[data-stage="${stage}"]`);
	const card = (o) => page.locator(`.opp[data-id="${o.id}"]`);
	await card(opp.a).waitFor();
	assert.equal(await column('needs').locator('.opp').count(), 1);
	assert.deepEqual(await unlabelled(page), [], 'every control is labelled');
	await shot(page, 'sales-board');

	// Needs nothing more: moved at once.
	await card(opp.a).dragTo(column('demo'));
	await column('demo').locator(`.opp[data-id="${opp.a.id}"]`).waitFor();
	assert.equal((await api('GET', `/api/v1/opportunities/${opp.a.id}`)).stage, 'demo');

	// The formal proposal needs the expected close date, which b lacks: the dialog asks for it.
	await card(opp.b).dragTo(column('proposal'));
	const dialog = page.locator('.transition-dialog');
	await dialog.waitFor();
	await shot(page, 'sales-board-needs');
	await page.fill('#tr-expected_close', '2027-06-30');
	await page.keyboard.press('Enter');
	await dialog.locator('.confirm-transition').click();
	await column('proposal').locator(`.opp[data-id="${opp.b.id}"]`).waitFor();
	const b = await api('GET', `/api/v1/opportunities/${opp.b.id}`);
	assert.deepEqual([b.stage, b.probability, b.expected_close], ['proposal', 50, '2027-06-30']);

	// Won only from the negotiation or the signing.
	await card(opp.c).dragTo(column('won'));
	await page.locator('.el-message', { hasText: '不能直接到' }).waitFor();
	assert.equal((await api('GET', `/api/v1/opportunities/${opp.c.id}`)).stage, 'evaluation');

	// By keyboard: the card's menu.
	await card(opp.c).getByRole('button', { name: /推进/ }).click();
	await page.locator('.el-dropdown-menu__item:visible', { hasText: '商务谈判' }).click();
	await column('negotiation').locator(`.opp[data-id="${opp.c.id}"]`).waitFor();

	const f = await api('GET', `/api/v1/opportunities/funnel?owner=${seller.id}`);
	assert.deepEqual(Object.fromEntries(f.stages.filter((s) => s.count).map((s) => [s.key, s.count])), { demo: 1, proposal: 1, negotiation: 1 });
	await page.close();

	const phone = await sellerPage(`/sales/board?owner=${seller.id}`, { viewport: { width: 390, height: 844 }, isMobile: true });
	await phone.locator(`.opp[data-id="${opp.c.id}"]`).waitFor();
	await shot(phone, 'sales-board-phone');
	await phone.close();
});
