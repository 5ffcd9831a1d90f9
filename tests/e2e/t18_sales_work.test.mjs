// Sales work in the browser (S-VISIT, OP-PLAN, S-STD, S-REPORT): a visit from plan to
// reimbursed expense through three people's pages — the salesperson plans and requests it from
// the record page; their manager approves it from the approval inbox (its count in the
// sidebar), later rejects the report from the record's approval panel with a comment (refused
// without one) and approves it again; finance approves the expense claim. A week's plan made
// in the form, its completion counted from its items, the manager's comment on it seen by the
// salesperson; a daily report pre-filled from the day. The public web form for leads opened by
// an administrator and sent by a visitor. English; a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { adminPage, api, apiAs, base, launch, logIn, shot as screenshot, unlabelled, exact, choose } from './lib.mjs';

const password = `Aa1-${randomBytes(12).toString('base64url')}`;
let browser, customer;
const u = {};
const as = {};

before(async () => {
	browser = await launch();
	const units = (await api('GET', '/api/v1/org-units')).data;
	const root = units.find((x) => x.kind === 'company')?.id ?? (await api('POST', '/api/v1/org-units', { name: '测试集团', kind: 'company' })).id;
	const dept = await api('POST', '/api/v1/org-units', { name: '华南拜访测试部', kind: 'department', parent_id: root });
	for (const [name, role, display, extra] of [
		['work.manager', 'regional_manager', '经理老陈', { org_unit_id: dept.id }],
		['work.finance', 'finance', '财务小吴', {}],
	])
		u[name] = await api('POST', '/api/v1/users', { username: name, password, roles: [role], display_name: display, must_change_password: false, ...extra });
	u['work.seller'] = await api('POST', '/api/v1/users', { username: 'work.seller', password, roles: ['salesperson'], display_name: '销售小卫', must_change_password: false, org_unit_id: dept.id, superior_id: u['work.manager'].id });
	for (const name of Object.keys(u)) as[name] = await apiAs(name, password);
	customer = await as['work.seller']('POST', '/api/v1/customers', { name: '珠海横琴游艇会' });
});

after(async () => {
	await browser?.close();
});

async function shot(page, name) {
	await page.waitForLoadState('networkidle');
	await screenshot(page, name);
}

async function pageOf(username, url, options = {}) {
	const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 1440, height: 900 }, ...options });
	await logIn(page, username, password);
	await page.waitForURL(`${base}/`);
	await page.goto(base + url);
	return page;
}

/* Fire a transition from the record page's process panel, filling what its dialog asks. */
async function fire(page, key, fill = async () => undefined) {
	await page.locator(`.record-process .fire[data-transition=${key}]`).click();
	const dialog = page.locator('.transition-dialog');
	await dialog.waitFor();
	await fill(dialog);
	await dialog.locator('.confirm-transition').click();
	await dialog.waitFor({ state: 'hidden' });
}
const state = (page, name) => page.locator('.record-process .proc-state', { hasText: exact(name) }).waitFor();

test('a visit from plan to reimbursed expense, in the browser', async () => {
	// The salesperson plans the visit and requests it.
	let page = await pageOf('work.seller', `/e/visits/new?customer_id=${customer.id}&planned_at=2027-01-12T02:00:00Z`);
	await page.fill('#f-title', '拜访横琴游艇会：介绍 62 尺飞桥');
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/\/e\/visits\/\d+$/);
	const id = Number(page.url().split('/').pop());
	await fire(page, 'request', async () => {
		await page.fill('#tr-purpose', '介绍 62 尺飞桥，邀请试航');
		await page.fill('#tr-budget', '8000');
	});
	await state(page, '申请审批中');
	const panel = page.locator('.approval');
	await panel.waitFor();
	assert.match(await panel.innerText(), /审批中：拜访申请审批[\s\S]*当前步骤：上级审批[\s\S]*等待 经理老陈/);
	await shot(page, 'visit-requested');
	await page.close();

	// The manager finds it in the inbox, counted in the sidebar, and approves it.
	page = await pageOf('work.manager', '/approvals');
	await page.locator('.waiting', { hasText: '1' }).waitFor();
	const row = page.locator('.el-table__row', { hasText: '拜访横琴游艇会' });
	assert.match(await row.innerText(), /拜访申请审批 · 上级审批[\s\S]*拜访[\s\S]*销售小卫/);
	await shot(page, 'approvals-inbox');
	assert.deepEqual(await unlabelled(page), [], 'every control of the inbox is labelled');
	await row.getByRole('button', { name: '批准：拜访横琴游艇会：介绍 62 尺飞桥' }).click();
	let dialog = page.getByRole('dialog', { name: '批准：拜访横琴游艇会：介绍 62 尺飞桥' });
	await dialog.locator('#approval-comment').fill('同意，注意控制费用');
	await dialog.getByRole('button', { name: exact('批准') }).click();
	await dialog.waitFor({ state: 'hidden' });
	await page.getByText('没有待审批的事项').waitFor();
	assert.equal(await page.locator('.waiting').count(), 0, 'nothing waits any more');
	await page.getByRole('tab', { name: '我已审批' }).click();
	await page.locator('.el-table__row', { hasText: '同意，注意控制费用' }).waitFor();
	await page.close();
	assert.equal((await api('GET', `/api/v1/visits/${id}`)).stage, 'approved');

	// Prepared, visited, the report submitted.
	page = await pageOf('work.seller', `/e/visits/${id}`);
	await state(page, '已批准');
	await fire(page, 'prepare', () => page.fill('#tr-preparation', '船型资料、试航日程'));
	await fire(page, 'visit', async () => {
		await page.fill('#tr-visited_at', '2026-11-20 10:00:00');
		await page.keyboard.press('Enter');
		await page.fill('#tr-needs', '会员接待用艇，需 4 间客舱');
	});
	await state(page, '已拜访');
	await fire(page, 'submit_report', () => page.fill('#tr-report', '客户有意向'));
	await state(page, '报告审核中');
	await page.close();

	// The manager rejects the report from the record page — a comment required — then approves
	// the better one.
	page = await pageOf('work.manager', `/e/visits/${id}`);
	const mine = page.locator('.approval');
	await mine.getByText('您需要审批这一步').waitFor();
	await mine.getByRole('button', { name: exact('驳回') }).click();
	dialog = page.getByRole('dialog', { name: /^驳回：/ });
	await dialog.getByRole('button', { name: exact('驳回') }).click();
	await dialog.getByText('驳回时请写明原因', { exact: false }).last().waitFor();
	await dialog.locator('#approval-comment').fill('请写明客户的交期要求');
	await dialog.getByRole('button', { name: exact('驳回') }).click();
	await dialog.waitFor({ state: 'hidden' });
	await state(page, '已拜访');
	await page.close();
	page = await pageOf('work.seller', `/e/visits/${id}`);
	await fire(page, 'submit_report', () => page.fill('#tr-report', '客户有意向，要求 2027 年 6 月前交船'));
	await page.close();
	page = await pageOf('work.manager', `/e/visits/${id}`);
	await page.locator('.approval').getByRole('button', { name: exact('批准') }).click();
	dialog = page.getByRole('dialog', { name: /^批准：/ });
	await dialog.getByRole('button', { name: exact('批准') }).click();
	await state(page, '报告已审核');
	await page.close();

	// The expense claim, approved by finance.
	page = await pageOf('work.seller', `/e/visits/${id}`);
	await fire(page, 'claim', async () => {
		await page.fill('#tr-expense', '1860');
		await page.fill('#tr-expense_detail', '高铁往返 1,240；船模 620');
	});
	await state(page, '报销审批中');
	await page.close();
	page = await pageOf('work.finance', '/approvals');
	await page.locator('.el-table__row', { hasText: '费用报销 · 财务审核' }).getByRole('button', { name: /^批准：/ }).click();
	dialog = page.getByRole('dialog', { name: /^批准：/ });
	await dialog.getByRole('button', { name: exact('批准') }).click();
	await dialog.waitFor({ state: 'hidden' });
	await page.close();
	page = await pageOf('work.seller', `/e/visits/${id}`);
	await state(page, '已报销');
	await page.getByRole('tab', { name: '流程记录' }).click();
	await page.getByText('已报销').last().waitFor();
	await shot(page, 'visit-reimbursed');
	await page.close();
	const v = await api('GET', `/api/v1/visits/${id}`);
	assert.deepEqual([v.stage, v.expense.amount, v.budget.amount], ['reimbursed', 186000, 800000]);
	const trail = (await api('GET', `/api/v1/visits/${id}/process`)).history.map((h) => h.transition);
	assert.deepEqual(trail, ['request', 'approve', 'prepare', 'visit', 'submit_report', 'report_back', 'submit_report', 'report_ok', 'claim', 'reimburse']);
});

test('a week\'s plan made in the form, its completion, the manager\'s comment; a daily report pre-filled', async () => {
	let page = await pageOf('work.seller', '/e/work_plans/new');
	// A week is the default period.
	await page.locator('.el-form-item', { hasText: '周期' }).getByText('周计划').waitFor();
	await page.fill('#f-starts_on', '2026-12-02');
	await page.keyboard.press('Enter');
	await page.fill('#f-goals', '三次拜访，一次试航');
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/\/e\/work_plans\/\d+$/);
	const id = Number(page.url().split('/').pop());
	await page.getByRole('heading', { name: '销售小卫 · 周计划 2026-11-30' }).or(page.getByText('销售小卫 · 周计划 2026-11-30').first()).first().waitFor();
	for (const [subject, done] of [['拜访横琴游艇会', true], ['电话确认试航', false]])
		await as['work.seller']('POST', '/api/v1/work_plan_items', { plan_id: id, subject, kind: 'visit', customer_id: customer.id, done });
	await page.reload();
	const details = page.locator('.el-descriptions', { hasText: '完成与点评' });
	assert.match(await details.innerText(), /计划事项\s*2[\s\S]*已完成\s*1[\s\S]*完成率（%）\s*50/);
	// 所属部门: the unit's name (fetched after the page shows), not its number.
	const system = page.locator('.el-descriptions', { hasText: '所属部门' });
	await system.getByText('华南拜访测试部').waitFor();
	assert.match(await system.innerText(), /所属部门\s*华南拜访测试部/);
	await page.getByRole('tab', { name: '计划事项' }).click();
	await page.locator('.el-table__row', { hasText: '电话确认试航' }).waitFor();
	await page.close();

	// The manager comments on it; the salesperson reads it on the plan.
	page = await pageOf('work.manager', `/e/work_plans/${id}`);
	await page.getByRole('tab', { name: /^批注/ }).click();
	await page.getByRole('textbox', { name: '写下批注或指导意见…' }).fill('试航前确认天气和泊位');
	await page.getByRole('button', { name: '发表批注' }).click();
	await page.getByRole('tab', { name: '批注 (1)' }).waitFor();
	await page.close();
	page = await pageOf('work.seller', `/e/work_plans/${id}`);
	await page.getByRole('tab', { name: '批注 (1)' }).click();
	assert.match(await page.locator('.comments').innerText(), /经理老陈[\s\S]*试航前确认天气和泊位/);
	await shot(page, 'work-plan-comment');
	assert.deepEqual(await unlabelled(page), [], 'every control of the plan page is labelled');
	await page.close();

	// A daily report, pre-filled from the day's records.
	const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
	await as['work.seller']('POST', '/api/v1/activities', { subject: '电话约试航', kind: 'call', occurred_at: new Date().toISOString(), customer_id: customer.id });
	page = await pageOf('work.seller', `/e/work_reports/new?period=day&starts_on=${today}`);
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/\/e\/work_reports\/\d+$/);
	const report = page.locator('.el-descriptions', { hasText: '本期工作' });
	await report.waitFor();
	assert.match(await report.innerText(), /跟进记录 1 条：电话 1/);
	assert.match(await page.locator('.el-descriptions', { hasText: '本期数据' }).innerText(), /跟进记录\s*1/);
	await shot(page, 'work-report-prefilled');
	await page.close();
});

test('the inbox in English, and on a phone', async () => {
	await as['work.seller']('PATCH', '/api/v1/auth/me', { locale: 'en' });
	const v = await as['work.seller']('POST', '/api/v1/visits', { title: 'Visit Hengqin marina', customer_id: customer.id, planned_at: '2027-02-01T02:00:00Z' });
	await as['work.seller']('POST', `/api/v1/visits/${v.id}/transitions/request`, { fields: { purpose: 'Demo', budget: { amount: 100000, currency: 'CNY' } } });
	await as['work.manager']('PATCH', '/api/v1/auth/me', { locale: 'en' });
	let page = await pageOf('work.manager', '/approvals', { locale: 'en' });
	await page.getByRole('tab', { name: 'Waiting for me (1)' }).waitFor();
	assert.match(await page.locator('.el-table__row', { hasText: 'Visit Hengqin marina' }).innerText(), /Visit request · Superior/);
	await shot(page, 'approvals-inbox-en');
	await page.close();
	page = await pageOf('work.manager', `/e/visits/${v.id}`, { locale: 'en', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	await page.locator('.approval').getByText('This step waits for you').waitFor();
	await shot(page, 'visit-approval-phone');
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	assert.ok(overflow <= 1, `the page fits the phone (overflows by ${overflow}px)`);
	await page.close();
	await as['work.manager']('PATCH', '/api/v1/auth/me', { locale: 'zh-CN' });
	await as['work.seller']('PATCH', '/api/v1/auth/me', { locale: 'zh-CN' });
});

test('the web form for leads: opened by an administrator, sent by a visitor, handled by the person named', async () => {
	let page = await adminPage(browser);
	await page.goto(`${base}/admin/leads`);
	const card = page.locator('.lead-form-settings');
	await card.waitFor();
	await card.locator('.el-switch').click();
	await page.locator('#lf-owner').fill('work.seller');
	await choose(page, 'lf-owner', '销售小卫（work.seller）');
	await card.getByRole('button', { name: '保存' }).click();
	await page.getByText('已保存').first().waitFor();
	assert.match(await card.innerText(), /\/forms\/lead/);
	assert.deepEqual(await unlabelled(page), [], 'every control of the page is labelled');
	await shot(page, 'admin-lead-form');
	await page.close();
	assert.deepEqual(await api('GET', '/api/v1/settings/lead-form'), { enabled: true, owner_id: u['work.seller'].id, path: '/forms/lead' });

	// A visitor, not signed in: the requirement is kept when the form is sent without a way to
	// reach them, then sent.
	page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true });
	await page.goto(`${base}/forms/lead`);
	await page.getByRole('heading', { name: '游艇需求咨询' }).waitFor();
	await page.getByLabel('您的称呼').fill('林女士');
	await page.getByLabel('您的需求').fill('想了解 52 尺运动艇，周末可以看船');
	await page.getByLabel('产品系列').selectOption('sport');
	// The browser asks for the required ones itself; a phone or an e-mail is the server's rule.
	await page.getByRole('button', { name: '提交' }).click();
	await page.getByText('请修改标出的内容后再提交。').waitFor();
	assert.equal(await page.getByLabel('您的需求').inputValue(), '想了解 52 尺运动艇，周末可以看船');
	await page.getByLabel('电话').fill('13612345678');
	await page.getByRole('button', { name: '提交' }).click();
	await page.getByRole('heading', { name: '提交成功' }).waitFor();
	await shot(page, 'lead-form-sent');
	await page.close();
	const made = (await as['work.seller']('GET', '/api/v1/leads?source=web_form&sort=-created_at')).data[0];
	assert.deepEqual([made.title, made.contact_name, made.product_line, made.owner_id], ['网站留言：林女士', '林女士', 'sport', u['work.seller'].id]);
	await api('PUT', '/api/v1/settings/lead-form', { enabled: false, owner_id: null });
});

test('registering an opportunity on a customer someone is already working on says so', async () => {
	await api('POST', '/api/v1/opportunities', { name: '横琴游艇会 62 尺（经理跟进）', customer_id: customer.id, owner_id: u['work.manager'].id });
	const page = await pageOf('work.seller', `/e/opportunities/new?customer_id=${customer.id}`);
	const alert = page.locator('.opportunity-conflicts');
	await alert.waitFor();
	assert.match(await alert.innerText(), /该客户已有进行中的销售机会[\s\S]*横琴游艇会 62 尺（经理跟进）[\s\S]*负责人 经理老陈/);
	await shot(page, 'opportunity-conflict');
	await page.close();
});
