// Merging duplicates in the browser (docs/internals/MATCH.md, "Merging"; src/views/MergeView.vue):
// two customers that are one club, made through the API — one with a phone, the other with an
// email, a higher level, a registered capital and a contact. The merge page lists the fields that
// differ side by side (option labels and money as the record page shows them), takes the other's
// value by default only where the kept one is empty, folds the equal fields away and keeps a
// masked field out of reach; the email and the level taken, the capital left, confirmed: the
// kept customer has them, its contacts tab lists the moved contact, the other is gone (404) and
// both trails say so. A missing `from` is an error with a search to choose another, which leads
// to the table; a salesperson in English is told the other cannot be read. The edit form's
// candidates lead to the page, and a merge the server refuses (the other deleted meanwhile) is
// said on it. One phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { adminPage, api, base, launch, logIn, shot, unlabelled } from './lib.mjs';

let browser;
let kept; // 蓝鲸游艇俱乐部有限公司: the phone
let other; // 蓝鲸游艇俱乐部: the email, a contact
let contact;

before(async () => {
	kept = await api('POST', '/api/v1/customers', {
		name: '三亚蓝鲸游艇俱乐部有限公司', phone: '0898-88886666', level: 'a', bank_account: '6222000011112222',
	});
	other = await api('POST', '/api/v1/customers', {
		name: '三亚蓝鲸游艇俱乐部', email: 'club@lanjing-yacht.cn', level: 'b', bank_account: '6222999988887777',
		registered_capital: { amount: 100000000, currency: 'CNY' },
	});
	contact = await api('POST', '/api/v1/contacts', { name: '蓝鲸联络人李四', customer_id: other.id, mobile: '13800138111' });
	browser = await launch();
});

after(async () => {
	await browser?.close();
});

const row = (page, field) => page.locator(`.merge-table tr.m-${field}`);
/* Clicks a row's choice as a person does: on its words (the radio itself is drawn over). */
const choose = (r, which) => r.locator(`label.${which}`).click();
const status = (page, path) => page.evaluate(async (p) => (await fetch(p)).status, path);

test('the merge page: fields side by side, the email and the level taken, the contact moved, the other gone', async () => {
	const page = await adminPage(browser);
	await page.goto(`${base}/e/customers/${kept.id}/merge?from=${other.id}`);
	await page.locator('.merge-table').waitFor();
	await page.getByText('合并重复记录').first().waitFor();
	assert.match(await page.locator('.merge-table thead').innerText(), new RegExp(`三亚蓝鲸游艇俱乐部有限公司 #${kept.id}[\\s\\S]*三亚蓝鲸游艇俱乐部 #${other.id}`));

	// The email: empty here, so the other's by default.
	const email = row(page, 'email');
	assert.match(await email.innerText(), /（空）[\s\S]*club@lanjing-yacht\.cn/);
	assert.ok(await email.getByRole('radio', { name: /采用对方/ }).isChecked(), 'the other’s email by default');
	// The phone: only here, kept.
	assert.ok(await row(page, 'phone').getByRole('radio', { name: /保留/ }).isChecked());
	// The level, as the record page shows it: both set, this record's by default.
	const level = row(page, 'level');
	assert.match(await level.innerText(), /A级（重要客户）[\s\S]*B级（重点客户）/);
	assert.ok(await level.getByRole('radio', { name: /保留/ }).isChecked());
	// Money in its currency; the other's by default, as this record has none.
	const capital = row(page, 'registered_capital');
	assert.match(await capital.innerText(), /¥1,000,000\.00/);
	assert.ok(await capital.getByRole('radio', { name: /采用对方/ }).isChecked());
	// A sensitive field comes masked: it cannot be taken.
	const bank = row(page, 'bank_account');
	assert.match(await bank.innerText(), /已隐藏[\s\S]*已隐藏/);
	assert.ok(await bank.getByRole('radio', { name: /采用对方/ }).isDisabled());
	assert.match(await bank.innerText(), /敏感字段已隐藏，不能在合并时采用对方的值/);
	// Equal fields are folded away.
	const same = page.locator('.same');
	await same.getByText(/相同的字段（\d+）/).waitFor();
	assert.equal(await row(page, 'customer_type').count(), 0, 'the same type is not listed among the differences');
	await same.getByText(/相同的字段/).click();
	await same.locator('dt', { hasText: '客户类型' }).waitFor();

	// Take the email (clicking it again changes nothing) and the level; leave the capital.
	await choose(email, 'take');
	await level.locator('td').nth(1).click(); // the other's cell chooses it too
	assert.ok(await level.getByRole('radio', { name: /采用对方/ }).isChecked());
	await choose(capital, 'keep');
	const summary = page.locator('.summary');
	assert.match(await summary.innerText(), /对方的联系人、任务、附件等将移到本记录，对方将被删除/);
	assert.match(await summary.innerText(), /本记录将采用对方的 2 个字段：(客户级别、电子邮箱|电子邮箱、客户级别)。/);
	assert.deepEqual(await unlabelled(page), [], 'every control is named');
	await page.locator('.merge-card .title').scrollIntoViewIfNeeded();
	await shot(page, 'customer-merge');

	const asked = page.waitForRequest((r) => r.url().endsWith(`/api/v1/customers/${kept.id}/merge`));
	await page.getByRole('button', { name: '确认合并' }).click();
	const body = (await asked).postDataJSON();
	assert.equal(body.from, other.id);
	assert.deepEqual([...body.take].sort(), ['email', 'level']);
	await page.waitForURL(new RegExp(`/e/customers/${kept.id}$`));
	await page.locator('.el-message--success', { hasText: '联系人（1）' }).waitFor();

	const now = await api('GET', `/api/v1/customers/${kept.id}`);
	assert.equal(now.email, 'club@lanjing-yacht.cn');
	assert.equal(now.level, 'b');
	assert.equal(now.phone, '0898-88886666');
	assert.equal(now.registered_capital, null, 'the capital was left');
	assert.equal(await status(page, `/api/v1/customers/${other.id}`), 404, 'the other is gone');
	assert.equal((await api('GET', `/api/v1/contacts/${contact.id}`)).customer_id, kept.id);
	const trail = await api('GET', `/api/v1/customers/${kept.id}/history`);
	assert.ok(trail.data.some((e) => e.action === 'merge'), 'the merge is in the kept record’s history');

	// The record page: the email, and the contact in its tab.
	await page.getByRole('tab', { name: '详细信息' }).click();
	await page.getByText('club@lanjing-yacht.cn').waitFor();
	await page.getByRole('tab', { name: '联系人', exact: true }).click();
	await page.locator('.rows', { hasText: '蓝鲸联络人李四' }).waitFor();
	await page.getByRole('tab', { name: '修改记录' }).click();
	await page.locator('.who', { hasText: '合并' }).first().waitFor();
	await page.close();
});

test('a missing record to merge is an error; another is chosen by search', async () => {
	const a = await api('POST', '/api/v1/customers', { name: '海口白沙门游艇服务有限公司', phone: '0898-66550001' });
	const b = await api('POST', '/api/v1/customers', { name: '海口白沙门游艇服务公司', phone: '0898 6655 0001' });
	const page = await adminPage(browser);
	await page.goto(`${base}/e/customers/${a.id}/merge?from=99999999`);
	const error = page.locator('.other-error');
	await error.waitFor();
	assert.match(await error.innerText(), /无法读取要合并的记录 #99999999/);
	assert.match(await error.innerText(), /记录不存在/, 'the server’s word');
	assert.equal(await page.locator('.merge-table').count(), 0);
	// The duplicate check's candidates, each with the way to merge it.
	const candidates = page.locator('.choose .dup-list');
	await candidates.locator('.dup-name', { hasText: '海口白沙门游艇服务公司' }).waitFor();
	assert.equal(await candidates.locator(`a.dup-name[href="/e/customers/${a.id}"]`).count(), 0, 'not itself');
	assert.deepEqual(await unlabelled(page), [], 'every control is named');
	await shot(page, 'customer-merge-missing');

	// Searching: the record itself is not offered.
	await page.locator('#merge-from').click();
	await page.locator('#merge-from').fill('白沙门');
	const option = page.locator('.el-select-dropdown__item', { hasText: `海口白沙门游艇服务公司 #${b.id}` });
	await option.waitFor();
	assert.equal(await page.locator('.el-select-dropdown__item', { hasText: `#${a.id}` }).count(), 0, 'not itself');
	await option.click();
	await page.waitForURL(new RegExp(`/e/customers/${a.id}/merge\\?from=${b.id}$`));
	await page.locator('.merge-table').waitFor();
	await error.waitFor({ state: 'detached' });
	assert.match(await row(page, 'name').innerText(), /海口白沙门游艇服务有限公司[\s\S]*海口白沙门游艇服务公司/);

	// The same record is no record to merge.
	await page.goto(`${base}/e/customers/${a.id}/merge?from=${a.id}`);
	await page.locator('.other-error', { hasText: '不能与自身合并' }).waitFor();
	await page.close();
});

test('a salesperson in English: the other record cannot be read', async () => {
	const pw = `Aa1-${Date.now()}-merge`;
	const user = await api('POST', '/api/v1/users', { username: 'merge.sales', password: pw, roles: ['salesperson'], display_name: 'Mia Merge', locale: 'en', must_change_password: false });
	const mine = await api('POST', '/api/v1/customers', { name: '文昌椰林游艇会', phone: '0898-63330001', owner_id: user.id });
	const theirs = await api('POST', '/api/v1/customers', { name: '文昌椰林游艇会有限公司', phone: '0898-63330001' });
	const page = await browser.newPage({ locale: 'en-GB' });
	await logIn(page, 'merge.sales', pw);
	await page.waitForURL(`${base}/`);
	await page.goto(`${base}/e/customers/${mine.id}/merge?from=${theirs.id}`);
	const error = page.locator('.other-error');
	await error.waitFor();
	assert.match(await error.innerText(), new RegExp(`The record to merge \\(#${theirs.id}\\) cannot be read`));
	await page.getByText('Record to merge into this one').first().waitFor();
	assert.doesNotMatch(await page.locator('.merge-card').innerText(), /[合并记录对方]/, 'no Chinese words of the page');
	await shot(page, 'customer-merge-en');
	await page.close();
});

test('from the edit form’s candidates to the merge page; a refusal said on the page; a phone', async () => {
	const a = await api('POST', '/api/v1/customers', { name: '琼海博鳌游艇码头有限公司', email: 'info@boao-marina.cn' });
	const b = await api('POST', '/api/v1/customers', { name: '琼海博鳌游艇码头', email: 'info@boao-marina.cn', address: '琼海市博鳌镇滨海大道1号' });
	const page = await adminPage(browser);
	await page.goto(`${base}/e/customers/${a.id}/edit`);
	const found = page.locator('section.dupes li.dup', { has: page.locator('.dup-name', { hasText: /^琼海博鳌游艇码头$/ }) });
	await found.waitFor();
	const link = found.locator('a.dup-merge');
	assert.equal(await link.innerText(), '合并');
	assert.equal(await link.getAttribute('href'), `/e/customers/${a.id}/merge?from=${b.id}`);
	await link.click();
	await page.waitForURL(new RegExp(`/e/customers/${a.id}/merge\\?from=${b.id}$`));
	const address = row(page, 'address');
	await address.waitFor();
	assert.ok(await address.getByRole('radio', { name: /采用对方/ }).isChecked(), 'the other’s address, this one having none');
	assert.equal(await row(page, 'email').count(), 0, 'the same email is not a difference');

	// Someone deletes the other meanwhile: the server's refusal is said on the page.
	await api('DELETE', `/api/v1/customers/${b.id}`);
	await page.getByRole('button', { name: '确认合并' }).click();
	const refused = page.locator('.merge-error');
	await refused.waitFor();
	assert.match(await refused.innerText(), /合并失败[\s\S]*记录不存在/);
	assert.match(page.url(), /\/merge\?from=/, 'the page stays');
	assert.equal((await api('GET', `/api/v1/customers/${a.id}`)).address, null, 'nothing taken');
	await page.close();

	const c = await api('POST', '/api/v1/customers', { name: '万宁石梅湾游艇会', phone: '0898-62220001', level: 'c' });
	const d = await api('POST', '/api/v1/customers', { name: '万宁石梅湾游艇会有限公司', email: 'hi@shimeiwan.cn', remarks: '2024 年在石梅湾新建 60 个泊位的浮码头，计划再扩建一期。' });
	const phone = await adminPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
	await phone.goto(`${base}/e/customers/${c.id}/merge?from=${d.id}`);
	await row(phone, 'email').waitFor();
	await shot(phone, 'phone-customer-merge');
	const width = await phone.evaluate(() => document.documentElement.scrollWidth);
	assert.ok(width <= 390, `no sideways scrolling (${width} px)`);
	await phone.close();
});
