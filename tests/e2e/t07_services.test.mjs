// The base services in the browser: notification preferences, the calendar feed and reminders on
// the account page; "remind me" on a record page arriving at the bell; the outbox, jobs,
// webhooks and messaging administration pages; each checked through the API, with screenshots
// in Chinese, one page in English and a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminPage as signedIn, api, base, launch, shot as screenshot, unlabelled, choose, exact } from './lib.mjs';

let browser, customer;

before(async () => {
	browser = await launch();
	// Mail needs an address; earlier files' notifications do not count here.
	await api('PATCH', '/api/v1/auth/me', { email: 'admin@example.com' });
	await api('POST', '/api/v1/notifications/read-all');
	customer = await api('POST', '/api/v1/customers', { name: '三亚鹿回头游艇会' });
});

after(async () => {
	await browser?.close();
});

/* A screenshot once the page is quiet: no requests, and drawers, dialogs and menus done moving. */
async function shot(page, name) {
	await page.waitForLoadState('networkidle');
	await page.waitForTimeout(100); // a transition just asked for has started
	await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), null, { timeout: 3000 }).catch(() => undefined);
	await screenshot(page, name);
}

async function adminPage(url, options = {}) {
	const page = await signedIn(browser, { viewport: { width: 1360, height: 900 }, ...options });
	if (url !== '/') await page.goto(base + url);
	return page;
}

/* The error Element Plus shows under the form item that holds this input. */
const errorAt = (page, id) => page.locator(`.el-form-item:has(#${id}) > .el-form-item__content > .el-form-item__error`);

async function confirmBox(page) {
	const box = page.locator('.el-message-box:visible').last();
	await box.waitFor();
	await box.locator('.el-message-box__btns .el-button--primary').click();
}

/* Wait until fn() (through the API) is truthy. */
async function until(fn, what, ms = 10000) {
	for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
		const v = await fn();
		if (v) return v;
	}
	assert.fail(`timed out waiting for ${what}`);
}

/* A time as the date-time pickers take it, in the browser's (this machine's) time zone. */
function pickerTime(d) {
	const p = (n) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

test('account: mail turned on for reminders stays on; the calendar feed is made and read; a reminder is deleted', async () => {
	const later = await api('POST', '/api/v1/reminders', { note: '月底前寄送船舶保养手册', remind_at: new Date(Date.now() + 3 * 864e5).toISOString() });
	const page = await adminPage('/account');
	const mail = page.getByRole('switch', { name: '提醒：邮件', exact: true });
	await mail.waitFor({ state: 'attached' });
	assert.equal(await mail.getAttribute('aria-checked'), 'false', 'mail is off for reminders at first');
	await page.locator('.prefs-table .el-table__row', { hasText: exact('提醒') }).locator('.pref-mail').click();
	await page.locator('.el-message--success').first().waitFor();
	let prefs = (await api('GET', '/api/v1/notifications/preferences')).data;
	assert.deepEqual(prefs.find((p) => p.event === 'reminder'), { event: 'reminder', label: '提醒', in_app: true, mail: true, sms: false });
	await page.reload();
	await page.getByRole('switch', { name: '提醒：邮件', exact: true }).waitFor({ state: 'attached' });
	await page.waitForLoadState('networkidle');
	assert.equal(await page.getByRole('switch', { name: '提醒：邮件', exact: true }).getAttribute('aria-checked'), 'true', 'still on after a reload');
	assert.equal(await page.getByRole('switch', { name: '任务提醒：短信', exact: true }).getAttribute('aria-checked'), 'false');

	// The calendar feed: the address once, then fetched without a session.
	assert.equal((await api('GET', '/api/v1/auth/me/calendar')).enabled, false);
	await page.locator('.cal-enable').click();
	await page.locator('#cal-url').waitFor();
	const url = await page.locator('#cal-url').inputValue();
	assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/calendar\/[\w-]+\.ics$/);
	const res = await fetch(url);
	assert.equal(res.status, 200);
	assert.match(res.headers.get('content-type'), /^text\/calendar/);
	const ics = await res.text();
	assert.match(ics, /^BEGIN:VCALENDAR/);
	assert.ok(ics.includes('月底前寄送船舶保养手册'), 'the reminder is in the feed');
	await page.locator('.calendar .state.on').waitFor();

	// My reminders: the one to come is listed, and deleted.
	const row = page.locator('.reminder-table .el-table__row', { hasText: '月底前寄送船舶保养手册' });
	await row.waitFor();
	assert.deepEqual(await unlabelled(page), [], 'every control of the account page is labelled');
	await shot(page, 'account-services');
	await row.getByRole('button', { name: '删除提醒“月底前寄送船舶保养手册”' }).click();
	await confirmBox(page);
	await row.waitFor({ state: 'detached' });
	assert.ok(!(await api('GET', '/api/v1/reminders?pending=true')).data.some((r) => r.id === later.id), 'deleted');

	// A new address ends the old one.
	await page.locator('.cal-rotate').click();
	await confirmBox(page);
	await page.waitForFunction((old) => document.querySelector('#cal-url')?.value && document.querySelector('#cal-url').value !== old, url);
	assert.equal((await fetch(url)).status, 404, 'the old address stops working');
	assert.equal((await fetch(await page.locator('#cal-url').inputValue())).status, 200);
	prefs = (await api('GET', '/api/v1/notifications/preferences')).data;
	assert.equal(prefs.find((p) => p.event === 'reminder').mail, true);
	await page.close();
});

test('a reminder made on a record page arrives at the bell, is listed there and read by opening it', async () => {
	const page = await adminPage(`/e/customers/${customer.id}`);
	await page.getByRole('button', { name: '提醒我' }).click();
	const dialog = page.locator('.remind-dialog');
	await dialog.waitFor();
	assert.equal(await page.locator('#remind-note').inputValue(), '三亚鹿回头游艇会', 'the note starts as the record\'s title');
	await page.fill('#remind-note', '回电确认游艇泊位报价');
	// A time already past: the reminder comes at once.
	await page.locator('#remind-at').fill(pickerTime(new Date(Date.now() - 3600e3)));
	await page.locator('#remind-at').press('Enter');
	await dialog.getByText('该时间已过').waitFor();
	await shot(page, 'record-remind-me');
	await page.locator('.save-reminder').click();
	await page.locator('.el-message--success', { hasText: '已设置提醒' }).waitFor();
	const reminder = (await api('GET', '/api/v1/reminders')).data.find((r) => r.note === '回电确认游艇泊位报价');
	assert.ok(reminder, 'the reminder is stored');
	assert.deepEqual([reminder.entity, reminder.record_id], ['customers', customer.id]);

	// The worker sends it; the bell counts it when the page changes.
	await until(async () => (await api('GET', '/api/v1/notifications?unread=true')).data.some((n) => n.event === 'reminder'), 'the notification');
	const badge = page.locator('.notice-bell .el-badge__content');
	await page.locator('.el-menu-item', { hasText: '工作台' }).first().click();
	await page.waitForURL(`${base}/`);
	await badge.waitFor();
	assert.equal((await badge.innerText()).trim(), '1');
	await page.getByRole('button', { name: '通知，1 条未读' }).click();
	const item = page.locator('.notice-drawer .notices li', { hasText: '提醒：回电确认游艇泊位报价' });
	await item.waitFor();
	assert.ok(await item.evaluate((li) => li.classList.contains('unread')), 'unread is marked');
	assert.equal(await item.locator('.title').evaluate((el) => getComputedStyle(el).fontWeight), '600', 'and bold');
	assert.deepEqual(await unlabelled(page), [], 'every control of the drawer is labelled');
	await shot(page, 'notifications');
	await item.locator('.item').click();
	await page.waitForURL(`${base}/e/customers/${customer.id}`);
	await badge.waitFor({ state: 'hidden' });
	const n = (await api('GET', '/api/v1/notifications')).data.find((x) => x.title === '提醒：回电确认游艇泊位报价');
	assert.ok(n.read_at, 'read once opened');
	assert.equal((await api('GET', '/api/v1/notifications?limit=1')).unread, 0);
	// Read ones stay in the list, no longer bold.
	await page.getByRole('button', { name: '通知', exact: true }).click();
	await item.waitFor();
	assert.ok(!(await item.evaluate((li) => li.classList.contains('unread'))));
	await page.close();
});

test('outbox: the reminder\'s mail waits for a mail server; cancelled, then sent again', async () => {
	const mail = await until(async () => (await api('GET', '/api/v1/outbox?channel=mail')).data.find((m) => m.event === 'reminder' && m.attempts > 0), 'the reminder\'s mail to be tried');
	assert.equal(mail.state, 'pending');
	assert.equal(mail.recipient, 'admin@example.com');
	assert.match(mail.last_error, /mail/);
	const page = await adminPage('/admin/outbox');
	const row = page.locator('.rows .el-table__row', { hasText: 'admin@example.com' }).first();
	await row.waitFor();
	assert.match(await row.locator('.state').innerText(), /重试中|待发送/);
	assert.match(await row.innerText(), /no mail server/);
	await choose(page, page.locator('.state-filter'), '已发送');
	await row.waitFor({ state: 'detached' });
	await choose(page, page.locator('.state-filter'), '待发送');
	await row.waitFor();
	assert.match(page.url(), /state=pending/, 'the filter is in the address');
	await choose(page, page.locator('.channel-filter'), '邮件');
	await row.waitFor();
	assert.deepEqual(await unlabelled(page), [], 'every control of the outbox is labelled');
	await shot(page, 'admin-outbox');

	await row.getByRole('button', { name: `查看消息 ${mail.id}` }).click();
	const drawer = page.locator('.outbox-drawer');
	await drawer.locator('.mail-text').waitFor();
	assert.match(await drawer.locator('.mail-text').innerText(), /回电确认游艇泊位报价/);
	await drawer.locator('.attempts .el-table__row').first().waitFor();
	assert.match(await drawer.locator('.attempts').innerText(), /no mail server/);
	assert.deepEqual(await unlabelled(page), [], 'and of its drawer');
	await shot(page, 'admin-outbox-message');
	await drawer.locator('.cancel').click();
	await drawer.locator('.state', { hasText: '已取消' }).waitFor();
	assert.equal((await api('GET', `/api/v1/outbox/${mail.id}`)).state, 'cancelled');
	await drawer.locator('.resend').click();
	await drawer.locator('.state', { hasText: /待发送|重试中/ }).waitFor();
	assert.equal((await api('GET', `/api/v1/outbox/${mail.id}`)).state, 'pending');
	await page.close();
});

test('jobs: the task reminders\' schedule is changed (a wrong one is refused at the field), paused and resumed, run, and its runs listed', async () => {
	const page = await adminPage('/admin/jobs');
	const row = page.locator('.recurring .el-table__row', { hasText: 'tasks.remind' });
	await row.waitFor();
	const job = (await api('GET', '/api/v1/jobs?kind=recurring')).data.find((j) => j.name === 'tasks.remind');
	await row.getByRole('button', { name: `修改 ${job.label} 的计划` }).click();
	await page.fill('#job-schedule', 'every two minutes');
	await page.locator('.save-schedule').click();
	await errorAt(page, 'job-schedule').waitFor();
	assert.ok((await errorAt(page, 'job-schedule').innerText()).trim(), 'the server\'s error, at the field');
	await shot(page, 'admin-jobs-schedule-error');
	await page.fill('#job-schedule', '@every 2m');
	await page.locator('.save-schedule').click();
	await page.locator('.el-dialog').first().waitFor({ state: 'hidden' });
	await row.locator('.schedule', { hasText: '@every 2m' }).waitFor();
	assert.equal((await api('GET', '/api/v1/jobs?kind=recurring')).data.find((j) => j.id === job.id).schedule, '@every 2m');

	await row.locator('.active-switch').click();
	await page.locator('.el-message--success', { hasText: '已暂停' }).waitFor();
	assert.equal((await api('GET', '/api/v1/jobs?kind=recurring')).data.find((j) => j.id === job.id).state, 'paused');
	await row.locator('.active-switch').click();
	await page.locator('.el-message--success', { hasText: '已恢复' }).waitFor();
	assert.equal((await api('GET', '/api/v1/jobs?kind=recurring')).data.find((j) => j.id === job.id).state, 'scheduled');

	await row.getByRole('button', { name: `立即运行 ${job.label}` }).click();
	await page.locator('.el-message--success', { hasText: '下一次轮询' }).waitFor();
	await until(async () => (await api('GET', `/api/v1/jobs/${job.id}/runs`)).data.some((r) => r.status === 'ok'), 'a run of the job');
	await row.getByRole('button', { name: `${job.label} 的运行记录` }).click();
	await page.locator('.runs-drawer .runs .el-table__row').first().waitFor();
	assert.match(await page.locator('.runs-drawer .runs').innerText(), /成功/);
	await shot(page, 'admin-job-runs');
	await page.locator('.runs-drawer .el-drawer__close-btn').click();
	// The reminder of the earlier test was a one-off job.
	await page.locator('.once .el-table__row', { hasText: '发送个人提醒' }).first().waitFor();
	assert.deepEqual(await unlabelled(page), [], 'every control of the jobs page is labelled');
	await shot(page, 'admin-jobs');
	await api('PATCH', `/api/v1/jobs/${job.id}`, { schedule: job.schedule }); // as it was, for whatever comes next
	await page.close();
});

test('webhooks: a host the server does not allow is refused at the URL; a generic webhook for new tasks shows its secret once, is tested and deleted', async () => {
	const page = await adminPage('/admin/webhooks');
	await page.locator('.hooks').waitFor();
	await page.getByRole('button', { name: '新建推送' }).click();
	await page.fill('#wh-name', 'ERP 任务同步');
	await page.fill('#wh-url', 'https://erp.example.com/hook');
	await choose(page, 'wh-entity', '任务');
	assert.ok(await page.getByRole('checkbox', { name: '新建' }).isChecked(), 'created is chosen to start with');
	assert.deepEqual(await unlabelled(page), [], 'every control of the dialog is labelled');
	await page.locator('.save-hook').click();
	await errorAt(page, 'wh-url').waitFor();
	assert.ok((await errorAt(page, 'wh-url').innerText()).trim());
	await shot(page, 'admin-webhook-error');
	await page.fill('#wh-url', 'http://127.0.0.1:9/hook');
	await page.locator('.save-hook').click();
	await page.locator('#wh-created-secret').waitFor();
	const secret = await page.locator('#wh-created-secret').inputValue();
	assert.ok(secret.length >= 20, 'the secret is shown');
	await shot(page, 'admin-webhook-secret');
	await page.getByRole('button', { name: '我已保存' }).click();
	const hook = (await api('GET', '/api/v1/webhooks')).data.find((h) => h.name === 'ERP 任务同步');
	assert.deepEqual([hook.kind, hook.url, hook.entity, hook.events, hook.active, hook.secret_set], ['generic', 'http://127.0.0.1:9/hook', 'tasks', ['created'], true, true]);
	assert.equal(hook.secret, undefined, 'never shown again');
	const row = page.locator('.hooks .el-table__row', { hasText: 'ERP 任务同步' });
	await row.waitFor();
	assert.deepEqual(await unlabelled(page), [], 'every control of the webhooks page is labelled');
	await shot(page, 'admin-webhooks');

	await row.getByRole('button', { name: '测试 ERP 任务同步' }).click();
	await page.locator('.queued').waitFor();
	const id = Number(/#(\d+)/.exec(await page.locator('.queued').innerText())[1]);
	const call = await api('GET', `/api/v1/outbox/${id}`);
	assert.deepEqual([call.channel, call.recipient, call.body.event], ['webhook', 'http://127.0.0.1:9/hook', 'ping']);
	await api('POST', `/api/v1/outbox/${id}/cancel`).catch(() => undefined); // nobody listens on port 9

	await row.getByRole('button', { name: '删除 ERP 任务同步' }).click();
	await confirmBox(page);
	await row.waitFor({ state: 'detached' });
	assert.ok(!(await api('GET', '/api/v1/webhooks')).data.some((h) => h.id === hook.id));
	await page.close();
});

test('messaging: a mail server that is not one is refused; the SMS gateway in log mode sends a test SMS; a template is changed and reset', async () => {
	const page = await adminPage('/admin/messaging');
	await page.locator('#ms-url').waitFor();
	await page.fill('#ms-url', 'http://mail.example.com');
	await page.locator('.save-mail').click();
	await errorAt(page, 'ms-url').waitFor();
	assert.match(await errorAt(page, 'ms-url').innerText(), /smtp/, 'the server\'s words, at the field');
	assert.deepEqual(await unlabelled(page), [], 'every control of the mail tab is labelled');
	await shot(page, 'admin-messaging-mail');

	await page.getByRole('tab', { name: '短信网关' }).click();
	await page.waitForURL(/tab=sms/);
	await page.getByRole('radio', { name: 'HTTP 网关' }).waitFor({ state: 'attached' });
	await page.locator('.adapter').getByText('HTTP 网关').click();
	await page.locator('#ss-url').waitFor();
	assert.deepEqual(await unlabelled(page), [], 'every control of the gateway form is labelled');
	await shot(page, 'admin-messaging-sms-http');
	await page.locator('.adapter').getByText('仅记录日志').click();
	await page.locator('#ss-url').waitFor({ state: 'detached' });
	await page.locator('.save-sms').click();
	await page.locator('.el-message--success').first().waitFor();
	assert.equal((await api('GET', '/api/v1/settings/sms')).adapter, 'log');
	await page.fill('#ss-test-mobile', '13800138000');
	await page.locator('.send-test-sms').click();
	const queued = page.locator('.el-tab-pane:visible .queued');
	await queued.waitFor();
	const id = Number(/#(\d+)/.exec(await queued.innerText())[1]);
	await shot(page, 'admin-messaging-sms');
	await until(async () => (await api('GET', `/api/v1/outbox/${id}`)).state === 'sent', 'the test SMS to be sent');
	await queued.getByRole('link').click();
	await page.waitForURL(/\/admin\/outbox\?id=/);
	const drawer = page.locator('.outbox-drawer');
	await drawer.locator('.state', { hasText: '已发送' }).waitFor();
	assert.match(await drawer.locator('.sms-text').innerText(), /测试消息/);
	assert.match(await drawer.innerText(), /13800138000/);
	await page.keyboard.press('Escape');
	await page.locator('.rows .el-table__row', { hasText: '13800138000' }).locator('.state', { hasText: '已发送' }).waitFor();
	await shot(page, 'admin-outbox-sms-sent');

	// Templates: the Chinese test message changed, the English one left as it is; then reset.
	await page.goto(`${base}/admin/messaging?tab=templates`);
	const tpl = page.locator('.template-table .el-table__row', { hasText: '测试消息' });
	await tpl.waitFor();
	await tpl.getByRole('button', { name: '编辑模板 测试消息' }).click();
	await page.locator('#tpl-zh-CN-subject').waitFor();
	assert.match(await page.locator('.template-dialog .vars').innerText(), /\{\{channel\}\}/);
	await page.fill('#tpl-zh-CN-subject', '六分仪 CRM 测试消息');
	assert.deepEqual(await unlabelled(page), [], 'every control of the template dialog is labelled');
	await shot(page, 'admin-messaging-template');
	await page.locator('.save-template').click();
	await tpl.locator('.el-tag', { hasText: '已自定义' }).waitFor();
	let stored = (await api('GET', '/api/v1/message-templates')).data.find((x) => x.key === 'test');
	assert.deepEqual([stored['zh-CN'].subject, stored['zh-CN'].overridden, stored.en.overridden], ['六分仪 CRM 测试消息', true, false]);
	await tpl.getByRole('button', { name: '恢复模板 测试消息' }).click();
	await confirmBox(page);
	await tpl.locator('.el-tag', { hasText: '内置' }).waitFor();
	stored = (await api('GET', '/api/v1/message-templates')).data.find((x) => x.key === 'test');
	assert.equal(stored['zh-CN'].overridden, false);
	await page.close();
});

test('the services pages in English, and on a phone', async () => {
	const page = await adminPage('/admin/outbox');
	await page.locator('.rows .el-table__row').first().waitFor();
	const switchTo = async (word) => {
		await page.locator('.who').click();
		await page.locator('.el-dropdown-menu__item:visible', { hasText: word }).click();
	};
	await switchTo('English');
	try {
		await page.getByText('Every mail, SMS and webhook call').waitFor();
		await shot(page, 'admin-outbox-en');
		await page.goto(`${base}/admin/jobs`);
		await page.getByText('One-off jobs', { exact: true }).waitFor();
		await page.locator('.recurring .el-table__row').first().waitFor();
		await shot(page, 'admin-jobs-en');
		await page.getByRole('button', { name: 'Notifications', exact: true }).click();
		await page.locator('.notice-drawer .notices li').first().waitFor();
		await shot(page, 'notifications-en');
	} finally {
		await page.goto(`${base}/admin/jobs`);
		await switchTo('中文');
		await page.getByText('一次性作业', { exact: true }).waitFor();
	}
	await page.close();

	const phone = await adminPage('/', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	const width = async () => phone.evaluate(() => document.documentElement.scrollWidth);
	await phone.getByRole('button', { name: '通知', exact: true }).click();
	const drawer = phone.locator('.notice-drawer');
	await drawer.locator('.notices li').first().waitFor();
	assert.ok((await drawer.boundingBox()).width >= 388, 'the drawer takes the whole width');
	await shot(phone, 'phone-notifications');
	for (const [url, name, ready] of [
		['/admin/outbox', 'phone-admin-outbox', '.rows .el-table__row'],
		['/admin/jobs', 'phone-admin-jobs', '.recurring .el-table__row'],
		['/admin/webhooks', 'phone-admin-webhooks', '.hooks'],
		['/admin/messaging', 'phone-admin-messaging', '#ms-url'],
		['/account', 'phone-account', '.prefs-table .el-table__row'],
	]) {
		await phone.goto(base + url);
		await phone.locator(ready).first().waitFor();
		await shot(phone, name);
		assert.ok((await width()) <= 390, `${url}: no sideways scrolling (${await width()} px)`);
	}
	await phone.close();
});
