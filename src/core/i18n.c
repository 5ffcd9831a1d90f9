#include "i18n.h"
#include "str.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const lang_tags[LANG__MAX] = {[LANG_ZH] = "zh-CN", [LANG_EN] = "en"};

int lang_parse(const char *tag)
{
	if (!tag)
		return -1;
	if (strncasecmp(tag, "zh", 2) == 0 && (tag[2] == '\0' || tag[2] == '-' || tag[2] == '_'))
		return LANG_ZH;
	if (strncasecmp(tag, "en", 2) == 0 && (tag[2] == '\0' || tag[2] == '-' || tag[2] == '_'))
		return LANG_EN;
	return -1;
}

enum lang lang_negotiate(const char *h)
{
	/* Take the first listed language we speak; quality values are in practice descending. */
	while (h && *h) {
		while (*h == ' ' || *h == ',')
			h++;
		char tag[16];
		size_t n = 0;
		while (*h && *h != ',' && *h != ';' && *h != ' ' && n < sizeof tag - 1)
			tag[n++] = *h++;
		tag[n] = '\0';
		int l = lang_parse(tag);
		if (l >= 0)
			return (enum lang)l;
		while (*h && *h != ',')
			h++;
	}
	return LANG_ZH;
}

const char *label_get(const struct label *l, enum lang lang)
{
	if (l->text[lang])
		return l->text[lang];
	for (int i = 0; i < LANG__MAX; i++)
		if (l->text[i])
			return l->text[i];
	return "";
}

struct message {
	const char *code;
	const char *text[LANG__MAX];
};

/* Sorted by code for bsearch. */
static const struct message messages[] = {
    {"already_decided", {"该审批已处理（{state}）", "This approval was decided already ({state})"}},
    {"approval_pending",
     {"该记录已有进行中的审批", "This record has an approval under way already"}},
    {"attachments_too_large",
     {"附件合计超过 {limit}", "The attachments come to more than {limit}"}},
    {"bad_request", {"请求无效", "The request is not valid"}},
    {"before_from", {"不能早于开始月份", "Cannot be before the first month"}},
    {"body_not_allowed", {"该请求不接受请求体", "This request takes no body"}},
    {"body_too_large",
     {"请求内容超过上限 {limit} 字节", "The request body exceeds the limit of {limit} bytes"}},
    {"conflict", {"与现有数据冲突", "This conflicts with the data as it is"}},
    {"content_type_mismatch",
     {"文件内容与声明的类型 {declared} 不符（实际为 {detected}）",
      "The content does not match the declared type {declared} (it is {detected})"}},
    {"csrf_failed", {"缺少或错误的 CSRF 令牌", "The CSRF token is missing or wrong"}},
    {"db_busy", {"系统繁忙，请稍后重试", "The system is busy; try again shortly"}},
    {"db_full", {"存储空间已满，未能保存", "Storage is full; nothing was saved"}},
    {"duplicate", {"已存在相同的值", "This value already exists"}},
    {"duplicate_parameter", {"参数重复", "The parameter is given more than once"}},
    {"duplicate_row", {"与第 {row} 行重复", "Duplicates row {row}"}},
    {"file_empty", {"文件为空", "The file is empty"}},
    {"file_infected",
     {"病毒扫描发现问题：{finding}", "The virus scanner found something: {finding}"}},
    {"file_type_refused",
     {"不接受此类文件（{detected}）", "Files of this kind are not accepted ({detected})"}},
    {"flow_gone", {"该审批流程已不存在", "This approval flow no longer exists"}},
    {"forbidden", {"没有权限执行此操作", "You are not allowed to do this"}},
    {"forbidden_field", {"没有权限查看或修改该字段", "You may not see or change this field"}},
    {"guard_failed", {"不满足此转换的条件", "Does not meet this step's condition"}},
    {"host_not_allowed",
     {"该主机不在允许的外发主机之列（由运维以 --outbound-hosts 设置）",
      "The host is not among the allowed outbound hosts (set by the operator with --outbound-hosts)"}},
    {"id_not_found", {"记录 {id} 不存在", "Record {id} does not exist"}},
    {"idempotency_key_reused",
     {"该幂等键已用于另一个请求", "This Idempotency-Key was used for a different request"}},
    {"illegal_transition",
     {"当前状态（{state}）不能执行此转换", "Not possible from the current state ({state})"}},
    {"in_pool", {"客户已在公海中", "The customer is in the shared pool already"}},
    {"internal_error", {"服务器内部错误，请稍后重试", "Internal server error; try again later"}},
    {"invalid_bool", {"应为 true 或 false", "Must be true or false"}},
    {"invalid_credentials", {"用户名或密码错误", "Wrong username or password"}},
    {"invalid_csv", {"CSV 格式错误：{detail}", "Malformed CSV: {detail}"}},
    {"invalid_cursor", {"分页游标无效或已过期", "The cursor is not valid"}},
    {"invalid_date", {"应为有效日期（YYYY-MM-DD）", "Must be a valid date (YYYY-MM-DD)"}},
    {"invalid_datetime",
     {"应为有效时间（RFC 3339，含时区）", "Must be a valid date-time (RFC 3339 with a time zone)"}},
    {"invalid_decimal",
     {"应为最多 {scale} 位小数的数字", "Must be a number with at most {scale} decimals"}},
    {"invalid_email", {"电子邮箱格式不正确", "Not a valid email address"}},
    {"invalid_file_name", {"文件名不能包含控制字符", "A file name cannot hold control characters"}},
    {"invalid_header", {"应为一行“名称: 值”", "Must be one line \"Name: value\""}},
    {"invalid_id", {"ID 无效", "Not a valid id"}},
    {"invalid_integer", {"应为整数", "Must be a whole number"}},
    {"invalid_json",
     {"JSON 格式错误（第 {line} 行第 {column} 列）：{detail}",
      "Malformed JSON at line {line}, column {column}: {detail}"}},
    {"invalid_money",
     {"金额应为整数（单位：分）及币种代码",
      "Money must be an integer amount in cents (fen) with a currency code"}},
    {"invalid_month", {"应为年月（YYYY-MM）", "Must be a month (YYYY-MM)"}},
    {"invalid_multipart",
     {"multipart/form-data 格式错误", "The multipart/form-data body is malformed"}},
    {"invalid_name",
     {"名称只能包含小写字母、数字和下划线，并以字母开头",
      "Use lowercase letters, digits and underscores, starting with a letter"}},
    {"invalid_network",
     {"无效的网络地址（如 10.0.0.0/8）", "Not a network address (such as 10.0.0.0/8)"}},
    {"invalid_option", {"不是可选值：{value}", "Not one of the options: {value}"}},
    {"invalid_phone",
     {"电话号码格式不正确（手机、带区号的座机或 + 开头的国际号码）",
      "Not a valid phone number (mobile, landline with area code, or + international)"}},
    {"invalid_postcode", {"邮政编码应为 6 位数字", "A postcode has 6 digits"}},
    {"invalid_process", {"流程定义有误：{detail}", "The process definition is wrong: {detail}"}},
    {"invalid_schedule", {"计划格式不正确：{detail}", "Not a valid schedule: {detail}"}},
    {"invalid_smtp_url",
     {"邮件服务器地址应以 smtp:// 或 smtps:// 开头",
      "A mail server address starts with smtp:// or smtps://"}},
    {"invalid_state",
     {"当前状态（{state}）不允许此操作", "Not possible in its current state ({state})"}},
    {"invalid_tax_id",
     {"统一社会信用代码无效（18 位，校验位不符）",
      "Not a valid unified social credit code (18 characters with a check digit)"}},
    {"invalid_text", {"不能包含换行", "Cannot hold line breaks"}},
    {"invalid_totp", {"动态验证码不正确或已使用", "The code is wrong or was used already"}},
    {"invalid_type", {"类型错误，应为{expected}", "Wrong type; expected {expected}"}},
    {"invalid_url",
     {"网址格式不正确（仅支持 http/https）", "Not a valid web address (http or https)"}},
    {"invalid_utf8", {"文本不是有效的 UTF-8 编码", "The text is not valid UTF-8"}},
    {"invalid_value", {"取值无效", "Not a valid value"}},
    {"ip_not_allowed",
     {"不允许从此网络地址登录", "Signing in from this network address is not allowed"}},
    {"locks_you_out",
     {"此设置会使您无法从当前地址访问", "This would lock you out from your current address"}},
    {"method_not_allowed", {"不支持该请求方法", "This method is not allowed here"}},
    {"no_approver", {"审批步骤「{step}」找不到审批人", "Nobody can approve the step \"{step}\""}},
    {"no_assignee", {"任务「{task}」找不到负责人", "Nobody can take the task \"{task}\""}},
    {"not_above", {"应大于 {other}", "Must be more than {other}"}},
    {"not_acceptable", {"不支持请求的格式", "The requested format is not available"}},
    {"not_found", {"记录不存在", "Not found"}},
    {"not_in_pool",
     {"客户已有负责人，不在公海中", "The customer has an owner; it is not in the pool"}},
    {"not_recurring", {"只有周期任务才有计划", "Only a recurring job has a schedule"}},
    {"option_in_use",
     {"选项 {value} 仍被记录使用，只能停用",
      "Option {value} is still used by records; disable it instead"}},
    {"out_of_range", {"超出允许范围（{min} 至 {max}）", "Out of range ({min} to {max})"}},
    {"password_change_required", {"请先修改密码", "Change your password first"}},
    {"password_common",
     {"密码过于常见或包含用户名", "This password is too common or contains the username"}},
    {"password_reused",
     {"不能使用最近用过的密码", "A recently used password cannot be used again"}},
    {"pool_cap_reached",
     {"您负责的客户已达上限（{cap} 个），不能再领取",
      "You own the most customers allowed ({cap}); claim no more"}},
    {"precondition_failed", {"If-Match 格式错误", "Malformed If-Match header"}},
    {"process_exists", {"该实体已有流程", "This entity has a process already"}},
    {"range_not_satisfiable",
     {"请求的范围超出文件（共 {size} 字节）", "The range lies outside the file ({size} bytes)"}},
    {"read_only", {"该字段为只读", "This field is read-only"}},
    {"reclaim_too_soon",
     {"您在 {days} 天内放弃过此客户，暂不能领回",
      "You gave this customer up less than {days} days ago"}},
    {"reference_chain_too_long",
     {"引用链超过 {max} 层", "The chain of references is longer than {max}"}},
    {"reference_cycle",
     {"不能是本记录或其下级（会形成循环）",
      "Cannot be this record or one below it: that would make a loop"}},
    {"reference_not_found", {"引用的记录不存在", "The referenced record does not exist"}},
    {"reference_not_same",
     {"所选记录的“{field}”必须与本记录相同",
      "The chosen record must have the same \"{field}\" as this one"}},
    {"request_in_progress",
     {"相同的请求正在处理中，请稍后重试",
      "The same request is still being processed; retry shortly"}},
    {"required", {"必填", "Required"}},
    {"role_in_use",
     {"该角色为系统内置或仍有用户使用，不能删除",
      "A shipped role, or one still given to users, cannot be deleted"}},
    {"same_in_use",
     {"仍有记录通过“{field}”指向本记录，请先修改它们",
      "Records still point here by \"{field}\"; change them first"}},
    {"same_owner", {"客户已由此人负责", "The customer is this person's already"}},
    {"same_record", {"不能与自身合并", "A record cannot be merged with itself"}},
    {"scan_failed",
     {"无法完成病毒扫描，文件未保存，请稍后重试",
      "The file could not be scanned for viruses and was not kept; try again later"}},
    {"second_root", {"只能有一个顶级单位（集团）", "There can be only one top unit (the company)"}},
    {"server_busy", {"服务器繁忙，请稍后重试", "The server is busy; try again shortly"}},
    {"service_unavailable", {"服务暂不可用", "Service unavailable"}},
    {"stale_version",
     {"记录已被他人修改，请刷新后重试",
      "The record was changed by someone else; reload and try again"}},
    {"state_by_transition",
     {"状态只能通过流程转换改变（新记录为 {initial}）",
      "The state changes only by the process's transitions (a new record starts as {initial})"}},
    {"superior_loop",
     {"上级不能是本人或其下属", "A superior cannot be the user or someone below them"}},
    {"timeout", {"处理超时，请稍后重试", "The request took too long; try again later"}},
    {"tls_mismatch",
     {"smtps:// 地址用 TLS 加密，smtp:// 地址用 STARTTLS 或不加密",
      "An smtps:// address goes with TLS; an smtp:// one with STARTTLS or none"}},
    {"too_few_classes",
     {"至少包含 {min} 类字符（小写、大写、数字、符号）",
      "Use at least {min} kinds of characters (lower case, upper case, digits, symbols)"}},
    {"too_long", {"长度不能超过 {max} 个字符", "At most {max} characters"}},
    {"too_many", {"数量不能超过 {max}", "At most {max} items"}},
    {"too_many_attempts",
     {"登录失败次数过多，请稍后再试", "Too many failed logins; try again later"}},
    {"too_many_months", {"不能超过 {max} 个月", "At most {max} months"}},
    {"too_short", {"长度不能少于 {min} 个字符", "At least {min} characters"}},
    {"totp_enabled", {"已启用双重验证", "The second factor is on already"}},
    {"totp_enrolment_required", {"请先设置双重验证", "Set up the second factor first"}},
    {"totp_required", {"请输入动态验证码", "Enter the code from your authenticator app"}},
    {"totp_required_by_policy",
     {"安全策略要求您的角色使用双重验证",
      "The security policy requires a second factor for your role"}},
    {"transition_forbidden", {"您不能执行此转换", "You may not take this step"}},
    {"unauthorized", {"请先登录", "Log in first"}},
    {"unit_not_empty",
     {"该单位下还有 {units} 个下级单位、{people} 名人员或业务记录，不能删除",
      "The unit still has {units} units below, {people} people or records: it cannot go"}},
    {"unit_under_itself",
     {"不能移到自身或其下级单位之下", "A unit cannot move below itself or its own units"}},
    {"unknown_entity", {"未知的业务对象", "Unknown entity"}},
    {"unknown_field", {"未知字段", "Unknown field"}},
    {"unknown_operator", {"未知的筛选运算符：{op}", "Unknown filter operator: {op}"}},
    {"unknown_parameter", {"未知参数", "Unknown parameter"}},
    {"unsortable_field", {"该字段不能排序", "This field cannot be sorted on"}},
    {"unsupported_media_type",
     {"不支持的内容类型，应为 {expected}", "Unsupported content type; expected {expected}"}},
    {"validation_failed", {"提交的数据有误", "Some values are not valid"}},
    {"wrong_password", {"密码不正确", "The password is not correct"}},
};

static int cmp_message(const void *key, const void *elem)
{
	return strcmp(key, ((const struct message *)elem)->code);
}

static const struct message *find(const char *code)
{
	return bsearch(code, messages, sizeof messages / sizeof messages[0], sizeof messages[0],
	               cmp_message);
}

int i18n_has(const char *code)
{
	return find(code) != NULL;
}

const char *i18n_message(struct arena *a, enum lang lang, const char *code,
                         const char *const *params)
{
	const struct message *m = find(code);
	if (!m)
		return code;
	const char *t = m->text[lang];
	struct str out = STR_INIT;
	while (*t) {
		const char *open = strchr(t, '{');
		if (!open) {
			str_adds(&out, t);
			break;
		}
		const char *close = strchr(open, '}');
		if (!close) {
			str_adds(&out, t);
			break;
		}
		str_add(&out, t, (size_t)(open - t));
		size_t klen = (size_t)(close - open - 1);
		const char *val = "";
		for (const char *const *p = params; p && p[0]; p += 2)
			if (strlen(p[0]) == klen && memcmp(p[0], open + 1, klen) == 0)
				val = p[1] ? p[1] : "";
		str_adds(&out, val);
		t = close + 1;
	}
	const char *r = arena_strndup(a, out.buf, out.len);
	str_release(&out);
	return r;
}
