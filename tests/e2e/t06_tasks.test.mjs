// The workbench's tasks and reminders: a task made in the generic form (the tasks entity, found
// beside the workbench in the sidebar) shows on the workbench, overdue and reminding, and is
// ticked off there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminPage, api, base, launch, shot } from './lib.mjs';

let browser;

before(async () => {
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

test('a task with a due date and a reminder appears on the workbench and is ticked off there', async () => {
	const me = (await api('GET', '/api/v1/auth/me')).user;
	const customer = await api('POST', '/api/v1/customers', { name: '阳江海陵岛游艇会' });
	// One overdue with its reminder due, one for next week: the overdue one comes first.
	await api('POST', '/api/v1/tasks', { subject: '下周回访阳江客户', due_at: new Date(Date.now() + 7 * 864e5).toISOString(), customer_id: customer.id });
	const page = await adminPage(browser);
	await page.locator('.el-menu-item', { hasText: '任务' }).click();
	await page.waitForURL(/\/e\/tasks$/);
	await page.getByRole('button', { name: '新建' }).click();
	await page.fill('#f-subject', '给阳江客户寄送新船册');
	await page.locator('#f-due_at').fill('2026-01-05 10:00:00');
	await page.keyboard.press('Enter');
	await page.locator('#f-remind_at').fill('2026-01-04 09:00:00');
	await page.keyboard.press('Enter');
	await page.getByRole('button', { name: '保存' }).click();
	await page.waitForURL(/\/e\/tasks\/\d+$/);
	const id = Number(page.url().split('/').pop());
	const task = await api('GET', `/api/v1/tasks/${id}`);
	assert.deepEqual([task.status, task.owner_id, task.due_at.slice(0, 10)], ['open', me.id, '2026-01-05']);

	await page.goto(`${base}/`);
	const items = page.locator('.task-list li');
	await items.nth(1).waitFor();
	assert.match(await items.nth(0).innerText(), /给阳江客户寄送新船册/, 'the earliest due first');
	assert.ok(await items.nth(0).evaluate((li) => li.classList.contains('overdue')), 'overdue is marked');
	assert.equal(await items.nth(0).locator('.bell').count(), 1, 'its reminder is due');
	assert.equal(await items.nth(1).locator('.bell').count(), 0);
	await shot(page, 'workbench-tasks');
	assert.equal(await page.getByRole('checkbox', { name: '完成“给阳江客户寄送新船册”' }).count(), 1, 'the tick box is named');
	await items.nth(0).locator('.el-checkbox').click();
	await page.locator('.task-list li', { hasText: '给阳江客户寄送新船册' }).waitFor({ state: 'hidden' });
	assert.equal((await api('GET', `/api/v1/tasks/${id}`)).status, 'done');
	await page.close();
});
