// The processes in the browser: an administrator makes the lead triage of t_leads (the test
// entity of tests/api/schema) in the editor — the state field, the initial state and two
// transitions made in the form, a wrong one named by the server at the top and marked — and
// sees it drawn; the rest of the definition comes through the API (as tests/api/t30). Then a
// lead made in the browser is graded from its record page (the dialog asks for the required
// grade and amount), its state tag and process history follow; a transition not open to a
// user is disabled with its reason, and one no longer open from the state is refused with a
// message. Screenshots in Chinese, one in English, one phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { adminPage as signedIn, api, base, launch, logIn, shot as screenshot, unlabelled } from './lib.mjs';

const L = (zh, en) => ({ 'zh-CN': zh, en });
// As tests/api/t30_processes.test.mjs.
const triage = {
	entity: 't_leads',
	label: L('需求分级与分配', 'Lead triage'),
	state_field: 'stage',
	initial: 'new',
	transitions: [
		{ key: 'grade', label: L('分级', 'Grade'), from: ['new'], to: 'graded', who: [{ role: 'info_specialist' }, { owner: true }], require: ['grade', 'amount'], notify: ['superior'] },
		{ key: 'review', label: L('审核', 'Review'), from: ['graded'], to: 'reviewed', who: [{ role: 'sales_director' }], guard: [{ field: 'amount', op: 'gte', value: 10000000 }] },
		{ key: 'fast_assign', label: L('直接分配', 'Assign directly'), from: ['graded'], to: 'assigned', who: [{ role: 'sales_director' }], guard: [{ field: 'amount', op: 'lt', value: 10000000 }], require: ['project_manager_id'], share: [{ field: 'project_manager_id', access: 'edit' }] },
		{ key: 'assign', label: L('分配', 'Assign'), from: ['reviewed'], to: 'assigned', who: [{ role: 'sales_director' }], require: ['project_manager_id'], notify: ['owner', { field: 'project_manager_id' }, { role: 'info_specialist' }], share: [{ field: 'project_manager_id', access: 'edit' }] },
		{ key: 'qualify', label: L('定性', 'Qualify'), from: ['assigned'], to: 'qualified', who: [{ field: 'project_manager_id' }], require: ['qualification'], notify: ['owner', 'superior'] },
		{ key: 'reject', label: L('退回', 'Reject'), from: ['graded', 'reviewed'], to: 'rejected', who: [{ role: 'sales_director' }], set: { grade: 'c' }, notify: ['owner'] },
	],
};

const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let browser, lead;
const users = {};

before(async () => {
	browser = await launch();
	for (const [name, role, display] of [['proc.director', 'sales_director', '销售总监老周'], ['proc.info', 'info_specialist', '信息专员小李']])
		users[name] = await api('POST', '/api/v1/users', { username: name, password, roles: [role], display_name: display, must_change_password: false });
});

after(async () => {
	await browser?.close();
});

async function shot(page, name) {
	await page.waitForLoadState('networkidle');
	await page.waitForTimeout(400); // the chart's and dialogs' animations
	await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), null, { timeout: 3000 }).catch(() => undefined);
	await screenshot(page, name);
}
const exact = (s) => new RegExp(`^\\s*${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);

/* Open an Element Plus select (by the id of its input, or a locator of the select) and choose. */
async function choose(page, select, text) {
	const box = typeof select === 'string' ? page.locator(`.el-select:has(#${select})`).first() : select;
	const input = box.locator('input[role=combobox]').first();
	for (let i = 0; i < 5 && (await input.getAttribute('aria-expanded')) !== 'true'; i++) {
		await box.click();
		await page.waitForFunction((el) => el.getAttribute('aria-expanded') === 'true', await input.elementHandle(), { timeout: 2000 }).catch(() => undefined);
	}
	const list = await input.getAttribute('aria-controls');
	await page.locator(`[id="${list}"] .el-select-dropdown__item:visible`, { hasText: exact(text) }).first().click();
}
const selectNamed = (page, name) => page.locator('.el-select:visible', { has: page.getByRole('combobox', { name, exact: true }) }).last();

async function adminPage(url, options = {}) {
	const page = await signedIn(browser, { viewport: { width: 1360, height: 900 }, ...options });
	if (url !== '/') await page.goto(base + url);
	return page;
}
async function userPage(name, url) {
	const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1360, height: 900 } });
	await logIn(page, name, password);
	await page.waitForURL(`${base}/`);
	await page.goto(base + url);
	return page;
}
/* A user's own API session, for what happens behind a page's back. */
async function userApi(name) {
	const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: name, password }) });
	const cookie = res.headers.get('set-cookie').split(';')[0];
	const csrf = (await res.json()).csrf_token;
	return (method, p, body) => fetch(base + p, { method, headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf }, body: body && JSON.stringify(body) });
}

test('an administrator makes the lead triage in the editor; a wrong transition is named and marked; the diagram follows', async () => {
	const page = await adminPage('/admin/processes');
	await page.locator('.processes').waitFor();
	await page.locator('.add-process').click();
	await page.fill('#pr-key', 'lead_triage');
	await choose(page, 'pr-entity', '测试需求（t_leads）');
	await page.fill('#pr-zh', '需求分级与分配');
	await page.fill('#pr-en', 'Lead triage');
	await choose(page, 'pr-state-field', '阶段');
	assert.equal(await page.locator('#pr-initial').inputValue().catch(() => ''), '', 'a select shows its label elsewhere');
	await choose(page, 'pr-initial', '新建');

	// grade: from new to graded, by an information specialist, grade and amount required.
	const dialog = page.locator('.transition-edit-dialog');
	const closeDropdown = () => dialog.locator('.el-dialog__title').click();
	await page.locator('.add-transition').click();
	await dialog.waitFor();
	await page.fill('#tr-key', 'grade');
	await page.fill('#tr-zh', '分级');
	await page.fill('#tr-en', 'Grade');
	await choose(page, 'tr-from', '新建');
	await closeDropdown();
	await choose(page, 'tr-to', '已分级');
	await choose(page, 'tr-require', '等级');
	await choose(page, 'tr-require', '金额');
	await closeDropdown();
	await dialog.locator('.add-who').click();
	await choose(page, selectNamed(page, '角色 1'), '信息专员');
	assert.deepEqual(await unlabelled(page), [], 'every control of the transition dialog is labelled');
	await shot(page, 'admin-process-transition');
	await dialog.locator('.save-transition').click();
	await dialog.waitFor({ state: 'hidden' });

	// review: a rule naming a user field, left without its field; the server names it.
	await page.locator('.add-transition').click();
	await dialog.waitFor();
	await page.fill('#tr-key', 'review');
	await page.fill('#tr-zh', '审核');
	await choose(page, 'tr-from', '已分级');
	await closeDropdown();
	await choose(page, 'tr-to', '已审核');
	await dialog.locator('.add-who').click();
	await choose(page, selectNamed(page, '规则类型 1'), '记录中的用户字段');
	await dialog.locator('.save-transition').click();
	await dialog.waitFor({ state: 'hidden' });
	await page.locator('.transitions .el-table__row').nth(1).waitFor();
	await page.locator('.save-process').click();
	const problem = page.locator('.process-problem');
	await problem.waitFor();
	assert.match(await problem.innerText(), /transitions\[1\]\.who\[0\]\.field/, 'the member at fault, at the top of the form');
	await page.locator('.transitions .bad-transition', { hasText: '审核' }).waitFor();
	await shot(page, 'admin-process-error');
	await page.getByRole('button', { name: '编辑操作 review' }).click();
	await dialog.waitFor();
	await choose(page, selectNamed(page, '规则类型 1'), '角色');
	await choose(page, selectNamed(page, '角色 1'), '销售总监');
	await dialog.locator('.save-transition').click();
	await dialog.waitFor({ state: 'hidden' });
	await page.locator('.save-process').click();
	await page.locator('.el-message--success').first().waitFor();
	const stored = (await api('GET', '/api/v1/processes')).data.find((p) => p.key === 'lead_triage');
	assert.equal(stored.entity, 't_leads');
	assert.deepEqual([stored.definition.state_field, stored.definition.initial], ['stage', 'new']);
	assert.deepEqual(stored.definition.transitions, [
		{ key: 'grade', label: L('分级', 'Grade'), from: ['new'], to: 'graded', who: [{ role: 'info_specialist' }], require: ['grade', 'amount'] },
		{ key: 'review', label: L('审核', '审核'), from: ['graded'], to: 'reviewed', who: [{ role: 'sales_director' }] },
	]);
	// The diagram: a chart of the states drawn beside the form.
	await page.locator('.process-graph canvas').waitFor();
	assert.match(await page.locator('.process-graph').getAttribute('aria-label'), /6 个状态，2 个操作/);
	assert.deepEqual(await unlabelled(page), [], 'every control of the editor is labelled');
	await shot(page, 'admin-process-editor');

	// The whole triage, through the API; the editor shows it.
	await api('PUT', '/api/v1/processes/lead_triage', triage);
	await page.goto(`${base}/admin/processes`);
	const row = page.locator('.processes .el-table__row', { hasText: 'lead_triage' });
	await row.waitFor();
	assert.match(await row.innerText(), /6 个操作/);
	assert.deepEqual(await unlabelled(page), [], 'every control of the list is labelled');
	await shot(page, 'admin-processes');
	await row.getByRole('button', { name: '编辑流程 lead_triage' }).click();
	await page.locator('.transitions .el-table__row').nth(5).waitFor();
	assert.match(await page.locator('.process-graph').getAttribute('aria-label'), /6 个状态，6 个操作/);
	await shot(page, 'admin-process-triage');
	await page.close();
});

test('a lead made in the browser is graded from its record page; its state and history follow', async () => {
	const page = await adminPage('/e/t_leads/new');
	await page.fill('#f-title', '三亚游艇会 60 尺采购');
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/\/e\/t_leads\/\d+$/);
	lead = Number(page.url().split('/').pop());
	const panel = page.locator('.record-process');
	await panel.waitFor();
	assert.match(await panel.innerText(), /需求分级与分配/);
	assert.equal((await panel.locator('.proc-state').innerText()).trim(), '新建');

	await panel.locator('.fire[data-transition=grade]').click();
	const dialog = page.locator('.transition-dialog');
	await dialog.waitFor();
	await page.locator('#tr-grade').waitFor();
	await page.locator('#tr-amount').waitFor();
	await dialog.locator('.confirm-transition').click();
	await dialog.locator('.el-form-item.is-error', { hasText: '金额' }).waitFor();
	await choose(page, 'tr-grade', 'A 级');
	await page.fill('#tr-amount', '500000');
	await page.fill('#tr-comment', '预算约 50 万');
	assert.deepEqual(await unlabelled(page), [], 'every control of the transition dialog is labelled');
	await shot(page, 'record-transition');
	await dialog.locator('.confirm-transition').click();
	await dialog.waitFor({ state: 'hidden' });
	await panel.locator('.proc-state', { hasText: exact('已分级') }).waitFor();
	const rec = await api('GET', `/api/v1/t_leads/${lead}`);
	assert.deepEqual([rec.stage, rec.grade, rec.amount.amount], ['graded', 'a', 50000000]);
	// The next steps from graded.
	for (const k of ['review', 'fast_assign', 'reject']) await panel.locator(`.fire[data-transition=${k}]`).waitFor();

	await page.getByRole('tab', { name: '流程记录' }).click();
	const step = page.locator('.process-history .el-timeline-item').first();
	await step.waitFor();
	const text = await step.innerText();
	assert.match(text, /分级/);
	assert.match(text, /新建 → 已分级/);
	assert.match(text, /系统管理员/);
	assert.match(text, /预算约 50 万/);
	assert.deepEqual(await unlabelled(page), [], 'every control of the record page is labelled');
	await shot(page, 'record-process');
	await page.close();
});

test('a transition not open to a user is disabled with its reason; one no longer open from the state is refused', async () => {
	// The information specialist may read the lead, not review it.
	await api('POST', `/api/v1/t_leads/${lead}/shares`, { user_id: users['proc.info'].id, access: 'read' });
	const info = await userPage('proc.info', `/e/t_leads/${lead}`);
	const review = info.locator('.record-process .fire[data-transition=review]');
	await review.waitFor();
	assert.ok(await review.isDisabled(), 'not the specialist\'s to review');
	await info.locator('.record-process .wrap').first().hover();
	await info.locator('.el-popper:visible', { hasText: '您没有权限执行此操作' }).waitFor();
	await shot(info, 'record-process-not-yours');
	await info.close();

	// The director's page shows "review"; meanwhile the lead is rejected elsewhere.
	const page = await userPage('proc.director', `/e/t_leads/${lead}`);
	const button = page.locator('.record-process .fire[data-transition=review]');
	await button.waitFor();
	assert.ok(!(await button.isDisabled()));
	const director = await userApi('proc.director');
	assert.equal((await director('POST', `/api/v1/t_leads/${lead}/transitions/reject`, { comment: '需求不明确' })).status, 200);
	await button.click();
	await page.locator('.transition-dialog .confirm-transition').click();
	const refused = page.locator('.el-message.transition-refused');
	await refused.waitFor();
	assert.match(await refused.innerText(), /“审核”在当前状态下不可执行/);
	// The panel is current again: rejected, nothing further.
	await page.locator('.record-process .proc-state', { hasText: exact('已退回') }).waitFor();
	await button.waitFor({ state: 'detached' });
	await shot(page, 'record-process-refused');
	await page.close();
});

test('the editor in English, and the record page on a phone', async () => {
	const page = await adminPage('/admin/processes');
	await page.locator('.processes .el-table__row').first().waitFor();
	const switchTo = async (word) => {
		await page.locator('.who').click();
		await page.locator('.el-dropdown-menu__item:visible', { hasText: word }).click();
	};
	await switchTo('English');
	try {
		await page.getByRole('button', { name: 'Edit process lead_triage' }).click();
		await page.locator('.process-graph canvas').waitFor();
		await page.getByText('State field', { exact: true }).waitFor();
		await shot(page, 'admin-process-en');
	} finally {
		await page.goto(`${base}/admin/processes`);
		await switchTo('中文');
		await page.getByText('业务流程', { exact: true }).first().waitFor();
	}
	await page.close();

	const phone = await adminPage(`/e/t_leads/${lead}`, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	await phone.locator('.record-process .proc-state').waitFor();
	await shot(phone, 'phone-record-process');
	assert.ok((await phone.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'no sideways scrolling');
	await phone.goto(`${base}/admin/processes`);
	await phone.getByRole('button', { name: '编辑流程 lead_triage' }).click();
	await phone.locator('.process-graph canvas').waitFor();
	await shot(phone, 'phone-admin-process');
	assert.ok((await phone.evaluate(() => document.documentElement.scrollWidth)) <= 390, 'no sideways scrolling');
	await phone.close();
});
