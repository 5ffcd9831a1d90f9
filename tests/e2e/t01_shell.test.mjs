// The first pages: log in (and the forced password change), the workbench with its
// announcements, a customer list from the metadata with search and paging, the language switch,
// a session that ends, and the phone viewport.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { adminPassword, api, base, exact, launch, logIn, shot } from './lib.mjs';

let browser;

before(async () => {
	for (let i = 0; i < 60; i++) await api('POST', '/api/v1/customers', { name: `${i % 2 ? '厦门' : '青岛'}海韵游艇俱乐部 ${i}`, city: i % 2 ? '厦门' : '青岛', level: 'b' });
	await api('POST', '/api/v1/announcements', { title: '年会通知', body: '年会于 1 月 20 日举行。', pinned: true });
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

test('log in, see the workbench and its announcement, read it', async () => {
	const page = await browser.newPage({ locale: 'zh-CN' });
	await logIn(page, 'admin', adminPassword);
	await page.waitForURL(`${base}/`);
	await page.getByText('年会通知').waitFor();
	assert.ok(await page.getByText('工作台').first().isVisible(), 'the sidebar says 工作台');
	await shot(page, 'workbench');
	await page.getByText('年会通知').click();
	await page.getByText('年会于 1 月 20 日举行。').waitFor();
	// The unread dot goes once the server has the receipt.
	await page.locator('.el-collapse-item', { hasText: '年会通知' }).locator('.el-badge__content.is-dot').waitFor({ state: 'hidden' });
	const list = await api('GET', '/api/v1/announcements?limit=5');
	assert.ok(list.data.find((a) => a.title === '年会通知').read_at, 'opening it records the read receipt');
	await page.close();
});

test('a wrong password is refused with a message, the right one lets in', async () => {
	const page = await browser.newPage({ locale: 'zh-CN' });
	await logIn(page, 'admin', 'not-the-password');
	await page.locator('.el-alert--error').waitFor();
	assert.match(await page.locator('.el-alert--error').innerText(), /用户名或密码/, 'the server\'s message, in Chinese');
	await page.fill('#password', adminPassword);
	await page.click('button[type=submit]');
	await page.waitForURL(`${base}/`);
	await page.close();
});

test('the customer list comes from the metadata: columns, total, search, more rows', async () => {
	const page = await browser.newPage({ locale: 'zh-CN' });
	await logIn(page, 'admin', adminPassword);
	await page.waitForURL(`${base}/`);
	await page.getByText('客户', { exact: true }).first().click();
	await page.locator('.el-menu-item', { hasText: exact('客户') }).last().click();
	await page.waitForURL(/\/e\/customers/);
	await page.locator('.el-table__row').first().waitFor();
	assert.ok(await page.getByText('客户名称').first().isVisible(), 'the name column has its label from the metadata');
	assert.match(await page.locator('.total').innerText(), /共 60 条/);
	assert.equal(await page.locator('.el-table__row').count(), 50);
	await shot(page, 'customers');
	await page.getByRole('button', { name: '加载更多' }).click();
	await page.waitForFunction(() => document.querySelectorAll('.el-table__row').length === 60);
	// Search from the top bar: Chinese two-character terms.
	await page.fill('.top input', '厦门');
	await page.press('.top input', 'Enter');
	await page.waitForURL(/\/search\?q=/);
	await page.getByText('查看全部 30 条').click();
	await page.waitForURL(/\/e\/customers\?q=/);
	await page.waitForFunction(() => /共 30 条/.test(document.querySelector('.total')?.textContent || ''));
	const names = await page.locator('.el-table__row .title-link').allInnerTexts();
	assert.ok(names.length === 30 && names.every((n) => n.includes('厦门')));
	await page.close();
});

test('the language switches to English and is remembered for the user, in another browser too', async () => {
	const page = await browser.newPage({ locale: 'zh-CN' });
	await logIn(page, 'admin', adminPassword);
	await page.waitForURL(`${base}/`);
	await page.locator('.who').click();
	await page.getByText('English').click();
	await page.getByText('Workbench').first().waitFor();
	await page.getByText('Announcements').waitFor();
	await shot(page, 'workbench-en');
	await page.reload();
	await page.getByText('Workbench').first().waitFor();
	// A fresh browser (nothing stored) signs in and is in English: the server kept the choice.
	const elsewhere = await browser.newPage({ locale: 'zh-CN' });
	await logIn(elsewhere, 'admin', adminPassword);
	await elsewhere.getByText('Workbench').first().waitFor();
	assert.equal((await api('GET', '/api/v1/auth/me')).user.locale, 'en');
	await elsewhere.locator('.who').click();
	await elsewhere.getByText('中文').click();
	await elsewhere.getByText('工作台').first().waitFor();
	assert.equal((await api('GET', '/api/v1/auth/me')).user.locale, 'zh-CN');
	await elsewhere.close();
	await page.close();
});

test('a password set by an administrator must be changed first', async () => {
	const first = `Aa1-${randomBytes(9).toString('base64url')}`;
	await api('POST', '/api/v1/users', { username: 'new.hire', password: first, roles: ['salesperson'], display_name: '新同事' });
	const page = await browser.newPage({ locale: 'zh-CN' });
	await logIn(page, 'new.hire', first);
	await page.waitForURL(/\/password/);
	await page.getByText('请先设置您自己的密码').waitFor();
	await shot(page, 'password-forced');
	const mine = `Bb2-${randomBytes(9).toString('base64url')}`;
	await page.fill('#current', first);
	await page.fill('#next', mine);
	await page.fill('#repeat', `${mine}x`);
	await page.click('button[type=submit]');
	await page.getByText('两次输入的密码不一致').waitFor();
	await page.fill('#repeat', mine);
	await page.click('button[type=submit]');
	await page.waitForURL(`${base}/`);
	await page.getByText('工作台').first().waitFor();
	await page.close();
});

test('a session that ends sends the browser back to the login, and back again after', async () => {
	const pw = `Aa1-${randomBytes(9).toString('base64url')}`;
	const u = await api('POST', '/api/v1/users', { username: 'ends.soon', password: pw, roles: ['user'], must_change_password: false });
	const page = await browser.newPage({ locale: 'zh-CN' });
	await logIn(page, 'ends.soon', pw);
	await page.waitForURL(`${base}/`);
	await page.locator('.el-sub-menu__title', { hasText: '客户' }).click();
	await page.locator('.el-menu-item', { hasText: exact('客户') }).last().click();
	await page.waitForURL(/\/e\/customers/);
	await page.locator('.el-table__row').first().waitFor(); // the page has made its calls
	// An administrator ends every session of the user; the page learns it at its next call.
	await api('DELETE', `/api/v1/users/${u.id}/sessions`);
	await page.fill('.top input', '厦门');
	await page.press('.top input', 'Enter');
	await page.waitForURL(/\/login\?.*expired=1/);
	await page.getByText('登录已过期，请重新登录').waitFor();
	await shot(page, 'session-expired');
	await page.fill('#username', 'ends.soon');
	await page.fill('#password', pw);
	await page.click('button[type=submit]');
	await page.waitForURL(/\/search\?q=/);
	await page.close();
});

test('on a phone (390 px) the menu folds away and the list still works', async () => {
	const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', isMobile: true, hasTouch: true });
	await logIn(page, 'admin', adminPassword);
	await page.waitForURL(`${base}/`);
	await shot(page, 'phone-workbench');
	assert.equal((await page.locator('.aside').boundingBox()).width, 0, 'the menu starts folded');
	await page.locator('.burger').click();
	await page.waitForFunction(() => document.querySelector('.aside').getBoundingClientRect().width > 100);
	await page.locator('.el-sub-menu__title', { hasText: '客户' }).click();
	await page.locator('.el-menu-item', { hasText: exact('客户') }).last().click();
	await page.waitForURL(/\/e\/customers/);
	await page.locator('.el-table__row').first().waitFor();
	await shot(page, 'phone-customers');
	const width = await page.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(width <= 390, `no sideways scrolling of the page (${width} px)`);
	await page.close();
});

/* RFC 6238, as an authenticator app computes it from the base32 secret. */
function totp(secret, at) {
	let bits = 0, value = 0;
	const key = [];
	for (const c of secret) {
		value = (value << 5) | 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(c);
		bits += 5;
		if (bits >= 8) {
			key.push((value >>> (bits - 8)) & 255);
			bits -= 8;
		}
	}
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(Math.floor(at / 30000)));
	const mac = createHmac('sha1', Buffer.from(key)).update(msg).digest();
	const o = mac[mac.length - 1] & 15;
	return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

test('an account with a second factor is asked for its code after the password', async () => {
	const pw = `Aa1-${randomBytes(9).toString('base64url')}`;
	await api('POST', '/api/v1/users', { username: 'two.factor', password: pw, roles: ['user'], must_change_password: false });
	const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'two.factor', password: pw }) });
	const c = login.headers.get('set-cookie').split(';')[0];
	const t = (await login.json()).csrf_token;
	const call = (p, body) => fetch(base + p, { method: 'POST', headers: { 'Content-Type': 'application/json', Cookie: c, 'X-CSRF-Token': t }, body: JSON.stringify(body) });
	const { secret } = await (await call('/api/v1/auth/totp/setup', { password: pw })).json();
	// Confirmed with the step before: this step's code stays unused for the login below.
	assert.equal((await call('/api/v1/auth/totp/confirm', { code: totp(secret, Date.now() - 30000) })).status, 200);
	const page = await browser.newPage({ locale: 'zh-CN' });
	await logIn(page, 'two.factor', pw);
	await page.locator('#totp').waitFor();
	await shot(page, 'login-totp');
	await page.fill('#totp', totp(secret, Date.now()));
	await page.click('button[type=submit]');
	await page.waitForURL(`${base}/`);
	await page.getByText('工作台').first().waitFor();
	await page.close();
});

test('a record shows its sections and related lists; sensitive fields stay masked until revealed', async () => {
	const c = await api('POST', '/api/v1/customers', { name: '三亚蓝湾游艇会', city: '三亚', legal_rep_name: '林海', legal_rep_phone: '13912345678' });
	await api('POST', '/api/v1/contacts', { name: '林小姐', customer_id: c.id, position: '采购经理' });
	const page = await browser.newPage({ locale: 'zh-CN' });
	await logIn(page, 'admin', adminPassword);
	await page.waitForURL(`${base}/`);
	await page.goto(`${base}/e/customers?q=${encodeURIComponent('三亚蓝湾')}`);
	await page.locator('.el-table__row', { hasText: '三亚蓝湾游艇会' }).click();
	await page.waitForURL(new RegExp(`/e/customers/${c.id}$`));
	// A customer opens on its timeline (the 360° view); its details are a tab.
	await page.getByRole('tab', { name: '详细信息' }).click();
	await page.getByText('基本信息').first().waitFor();
	assert.ok(await page.getByText('139****5678').isVisible(), 'masked until revealed');
	await shot(page, 'customer-record');
	await page.getByRole('button', { name: '查看敏感信息' }).click();
	await page.getByText('13912345678').waitFor();
	const trail = await api('GET', `/api/v1/audit?entity=customers&record_id=${c.id}&action=reveal`);
	assert.equal(trail.data.length, 1, 'the reveal is audited');
	await page.getByRole('tab', { name: '联系人', exact: true }).click();
	await page.getByText('林小姐').waitFor();
	await page.getByText('林小姐').click();
	await page.waitForURL(/\/e\/contacts\/\d+$/);
	await page.getByText('采购经理').first().waitFor();
	await page.close();
});

test('a role that requires a second factor brings its user to set one up first; the account page keeps the profile', async () => {
	await api('PUT', '/api/v1/security-policy', { totp_roles: ['finance'] });
	const pw = `Aa1-${randomBytes(9).toString('base64url')}`;
	await api('POST', '/api/v1/users', { username: 'must.enrol', password: pw, roles: ['finance'], display_name: '财务小王', must_change_password: false });
	try {
		const page = await browser.newPage({ locale: 'zh-CN' });
		await logIn(page, 'must.enrol', pw);
		await page.waitForURL(/\/account$/);
		await page.getByText('您的角色要求启用双重验证').waitFor();
		await page.goto(`${base}/e/customers`);
		await page.waitForURL(/\/account$/); // nothing else until it is set up
		await page.fill('#acc-password', pw);
		await page.getByRole('button', { name: '开始设置' }).click();
		await page.locator('img.qr').waitFor();
		assert.ok(await page.locator('img.qr').evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code is drawn');
		const secret = (await page.locator('.secret code').innerText()).trim();
		await shot(page, 'account-totp-setup');
		await page.fill('#acc-code', totp(secret, Date.now()));
		await page.getByRole('button', { name: '确认启用' }).click();
		await page.locator('.codes li').nth(9).waitFor();
		await shot(page, 'account-recovery-codes');
		await page.getByRole('button', { name: '完成' }).click();
		await page.waitForURL(`${base}/`);
		await page.getByText('我的任务').waitFor();
		// The profile: a mobile number, normalised by the server and kept in the directory.
		await page.goto(`${base}/account`);
		await page.getByText('已启用：登录时需输入验证器应用中的动态码。').waitFor();
		await page.fill('#acc-mobile', '+86 139 0000 1234');
		await page.getByRole('button', { name: '保存' }).click();
		await page.locator('.el-message--success').waitFor();
		const me = (await api('GET', '/api/v1/users')).data.find((u) => u.username === 'must.enrol');
		assert.equal(me.mobile, '13900001234');
		await page.close();
	} finally {
		await api('PUT', '/api/v1/security-policy', {});
	}
});

