// The administration pages (设置): organisation, users, roles and their permission matrix,
// fields and options, the security policy, single sign-on apps; each checked through the API,
// with screenshots in Chinese and one set at phone width.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { adminPage as signedIn, api, base, launch, shot as screenshot, choose, exact } from './lib.mjs';

let browser;

before(async () => {
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

async function shot(page, name) {
	await page.waitForLoadState('networkidle');
	await screenshot(page, name);
}

async function adminPage(url, options = {}) {
	const page = await signedIn(browser, { viewport: { width: 1360, height: 900 }, ...options });
	await page.goto(base + url);
	return page;
}

/* The error Element Plus shows under the form item that holds this input. */
const errorAt = (page, id) => page.locator(`.el-form-item:has(#${id}) > .el-form-item__content > .el-form-item__error`);

async function confirmBox(page) {
	const box = page.locator('.el-message-box:visible').last();
	await box.waitFor();
	await box.locator('.el-message-box__btns .el-button--primary').click();
}

test('organisation: the company, a department below it and a team below that; a unit with units below cannot go', async () => {
	const page = await adminPage('/admin/org');
	let units = (await api('GET', '/api/v1/org-units')).data;
	if (!units.length) {
		await page.getByRole('button', { name: '建立集团（根节点）' }).click();
		await page.fill('#org-name', '六分仪游艇集团');
		await page.locator('.el-dialog__footer .el-button--primary').click();
		await page.locator('.el-tree-node', { hasText: '六分仪游艇集团' }).waitFor();
		units = (await api('GET', '/api/v1/org-units')).data;
	}
	const root = units.find((u) => u.kind === 'company');
	await page.locator(`.node[data-unit="${root.name}"]`).waitFor();
	await page.getByRole('button', { name: `在 ${root.name} 下添加` }).click();
	await page.fill('#org-name', '华南销售部');
	await page.locator('.el-dialog__footer .el-button--primary').click();
	await page.locator('.node[data-unit="华南销售部"]').waitFor();
	await page.getByRole('button', { name: '在 华南销售部 下添加' }).click();
	await page.fill('#org-name', '深圳组');
	await choose(page, 'org-kind', '小组');
	await page.locator('.el-dialog__footer .el-button--primary').click();
	await page.locator('.node[data-unit="深圳组"]').waitFor();
	units = (await api('GET', '/api/v1/org-units')).data;
	const dept = units.find((u) => u.name === '华南销售部');
	const team = units.find((u) => u.name === '深圳组');
	assert.equal(dept.parent_id, root.id);
	assert.equal(dept.kind, 'department');
	assert.equal(team.parent_id, dept.id);
	assert.equal(team.kind, 'team');
	await page.locator('.node[data-unit="深圳组"] .el-tag', { hasText: '小组' }).waitFor();
	await shot(page, 'admin-org');
	// The server refuses (409); the page says why.
	await page.getByRole('button', { name: '删除 华南销售部' }).click();
	await confirmBox(page);
	const refused = page.locator('.el-message-box', { hasText: '不能删除' });
	await refused.waitFor();
	assert.match(await refused.innerText(), /还有 1 个下级部门/);
	await shot(page, 'admin-org-cannot-delete');
	await refused.locator('.el-message-box__btns .el-button--primary').click();
	assert.ok((await api('GET', '/api/v1/org-units')).data.some((u) => u.name === '华南销售部'), 'still there');
	// The same organisation drawn as a chart (ECharts), named for screen readers.
	await page.getByText('结构图', { exact: true }).click();
	await page.locator('.org-chart canvas').waitFor();
	assert.match(await page.locator('.org-chart').getAttribute('aria-label'), /组织结构图，共 \d+ 个单位/);
	await page.waitForTimeout(600); // the chart's drawing animation, for the screenshot
	await shot(page, 'admin-org-chart');
	await page.close();
});

test('users: create one with roles and a unit, see them in the list; the server\'s field errors appear at their fields', async () => {
	const page = await adminPage('/admin/users');
	await page.locator('.el-table__row', { hasText: 'admin' }).first().waitFor();
	await page.getByRole('button', { name: '新建用户' }).click();
	await page.fill('#u-username', 'admin'); // taken
	await page.fill('#u-password', 'short'); // too short for the policy
	await page.fill('#u-display-name', '王海');
	await choose(page, 'u-roles', '销售员');
	await choose(page, 'u-roles', '区域销售经理');
	await page.locator('.el-dialog__title').click(); // close the list
	await page.locator('.el-dialog .save').click();
	await errorAt(page, 'u-password').waitFor();
	assert.match(await errorAt(page, 'u-password').innerText(), /长度不能少于 12 个字符/, 'the policy\'s rule, at the password');
	await shot(page, 'admin-users-field-error');
	await page.fill('#u-password', `Aa1-${randomBytes(9).toString('base64url')}`);
	await page.locator('.el-dialog .save').click();
	await errorAt(page, 'u-username').waitFor();
	assert.match(await errorAt(page, 'u-username').innerText(), /该用户名已被使用/, 'a taken name, at the username');
	await errorAt(page, 'u-password').waitFor({ state: 'detached' }); // the password is fine now
	await page.fill('#u-username', 'wang.hai');
	await choose(page, 'u-unit', '华南销售部');
	await page.fill('#u-position', '区域经理');
	await page.fill('#u-email', 'wang.hai@example.com');
	await page.locator('.el-dialog .save').click();
	await page.locator('.el-dialog').waitFor({ state: 'hidden' });
	const row = page.locator('.el-table__row', { hasText: 'wang.hai' }).first();
	await row.waitFor();
	const text = await row.innerText();
	for (const s of ['王海', '华南销售部', '区域经理', '销售员', '区域销售经理', '启用']) assert.ok(text.includes(s), `the row shows ${s}: ${text}`);
	const u = (await api('GET', '/api/v1/users?q=wang.hai')).data[0];
	assert.deepEqual([...u.roles].sort(), ['regional_manager', 'salesperson']);
	const dept = (await api('GET', '/api/v1/org-units')).data.find((x) => x.name === '华南销售部');
	assert.equal(u.org_unit_id, dept.id);
	// The unit filter finds them; another unit does not.
	await choose(page, page.locator('.head .unit'), '华南销售部');
	await page.waitForFunction(() => document.querySelectorAll('.el-table__body .el-table__row').length === 1);
	await shot(page, 'admin-users');
	// Edit: a superior, by searching the directory.
	await row.getByRole('button', { name: '编辑' }).click();
	await page.locator('.el-select:has(#u-superior) .el-select__wrapper').click();
	await page.keyboard.type('admin');
	await page.locator('.el-popper:visible .el-select-dropdown__item', { hasText: 'admin' }).first().click();
	await page.locator('.el-dialog .save').click();
	await page.locator('.el-dialog').waitFor({ state: 'hidden' });
	assert.equal((await api('GET', `/api/v1/users/${u.id}`)).superior_id, 1);
	// The administrator's own sessions (this browser's among them).
	const me = page.locator('.el-table__row', { hasText: '系统管理员' }).first();
	await page.locator('.head .unit .el-select__wrapper').hover(); // the unit filter off
	await page.locator('.head .unit .el-select__clear').click();
	await me.waitFor();
	await me.getByRole('button', { name: '更多' }).click();
	await page.locator('.el-dropdown-menu__item:visible', { hasText: '登录会话' }).click();
	await page.locator('.el-dialog:visible .el-table__row').first().waitFor();
	assert.ok((await page.locator('.el-dialog:visible .el-table__row').count()) >= 1);
	await shot(page, 'admin-user-sessions');
	await page.locator('.el-dialog:visible .el-dialog__footer').getByRole('button', { name: '关闭' }).click();
	// Disable, with a confirmation; the list of active people no longer has them.
	await row.getByRole('button', { name: '更多' }).click();
	await page.locator('.el-dropdown-menu__item:visible', { hasText: '停用账号' }).click();
	await confirmBox(page);
	await page.locator('.el-message--success').first().waitFor();
	assert.equal((await api('GET', `/api/v1/users/${u.id}`)).disabled, true);
	await page.close();
});

test('roles: edit a role\'s permission matrix and find it stored', async () => {
	const page = await adminPage('/admin/roles');
	await page.locator('.list').getByRole('button', { name: '销售员', exact: true }).click();
	await page.locator('.matrix').waitFor();
	await choose(page, page.locator('.cell-customers-export'), '本部门');
	await choose(page, page.locator('.cell-all-read'), '本部门及下级');
	await choose(page, page.locator('.cell-all-delete'), '无');
	await page.locator('.save-matrix').click();
	await page.locator('.el-message--success').first().waitFor();
	const role = (await api('GET', '/api/v1/roles')).data.find((r) => r.key === 'salesperson');
	assert.equal(role.permissions.customers.export, 'dept');
	assert.equal(role.permissions['*'].read, 'dept_tree');
	assert.equal(role.permissions['*'].delete, undefined, 'none is no line');
	assert.equal(role.permissions['*'].update, 'own', 'what was not touched stays');
	await shot(page, 'admin-roles');
	// A new role, then its deletion.
	await page.getByRole('button', { name: '新建角色' }).click();
	await page.fill('#role-key', 'yacht_broker');
	await page.fill('#role-name-zh', '游艇经纪人');
	await page.fill('#role-name-en', 'Yacht broker');
	await page.locator('.el-dialog__footer .el-button--primary').click();
	await page.locator('.el-card__header', { hasText: '游艇经纪人' }).waitFor();
	assert.ok((await api('GET', '/api/v1/roles')).data.some((r) => r.key === 'yacht_broker'));
	await page.close();
});

test('fields: add a custom enum field with two options; it is in the model', async () => {
	const page = await adminPage('/admin/fields');
	await page.locator('.el-table__row').first().waitFor();
	await choose(page, page.locator('.head .entity'), '客户');
	await page.locator('.el-table__row', { hasText: '客户名称' }).first().waitFor();
	await page.getByRole('button', { name: '添加自定义字段' }).click();
	await page.fill('#f-name', 'berth_type');
	await choose(page, 'f-type', '单选');
	await page.fill('#f-label-zh', '泊位类型');
	await page.fill('#f-label-en', 'Berth type');
	await page.getByRole('button', { name: '添加选项' }).click();
	await page.getByRole('button', { name: '添加选项' }).click();
	await page.fill('.opt-key-0 input', 'wet');
	await page.fill('.opt-zh-0 input', '水泊');
	await page.fill('.opt-en-0 input', 'Wet berth');
	await page.fill('.opt-key-1 input', 'Dry!'); // not a key: said at the row
	await page.fill('.opt-zh-1 input', '陆上干仓');
	await page.fill('.opt-en-1 input', 'Dry stack');
	await page.locator('.save-field').click();
	await page.getByText('选项值只能用小写字母').waitFor();
	await page.fill('.opt-key-1 input', 'dry');
	await shot(page, 'admin-fields-add');
	await page.locator('.save-field').click();
	await page.locator('.el-dialog').first().waitFor({ state: 'hidden' });
	await page.locator('.el-table__row', { hasText: '泊位类型' }).waitFor();
	const meta = await api('GET', '/api/v1/meta/entities/customers');
	const f = meta.fields.find((x) => x.name === 'c_berth_type');
	assert.ok(f, 'the field is in the model');
	assert.equal(f.type, 'enum');
	assert.deepEqual(f.options.map((o) => [o.key, o.label['zh-CN'], o.label.en]), [['wet', '水泊', 'Wet berth'], ['dry', '陆上干仓', 'Dry stack']]);
	// Usable at once: a customer takes the value, and the list filter accepts the field.
	await api('POST', '/api/v1/customers', { name: '大鹏湾游艇会', c_berth_type: 'dry' });
	assert.equal((await api('GET', '/api/v1/customers?c_berth_type=dry')).total, 1);
	// Reorder and disable through the options editor.
	await page.locator('.options-c_berth_type').click();
	await page.getByRole('button', { name: '第 2 项上移' }).click();
	await page.locator('.el-dialog:visible .el-switch').nth(1).click(); // "wet" is now second
	await page.locator('.save-options').click();
	await page.locator('.el-message--success').first().waitFor();
	const after = (await api('GET', '/api/v1/meta/entities/customers')).fields.find((x) => x.name === 'c_berth_type');
	assert.deepEqual(after.options.map((o) => [o.key, !!o.disabled]), [['dry', false], ['wet', true]]);
	// Change the custom field: required, with a help text.
	await page.locator('.el-table__row', { hasText: '泊位类型' }).getByRole('button', { name: '编辑' }).click();
	await page.locator('.el-dialog:visible').getByText('必填', { exact: true }).click();
	await page.fill('#f-help-zh', '客户游艇停放方式');
	await page.locator('.save-field').click();
	await page.locator('.el-message--success').first().waitFor();
	const edited = (await api('GET', '/api/v1/meta/entities/customers')).fields.find((x) => x.name === 'c_berth_type');
	assert.equal(edited.required, true);
	assert.equal(edited.help['zh-CN'], '客户游艇停放方式');
	// A shipped field opens read-only.
	await page.locator('.el-table__row', { hasText: '客户名称' }).first().getByRole('button', { name: '查看' }).click();
	assert.ok(await page.locator('#f-label-zh').isDisabled(), 'a shipped field is read-only');
	await page.locator('.el-dialog:visible .el-dialog__footer').getByRole('button', { name: '关闭' }).click();
	await shot(page, 'admin-fields');
	// Deleted, the field leaves the model (its data stays), and later tests meet the shipped one.
	await page.locator('.el-table__row', { hasText: '泊位类型' }).getByRole('button', { name: '删除' }).click();
	await page.locator('.el-message-box').getByRole('button', { name: '删除' }).click();
	await page.locator('.el-table__row', { hasText: '泊位类型' }).waitFor({ state: 'hidden' });
	assert.ok(!(await api('GET', '/api/v1/meta/entities/customers')).fields.some((x) => x.name === 'c_berth_type'));
	await page.close();
});

test('security policy: a bad network is shown at its role; the minimum password length is stored', async () => {
	const page = await adminPage('/admin/security');
	await page.locator('#sp-min-length').waitFor();
	await page.getByRole('button', { name: '添加角色限制' }).click();
	await choose(page, page.getByRole('combobox', { name: '第 1 条限制的角色' }), '销售员');
	await page.getByLabel('第 1 条限制的网络').fill('not-a-network');
	await page.getByLabel('第 1 条限制的网络').press('Enter');
	await page.locator('.save-policy').click();
	await page.locator('.rule .err', { hasText: '无效的网络地址' }).waitFor();
	await shot(page, 'admin-security-error');
	await page.getByRole('button', { name: '删除第 1 条限制' }).click();
	await page.fill('#sp-min-length', '14');
	await page.locator('#sp-min-length').blur();
	await page.locator('.save-policy').click();
	await page.locator('.el-message--success').first().waitFor();
	const policy = await api('GET', '/api/v1/security-policy');
	assert.equal(policy.password.min_length, 14);
	assert.deepEqual(policy.ip_allowlist, {});
	assert.equal(policy.session.idle_minutes, 30, 'the rest kept');
	await shot(page, 'admin-security');
	await page.close();
});

test('single sign-on: register an app, see its secret once, rotate the signing key', async () => {
	const page = await adminPage('/admin/oidc');
	await page.getByRole('button', { name: '注册应用' }).click();
	await page.fill('#oc-name', '游艇售后系统');
	await page.fill('#oc-redirects', 'ftp://bad');
	await page.press('#oc-redirects', 'Enter');
	await page.locator('.save-client').click();
	await errorAt(page, 'oc-redirects').waitFor();
	assert.match(await errorAt(page, 'oc-redirects').innerText(), /网址格式不正确/);
	await page.locator('.el-dialog:visible .el-tag__close').first().click();
	await page.fill('#oc-redirects', 'https://service.example.com/callback');
	await page.press('#oc-redirects', 'Enter');
	await page.locator('.save-client').click();
	await page.locator('#oc-created-secret').waitFor();
	const secret = await page.locator('#oc-created-secret').inputValue();
	const clientId = await page.locator('#oc-created-id').inputValue();
	assert.ok(secret.length >= 20, 'the secret is shown');
	await shot(page, 'admin-oidc-secret');
	await page.getByRole('button', { name: '我已保存' }).click();
	const clients = (await api('GET', '/api/v1/oidc/clients')).data;
	const c = clients.find((x) => x.client_id === clientId);
	assert.equal(c.name, '游艇售后系统');
	assert.deepEqual(c.redirect_uris, ['https://service.example.com/callback']);
	assert.equal(c.confidential, true);
	await page.locator('.el-table__row', { hasText: '游艇售后系统' }).waitFor();
	const kids = async () => (await (await fetch(`${base}/oidc/jwks`)).json()).keys.map((k) => k.kid);
	const before = await kids();
	await page.getByRole('button', { name: '轮换签名密钥' }).click();
	await confirmBox(page);
	await page.locator('.el-message--success', { hasText: '签名密钥已轮换' }).waitFor();
	const now = await kids();
	assert.ok(now.some((k) => !before.includes(k)), 'a new key is published');
	await shot(page, 'admin-oidc');
	await page.close();
});

test('on a phone (390 px) the admin pages fit and dialogs take the whole width', async () => {
	const page = await adminPage('/admin/users', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	await page.locator('.el-table__row').first().waitFor();
	await shot(page, 'phone-admin-users');
	const width = async () => page.evaluate(() => document.documentElement.scrollWidth);
	assert.ok((await width()) <= 390, `no sideways scrolling (${await width()} px)`);
	await page.getByRole('button', { name: '新建用户' }).click();
	const box = await page.locator('.el-dialog').boundingBox();
	assert.ok(box.width >= 388, `the dialog is full width (${box.width})`);
	await shot(page, 'phone-admin-user-dialog');
	await page.locator('.el-dialog__headerbtn').click();
	for (const [url, name, ready] of [
		['/admin/roles', 'phone-admin-roles', '.matrix'],
		['/admin/org', 'phone-admin-org', '.el-tree-node'],
		['/admin/fields', 'phone-admin-fields', '.el-table__row'],
		['/admin/security', 'phone-admin-security', '#sp-min-length'],
		['/admin/oidc', 'phone-admin-oidc', '.el-table'],
	]) {
		await page.goto(base + url);
		await page.locator(ready).first().waitFor();
		await shot(page, name);
		assert.ok((await width()) <= 390, `${url}: no sideways scrolling (${await width()} px)`);
	}
	await page.close();
});

test('the admin pages in English', async () => {
	const page = await adminPage('/admin/users');
	await page.locator('.el-table__row').first().waitFor();
	// Through the user menu, as people switch (the server may keep the choice for the user).
	const switchTo = async (word) => {
		await page.locator('.who').click();
		await page.locator('.el-dropdown-menu__item:visible', { hasText: word }).click();
	};
	await switchTo('English');
	try {
		await page.getByRole('button', { name: 'New user' }).waitFor();
		await shot(page, 'admin-users-en');
		await page.goto(`${base}/admin/roles`);
		await page.locator('.matrix').waitFor();
		await page.getByText('All entities (*)', { exact: true }).waitFor();
		await shot(page, 'admin-roles-en');
		await page.goto(`${base}/admin/fields`);
		await page.getByRole('button', { name: 'Add custom field' }).waitFor();
		await shot(page, 'admin-fields-en');
		await page.goto(`${base}/admin/security`);
		await page.locator('#sp-min-length').waitFor();
		await shot(page, 'admin-security-en');
	} finally {
		await switchTo('中文');
		await page.getByText('字段与选项').first().waitFor();
	}
	await page.close();
});
