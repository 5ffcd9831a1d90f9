#include "templates.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>

/* Common variables of every template: user (the addressee's name), link (the record). */
const struct template_def template_defs[] = {
    {"task.reminder",
     "任务提醒",
     "Task reminder",
     "user,subject,due,link",
     {"任务提醒：{{subject}}",
      "{{user}}，您好：\n您的任务「{{subject}}」将于 {{due}} 到期。\n{{link}}", NULL,
      "{{due}} 到期"},
     {"Task reminder: {{subject}}",
      "Hello {{user}},\nyour task \"{{subject}}\" is due {{due}}.\n{{link}}", NULL, "Due {{due}}"}},
    {"task.overdue",
     "任务逾期",
     "Overdue task",
     "user,owner,subject,due,link",
     {"任务逾期：{{owner}} · {{subject}}",
      "{{user}}，您好：\n{{owner}} 的任务「{{subject}}」已于 {{due}} 到期，尚未完成。\n{{link}}",
      NULL, "{{owner}} · {{due}} 到期"},
     {"Overdue task: {{owner}} · {{subject}}",
      "Hello {{user}},\n{{owner}}'s task \"{{subject}}\" was due {{due}} and is not done.\n"
      "{{link}}",
      NULL, "{{owner}} · due {{due}}"}},
    {"task.assigned",
     "新任务",
     "New task",
     "user,subject,due,actor,record,link",
     {"新任务：{{subject}}",
      "{{user}}，您好：\n{{actor}} 推进「{{record}}」时为您创建了任务「{{subject}}」，截止 {{due}}。\n"
      "{{link}}",
      NULL, "{{actor}} · 截止 {{due}}"},
     {"New task: {{subject}}",
      "Hello {{user}},\n{{actor}} moved \"{{record}}\" on and made you a task, \"{{subject}}\", due "
      "{{due}}.\n{{link}}",
      NULL, "{{actor}} · due {{due}}"}},
    {"customer.pool_warning",
     "客户即将退回公海",
     "Customer about to return to the pool",
     "user,customer,due,link",
     {"客户即将退回公海：{{customer}}",
      "{{user}}，您好：\n客户「{{customer}}」长期未跟进，若 {{due}} 前仍无跟进记录，将自动退回公海。\n"
      "{{link}}",
      NULL, "{{due}} 前请跟进"},
     {"Customer about to return to the pool: {{customer}}",
      "Hello {{user}},\n\"{{customer}}\" has not been followed up for a long time. Without a "
      "follow-up before {{due}} it returns to the shared pool.\n{{link}}",
      NULL, "Follow up before {{due}}"}},
    {"customer.returned",
     "客户已退回公海",
     "Customer returned to the pool",
     "user,customer,days,link",
     {"客户已退回公海：{{customer}}",
      "{{user}}，您好：\n客户「{{customer}}」已 {{days}} 天未跟进，已退回公海。\n{{link}}", NULL,
      "{{days}} 天未跟进"},
     {"Customer returned to the pool: {{customer}}",
      "Hello {{user}},\n\"{{customer}}\" was not followed up for {{days}} days and has returned "
      "to the shared pool.\n{{link}}",
      NULL, "No follow-up for {{days}} days"}},
    {"customer.handover_in",
     "客户移交给您",
     "Customer handed over to you",
     "user,customer,from,to,actor,reason,link",
     {"客户移交给您：{{customer}}",
      "{{user}}，您好：\n{{actor}} 将客户「{{customer}}」从 {{from}} 移交给您。{{reason}}\n"
      "客户的全部往来记录都在客户页面的时间线上。\n{{link}}",
      NULL, "{{actor}} 移交 · 原负责人 {{from}}"},
     {"Customer handed over to you: {{customer}}",
      "Hello {{user}},\n{{actor}} has handed \"{{customer}}\" over to you from {{from}}. "
      "{{reason}}\nEvery interaction with the customer is on the timeline of its page.\n{{link}}",
      NULL, "Handed over by {{actor}} · formerly {{from}}'s"}},
    {"customer.handover_out",
     "客户已移交",
     "Customer handed over",
     "user,customer,from,to,actor,reason,link",
     {"客户已移交：{{customer}}",
      "{{user}}，您好：\n{{actor}} 已将您负责的客户「{{customer}}」移交给 {{to}}，未完成的工作随之移交。"
      "{{reason}}\n{{link}}",
      NULL, "移交给 {{to}}"},
     {"Customer handed over: {{customer}}",
      "Hello {{user}},\n{{actor}} has handed your customer \"{{customer}}\" over to {{to}}, with "
      "its open work. {{reason}}\n{{link}}",
      NULL, "Handed over to {{to}}"}},
    {"contact.birthday",
     "联系人生日提醒",
     "Contact's birthday",
     "user,contact,customer,date,days,lunar,lunar_en,link",
     {"生日提醒：{{contact}}（{{customer}}）{{date}}",
      "{{user}}，您好：\n{{customer}} 的 {{contact}} 将于 {{days}} 天后（{{date}}）过生日。{{lunar}}\n"
      "{{link}}",
      NULL, "{{days}} 天后 · {{date}} {{lunar}}"},
     {"Birthday: {{contact}} ({{customer}}) on {{date}}",
      "Hello {{user}},\n{{contact}} of {{customer}} has a birthday in {{days}} days ({{date}}). "
      "{{lunar_en}}\n{{link}}",
      NULL, "In {{days}} days · {{date}} {{lunar_en}}"}},
    {"reminder",
     "提醒",
     "Reminder",
     "user,note,link",
     {"提醒：{{note}}", "{{user}}，您好：\n{{note}}\n{{link}}", NULL, "{{note}}"},
     {"Reminder: {{note}}", "Hello {{user}},\n{{note}}\n{{link}}", NULL, "{{note}}"}},
    {"approval.request",
     "待审批",
     "Approval request",
     "user,flow,step,record,submitter,link,act_link",
     {"待您审批：{{flow}} · {{record}}",
      "{{user}}，您好：\n{{submitter}} 提交的「{{record}}」需要您审批（{{flow}} · {{step}}）。\n"
      "无需登录，打开此链接即可批准或驳回（仅可使用一次）：\n{{act_link}}\n\n查看记录：{{link}}",
      NULL, "{{submitter}} 提交 · {{step}}"},
     {"Awaiting your approval: {{flow}} · {{record}}",
      "Hello {{user}},\n\"{{record}}\", submitted by {{submitter}}, awaits your approval "
      "({{flow}} · {{step}}).\nApprove or reject without logging in (the link works once):\n"
      "{{act_link}}\n\nThe record: {{link}}",
      NULL, "Submitted by {{submitter}} · {{step}}"}},
    {"approval.approved",
     "审批通过",
     "Approved",
     "user,flow,record,decider,comment,link",
     {"已通过：{{flow}} · {{record}}",
      "{{user}}，您好：\n「{{record}}」已审批通过（{{flow}}）。\n{{comment}}\n{{link}}", NULL,
      "{{decider}} 最后批准 {{comment}}"},
     {"Approved: {{flow}} · {{record}}",
      "Hello {{user}},\n\"{{record}}\" is approved ({{flow}}).\n{{comment}}\n{{link}}", NULL,
      "Last approved by {{decider}} {{comment}}"}},
    {"approval.rejected",
     "审批驳回",
     "Rejected",
     "user,flow,record,decider,comment,link",
     {"被驳回：{{flow}} · {{record}}",
      "{{user}}，您好：\n「{{record}}」被 {{decider}} 驳回（{{flow}}）：\n{{comment}}\n{{link}}",
      NULL, "{{decider}}：{{comment}}"},
     {"Rejected: {{flow}} · {{record}}",
      "Hello {{user}},\n{{decider}} rejected \"{{record}}\" ({{flow}}):\n{{comment}}\n{{link}}",
      NULL, "{{decider}}: {{comment}}"}},
    {"record.comment",
     "批注",
     "Comment",
     "user,author,record,comment,link",
     {"{{author}} 批注了「{{record}}」",
      "{{user}}，您好：\n{{author}} 批注了「{{record}}」：\n{{comment}}\n{{link}}", NULL,
      "{{author}}：{{comment}}"},
     {"{{author}} commented on \"{{record}}\"",
      "Hello {{user}},\n{{author}} commented on \"{{record}}\":\n{{comment}}\n{{link}}", NULL,
      "{{author}}: {{comment}}"}},
    {"process.transition",
     "流程变更",
     "Process step",
     "user,process,transition,record,from,to,actor,comment,link",
     {"{{process}}：{{record}} {{transition}}",
      "{{user}}，您好：\n{{actor}} 将「{{record}}」从「{{from}}」推进到「{{to}}」（{{transition}}）。\n"
      "{{comment}}\n{{link}}",
      NULL, "{{actor}}：{{from}} → {{to}} {{comment}}"},
     {"{{process}}: {{record}} {{transition}}",
      "Hello {{user}},\n{{actor}} moved \"{{record}}\" from \"{{from}}\" to \"{{to}}\" "
      "({{transition}}).\n{{comment}}\n{{link}}",
      NULL, "{{actor}}: {{from}} → {{to}} {{comment}}"}},
    {"test",
     "测试消息",
     "Test message",
     "user,channel",
     {"Sextant 测试消息", "{{user}}，您好：\n这是一条测试消息（{{channel}}），说明发送设置可用。",
      NULL, NULL},
     {"Sextant test message",
      "Hello {{user}},\nthis is a test message ({{channel}}): the sending settings work.", NULL,
      NULL}},
    {NULL, NULL, NULL, NULL, {NULL, NULL, NULL, NULL}, {NULL, NULL, NULL, NULL}},
};

const struct template_def *template_find(const char *key)
{
	for (const struct template_def *t = template_defs; t->key; t++)
		if (str_eq(t->key, key))
			return t;
	return NULL;
}

int template_load(struct db *db, struct arena *a, const char *key, const char *locale,
                  struct template_text *out)
{
	const struct template_def *def = template_find(key);
	if (!def)
		return DB_DONE;
	bool en = locale && str_eq(locale, "en");
	*out = en ? def->en : def->zh;
	struct db_stmt *st;
	int rc =
	    db_prepare(db,
	               "SELECT subject, text, html, brief FROM message_templates WHERE key = ? AND "
	               "locale = ?",
	               &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, key);
	db_bind_texts(st, 2, en ? "en" : "zh-CN");
	rc = db_step(st);
	if (rc == DB_ROW) {
		out->subject = arena_strdup(a, db_column_text(st, 0, NULL));
		out->text = arena_strdup(a, db_column_text(st, 1, NULL));
		out->html =
		    db_column_null(st, 2) ? NULL : arena_strdup(a, db_column_text(st, 2, NULL));
		/* An override without its own brief line shows its own text, not the built-in one.
		 */
		out->brief =
		    db_column_null(st, 3) ? NULL : arena_strdup(a, db_column_text(st, 3, NULL));
	}
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

static void add_escaped(struct str *out, const char *s, size_t n, bool html)
{
	if (!html) {
		str_add(out, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			str_adds(out, "&amp;");
			break;
		case '<':
			str_adds(out, "&lt;");
			break;
		case '>':
			str_adds(out, "&gt;");
			break;
		case '"':
			str_adds(out, "&quot;");
			break;
		case '\'':
			str_adds(out, "&#39;");
			break;
		default:
			str_addc(out, s[i]);
		}
	}
}

void template_escape_html(struct str *out, const char *s)
{
	add_escaped(out, s, strlen(s), true);
}

void template_render(const char *tpl, json_t *vars, bool html, struct str *out)
{
	const char *p = tpl;
	for (;;) {
		const char *open = strstr(p, "{{");
		const char *close = open ? strstr(open + 2, "}}") : NULL;
		if (!close) {
			str_adds(out, p);
			return;
		}
		str_add(out, p, (size_t)(open - p));
		char name[64];
		size_t k = (size_t)(close - open - 2);
		while (k && open[2] == ' ')
			open++, k--;
		while (k && open[2 + k - 1] == ' ')
			k--;
		snprintf(name, sizeof name, "%.*s", (int)(k < sizeof name ? k : 0), open + 2);
		json_t *v = json_object_get(vars, name);
		char num[32];
		const char *s = json_string_value(v);
		if (json_is_integer(v))
			snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v)),
			    s = num;
		else if (json_is_real(v))
			snprintf(num, sizeof num, "%g", json_real_value(v)), s = num;
		if (s)
			add_escaped(out, s, strlen(s), html);
		p = close + 2;
	}
}
