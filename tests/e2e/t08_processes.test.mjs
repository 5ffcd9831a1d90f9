// The processes in the browser: an administrator makes the lead triage of t_leads (the test
// entity of tests/api/schema) in the editor — the state field, the initial state and two
// transitions made in the form, a wrong one named by the server at the top and marked — and
// sees it drawn; the rest of the definition comes through the API (as tests/api/t30). Then a
// lead made in the browser is graded from its record page (the dialog asks for the required
// grade and amount), its state tag and process history follow; a transition not open to a
// user is disabled with its reason, and one no longer open from the state is refused with a
// message. The grading gets a task effect in the transition dialog: the task it makes links to
// the lead, and the lead's edit form shows its stage read-only (left out when creating). An
// approval flow of two steps, one conditional, is made in the editor for t_contracts, saved,
// and seen again (form and diagram) after a reload. Screenshots in Chinese, one in English, one
// phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { adminPage as signedIn, api, base, launch, logIn, shot as screenshot, unlabelled, choose, exact } from './lib.mjs';

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

// The contract approval of tests/api/t31 without its flow, which the editor adds.
const contracts = {
	entity: 't_contracts',
	label: L('合同审批', 'Contract approval'),
	state_field: 'stage',
	initial: 'draft',
	transitions: [
		{ key: 'submit', label: L('提交审批', 'Submit'), from: ['draft'], to: 'pending', who: [{ owner: true }], require: ['amount'] },
		{ key: 'approve', label: L('批准', 'Approve'), from: ['pending'], to: 'approved' },
		{ key: 'send_back', label: L('退回', 'Send back'), from: ['pending'], to: 'draft' },
		{ key: 'recall', label: L('撤回', 'Recall'), from: ['pending'], to: 'draft' },
		{ key: 'sign', label: L('签署', 'Sign'), from: ['approved'], to: 'signed', who: [{ owner: true }] },
	],
};
const gradingTask = { subject: '提交分级报告：{{record}}', assignee: 'owner', due_in: '3d', remind_before: '4h', priority: 'high', description: '写明预算与决策人' };

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

test('the grading gets a task effect in the transition dialog; saved, it is kept and summarised', async () => {
	const page = await adminPage('/admin/processes');
	await page.getByRole('button', { name: '编辑流程 lead_triage' }).click();
	await page.getByRole('button', { name: '编辑操作 grade' }).click();
	const dialog = page.locator('.transition-edit-dialog');
	await dialog.waitFor();
	await dialog.locator('.add-task').click();
	await page.fill('#tk-subject-0', gradingTask.subject);
	// A reminder without a due time is refused at its field.
	await page.fill('#tk-remind-0', '4');
	await page.keyboard.press('Tab');
	await dialog.locator('.save-transition').click();
	await dialog.locator('.el-form-item.is-error', { hasText: '提前提醒' }).locator('.el-form-item__error', { hasText: '设置提前提醒前需先设置期限' }).waitFor();
	await page.fill('#tk-due-0', '3');
	await page.keyboard.press('Tab');
	assert.equal((await selectNamed(page, '期限 1 单位').innerText()).trim(), '天', 'a due time counts in days by default');
	await choose(page, selectNamed(page, '优先级 1'), '高');
	await page.fill('#tk-description-0', gradingTask.description);
	// The assignee is one person: no roles among the kinds.
	const assignee = selectNamed(page, '任务负责人 1');
	await assignee.click();
	const kinds = page.locator(`[id="${await assignee.locator('input[role=combobox]').getAttribute('aria-controls')}"] .el-select-dropdown__item`);
	await kinds.first().waitFor();
	assert.deepEqual((await kinds.allInnerTexts()).map((k) => k.trim()), ['负责人', '负责人的上级', '执行人', '记录中的用户字段', '指定用户']);
	await choose(page, selectNamed(page, '任务负责人 1'), '负责人');
	assert.deepEqual(await unlabelled(page), [], 'every control of the task effect is labelled');
	await shot(page, 'admin-process-task-effect');
	await dialog.locator('.save-transition').click();
	await dialog.waitFor({ state: 'hidden' });
	// The table sums it up among the transition's effects.
	const row = page.locator('.transitions .el-table__row').first();
	assert.match(await row.innerText(), /1 条任务/);
	await page.locator('.save-process').click();
	await page.locator('.el-message--success').first().waitFor();
	const stored = (await api('GET', '/api/v1/processes')).data.find((p) => p.key === 'lead_triage');
	assert.deepEqual(stored.definition.transitions[0], { ...triage.transitions[0], tasks: [gradingTask] }, 'the rest of the transition untouched');
	assert.deepEqual(stored.definition.transitions.slice(1), triage.transitions.slice(1));

	// Seen again after a reload.
	await page.reload();
	await page.getByRole('button', { name: '编辑流程 lead_triage' }).click();
	await page.getByRole('button', { name: '编辑操作 grade' }).click();
	await dialog.waitFor();
	assert.equal(await page.locator('#tk-subject-0').inputValue(), gradingTask.subject);
	assert.equal(await page.locator('#tk-due-0').inputValue(), '3');
	assert.equal(await page.locator('#tk-remind-0').inputValue(), '4');
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

test('the task the grading made links to its lead; the stage is read-only on the lead\'s edit form and left out of a new one', async () => {
	const found = (await api('GET', `/api/v1/tasks?about_entity=t_leads&about_id=${lead}`)).data;
	assert.equal(found.length, 1, 'one task, made by the grading');
	const task = found[0];
	assert.equal(task.subject, '提交分级报告：三亚游艇会 60 尺采购', '{{record}} became the lead\'s title');
	assert.equal(task.priority, 'high');
	assert.equal(Date.parse(task.due_at) - Date.parse(task.remind_at), 4 * 3600 * 1000, 'reminded four hours before it is due');

	const page = await adminPage(`/e/tasks/${task.id}`);
	const link = page.locator('.about-link');
	await link.waitFor();
	assert.equal((await page.locator('.el-descriptions__label', { hasText: exact('关联记录') }).count()), 1);
	await page.locator('.about-link', { hasText: '三亚游艇会 60 尺采购' }).waitFor(); // the title follows the id
	assert.match(await link.innerText(), new RegExp(`^测试需求 #${lead} · 三亚游艇会 60 尺采购$`));
	assert.equal(await page.getByText('关联记录类型', { exact: true }).count(), 0, 'not the two raw fields');
	assert.equal(await page.getByText('关联记录 ID', { exact: true }).count(), 0, 'not the two raw fields');
	assert.deepEqual(await unlabelled(page), [], 'every control of the task page is labelled');
	await shot(page, 'record-task-about');
	await link.click();
	await page.waitForURL(`${base}/e/t_leads/${lead}`);
	await page.locator('.record-process .proc-state', { hasText: exact('已分级') }).waitFor();

	// Editing the lead: its stage shown, not editable; the edit saves without it.
	await page.goto(`${base}/e/t_leads/${lead}/edit`);
	const stage = page.locator('.state-field');
	await stage.waitFor();
	assert.ok(await page.locator('#f-stage').isDisabled(), 'the stage moves by transitions only');
	assert.match(await stage.innerText(), /已分级/);
	assert.match(await stage.innerText(), /只能在记录页面上通过流程操作改变/);
	await page.fill('#f-qualification', '预算已确认');
	assert.deepEqual(await unlabelled(page), [], 'every control of the edit form is labelled');
	await shot(page, 'record-edit-state-readonly');
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(`${base}/e/t_leads/${lead}`);
	const rec = await api('GET', `/api/v1/t_leads/${lead}`);
	assert.deepEqual([rec.stage, rec.qualification], ['graded', '预算已确认']);

	// A new lead: no stage to choose; the process starts it.
	await page.goto(`${base}/e/t_leads/new`);
	await page.locator('#f-title').waitFor();
	assert.equal(await page.locator('#f-stage').count(), 0);
	assert.match(await page.locator('.state-alert').innerText(), /“阶段”由业务流程管理/);
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

test('an approval flow of two steps, one conditional, is made in the editor, drawn, saved and seen again', async () => {
	await api('PUT', '/api/v1/processes/contract_approval', contracts);
	const page = await adminPage('/admin/processes');
	await page.getByRole('button', { name: '编辑流程 contract_approval' }).click();
	await page.locator('.add-flow').click();
	const dialog = page.locator('.approval-edit-dialog');
	await dialog.waitFor();
	await page.fill('#ap-key', 'contract_flow');
	await page.fill('#ap-zh', '合同审批');
	await page.fill('#ap-en', 'Contract approval');
	await choose(page, 'ap-on-approve', '批准 → 已批准（approve）');
	await choose(page, 'ap-on-withdraw', '撤回 → 草稿（recall）');
	// Step 1: the submitter's superior (the kind a new step starts with).
	await page.fill('#st-key-0', 'manager');
	await page.fill('#st-zh-0', '上级审批');
	await page.fill('#st-en-0', 'Superior');
	// Step 2: the sales director, only over ¥1,000,000.
	await dialog.locator('.add-step').click();
	await page.fill('#st-key-1', 'director');
	await page.fill('#st-zh-1', '销售总监');
	await choose(page, selectNamed(page, '步骤 2 审批人类型 1'), '角色中的所有人');
	await choose(page, selectNamed(page, '步骤 2 角色 1'), '销售总监');
	await dialog.locator('[data-step="1"] .add-when').click();
	await choose(page, selectNamed(page, '步骤 2 条件字段 1'), '金额');
	await choose(page, selectNamed(page, '步骤 2 比较方式 1'), '大于');
	await page.getByRole('spinbutton', { name: '步骤 2 比较值 1', exact: true }).fill('1000000');
	await page.keyboard.press('Tab');
	await dialog.locator('[data-step="1"] legend', { hasText: '有条件' }).waitFor();
	// A third step, moved up and removed again: the steps keep what was typed in them.
	await dialog.locator('.add-step').click();
	await page.fill('#st-key-2', 'extra');
	await page.getByRole('button', { name: '上移步骤 3' }).click();
	assert.equal(await page.locator('#st-key-1').inputValue(), 'extra');
	assert.equal(await page.locator('#st-key-2').inputValue(), 'director');
	await page.getByRole('button', { name: '删除步骤 2' }).click();
	assert.deepEqual([await page.locator('#st-key-0').inputValue(), await page.locator('#st-key-1').inputValue()], ['manager', 'director']);
	assert.equal(await page.locator('#st-key-2').count(), 0);
	// The outcome on rejection is required.
	await dialog.locator('.save-flow').click();
	await dialog.locator('.el-form-item.is-error', { hasText: '驳回时执行' }).waitFor();
	await choose(page, 'ap-on-reject', '退回 → 草稿（send_back）');
	// Drawn beside the form as it changes: submitted, the two steps (the second dashed, with its
	// condition), approved into 已批准; rejected and withdrawn back to 草稿.
	const graph = dialog.locator('.approval-graph');
	await graph.waitFor();
	assert.match(await graph.getAttribute('aria-label'), /审批流程图“合同审批”：2 个步骤，其中 1 个有条件/);
	assert.equal(await graph.locator('.node.step').count(), 2);
	const conditionalStep = graph.locator('.node.step.conditional');
	assert.equal(await conditionalStep.getAttribute('data-node'), 'step1');
	assert.match(await conditionalStep.locator('title').textContent(), /2\. 销售总监\n任一人通过 · 销售总监\n条件：金额 大于 ¥1,000,000\.00/);
	assert.equal(await conditionalStep.locator('rect').getAttribute('stroke-dasharray'), '5 3', 'a conditional step is dashed');
	assert.match(await graph.locator('.link.skip title', { hasText: '跳过' }).textContent(), /不满足“金额 大于 ¥1,000,000\.00”时跳过/);
	assert.match(await graph.locator('.node.approved').textContent(), /通过 → 已批准/);
	assert.match(await graph.locator('.node.rejected').textContent(), /驳回 → 草稿/);
	assert.match(await graph.locator('.node.withdrawn').textContent(), /撤回 → 草稿/);
	assert.deepEqual(await unlabelled(page), [], 'every control of the approval flow dialog is labelled');
	await shot(page, 'admin-approval-dialog');
	await dialog.locator('.save-flow').click();
	await dialog.waitFor({ state: 'hidden' });
	const flowRow = page.locator('.flows .el-table__row', { hasText: 'contract_flow' });
	assert.match(await flowRow.innerText(), /1\. 上级审批[\s\S]*2\. 销售总监/);
	assert.equal(await flowRow.locator('.step-chip.conditional').count(), 1);

	// Submitting is started by the transition "submit": the flow chosen in its dialog.
	await page.getByRole('button', { name: '编辑操作 submit' }).click();
	const trDialog = page.locator('.transition-edit-dialog');
	await trDialog.waitFor();
	await choose(page, 'tr-approval', '合同审批（contract_flow）');
	await trDialog.locator('.save-transition').click();
	await trDialog.waitFor({ state: 'hidden' });
	assert.match(await page.locator('.transitions .el-table__row').first().innerText(), /审批：合同审批/);
	await page.locator('.save-process').click();
	await page.locator('.el-message--success').first().waitFor();
	const stored = (await api('GET', '/api/v1/processes')).data.find((p) => p.key === 'contract_approval').definition;
	assert.deepEqual(stored.approvals, [{
		key: 'contract_flow', label: L('合同审批', 'Contract approval'), on_approve: 'approve', on_reject: 'send_back', on_withdraw: 'recall',
		steps: [
			{ key: 'manager', label: L('上级审批', 'Superior'), approvers: [{ superior: true }] },
			{ key: 'director', label: L('销售总监', '销售总监'), approvers: [{ role: 'sales_director' }], when: [{ field: 'amount', op: 'gt', value: 100000000 }] },
		],
	}]);
	assert.deepEqual(stored.transitions, [{ ...contracts.transitions[0], approval: 'contract_flow' }, ...contracts.transitions.slice(1)]);

	// After a reload: the flow listed, drawn under the process, and in its dialog again.
	await page.reload();
	await page.getByRole('button', { name: '编辑流程 contract_approval' }).click();
	await page.locator('.flows .el-table__row', { hasText: '合同审批' }).waitFor();
	const drawn = page.locator('.diagrams .approval-graph[data-flow=contract_flow]');
	await drawn.waitFor();
	assert.match(await drawn.getAttribute('aria-label'), /2 个步骤，其中 1 个有条件/);
	assert.match(await drawn.locator('.node.submit').textContent(), /提交审批/, 'the transition that submits, named');
	assert.equal(await drawn.locator('.node.step.conditional').count(), 1);
	assert.deepEqual(await unlabelled(page), [], 'every control of the editor is labelled');
	await drawn.scrollIntoViewIfNeeded();
	await shot(page, 'admin-approval-flow');
	await page.getByRole('button', { name: '编辑审批流程 contract_flow' }).click();
	await dialog.waitFor();
	assert.equal(await page.locator('#st-key-1').inputValue(), 'director');
	assert.equal(await page.getByRole('spinbutton', { name: '步骤 2 比较值 1', exact: true }).inputValue(), '1000000.00');
	await dialog.locator('[data-step="1"] legend', { hasText: '有条件' }).waitFor();
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
		await page.getByText('Approval flows', { exact: true }).waitFor();
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
