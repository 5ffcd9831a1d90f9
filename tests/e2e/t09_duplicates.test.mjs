// The duplicate check in the browser (docs/internals/MATCH.md): a customer made through the API,
// then a new one typed in the form the way people write the same company differently —
// traditional characters and another legal form, the phone in another spelling — lists it with
// its reasons while typing (one check per pause, a slow answer overtaken by a newer one
// dropped); saving asks first, going back keeps the form, saving anyway creates the record. The
// original's edit form does not list itself and saves without asking. A salesperson working in
// English sees the reasons in English and the owner of a customer they may not open. The
// administrators' rules page: the formula explained, a threshold saved and kept over a reload,
// a number outside 0–1 prevented and an empty one refused by the server at its field, English.
// Screenshots in Chinese, one form and the rules page in English, one phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminPage, api, base, launch, logIn, shot, unlabelled, openSettings } from './lib.mjs';

const BASE_NAME = '深圳市海韵游艇有限公司';
const TYPED_NAME = '海韻遊艇股份有限公司';
const MATCH = '/api/v1/customers/match';
let browser;
let original; // the customer the others are checked against
let rules; // the duplicate rules as shipped, put back at the end

before(async () => {
	original = await api('POST', '/api/v1/customers', {
		name: BASE_NAME, phone: '0755-26881234', address: '广东省深圳市南山区蛇口望海路1号', tax_id: '91440300MA5F123452',
	});
	rules = await api('GET', '/api/v1/settings/match');
	browser = await launch();
});

after(async () => {
	if (rules) await api('PUT', '/api/v1/settings/match', rules);
	await browser?.close();
});

const panel = (page) => page.locator('section.dupes');
const candidate = (page, name) => panel(page).locator('li.dup', { has: page.locator('.dup-name', { hasText: new RegExp(`^${name}$`) }) });

test('a new customer like an existing one: candidates while typing, a question before saving, saved anyway', async () => {
	const page = await adminPage(browser);
	const asked = [];
	page.on('request', (r) => { if (r.url().endsWith(MATCH)) asked.push(r.postDataJSON()); });
	await page.goto(`${base}/e/customers/new`);
	await page.locator('#f-name').waitFor();
	await panel(page).getByText('会自动查找可能重复的客户').waitFor();
	assert.equal(asked.length, 0, 'nothing to compare, nothing asked');

	// A slow answer to an older question is dropped: the panel stays about what the form holds.
	await page.route(`**${MATCH}`, async (route) => {
		if (route.request().postDataJSON().name === '海韵游艇') await new Promise((r) => setTimeout(r, 1500));
		await route.continue();
	});
	const slow = page.waitForResponse((r) => r.url().endsWith(MATCH) && r.request().postDataJSON().name === '海韵游艇');
	await page.fill('#f-name', '海韵游艇');
	await page.waitForRequest((r) => r.url().endsWith(MATCH));
	await page.fill('#f-name', '青稞面包坊');
	await panel(page).getByText('未发现重复').waitFor();
	const late = await slow;
	assert.ok((await late.json()).data.some((c) => c.id === original.id), 'the slow answer did list the customer');
	await page.waitForTimeout(300);
	assert.equal(await panel(page).locator('li.dup').count(), 0, 'and was dropped');
	assert.ok(await panel(page).getByText('未发现重复').isVisible());
	await page.unroute(`**${MATCH}`);

	// Typed key by key: one check after the pause, not one per key.
	await page.fill('#f-name', '');
	await panel(page).getByText('会自动查找可能重复的客户').waitFor();
	asked.length = 0;
	await page.locator('#f-name').pressSequentially(TYPED_NAME, { delay: 80 });
	const found = candidate(page, BASE_NAME);
	await found.waitFor();
	await page.waitForTimeout(600);
	assert.deepEqual(asked, [{ name: TYPED_NAME }], 'one check, of the whole name, without an id');
	assert.match(await found.innerText(), /名称相似 100%/);
	assert.match(await found.innerText(), /负责人：系统管理员/);
	const link = found.locator('a.dup-name');
	assert.equal(await link.getAttribute('href'), `/e/customers/${original.id}`);
	assert.equal(await link.getAttribute('target'), '_blank', 'the record opens in a new tab, the form stays');

	// The phone in another spelling.
	await page.fill('#f-phone', '+86 (755) 2688-1234');
	await found.locator('.dup-reason', { hasText: '电话相同' }).waitFor();
	assert.match(await found.locator('.dup-score').innerText(), /相似度 100%/);
	assert.deepEqual(asked.at(-1), { name: TYPED_NAME, phone: '+86 (755) 2688-1234' });
	assert.deepEqual(await unlabelled(page), [], 'every control is named, the candidates too');
	await shot(page, 'customer-duplicates');

	// Saving asks first; going back leaves the form as it was.
	await page.getByRole('button', { name: '保存' }).click();
	const dialog = page.locator('.el-dialog.dup-confirm');
	await dialog.getByText('可能与以下客户重复').waitFor();
	assert.ok(await dialog.locator('.dup-name', { hasText: BASE_NAME }).isVisible(), 'the candidate is listed');
	await page.waitForTimeout(400); // the dialog's opening animation, for the screenshot
	await shot(page, 'customer-duplicate-confirm');
	await dialog.getByRole('button', { name: '返回检查' }).click();
	await dialog.waitFor({ state: 'hidden' });
	assert.match(page.url(), /\/e\/customers\/new$/);
	assert.equal(await page.inputValue('#f-name'), TYPED_NAME);
	const listed = await api('GET', `/api/v1/customers?q=${encodeURIComponent('海韻遊艇')}`);
	assert.ok(!listed.data.some((c) => c.name === TYPED_NAME), 'nothing saved');

	await page.getByRole('button', { name: '保存' }).click();
	await dialog.getByRole('button', { name: '仍然保存' }).click();
	await page.waitForURL(/\/e\/customers\/\d+$/);
	const saved = await api('GET', `/api/v1/customers/${page.url().split('/').pop()}`);
	assert.equal(saved.name, TYPED_NAME);
	assert.match(saved.phone, /2688-?1234/, 'the phone as the server writes it');
	await page.close();
});

test('a new customer like nothing saves without a question', async () => {
	const page = await adminPage(browser);
	await page.goto(`${base}/e/customers/new`);
	await page.fill('#f-name', '喀什帕米尔高原游艇俱乐部');
	// Saved before the check's pause: the check runs at once, finds nothing, and the save goes on.
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/\/e\/customers\/\d+$/);
	assert.equal(await page.locator('.el-dialog.dup-confirm:visible').count(), 0);
	await page.close();
});

test('the edit form of the original lists the new look-alike, not itself, and saves without asking', async () => {
	const page = await adminPage(browser);
	const asked = [];
	page.on('request', (r) => { if (r.url().endsWith(MATCH)) asked.push(r.postDataJSON()); });
	await page.goto(`${base}/e/customers/${original.id}/edit`);
	await page.waitForFunction((name) => document.querySelector('#f-name')?.value === name, BASE_NAME);
	await candidate(page, TYPED_NAME).waitFor();
	assert.equal(asked.at(-1).id, original.id, 'the record being edited goes along');
	assert.equal(await panel(page).locator(`a[href="/e/customers/${original.id}"]`).count(), 0, 'not its own duplicate');
	assert.match(await candidate(page, TYPED_NAME).innerText(), /电话相同/);
	await page.fill('#f-remarks', '与海韻遊艇股份有限公司是否同一家待核实');
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(new RegExp(`/e/customers/${original.id}$`));
	assert.equal(await page.locator('.el-dialog.dup-confirm:visible').count(), 0, 'editing never asks');
	assert.equal((await api('GET', `/api/v1/customers/${original.id}`)).remarks, '与海韻遊艇股份有限公司是否同一家待核实');
	await page.close();
});

test('a salesperson in English: English reasons, and the owner of a customer they may not open', async () => {
	const pw = `Aa1-${Date.now()}-dup`;
	await api('POST', '/api/v1/users', { username: 'dup.sales', password: pw, roles: ['salesperson'], display_name: 'Sam Sales', locale: 'en', must_change_password: false });
	const page = await browser.newPage({ locale: 'en-GB' });
	await logIn(page, 'dup.sales', pw);
	await page.waitForURL(`${base}/`);
	await page.goto(`${base}/e/customers/new`);
	await page.locator('#f-name').waitFor();
	await panel(page).getByText('Once you enter a name').waitFor();
	await page.fill('#f-name', '深圳海韵游艇');
	await page.fill('#f-phone', '075526881234');
	const found = candidate(page, BASE_NAME);
	await found.locator('.dup-reason', { hasText: 'Same phone' }).waitFor();
	const text = await found.innerText();
	assert.match(text, /Name 100% alike/);
	assert.match(text, /Owner: 系统管理员/);
	assert.match(text, /100% alike/);
	assert.doesNotMatch(await panel(page).innerText(), /[相负]/, 'no Chinese words of the page');
	// The tax ID, at the foot of the form, written loosely: the candidates stay in view beside it.
	await page.fill('#f-tax_id', '91440300ma5f 123452');
	await found.locator('.dup-reason', { hasText: 'Same unified social credit code' }).waitFor();
	const box = await panel(page).boundingBox();
	assert.ok(box.y >= 0 && box.y < 200 && box.x > 640, `the candidates stay in view at the right (${box.x}, ${box.y})`);
	// Listed, though this salesperson may not open it: the point is to learn whose it is.
	const status = await page.evaluate(async (id) => (await fetch(`/api/v1/customers/${id}`)).status, original.id);
	assert.equal(status, 404);
	await shot(page, 'customer-duplicates-en');
	await page.getByRole('button', { name: 'Save' }).click();
	const dialog = page.locator('.el-dialog.dup-confirm');
	await dialog.getByText('This may duplicate the following customers').waitFor();
	assert.ok(await dialog.getByRole('button', { name: 'Save anyway' }).isVisible());
	await dialog.getByRole('button', { name: 'Go back' }).click();
	await dialog.waitFor({ state: 'hidden' });
	await page.close();
});

test('the duplicate rules: the formula, a threshold kept over a reload, numbers outside 0–1 prevented or refused at their field', async () => {
	const page = await adminPage(browser);
	await openSettings(page, '查重规则', /\/admin\/match$/);
	await page.locator('#mr-threshold').waitFor();
	await page.getByText('score = 1 − Π (1 − weight × similarity)').waitFor();
	await page.getByText('其中 Π 为所有成立规则的连乘').waitFor();
	assert.equal(await page.inputValue('#mr-w-phone'), '0.85');
	assert.equal(await page.inputValue('#mr-threshold'), '0.60');
	// The example follows the weights: 1 − (1 − 0.85 × 1) × (1 − 1.00 × 0.90) = 0.985.
	await page.locator('.example', { hasText: '(1 − 0.85 × 1) × (1 − 1.00 × 0.90) = 0.985' }).waitFor();
	assert.deepEqual(await unlabelled(page), [], 'every control is named');

	await page.fill('#mr-threshold', '0.75');
	await page.locator('#mr-threshold').blur();
	await page.locator('.save-rules').click();
	await page.locator('.el-message--success').first().waitFor();
	assert.equal((await api('GET', '/api/v1/settings/match')).threshold, 0.75);
	await page.reload();
	await page.locator('#mr-threshold').waitFor();
	await page.waitForFunction(() => document.querySelector('#mr-threshold')?.value === '0.75');
	await shot(page, 'admin-match-rules');

	// 1.5 cannot be typed: it becomes 1.
	await page.fill('#mr-w-address', '1.5');
	await page.locator('#mr-w-address').blur();
	assert.equal(await page.inputValue('#mr-w-address'), '1.00');
	// Emptied, a floor goes to the server as nothing, which it refuses at the field.
	await page.fill('#mr-name_floor', '');
	await page.locator('#mr-name_floor').blur();
	await page.locator('.save-rules').click();
	const error = page.locator('.l-name_floor .el-form-item__error');
	await error.waitFor();
	assert.match(await error.innerText(), /0 至 1/);
	await shot(page, 'admin-match-rules-error');
	const kept = await api('GET', '/api/v1/settings/match');
	assert.deepEqual([kept.threshold, kept.name_floor, kept.weights.address], [0.75, 0.8, 0.5], 'nothing of the refused document stored');

	// Put the threshold back through the page.
	await page.getByRole('button', { name: '还原' }).click();
	await page.waitForFunction(() => document.querySelector('#mr-name_floor')?.value === '0.80');
	await error.waitFor({ state: 'detached' }); // the error goes with the reload
	await page.fill('#mr-threshold', String(rules.threshold));
	await page.locator('#mr-threshold').blur();
	await page.locator('.save-rules').click();
	await page.waitForFunction(async () => (await (await fetch('/api/v1/settings/match')).json()).threshold === 0.6);
	await page.close();
});

test('the rules page in English, and the candidates on a phone', async () => {
	const pw = `Aa1-${Date.now()}-dupadm`;
	await api('POST', '/api/v1/users', { username: 'dup.admin.en', password: pw, roles: ['admin'], locale: 'en', must_change_password: false });
	const page = await browser.newPage({ locale: 'en-GB' });
	await logIn(page, 'dup.admin.en', pw);
	await page.waitForURL(`${base}/`);
	await page.goto(`${base}/admin/match`);
	await page.locator('#mr-threshold').waitFor();
	await page.getByText('How the score works').waitFor();
	await page.getByText('Threshold for a possible duplicate').waitFor();
	await page.locator('.el-menu-item', { hasText: 'Duplicate rules' }).first().waitFor({ state: 'attached' });
	await shot(page, 'admin-match-rules-en');
	await page.close();

	const phone = await adminPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	await phone.goto(`${base}/e/customers/new`);
	await phone.fill('#f-name', TYPED_NAME);
	await candidate(phone, BASE_NAME).waitFor();
	await shot(phone, 'phone-customer-duplicates');
	const width = await phone.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
	await phone.close();
});
