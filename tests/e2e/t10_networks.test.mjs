// A customer's organisation and relations in the browser (docs/DECISIONS.md, Contact networks):
// contacts and a family member made through the API; the tab 组织架构与关系 of the customer's
// record page draws the organisation chart (a canvas, the decision roles as its legend, the
// people listed beside it) and the influence graph; a person's panel sets whom they report to
// (themselves and those below them not offered), kept over a reload; a relation added from the
// panel, its name taken from the contact chosen; a click on a person in the chart; a relation
// without a name refused at its field; English; a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminPage, api, base, launch, shot, unlabelled } from './lib.mjs';

let browser;
const c = {}; // the customer and its contacts

before(async () => {
	c.customer = await api('POST', '/api/v1/customers', { name: '厦门蓝湾游艇会' });
	const contact = (body) => api('POST', '/api/v1/contacts', { customer_id: c.customer.id, ...body });
	c.chair = await contact({ name: '林海', position: '董事长', decision_role: 'decision_maker', influence_level: 'high', attitude: 'supportive' });
	c.gm = await contact({ name: '王磊', position: '总经理', decision_role: 'influencer', influence_level: 'medium', attitude: 'neutral', reports_to_id: c.chair.id });
	c.buyer = await contact({ name: '陈静', position: '采购经理', decision_role: 'gatekeeper', influence_level: 'low', attitude: 'opposed' });
	await api('POST', '/api/v1/contact_relations', { contact_id: c.chair.id, relation: 'spouse', name: '林太太', influence_reason: '游艇俱乐部会员' });
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

const tab = (page, name) => page.getByRole('tab', { name });
const people = (page) => page.locator('.customer-network .people');
const row = (page, name) => people(page).locator('.el-table__row', { has: page.locator('.person', { hasText: new RegExp(`^${name}$`) }) });

/* Open an Element Plus select by the id of its input, and choose in its own list. */
async function choose(page, id, text) {
	const box = page.locator(`.el-select:has(#${id})`).first();
	const input = page.locator(`#${id}`);
	for (let i = 0; i < 5 && (await input.getAttribute('aria-expanded')) !== 'true'; i++) {
		await box.click();
		await page.waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await input.elementHandle(), { timeout: 2000 }).catch(() => undefined);
	}
	const list = await input.getAttribute('aria-controls');
	const items = page.locator(`[id="${list}"] .el-select-dropdown__item:visible`);
	if (text === undefined) return items.allInnerTexts();
	await items.filter({ hasText: text }).first().click();
	return null;
}

async function openNetwork(page) {
	await page.goto(`${base}/e/customers/${c.customer.id}`);
	await tab(page, '组织架构与关系').click();
	await people(page).locator('.el-table__row').nth(2).waitFor();
}

test('the organisation tab draws the chart and the graph, and sets whom a person reports to', async () => {
	const page = await adminPage(browser, { viewport: { width: 1360, height: 900 } });
	await openNetwork(page);
	const net = page.locator('.customer-network');
	await net.locator('.org-chart canvas').waitFor();
	assert.equal(await net.locator('.org-chart').getAttribute('role'), 'img');
	assert.match(await net.locator('.org-chart').getAttribute('aria-label'), /厦门蓝湾游艇会的组织架构图：3 位联系人/);
	const legend = await net.locator('.legend').innerText();
	for (const role of ['决策者', '影响者', '把关者', '未设定角色']) assert.ok(legend.includes(role), `the legend names ${role}`);
	assert.deepEqual(await people(page).locator('.person').allInnerTexts(), ['林海', '王磊', '陈静'], 'the people beside the chart');
	assert.match(await row(page, '王磊').innerText(), /总经理[\s\S]*林海[\s\S]*影响者/, 'position, superior, role');
	await page.waitForTimeout(600); // the chart's entry animation
	await shot(page, 'network-org-chart');

	await net.locator('.views .el-radio-button', { hasText: '决策与影响关系图' }).click();
	await net.locator('.influence-chart canvas').waitFor();
	assert.match(await net.locator('.influence-chart').getAttribute('aria-label'), /3 位联系人，1 条关系/);
	const legend2 = await net.locator('.legend').innerText();
	for (const word of ['支持', '中立', '反对', '其他关系人', '影响力']) assert.ok(legend2.includes(word), `the graph's legend names ${word}`);
	await page.waitForTimeout(1500); // the force layout settles
	await shot(page, 'network-influence');
	assert.deepEqual(await unlabelled(page), [], 'every control has a name');

	// 陈静 reports to 王磊: set in her panel, not offered herself.
	await row(page, '陈静').locator('.person').click();
	const panel = page.locator('.network-panel');
	await panel.locator('#net-reports_to_id').waitFor();
	await page.waitForFunction(() => !document.querySelector('.network-panel .el-loading-mask'));
	const offered = await choose(page, 'net-reports_to_id');
	assert.ok(!offered.some((o) => o.startsWith('陈静')), 'not herself');
	await page.keyboard.press('Escape');
	await choose(page, 'net-reports_to_id', '王磊');
	await choose(page, 'net-attitude', '中立');
	await panel.locator('.save-panel').click();
	await page.locator('.el-message--success', { hasText: '已保存' }).waitFor();
	const saved = await api('GET', `/api/v1/contacts/${c.buyer.id}`);
	assert.deepEqual([saved.reports_to_id, saved.attitude], [c.gm.id, 'neutral']);
	await shot(page, 'network-panel');
	await page.keyboard.press('Escape');

	// Kept over a reload; 林海 may not report to anyone below him now.
	await page.reload();
	await tab(page, '组织架构与关系').click();
	await people(page).locator('.el-table__row').nth(2).waitFor();
	assert.match(await row(page, '陈静').innerText(), /王磊/);
	await row(page, '林海').locator('.person').click();
	await panel.locator('#net-reports_to_id').waitFor();
	await page.waitForFunction(() => !document.querySelector('.network-panel .el-loading-mask'));
	assert.deepEqual(await choose(page, 'net-reports_to_id'), [], 'everyone else is below him');
	await page.keyboard.press('Escape');

	// A relation added from the panel of 陈静 (the panel follows a click on another person): the
	// most influential person is 林海.
	await row(page, '陈静').locator('.person').click();
	await page.locator('.network-panel .el-drawer__title', { hasText: '陈静' }).waitFor();
	await panel.locator('.add-relation-here').click();
	const dialog = page.locator('.relation-dialog');
	await dialog.locator('#rel-relation').waitFor();
	await choose(page, 'rel-relation', '最有影响力的人');
	await choose(page, 'rel-related_contact_id', '林海');
	assert.equal(await dialog.locator('#rel-name').inputValue(), '林海', 'the name comes from the contact');
	await dialog.locator('#rel-influence_reason').fill('曾是她的老领导');
	await dialog.locator('.save-relation').click();
	await page.locator('.el-message--success', { hasText: '已添加关系人' }).waitFor();
	await panel.locator('.relation-list li', { hasText: '最有影响力的人' }).waitFor();
	const rels = (await api('GET', `/api/v1/contacts/${c.buyer.id}/contact_relations`)).data;
	assert.deepEqual(rels.map((r) => [r.relation, r.related_contact_id, r.name, r.influence_reason]), [['influencer', c.chair.id, '林海', '曾是她的老领导']]);
	await page.close();
});

test('a click on a person in the chart opens their panel', async () => {
	const alone = await api('POST', '/api/v1/customers', { name: '独立游艇工作室' });
	await api('POST', '/api/v1/contacts', { customer_id: alone.id, name: '独行侠', decision_role: 'user' });
	const page = await adminPage(browser, { viewport: { width: 1360, height: 900 } });
	await page.goto(`${base}/e/customers/${alone.id}`);
	await tab(page, '组织架构与关系').click();
	const chart = page.locator('.customer-network .org-chart');
	await chart.locator('canvas').waitFor();
	await page.waitForTimeout(1000); // the entry animation
	// One person is the tree's root, drawn at the top in the middle: step down until it is hit.
	const box = await chart.boundingBox();
	const title = page.locator('.network-panel .el-drawer__title', { hasText: '独行侠' });
	for (let y = 20; y < 120 && !(await title.isVisible()); y += 4) await page.mouse.click(box.x + box.width / 2, box.y + y);
	assert.ok(await title.isVisible(), 'the panel of the person clicked');
	await page.close();
});

test('a relation without a name is refused at its field; English; a phone', async () => {
	const page = await adminPage(browser, { viewport: { width: 1280, height: 860 } });
	await openNetwork(page);
	await page.locator('.customer-network .add-relation').click();
	const dialog = page.locator('.relation-dialog');
	await choose(page, 'rel-contact_id', '王磊');
	await choose(page, 'rel-relation', '配偶');
	await dialog.locator('.save-relation').click();
	await dialog.locator('.el-form-item:has(#rel-name) .el-form-item__error').waitFor();
	assert.match(await dialog.locator('.el-form-item:has(#rel-name) .el-form-item__error').innerText(), /必填/);
	await page.keyboard.press('Escape');
	await page.close();

	// The language is the user's, applied at sign-in.
	await api('PATCH', '/api/v1/auth/me', { locale: 'en' });
	const en = await adminPage(browser, { locale: 'en' });
	await en.goto(`${base}/e/customers/${c.customer.id}`);
	await tab(en, 'Organisation and relations').click();
	await en.locator('.customer-network .org-chart canvas').waitFor();
	const legend = await en.locator('.customer-network .legend').innerText();
	assert.ok(legend.includes('Decision maker') && legend.includes('No role set'), 'the legend in English');
	await en.locator('.customer-network .views', { hasText: 'Decision and influence graph' }).waitFor();
	await api('PATCH', '/api/v1/auth/me', { locale: 'zh-CN' });
	await en.close();

	const phone = await adminPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	await openNetwork(phone);
	await phone.locator('.customer-network .org-chart canvas').waitFor();
	await phone.waitForTimeout(600);
	await shot(phone, 'network-phone');
	await phone.close();
});
